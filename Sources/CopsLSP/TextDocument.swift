import CampaignScript
import Foundation

/// An open document: its text as the client last sent it, and what checking it found.
struct TextDocument: Sendable {
    /// The client's name for it.
    let uri: String
    /// Script or Markdown.
    let kind: DocumentKind
    /// The client's version number of this text.
    let version: Int64
    /// The text, as a source file named by its path (the checker resolves `source` paths
    /// relative to that name, as `cops FILE` does).
    let file: SourceFile
    /// The checked program (scripts only).
    let checked: CheckedProgram?
    /// Definitions and `source` paths, for completion, definition and symbols.
    let index: ScriptIndex

    init(uri: String, kind: DocumentKind, version: Int64, text: String, readFile: @escaping FileReader) {
        self.uri = uri
        self.kind = kind
        self.version = version
        let file = SourceFile(name: Self.path(of: uri) ?? uri, text: text)
        self.file = file
        switch kind {
        case .script:
            let checked = Checker.check(file, readFile: readFile)
            self.checked = checked
            index = ScriptIndex(checked.program)
        case .markdown:
            checked = nil
            index = ScriptIndex(Program(statements: [], range: SourceRange(at: file.location(atOffset: 0))))
        }
    }

    /// The text as the client sent it.
    var text: String { String(decoding: file.bytes, as: UTF8.self) }

    /// The local path a `file:` URI names (percent-decoded), or nil for other schemes.
    static func path(of uri: String) -> String? {
        guard let url = URL(string: uri), url.isFileURL else { return nil }
        return url.path
    }

    /// The `file:` URI of a local path.
    static func uri(ofPath path: String) -> String {
        URL(fileURLWithPath: path).absoluteString
    }
}
