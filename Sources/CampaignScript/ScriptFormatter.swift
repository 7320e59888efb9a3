/// `cops fmt`: the one canonical layout of a script, with what the syntax tree forgets kept —
/// comments, blank-line groups, line breaks inside a statement, and every token as written
/// (string escapes, `1_000`, `90s`). It re-spaces the tokens rather than printing the tree
/// (`SyntaxPrinter` does that, and normalizes spellings), so nothing but layout changes; the
/// tests and the FuzzFormat target check that the result parses to the same tree.
///
/// The layout (docs/program.md, "cops fmt"): one statement per line, blocks indented by
/// `indentUnit` with `{` at the end of the line that opens them and `}` alone on its line
/// (`} else {` and `} elif … {` join it), single spaces between tokens except before `,`,
/// around `..` and inside brackets, runs of blank lines collapsed to one (none at the start or end
/// of a block or of the file), trailing comments one space after the code, lines continued
/// inside brackets or after `\` indented two steps, no trailing whitespace, a final newline.
public enum ScriptFormatter {
    /// One level of block indentation, for this layout and `SyntaxPrinter`'s.
    public static let indentUnit = "  "

    /// The canonical layout of a cops script; throws the parse diagnostics when the text does not parse.
    public static func format(_ text: String) throws(ScriptFormatError) -> String {
        try format(SourceFile(name: "<text>", text: text))
    }

    /// The same for a Markdown runbook: only the text inside `cops` fenced blocks changes.
    public static func formatMarkdown(_ text: String) throws(ScriptFormatError) -> String {
        let bytes = Array(text.utf8)
        let runbook = MarkdownRunbook(bytes: bytes)
        // The whole program first, so a statement that only parses across blocks is an error
        // reported at the Markdown file's own positions, as a run would report it.
        try requireParses(SourceFile(name: "<text>", bytes: runbook.program))
        var lines = MarkdownRunbook.lines(of: bytes)
        for block in runbook.blocks.reversed() {
            // Each block keeps its fence's indentation (but a string's later lines stay as written).
            let formatted = try format(
                SourceFile(name: "<text>", bytes: runbook.program(of: block)),
                indentation: String(repeating: " ", count: block.indentation))
            lines.replaceSubrange(
                (block.contentLines.lowerBound - 1)..<(block.contentLines.upperBound - 1),
                with: MarkdownRunbook.lines(of: Array(formatted.utf8)))
        }
        return String(decoding: lines.joined(), as: UTF8.self)
    }

    /// The layout of a parsed file's text, every line after `indentation`.
    static func format(_ file: SourceFile, indentation: String = "") throws(ScriptFormatError) -> String {
        try requireParses(file)
        var layout = Layout(bytes: file.bytes, indentation: indentation)
        let tokens = Lexer.tokenize(file)
        for index in tokens.indices { layout.add(tokens[index], followedBy: tokens[(index + 1)...]) }
        return layout.output
    }

    private static func requireParses(_ file: SourceFile) throws(ScriptFormatError) {
        let errors = Parser.parse(file).1.filter { $0.severity == .error }
        if !errors.isEmpty { throw ScriptFormatError(diagnostics: errors) }
    }
}

/// Why a text was not formatted: it does not parse. Its diagnostics are those a run would print.
public struct ScriptFormatError: Error, Sendable {
    /// The parse errors, at the positions of the text given.
    public var diagnostics: [Diagnostic]

    /// Creates an error.
    public init(diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
}

/// Lays tokens out line by line. Lines end lazily: a statement's end or a `{` only asks for a
/// new line, so a comment on the same source line can still join the line as a trailing one.
private struct Layout {
    /// How a line break inside a statement is written.
    private enum Break {
        /// Inside `( )` or `[ ]`, where the lexer skips line breaks.
        case plain
        /// Elsewhere, where only `\` at the end of the line continues the statement.
        case backslash
    }

    let bytes: [UInt8]
    /// Before every line: a Markdown block's fence indentation.
    let baseIndentation: String
    private(set) var output = ""
    /// The line being built, without its indentation; empty when nothing is on it yet.
    private var line = ""
    private var lineIndentation = ""
    private var depth = 0
    /// Open `(`, `[` and `{`, as the lexer keeps them: line breaks are skipped inside the first two.
    private var brackets: [TokenKind] = []
    private var previous: TokenKind = .newline
    /// The next token or comment starts a line (a statement ended, or a block opened).
    private var statementEnded = true
    private var pendingBreak: Break?
    /// The source had a line break since the last token, so a comment is not a trailing one.
    private var lineBrokenInSource = true
    private var lineEndsWithComment = false
    private var blankLinePending = false
    private var atBlockStart = true
    /// A `}` followed by `else` or `elif`: line breaks before them are dropped.
    private var joiningElse = false
    private var lineIsClosingBrace = false
    private var offset = 0

    init(bytes: [UInt8], indentation: String) {
        self.bytes = bytes
        self.baseIndentation = indentation
        // A byte-order mark is not text; it is kept where it was, in front of everything.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            output = "\u{FEFF}"
            offset = 3
        }
    }

    private var inBrackets: Bool {
        brackets.last == .leftParen || brackets.last == .leftBracket
    }

    mutating func add(_ token: Token, followedBy rest: ArraySlice<Token>) {
        readTrivia(upTo: token.range.start.offset)
        offset = token.range.end.offset
        switch token.kind {
        case .endOfFile:
            endLine()
        case .newline:
            lineBrokenInSource = true
            if joiningElse { return }
            if isBlankSourceLine(endingAt: token.range.start.offset) { blankLinePending = true }
            statementEnded = true
            pendingBreak = nil
        case .semicolon:
            statementEnded = true
            pendingBreak = nil
        case .leftBrace:
            brackets.append(.leftBrace)
            line += " {"
            depth += 1
            statementEnded = true
            pendingBreak = nil
            atBlockStart = true
            blankLinePending = false
            finishToken(token)
        case .rightBrace:
            close(.leftBrace)
            depth -= 1
            blankLinePending = false
            startLine("}", indentation: indentation)
            lineIsClosingBrace = true
            statementEnded = true
            joiningElse = Self.startsElse(rest.first { $0.kind != .newline })
            finishToken(token)
        default:
            place(token)
        }
    }

    private static func startsElse(_ token: Token?) -> Bool {
        token?.kind == .word("else") || token?.kind == .word("elif")
    }

    /// Puts a token that is neither a statement end nor a brace on the output.
    private mutating func place(_ token: Token) {
        let text = String(decoding: bytes[token.range.start.offset..<token.range.end.offset], as: UTF8.self)
        if joiningElse, lineIsClosingBrace {
            line += " " + text
        } else if statementEnded || line.isEmpty {
            startLine(text, indentation: indentation)
        } else if let pendingBreak, lineEndsWithComment || !Self.closes(token.kind) {
            if pendingBreak == .backslash { line += " \\" }
            startLine(text, indentation: indentation + ScriptFormatter.indentUnit + ScriptFormatter.indentUnit)
        } else {
            line += (Self.spaced(previous, token) ? " " : "") + text
        }
        switch token.kind {
        case .leftParen, .leftBracket: brackets.append(token.kind)
        case .rightParen: close(.leftParen)
        case .rightBracket: close(.leftBracket)
        default: break
        }
        statementEnded = false
        joiningElse = false
        finishToken(token)
    }

    private mutating func finishToken(_ token: Token) {
        previous = token.kind
        pendingBreak = nil
        lineBrokenInSource = false
        lineEndsWithComment = false
        if token.kind != .rightBrace { lineIsClosingBrace = false }
    }

    /// As the lexer closes: up to the matching opener, so a stray bracket cannot stay open.
    private mutating func close(_ opener: TokenKind) {
        guard let position = brackets.lastIndex(of: opener) else { return }
        brackets.removeSubrange(position...)
    }

    private var indentation: String {
        baseIndentation + String(repeating: ScriptFormatter.indentUnit, count: max(0, depth))
    }

    private static func closes(_ kind: TokenKind) -> Bool {
        kind == .rightParen || kind == .rightBracket
    }

    /// Whether a space goes between two tokens on a line. Around `.` and before `[` the
    /// source's choice stays: the parser reads `$a.b` and `$a[0]` only when they touch.
    private static func spaced(_ previous: TokenKind, _ next: Token) -> Bool {
        switch previous {
        case .leftParen, .leftBracket, .dotDot: return false
        default: break
        }
        switch next.kind {
        case .comma, .rightParen, .rightBracket, .dotDot: return false
        case .dot, .leftBracket: return next.leadingSpace
        default: return previous == .dot ? next.leadingSpace : true
        }
    }

    /// Starts a new output line holding `text`, after the line before and any blank line due.
    private mutating func startLine(_ text: String, indentation: String) {
        endLine()
        if blankLinePending && !atBlockStart { output += "\n" }
        blankLinePending = false
        atBlockStart = false
        line = text
        lineIndentation = indentation
    }

    private mutating func endLine() {
        guard !line.isEmpty else { return }
        output += lineIndentation + line + "\n"
        line = ""
    }

    /// Comments, `\` continuations and line breaks inside brackets between two tokens.
    private mutating func readTrivia(upTo end: Int) {
        while offset < end {
            switch bytes[offset] {
            case UInt8(ascii: "#"):
                var stop = offset
                while stop < end, bytes[stop] != UInt8(ascii: "\n") { stop += 1 }
                var comment = String(decoding: bytes[offset..<stop], as: UTF8.self)
                while let last = comment.unicodeScalars.last, last == " " || last == "\t" || last == "\r" {
                    comment.unicodeScalars.removeLast()
                }
                addComment(comment)
                offset = stop
            case UInt8(ascii: "\\"):
                // `\` newline (or `\` CR LF): the statement goes on.
                offset += bytes[offset + 1] == UInt8(ascii: "\r") ? 3 : 2
                lineBreakInStatement(inBrackets ? .plain : .backslash)
            case UInt8(ascii: "\n"):
                offset += 1
                lineBreakInStatement(.plain)
            default:
                offset += 1
            }
        }
    }

    private mutating func lineBreakInStatement(_ kind: Break) {
        lineBrokenInSource = true
        if !statementEnded && pendingBreak != .backslash { pendingBreak = kind }
    }

    private mutating func addComment(_ comment: String) {
        if !line.isEmpty && !lineBrokenInSource {
            line += " " + comment
        } else if statementEnded || line.isEmpty {
            startLine(comment, indentation: indentation)
            statementEnded = true
        } else {
            // Inside a statement that goes on after the comment.
            if pendingBreak == .backslash { line += " \\" }
            startLine(comment, indentation: indentation + ScriptFormatter.indentUnit + ScriptFormatter.indentUnit)
        }
        lineEndsWithComment = true
        lineIsClosingBrace = false
    }

    /// True when the source line a newline ends holds nothing but whitespace.
    private func isBlankSourceLine(endingAt newline: Int) -> Bool {
        var index = newline - 1
        while index >= 0, bytes[index] != UInt8(ascii: "\n") {
            guard bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") || bytes[index] == UInt8(ascii: "\r")
            else { return false }
            index -= 1
        }
        return true
    }
}
