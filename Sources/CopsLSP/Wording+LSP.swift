import CopsShell

/// What `cops lsp` says: to the client in error responses and hovers, and on stderr, which
/// editors show as the server's log.
extension Wording {
    static func lspUnknownMethod(_ method: String) -> String { "cops lsp does not implement '\(method)'" }
    static let lspNotInitialized = "the server is not initialized: 'initialize' comes first"
    static let lspShutDown = "the server is shut down: only 'exit' is accepted"
    static let lspInvalidRequest = "not a JSON-RPC 2.0 request or notification"
    static func lspInvalidParams(_ method: String) -> String { "'\(method)' without the parameters it needs" }
    static func lspUnknownDocument(_ uri: String) -> String { "'\(uri)' is not open" }
    static func lspLog(_ message: String) -> String { "cops lsp: \(message)\n" }
    static func lspMalformedFrame(_ why: String) -> String { "skipped \(why)" }
    static func lspMalformedJSON(_ why: String) -> String { "skipped a message that is not JSON: \(why)" }
    static func lspReadFailed(_ why: String) -> String { "cannot read standard input: \(why)" }
    static let lspEndOfInput = "standard input ended without 'exit'"
    public static let lspUsage = "usage: cops lsp [--stdio]: a language server on standard input and output (docs/editors.md)"

    /// The hover of a `$variable`.
    static func lspVariableDefined(_ name: String, by keyword: String, line: Int) -> String {
        "$\(name): defined by '\(keyword)' at line \(line)"
    }
    static func lspVariablePredefined(_ name: String) -> String {
        switch name {
        case "failed": "$failed: predefined: the IDs the last bulk statement could not change"
        case "error": "$error: predefined: the last failure under 'try' (null after a success)"
        case "args": "$args: predefined: every script argument"
        default: "$\(name): predefined: script argument \(name) (a string, null when not given)"
        }
    }
}
