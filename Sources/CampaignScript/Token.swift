/// One lexical token: its kind (with any payload), where it is, and whether whitespace preceded it.
public struct Token: Equatable, Sendable {
    /// What the token is, with its decoded value.
    public let kind: TokenKind
    /// The kind without its value, one byte: what the parser compares most often, read without
    /// copying the value (comparing whole kinds copied and released strings for every
    /// `match(.newline)`; docs/performance.md, "Flat syntax storage", second pass).
    public let tag: TokenTag
    /// Where the token's text is.
    public var range: SourceRange
    /// True when whitespace, a comment or a line start comes right before the token; `$a.b` and
    /// `$a[0]` need their parts adjacent so `echo $a [0]` stays two expressions.
    public var leadingSpace: Bool

    /// Creates a token.
    public init(kind: TokenKind, range: SourceRange, leadingSpace: Bool) {
        self.kind = kind
        self.tag = kind.tag
        self.range = range
        self.leadingSpace = leadingSpace
    }
}

/// The kinds of tokens, carrying decoded values; lexical errors are tokens too.
public enum TokenKind: Equatable, Sendable {
    /// `[A-Za-z_][A-Za-z0-9_-]*`: verbs, keywords, option names and bare values.
    case word(String)
    /// An integer literal such as `15` or `1_000`.
    case integer(Int64)
    /// A duration literal such as `1m30s`, in milliseconds.
    case duration(milliseconds: Int64)
    /// A string literal split into literal text and interpolated variables.
    case string([StringPart])
    /// `$name`, `$args` or `$1`…`$9`, without the dollar sign.
    case variable(String)
    /// `,`
    case comma
    /// `..`
    case dotDot
    /// `.`
    case dot
    /// `=`
    case assign
    /// `==`
    case equal
    /// `!=`
    case notEqual
    /// `<`
    case less
    /// `<=`
    case lessEqual
    /// `>`
    case greater
    /// `>=`
    case greaterEqual
    /// `(`
    case leftParen
    /// `)`
    case rightParen
    /// `{`
    case leftBrace
    /// `}`
    case rightBrace
    /// `[`
    case leftBracket
    /// `]`
    case rightBracket
    /// `;`
    case semicolon
    /// A line break that ends a statement.
    case newline
    /// The end of the input.
    case endOfFile
    /// Text that is not a valid token, with the diagnostic explaining why.
    indirect case error(Diagnostic)

    /// The symbol's spelling for punctuation tokens, `nil` for the others.
    public var symbol: String? { tag.symbol }
}

/// A token as the parser holds it: its tag, where it is and whether whitespace preceded it, and
/// no value. It holds no reference, so the parser's token window copies it as plain bytes (a
/// `Token` with a `String` or `[StringPart]` inside was retained and released on every copy).
/// A value is decoded from the source bytes only where a node needs it
/// (`Lexer.kind(of:)`); a lexical error's diagnostic is kept beside the window, by position.
struct Lexeme: Sendable {
    /// The token's case without its value.
    var tag: TokenTag
    /// True when whitespace, a comment or a line start comes right before the token.
    var leadingSpace: Bool
    /// Where the token's text is.
    var range: SourceRange
}

extension TokenTag {
    /// The symbol's spelling for punctuation tokens, `nil` for the others.
    public var symbol: String? {
        switch self {
        case .comma: ","
        case .dotDot: ".."
        case .dot: "."
        case .assign: "="
        case .equal: "=="
        case .notEqual: "!="
        case .less: "<"
        case .lessEqual: "<="
        case .greater: ">"
        case .greaterEqual: ">="
        case .leftParen: "("
        case .rightParen: ")"
        case .leftBrace: "{"
        case .rightBrace: "}"
        case .leftBracket: "["
        case .rightBracket: "]"
        case .semicolon: ";"
        default: nil
        }
    }
}

/// A token kind without its value (`TokenKind`'s cases, one byte each).
public enum TokenTag: UInt8, Sendable {
    case word, integer, duration, string, variable, comma, dotDot, dot, assign, equal, notEqual, less, lessEqual, greater,
        greaterEqual, leftParen, rightParen, leftBrace, rightBrace, leftBracket, rightBracket, semicolon, newline, endOfFile,
        error
}

extension TokenKind {
    /// This kind's case, without its value.
    public var tag: TokenTag {
        switch self {
        case .word: .word
        case .integer: .integer
        case .duration: .duration
        case .string: .string
        case .variable: .variable
        case .comma: .comma
        case .dotDot: .dotDot
        case .dot: .dot
        case .assign: .assign
        case .equal: .equal
        case .notEqual: .notEqual
        case .less: .less
        case .lessEqual: .lessEqual
        case .greater: .greater
        case .greaterEqual: .greaterEqual
        case .leftParen: .leftParen
        case .rightParen: .rightParen
        case .leftBrace: .leftBrace
        case .rightBrace: .rightBrace
        case .leftBracket: .leftBracket
        case .rightBracket: .rightBracket
        case .semicolon: .semicolon
        case .newline: .newline
        case .endOfFile: .endOfFile
        case .error: .error
        }
    }
}

/// A piece of a string literal: literal text or an interpolated `$name.field` path.
public enum StringPart: Equatable, Sendable {
    /// Literal text with escapes already decoded.
    case text(String)
    /// An interpolated variable such as `$c.name`.
    case variable(VariableReference)
}

/// A variable named inside a string, with optional `.field` steps.
public struct VariableReference: Equatable, Sendable {
    /// The variable name without `$`.
    public var name: String
    /// The `.field` steps, in order.
    public var fields: [String]
    /// Where `$name.field` is inside the string.
    public var range: SourceRange

    /// Creates a reference.
    public init(name: String, fields: [String], range: SourceRange) {
        self.name = name
        self.fields = fields
        self.range = range
    }
}
