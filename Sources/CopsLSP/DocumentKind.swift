/// What a document is, decided once from its language id and its URI: everything else asks
/// this rather than looking at extensions itself.
enum DocumentKind: Sendable, Equatable {
    /// A `.cops` script (or any document the client calls `cops`).
    case script
    /// A Markdown runbook: its `cops` blocks are the program (`TextDocument.program`).
    case markdown

    /// The kind of a document the client opened; the client's language id wins over the
    /// extension, and an unknown one is read as a script (an editor may name the language
    /// `plaintext` for a file without extension that the user pointed the server at).
    init(languageID: String, uri: String) {
        switch languageID.lowercased() {
        case "cops": self = .script
        case "markdown": self = .markdown
        default:
            let path = uri.lowercased()
            self = path.hasSuffix(".md") || path.hasSuffix(".markdown") ? .markdown : .script
        }
    }
}
