import AltcraftWire
import CampaignScript
import CopsTestSupport
import XCTest

@testable import CopsLSP

/// Drives `LanguageServer` message by message, below the transport.
struct TestClient {
    var server: LanguageServer
    var logged: LogLines
    private var nextID: Int64 = 1

    final class LogLines: @unchecked Sendable {
        var lines: [String] = []
    }

    init(files: [String: String] = [:], initialize: WireValue? = ["capabilities": [:]]) {
        let logged = LogLines()
        self.logged = logged
        server = LanguageServer(
            readFile: { path in
                files[path].map { .success(Array($0.utf8)) } ?? .failure(FileReadError(why: "no such file"))
            },
            log: { logged.lines.append($0) })
        if let initialize { _ = request("initialize", initialize) }
    }

    mutating func send(_ message: WireValue) -> [WireValue] {
        server.handle(JSONWire.encode(message))
    }

    /// A request's response (the whole message: result or error).
    mutating func request(_ method: String, _ params: WireValue = [:]) -> WireValue {
        let id = nextID
        nextID += 1
        let out = send(["jsonrpc": "2.0", "id": .int(id), "method": .string(method), "params": params])
        precondition(out.count == 1 && out[0]["id"] == .int(id), "\(out)")
        return out[0]
    }

    mutating func notify(_ method: String, _ params: WireValue) -> [WireValue] {
        send(["jsonrpc": "2.0", "method": .string(method), "params": params])
    }

    /// Opens a document and returns the diagnostics published for it.
    mutating func open(_ text: String, uri: String = "file:///work/run.cops", language: String = "cops") -> [WireValue] {
        let out = notify(
            "textDocument/didOpen",
            ["textDocument": ["uri": .string(uri), "languageId": .string(language), "version": 1, "text": .string(text)]])
        return Self.diagnostics(out, uri: uri)
    }

    static func diagnostics(_ out: [WireValue], uri: String) -> [WireValue] {
        guard out.count == 1, out[0]["method"] == "textDocument/publishDiagnostics", out[0]["params"]?["uri"] == .string(uri)
        else { fatalError("no diagnostics published: \(out)") }
        return out[0]["params"]?["diagnostics"]?.arrayValue ?? []
    }

    mutating func at(_ method: String, line: Int64, character: Int64, uri: String = "file:///work/run.cops") -> WireValue {
        request(method, ["textDocument": ["uri": .string(uri)], "position": ["line": .int(line), "character": .int(character)]])
    }
}

/// `{"start":{"line":a,"character":b},"end":{…}}` of four numbers.
func lspRange(_ startLine: Int64, _ startCharacter: Int64, _ endLine: Int64, _ endCharacter: Int64) -> WireValue {
    [
        "start": ["line": .int(startLine), "character": .int(startCharacter)],
        "end": ["line": .int(endLine), "character": .int(endCharacter)],
    ]
}

final class LanguageServerTests: XCTestCase {
    // MARK: Lifecycle

    func testInitializeAdvertisesWhatIsImplemented() {
        var client = TestClient(initialize: nil)
        let response = client.request("initialize", ["capabilities": ["general": ["positionEncodings": ["utf-8", "utf-16"]]]])
        let capabilities = response["result"]?["capabilities"]
        XCTAssertEqual(
            capabilities,
            [
                "positionEncoding": "utf-8", "textDocumentSync": ["openClose": true, "change": 2],
                "completionProvider": ["triggerCharacters": ["$"]], "hoverProvider": true, "definitionProvider": true,
                "documentFormattingProvider": true, "documentSymbolProvider": true,
            ])
        XCTAssertEqual(response["result"]?["serverInfo"]?["name"], "cops")
    }

    func testRequestsBeforeInitializeAreRefused() {
        var client = TestClient(initialize: nil)
        XCTAssertEqual(client.request("shutdown")["error"]?["code"], -32002)
        XCTAssertEqual(client.openBeforeInitialize(), [])
    }

    func testShutdownThenExitEndsWithZero() {
        var client = TestClient()
        XCTAssertEqual(client.request("shutdown")["result"], .null)
        XCTAssertEqual(client.request("textDocument/hover")["error"]?["code"], -32600)
        XCTAssertNil(client.server.exitStatus)
        XCTAssertEqual(client.notify("exit", .null), [])
        XCTAssertEqual(client.server.exitStatus, 0)
    }

    func testExitWithoutShutdownEndsWithOne() {
        var client = TestClient()
        _ = client.notify("exit", .null)
        XCTAssertEqual(client.server.exitStatus, 1)
    }

    func testUnknownRequestsAreMethodNotFoundAndUnknownNotificationsIgnored() {
        var client = TestClient()
        let response = client.request("textDocument/rename")
        XCTAssertEqual(response["error"]?["code"], -32601)
        XCTAssertEqual(response["error"]?["message"], "cops lsp does not implement 'textDocument/rename'")
        XCTAssertEqual(client.notify("workspace/didChangeConfiguration", ["settings": [:]]), [])
        XCTAssertEqual(client.notify("$/cancelRequest", ["id": 1]), [])
        XCTAssertEqual(client.notify("$/setTrace", ["value": "off"]), [])
    }

    func testMalformedMessagesAreLoggedAndAnswerNothingOrAnError() {
        var client = TestClient()
        XCTAssertEqual(client.server.handle(Array("{\"jsonrpc\": \"2.0\", ".utf8)), [])
        XCTAssertEqual(client.server.handle([0xFF, 0x00, 0x7B]), [])
        XCTAssertEqual(client.logged.lines.count, 2)
        XCTAssertTrue(client.logged.lines[0].hasPrefix("skipped a message that is not JSON"), client.logged.lines[0])
        // Valid JSON but not a request: an id gets an InvalidRequest error, no id nothing.
        XCTAssertEqual(client.send(["id": 7, "method": "x"]).first?["error"]?["code"], -32600)
        XCTAssertEqual(client.send(["jsonrpc": "2.0"]), [])
        XCTAssertEqual(client.send([1, 2]), [])
        // A request with parameters of the wrong shape is InvalidParams, not a crash.
        XCTAssertEqual(client.request("textDocument/hover", ["textDocument": 5])["error"]?["code"], -32602)
        XCTAssertEqual(client.request("textDocument/hover", "text")["error"]?["code"], -32602)
        XCTAssertEqual(
            client.request("textDocument/hover", ["textDocument": ["uri": "file:///nope.cops"], "position": [:]])["error"]?[
                "message"], "'file:///nope.cops' is not open")
    }

    // MARK: Diagnostics

    func testDiagnosticsAreTheCheckersWordsAtItsRangeInUTF16() throws {
        let text = "echo \"Весна 🌸\"; deactivate 5 abrot\n"
        var client = TestClient()
        let diagnostics = client.open(text)
        XCTAssertEqual(diagnostics.count, 1)
        let diagnostic = try XCTUnwrap(diagnostics.first)
        // `abrot` starts after `echo "Весна 🌸"; deactivate 5 ` = 6 + 5 + 1 + 2 + 1 + 2 + 11 + 2 = 30 units.
        XCTAssertEqual(diagnostic["range"], lspRange(0, 30, 0, 35))
        XCTAssertEqual(diagnostic["severity"], 1)
        XCTAssertEqual(diagnostic["source"], "cops")
        // The same words as `cops --check`: its header's message, then each note line.
        let file = SourceFile(name: "/work/run.cops", text: text)
        let rendered = DiagnosticRenderer().render(Checker.check(file).diagnostics, in: file)
        let lines = try XCTUnwrap(diagnostic["message"]?.stringValue).split(separator: "\n").map(String.init)
        XCTAssertEqual(rendered.split(separator: "\n").first.map(String.init), "/work/run.cops:1:30: error: " + lines[0])
        XCTAssertEqual(lines[0], "unknown option 'abrot' for 'deactivate'; did you mean 'abort'?")
        XCTAssertEqual(Array(lines.dropFirst()), ["note: 'deactivate' accepts 'abort'"])
        for note in lines.dropFirst() { XCTAssertTrue(rendered.contains(note + "\n"), rendered) }
    }

    func testANoteAboutOtherTextIsRelatedInformationToo() throws {
        var client = TestClient()
        let diagnostics = client.open("list tag a limit 1 limit 2\n")
        let diagnostic = try XCTUnwrap(diagnostics.first)
        XCTAssertEqual(diagnostic["severity"], 2)
        XCTAssertEqual(diagnostic["message"], "option 'limit' is given more than once\nnote: 'limit' first given here")
        XCTAssertEqual(
            diagnostic["relatedInformation"],
            [
                [
                    "location": ["uri": "file:///work/run.cops", "range": lspRange(0, 11, 0, 18)],
                    "message": "'limit' first given here",
                ]
            ])
    }

    func testWarningsKeepTheirSeverity() {
        var client = TestClient()
        XCTAssertEqual(client.open("help nosuchtopic\n").map { $0["severity"] }, [2])
    }

    func testChangesRecheckAndCloseClears() {
        var client = TestClient()
        XCTAssertEqual(client.open("status 1\n").count, 0)
        // A full-text change.
        var out = client.notify(
            "textDocument/didChange",
            ["textDocument": ["uri": "file:///work/run.cops", "version": 2], "contentChanges": [["text": "statu 1\n"]]])
        XCTAssertEqual(
            TestClient.diagnostics(out, uri: "file:///work/run.cops").first?["message"],
            "unknown command 'statu'; did you mean 'status'?")
        XCTAssertEqual(out[0]["params"]?["version"], 2)
        // A range change after Cyrillic text: `statu` → `status` on line 2.
        _ = client.notify(
            "textDocument/didChange",
            [
                "textDocument": ["uri": "file:///work/run.cops", "version": 3],
                "contentChanges": [["text": "echo \"Ж\"\nstatu 1\n"]],
            ])
        out = client.notify(
            "textDocument/didChange",
            [
                "textDocument": ["uri": "file:///work/run.cops", "version": 4],
                "contentChanges": [
                    ["range": lspRange(1, 5, 1, 5), "text": "s"], ["range": lspRange(0, 6, 0, 7), "text": "Ёж"],
                ],
            ])
        XCTAssertEqual(TestClient.diagnostics(out, uri: "file:///work/run.cops"), [])
        XCTAssertEqual(client.server.documents["file:///work/run.cops"]?.text, "echo \"Ёж\"\nstatus 1\n")
        out = client.notify("textDocument/didClose", ["textDocument": ["uri": "file:///work/run.cops"]])
        XCTAssertEqual(
            out,
            [
                [
                    "jsonrpc": "2.0", "method": "textDocument/publishDiagnostics",
                    "params": ["uri": "file:///work/run.cops", "diagnostics": []],
                ]
            ])
        XCTAssertNil(client.server.documents["file:///work/run.cops"])
    }

    func testSourcedFilesAreReadRelativeToTheDocumentAndFromOpenDocumentsFirst() {
        var client = TestClient(files: ["/work/lib/common.cops": "let shared = 1\n"])
        XCTAssertEqual(client.open("source \"lib/common.cops\"\necho $shared\n").count, 0)
        // An open, unsaved version of the library wins over the disk's.
        _ = client.open("statu 1\n", uri: "file:///work/lib/common.cops")
        let diagnostics = client.open("source \"lib/common.cops\"\n", uri: "file:///work/other.cops")
        XCTAssertEqual(diagnostics.first?["message"], "'/work/lib/common.cops' has 1 error")
    }

    // MARK: Completion

    private func labels(_ response: WireValue) -> [String] {
        (response["result"]?.arrayValue ?? []).compactMap { $0["label"]?.stringValue }
    }

    func testCompletionOfAStatementOffersVerbsAndKeywords() throws {
        var client = TestClient()
        _ = client.open("let x = 1\n\n")
        let response = client.at("textDocument/completion", line: 1, character: 0)
        let labels = labels(response)
        XCTAssertEqual(labels, CompletionEngineOracle.statementWords)
        let item = try XCTUnwrap(response["result"]?.arrayValue?.first { $0["label"] == "deactivate" })
        XCTAssertEqual(item["kind"], 3)
        XCTAssertEqual(item["detail"], "deactivate campaigns; abort drops queued messages")
        XCTAssertEqual(item["textEdit"], ["range": lspRange(1, 0, 1, 0), "newText": "deactivate"])
    }

    func testCompletionOfAPartialWordReplacesIt() {
        var client = TestClient()
        _ = client.open("echo \"Ж\"; deac")
        let response = client.at("textDocument/completion", line: 0, character: 14)
        XCTAssertEqual(labels(response), ["deactivate"])
        XCTAssertEqual(response["result"]?.arrayValue?.first?["textEdit"]?["range"], lspRange(0, 10, 0, 14))
    }

    func testCompletionOffersTheVerbsOptionsAndSettingValues() {
        var client = TestClient()
        _ = client.open("deactivate 5 \nset output \nlist type \n")
        XCTAssertEqual(labels(client.at("textDocument/completion", line: 0, character: 13)), ["abort"])
        XCTAssertEqual(labels(client.at("textDocument/completion", line: 1, character: 11)), ["table", "json", "text"])
        XCTAssertEqual(labels(client.at("textDocument/completion", line: 2, character: 10)), ["broadcast", "regular", "trigger"])
    }

    func testVariablesCompleteOnlyOnceDefinedAboveTheCursor() {
        var client = TestClient()
        _ = client.open("let alpha = 1\necho $\nfor beta in 1..2 { echo $ }\nlet gamma = 2\n")
        let predefined = GrammarTable.predefinedVariables.map { "$" + $0 }
        XCTAssertEqual(Set(labels(client.at("textDocument/completion", line: 1, character: 6))), Set(predefined + ["$alpha"]))
        XCTAssertEqual(
            Set(labels(client.at("textDocument/completion", line: 2, character: 25))), Set(predefined + ["$alpha", "$beta"]))
    }

    // MARK: Hover and definition

    func testHoverShowsTheHelpOfTheWordUnderTheCursor() {
        var client = TestClient()
        _ = client.open("echo \"Ж\"; deactivate 5 abort\nset on-error stop\n")
        let verb = client.at("textDocument/hover", line: 0, character: 12)
        XCTAssertEqual(verb["result"]?["contents"]?["value"]?.stringValue, GrammarTable.helpText(for: "deactivate"))
        XCTAssertEqual(verb["result"]?["range"], lspRange(0, 10, 0, 20))
        XCTAssertEqual(
            client.at("textDocument/hover", line: 0, character: 23)["result"]?["contents"]?["value"],
            "abort: drop messages still queued (used by deactivate)")
        XCTAssertEqual(
            client.at("textDocument/hover", line: 1, character: 6)["result"]?["contents"]?["value"]?.stringValue,
            GrammarTable.helpText(for: "on-error"))
        // A number, a string or nothing: no hover.
        XCTAssertEqual(client.at("textDocument/hover", line: 0, character: 21)["result"], .null)
        XCTAssertEqual(client.at("textDocument/hover", line: 0, character: 6)["result"], .null)
    }

    func testHoverAndDefinitionOfVariables() {
        var client = TestClient()
        _ = client.open("let «ж» = 1\nlet ids = (list active)\necho \"$ids.count\" $failed\nfor id in $ids { status $id }\n")
        // `«ж»` is not a variable name: the lines still index.
        XCTAssertEqual(
            client.at("textDocument/hover", line: 2, character: 8)["result"]?["contents"]?["value"],
            "$ids: defined by 'let' at line 2")
        XCTAssertEqual(
            client.at("textDocument/definition", line: 2, character: 8)["result"],
            ["uri": "file:///work/run.cops", "range": lspRange(1, 4, 1, 7)])
        XCTAssertEqual(
            client.at("textDocument/hover", line: 2, character: 20)["result"]?["contents"]?["value"],
            "$failed: predefined: the IDs the last bulk statement could not change")
        XCTAssertEqual(client.at("textDocument/definition", line: 2, character: 20)["result"], .null)
        XCTAssertEqual(
            client.at("textDocument/definition", line: 3, character: 25)["result"],
            ["uri": "file:///work/run.cops", "range": lspRange(3, 4, 3, 6)])
    }

    func testDefinitionOfASourcePathIsTheResolvedFile() {
        var client = TestClient(files: ["/work/lib/Весна.cops": "echo 1\n"])
        _ = client.open("source \"lib/../lib/Весна.cops\"\n")
        XCTAssertEqual(
            client.at("textDocument/definition", line: 0, character: 10)["result"],
            ["uri": "file:///work/lib/%D0%92%D0%B5%D1%81%D0%BD%D0%B0.cops", "range": lspRange(0, 0, 0, 0)])
    }

    // MARK: Formatting and symbols

    func testFormattingIsOneWholeDocumentEditOfTheFormattersText() throws {
        let text = "echo   1\nlet  x=2\n"
        var client = TestClient()
        _ = client.open(text)
        let response = client.request(
            "textDocument/formatting",
            ["textDocument": ["uri": "file:///work/run.cops"], "options": ["tabSize": 4, "insertSpaces": true]])
        // What `cops fmt` makes of it, written out (ScriptFormatterTests test the rules).
        XCTAssertEqual(try ScriptFormatter.format(text), "echo 1\nlet x = 2\n")
        XCTAssertEqual(response["result"], [["range": lspRange(0, 0, 2, 0), "newText": "echo 1\nlet x = 2\n"]])
    }

    func testFormattingAMarkdownRunbookChangesOnlyItsCopsBlocks() {
        let text = "# Stop it\n\nSome   prose.\n\n```cops\nlet  x=2\n```\n"
        var client = TestClient()
        _ = client.open(text, uri: "file:///work/RB.md", language: "markdown")
        let response = client.request(
            "textDocument/formatting",
            ["textDocument": ["uri": "file:///work/RB.md"], "options": ["tabSize": 2, "insertSpaces": true]])
        XCTAssertEqual(
            response["result"],
            [["range": lspRange(0, 0, 7, 0), "newText": "# Stop it\n\nSome   prose.\n\n```cops\nlet x = 2\n```\n"]])
    }

    func testAFormattedTextIsOneEditOverTheWholeTextAndAnErrorNone() {
        let document = TextDocument(
            uri: "file:///work/run.cops", kind: .script, version: 1, text: "echo \"Весна 🌸\"\necho 1",
            readFile: { _ in .failure(FileReadError(why: "no such file")) })
        XCTAssertEqual(
            LanguageServer.formatting(of: document, encoding: .utf16) { text, _ in text + "\n" },
            [["range": lspRange(0, 0, 1, 6), "newText": "echo \"Весна 🌸\"\necho 1\n"]])
        XCTAssertEqual(
            LanguageServer.formatting(of: document, encoding: .utf16) { _, _ in throw CancellationError() }, [])
        XCTAssertEqual(LanguageServer.formatting(of: document, encoding: .utf16) { text, _ in text }, [])
    }

    func testParametersAreSymbolsAndDefinitions() {
        var client = TestClient()
        _ = client.open("param ID \"the campaign to stop\"\ndeactivate $ID\n")
        let symbols = client.request("textDocument/documentSymbol", ["textDocument": ["uri": "file:///work/run.cops"]])["result"]
        XCTAssertEqual(
            symbols,
            [
                [
                    "name": "$ID", "detail": "param", "kind": 13, "range": lspRange(0, 0, 0, 31),
                    "selectionRange": lspRange(0, 6, 0, 8),
                ]
            ])
        XCTAssertEqual(
            client.at("textDocument/definition", line: 1, character: 12)["result"],
            ["uri": "file:///work/run.cops", "range": lspRange(0, 6, 0, 8)])
        XCTAssertEqual(
            client.at("textDocument/hover", line: 1, character: 12)["result"]?["contents"]?["value"],
            "$ID: defined by 'param' at line 1")
    }

    func testAnUnclosedBlockSaysWhereItWasOpened() {
        var client = TestClient()
        let diagnostics = client.open("echo 1\nif true {\n  echo 2\n")
        XCTAssertEqual(diagnostics.first?["range"], lspRange(1, 8, 1, 9))
        XCTAssertEqual(diagnostics.first?["message"], "'{' opened at 2:9 was never closed")
    }

    func testDocumentSymbolsAreTheDefinedNames() {
        var client = TestClient()
        _ = client.open("let a = 1\nif true {\n  let b = 2\n}\nfor c in 1..3 { let d = $c }\n")
        let symbols = client.request("textDocument/documentSymbol", ["textDocument": ["uri": "file:///work/run.cops"]])["result"]
        XCTAssertEqual(
            symbols,
            [
                [
                    "name": "$a", "detail": "let", "kind": 13, "range": lspRange(0, 0, 0, 9),
                    "selectionRange": lspRange(0, 4, 0, 5),
                ],
                [
                    "name": "$b", "detail": "let", "kind": 13, "range": lspRange(2, 2, 2, 11),
                    "selectionRange": lspRange(2, 6, 2, 7),
                ],
                [
                    "name": "$c", "detail": "for", "kind": 13, "range": lspRange(4, 0, 4, 5),
                    "selectionRange": lspRange(4, 4, 4, 5),
                ],
                [
                    "name": "$d", "detail": "let", "kind": 13, "range": lspRange(4, 16, 4, 26),
                    "selectionRange": lspRange(4, 20, 4, 21),
                ],
            ])
    }

    func testMarkdownRunbooksAreCheckedInTheirCopsBlocksOnly() throws {
        var client = TestClient()
        let uri = "file:///work/RB-042.md"
        let text = "# Runbook\n\nstatu 1 is prose\n\n```sh\nstatu 2\n```\n\n## Stop\n\n```cops\nparam ID\ndeactivte $ID\n```\n"
        let diagnostics = client.open(text, uri: uri, language: "markdown")
        // One error, in the cops block, at the document's own line and column.
        XCTAssertEqual(diagnostics.count, 1)
        XCTAssertEqual(diagnostics.first?["range"], lspRange(12, 0, 12, 9))
        XCTAssertEqual(
            diagnostics.first?["message"]?.stringValue?.split(separator: "\n").first,
            "unknown command 'deactivte'; did you mean 'deactivate'?")
        // Prose answers nothing; code answers as in a script, with the block's definitions.
        XCTAssertEqual(client.at("textDocument/completion", line: 2, character: 0, uri: uri)["result"], [])
        XCTAssertEqual(
            client.at("textDocument/definition", line: 12, character: 12, uri: uri)["result"],
            ["uri": .string(uri), "range": lspRange(11, 6, 11, 8)])
        let completion = client.at("textDocument/completion", line: 12, character: 0, uri: uri)
        XCTAssertTrue(labels(completion).contains("deactivate"), "\(completion)")
        XCTAssertEqual(DocumentKind(languageID: "plaintext", uri: "file:///a/B.MD"), .markdown)
        XCTAssertEqual(DocumentKind(languageID: "cops", uri: "file:///a/b.md"), .script)
        XCTAssertEqual(DocumentKind(languageID: "", uri: "untitled:1"), .script)
    }

    // MARK: Robustness

    func testEveryRequestOnAnyTextAnswersWithoutCrashing() {
        var generator = SplitMix(state: 19)
        let pieces = [
            "let", "x", "$", "$x", "\"", "\"Весна $x", "🌸", "{", "}", "(", ")", "\n", "\r\n", " ", "deactivate", "source",
            "\\", "#", "..", "=", "abort", "set", "output", "\u{0}", "\u{FEFF}", "1", "99999999999999999999",
        ]
        var texts = ["", "\n\n"]
        for _ in 0..<60 {
            texts.append(
                (0..<Int.random(in: 1...40, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined())
        }
        var client = TestClient()
        for (number, text) in texts.enumerated() {
            let uri = "file:///work/\(number).cops"
            _ = client.open(text, uri: uri)
            for line in Int64(0)...3 {
                for character in [Int64(0), 1, 3, 7, 1000] {
                    for method in ["textDocument/completion", "textDocument/hover", "textDocument/definition"] {
                        XCTAssertNotNil(client.at(method, line: line, character: character, uri: uri)["result"])
                    }
                }
            }
            XCTAssertNotNil(client.request("textDocument/formatting", ["textDocument": ["uri": .string(uri)]])["result"])
            XCTAssertNotNil(client.request("textDocument/documentSymbol", ["textDocument": ["uri": .string(uri)]])["result"])
        }
        // A long document: every request still answers (each reads the whole text once).
        let long = String(repeating: "status 1\n", count: 20_000) + "let x = 1\necho $"
        XCTAssertEqual(client.open(long, uri: "file:///work/long.cops").count, 1)  // the stray `$`
        for method in ["textDocument/completion", "textDocument/hover", "textDocument/definition"] {
            XCTAssertNotNil(client.at(method, line: 20_001, character: 6, uri: "file:///work/long.cops")["result"])
        }
        XCTAssertEqual(
            labels(client.at("textDocument/completion", line: 20_001, character: 6, uri: "file:///work/long.cops")).count,
            GrammarTable.predefinedVariables.count + 1)
    }
}

/// What completion at the start of a statement must offer, written out: every verb, its
/// aliases, every statement keyword (so a new verb not offered fails here).
enum CompletionEngineOracle {
    static let statementWords = [
        "activate", "deactivate", "status", "show", "info", "list", "log", "clone", "delete", "launch", "let", "param", "if",
        "elif", "else", "for", "wait", "assert", "try", "set", "echo", "sleep", "source", "help", "exit",
    ]
}

extension TestClient {
    /// A didOpen before initialize: ignored (nothing published).
    mutating func openBeforeInitialize() -> [WireValue] {
        notify(
            "textDocument/didOpen", ["textDocument": ["uri": "file:///a.cops", "languageId": "cops", "version": 1, "text": "x"]])
    }
}
