/// Text written as a string literal of the language, so that the lexer reads it back as the
/// same text (docs/language.md, "Lexical structure"). The one quoter for `Value.literalText`
/// (assertion messages, table cells), `SyntaxPrinter` and messages that quote a string.
public enum ScriptLiteral {
    /// `text` in quotes, escaped where the lexer needs it.
    public static func quoted(_ text: String) -> String {
        var literal = "\""
        for scalar in text.unicodeScalars { append(scalar, to: &literal) }
        return literal + "\""
    }

    /// Appends one character of a literal's text: `"` and `\` escaped, `$` too (it would start
    /// an interpolation), newline and tab as `\n` and `\t`, and other control characters
    /// (C0, DEL, C1) as `\u{…}`, so that the literal stays on one line and shows no control
    /// character raw.
    static func append(_ scalar: Unicode.Scalar, to literal: inout String) {
        switch scalar {
        case "\"": literal += "\\\""
        case "\\": literal += "\\\\"
        case "$": literal += "\\$"
        case "\n": literal += "\\n"
        case "\t": literal += "\\t"
        case _ where scalar.properties.generalCategory == .control: literal += unicodeEscape(scalar)
        default: literal.unicodeScalars.append(scalar)
        }
    }

    /// `\u{…}` with the scalar's value in lowercase hex.
    static func unicodeEscape(_ scalar: Unicode.Scalar) -> String {
        "\\u{" + String(scalar.value, radix: 16) + "}"
    }
}
