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
    /// The program text: the document itself for a script; for a Markdown runbook its `cops`
    /// blocks with every other line empty (`SourceFile.script(named:bytes:)`), so a line and
    /// column in it are the same line and column in the document. Checking, completion,
    /// hover, definition and symbols read this; edits and formatting read `file`.
    let program: SourceFile
    /// The lines (1-based) of a Markdown runbook's `cops` blocks; nil for a script, all of
    /// whose lines are code. Completion and hover answer only there, not in the prose.
    let codeLines: [Range<Int>]?
    /// The checked program.
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
            program = file
            codeLines = nil
        case .markdown:
            // Read once per change: the program and where its blocks are come from one scan.
            let runbook = MarkdownRunbook(bytes: file.bytes)
            program = runbook.file(named: file.name)
            codeLines = runbook.blocks.map(\.contentLines)
        }
        let checked = Checker.check(program, readFile: readFile)
        self.checked = checked
        index = ScriptIndex(checked.program)
    }

    /// Whether a line (1-based) holds cops code rather than prose.
    func isCode(line: Int) -> Bool {
        codeLines?.contains { $0.contains(line) } ?? true
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
