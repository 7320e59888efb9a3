public enum ScriptFormatter {
    public static func format(_ text: String) throws(ScriptFormatError) -> String { text }
    public static func formatMarkdown(_ text: String) throws(ScriptFormatError) -> String { text }
}
public struct ScriptFormatError: Error, Sendable { public var diagnostics: [Diagnostic] }
