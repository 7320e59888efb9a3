import AltcraftWire
import CampaignScript
import CopsShell

/// The language server's protocol state and dispatch, below the transport: one JSON-RPC
/// message in, the messages to send back out. It never talks to a panel: everything it
/// answers comes from the text, the grammar table and local files (docs/editors.md).
struct LanguageServer {
    /// Where the server is in LSP's lifecycle.
    enum State {
        case waitingForInitialize, running, shutDown
    }

    /// JSON-RPC and LSP error codes the server answers with.
    enum ErrorCode: Int64 {
        case invalidRequest = -32600
        case methodNotFound = -32601
        case invalidParams = -32602
        case serverNotInitialized = -32002
    }

    /// A request that cannot be answered, as its error response says.
    struct RequestError: Error {
        var code: ErrorCode
        var message: String
    }

    private(set) var state = State.waitingForInitialize
    private(set) var encoding = PositionEncoding.utf16
    private(set) var documents: [String: TextDocument] = [:]
    /// Set by `exit`: 0 after `shutdown`, 1 otherwise (LSP's rule).
    private(set) var exitStatus: Int32?
    /// Reads files that `source` statements name and that are not open in the editor.
    private let readFile: FileReader
    /// Writes a line for the server's log (stderr: never the protocol's stdout).
    private let log: @Sendable (String) -> Void

    /// Creates a server reading `source`d files with `readFile` and logging with `log`.
    init(readFile: @escaping FileReader, log: @escaping @Sendable (String) -> Void) {
        self.readFile = readFile
        self.log = log
    }

    /// Handles one message body; returns the messages to send (responses, notifications).
    mutating func handle(_ body: [UInt8]) -> [WireValue] {
        let message: WireValue
        do {
            message = try JSONWire.decode(body)
        } catch {
            log(Wording.lspMalformedJSON(error.description))
            return []
        }
        let id = message["id"]
        guard message["jsonrpc"] == "2.0", case .string(let method)? = message["method"] else {
            log(Wording.lspInvalidRequest)
            // A response from the client (it has an id but no method) needs no answer: the
            // server sends no requests, so there is nothing it could answer.
            guard let id, message["result"] == nil, message["error"] == nil else { return [] }
            return [Self.errorResponse(id: id, RequestError(code: .invalidRequest, message: Wording.lspInvalidRequest))]
        }
        let params = message["params"] ?? .null
        guard let id else { return notification(method, params) }
        do {
            return [["jsonrpc": "2.0", "id": id, "result": try request(method, params)]]
        } catch {
            return [Self.errorResponse(id: id, error)]
        }
    }

    private static func errorResponse(id: WireValue, _ error: RequestError) -> WireValue {
        ["jsonrpc": "2.0", "id": id, "error": ["code": .int(error.code.rawValue), "message": .string(error.message)]]
    }

    // MARK: Lifecycle and dispatch

    private mutating func request(_ method: String, _ params: WireValue) throws(RequestError) -> WireValue {
        switch state {
        case .waitingForInitialize where method != "initialize":
            throw RequestError(code: .serverNotInitialized, message: Wording.lspNotInitialized)
        case .shutDown:
            throw RequestError(code: .invalidRequest, message: Wording.lspShutDown)
        default:
            break
        }
        switch method {
        case "initialize":
            return initialize(params)
        case "shutdown":
            state = .shutDown
            return .null
        case "textDocument/completion":
            let (document, offset) = try located(method, params)
            return Self.completion(in: document, at: offset, encoding: encoding)
        case "textDocument/hover":
            let (document, offset) = try located(method, params)
            return Self.hover(in: document, at: offset, encoding: encoding)
        case "textDocument/definition":
            let (document, offset) = try located(method, params)
            return Self.definition(in: document, at: offset, encoding: encoding)
        case "textDocument/formatting":
            return Self.formatting(of: try document(method, params), encoding: encoding)
        case "textDocument/documentSymbol":
            return Self.symbols(of: try document(method, params), encoding: encoding)
        default:
            throw RequestError(code: .methodNotFound, message: Wording.lspUnknownMethod(method))
        }
    }

    /// Notifications get no answer, even a bad one (JSON-RPC); the unknown ones, and
    /// `$/cancelRequest` (every request is answered before the next is read), are ignored.
    private mutating func notification(_ method: String, _ params: WireValue) -> [WireValue] {
        if method == "exit" {
            exitStatus = state == .shutDown ? 0 : 1
            return []
        }
        guard state == .running else { return [] }
        switch method {
        case "textDocument/didOpen":
            guard let item = params["textDocument"], case .string(let uri)? = item["uri"],
                case .string(let text)? = item["text"]
            else { return invalid(method) }
            let kind = DocumentKind(languageID: item["languageId"]?.stringValue ?? "", uri: uri)
            return open(uri, kind: kind, version: item["version"]?.intValue ?? 0, text: text)
        case "textDocument/didChange":
            guard case .string(let uri)? = params["textDocument"]?["uri"], let changes = params["contentChanges"],
                case .array(let list) = changes
            else { return invalid(method) }
            guard let document = documents[uri] else {
                log(Wording.lspUnknownDocument(uri))
                return []
            }
            guard let text = Self.applying(list, to: document, encoding: encoding) else { return invalid(method) }
            let version = params["textDocument"]?["version"]?.intValue ?? document.version + 1
            return open(uri, kind: document.kind, version: version, text: text)
        case "textDocument/didClose":
            guard case .string(let uri)? = params["textDocument"]?["uri"] else { return invalid(method) }
            documents[uri] = nil
            return [Self.publish(uri: uri, version: nil, diagnostics: [])]
        default:
            return []
        }
    }

    private mutating func initialize(_ params: WireValue) -> WireValue {
        let offered = params["capabilities"]?["general"]?["positionEncodings"]?.arrayValue ?? []
        encoding = PositionEncoding.negotiated(offered: offered.compactMap(\.stringValue))
        state = .running
        // Exactly what the server implements (docs/editors.md).
        let capabilities: WireValue = [
            "positionEncoding": .string(encoding.rawValue),
            "textDocumentSync": ["openClose": true, "change": 2],
            "completionProvider": ["triggerCharacters": ["$"]],
            "hoverProvider": true,
            "definitionProvider": true,
            "documentFormattingProvider": true,
            "documentSymbolProvider": true,
        ]
        return ["capabilities": capabilities, "serverInfo": ["name": "cops", "version": .string(CopsVersion.current)]]
    }

    private func invalid(_ method: String) -> [WireValue] {
        log(Wording.lspInvalidParams(method))
        return []
    }

    /// Stores a document's new text, checks it and publishes what the check found.
    private mutating func open(_ uri: String, kind: DocumentKind, version: Int64, text: String) -> [WireValue] {
        // `source`d files that are open are read as the editor has them, unsaved changes too.
        let openTexts = Dictionary(documents.values.map { ($0.file.name, $0.file.bytes) }) { first, _ in first }
        let readFile = self.readFile
        let document = TextDocument(
            uri: uri, kind: kind, version: version, text: text,
            readFile: { path in openTexts[path].map { .success($0) } ?? readFile(path) })
        documents[uri] = document
        return [Self.publish(uri: uri, version: version, diagnostics: Self.diagnostics(of: document, encoding: encoding))]
    }

    /// A document's text after `didChange`'s changes, in order: a change with a range
    /// replaces that range, one without replaces the whole text; nil if one is malformed.
    static func applying(_ changes: [WireValue], to document: TextDocument, encoding: PositionEncoding) -> String? {
        var bytes = document.file.bytes
        for change in changes {
            guard case .string(let text)? = change["text"] else { return nil }
            guard let range = change["range"] else {
                bytes = Array(text.utf8)
                continue
            }
            let map = PositionMap(file: SourceFile(name: document.file.name, bytes: bytes), encoding: encoding)
            guard let start = lspPosition(range["start"]), let end = lspPosition(range["end"]) else { return nil }
            let from = map.offset(of: start)
            let to = max(from, map.offset(of: end))
            bytes.replaceSubrange(from..<to, with: Array(text.utf8))
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func publish(uri: String, version: Int64?, diagnostics: [WireValue]) -> WireValue {
        var params: WireValue = ["uri": .string(uri), "diagnostics": .array(diagnostics)]
        if let version, case .object(var object) = params {
            object["version"] = .int(version)
            params = .object(object)
        }
        return ["jsonrpc": "2.0", "method": "textDocument/publishDiagnostics", "params": params]
    }

    // MARK: Parameters

    private func document(_ method: String, _ params: WireValue) throws(RequestError) -> TextDocument {
        guard case .string(let uri)? = params["textDocument"]?["uri"] else {
            throw RequestError(code: .invalidParams, message: Wording.lspInvalidParams(method))
        }
        guard let document = documents[uri] else {
            throw RequestError(code: .invalidParams, message: Wording.lspUnknownDocument(uri))
        }
        return document
    }

    /// The document and byte offset a position request is about.
    private func located(_ method: String, _ params: WireValue) throws(RequestError) -> (TextDocument, Int) {
        let document = try document(method, params)
        guard let position = Self.lspPosition(params["position"]) else {
            throw RequestError(code: .invalidParams, message: Wording.lspInvalidParams(method))
        }
        return (document, PositionMap(file: document.program, encoding: encoding).offset(of: position))
    }

    static func lspPosition(_ value: WireValue?) -> LSPPosition? {
        guard case .int(let line)? = value?["line"], case .int(let character)? = value?["character"],
            line >= 0, character >= 0, line <= Int32.max, character <= Int32.max
        else { return nil }
        return LSPPosition(line: Int(line), character: Int(character))
    }

    static func json(_ position: LSPPosition) -> WireValue {
        ["line": .int(Int64(position.line)), "character": .int(Int64(position.character))]
    }

    static func json(_ range: (start: LSPPosition, end: LSPPosition)) -> WireValue {
        ["start": json(range.start), "end": json(range.end)]
    }
}
