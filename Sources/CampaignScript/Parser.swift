/// Builds a `Program` from tokens, reporting every syntax error and recovering at statement ends.
public struct Parser {
    /// How deep statements, blocks, parentheses and `not`s may nest; deeper input is rejected
    /// with a diagnostic instead of overflowing the stack.
    public static let maximumNestingDepth = 100

    private struct ParseError: Error {}

    // Tokens come from the lexer as the parser reaches them, and the tokens of finished
    // top-level statements are dropped, so a million-statement file is never one token array
    // (that array was most of `cops --check`'s memory). `window` holds the tokens from the
    // absolute index `windowStart` on; `current` is absolute. The tokens are `Lexeme`s: a tag
    // and a range, no value and no reference; the lexical errors' diagnostics are kept by
    // absolute index in `lexicalErrors` (rare, and dropped with their tokens).
    private var lexer: Lexer
    private var window: [Lexeme]
    private var lexicalErrors: [Int: Diagnostic] = [:]
    private var windowStart = 0
    private var current = 0
    private var diagnostics: [Diagnostic] = []
    // Crafting Interpreters' panic mode: after one error, further syntax errors in the same
    // statement are cascades and stay quiet until the parser resynchronizes.
    private var panicMode = false
    private var depth = 0
    // Set when nesting overflows; the rest of the file is skipped without more syntax errors.
    private var abandoned = false
    // A `let` whose value failed to parse still defines its name, so later uses of the name are
    // not reported as undefined on top of the real error.
    private var recovered: Statement?
    // The `(`, `[` and `{` still open, innermost last: at the end of the input the innermost is
    // what was never closed, reported at where it was opened rather than past the last line.
    private var openers: [Lexeme] = []
    // Set once the end of the input is reported; the constructs around it say nothing more.
    private var reportedEnd = false

    /// Parses a file into a program and all its lexical and syntax diagnostics.
    public static func parse(_ file: SourceFile) -> (Program, [Diagnostic]) {
        var statements: [Statement] = []
        let (range, diagnostics) = parseStatements(file) { statements.append($0) }
        return (Program(statements: statements, range: range), diagnostics)
    }

    /// Parses a file one top-level statement at a time: `body` gets each statement as soon as it
    /// is complete and nothing is kept, so memory stays that of one statement whatever the size
    /// of the file. The statements are those `parse` returns, in order; the result is the
    /// program's range and every lexical and syntax diagnostic.
    public static func parseStatements(_ file: SourceFile, _ body: (Statement) -> Void) -> (SourceRange, [Diagnostic]) {
        file.withBytes { bytes in
            var parser = Parser(lexer: Lexer(bytes: bytes))
            // Pages of a mapped file behind the statement just read may leave memory.
            let range = parser.program { statement in
                body(statement)
                file.didRead(upTo: statement.range.end.offset)
            }
            return (range, parser.diagnostics)
        }
    }

    /// The top-level statement that starts at `start` in `bytes`, which parsed there without a
    /// diagnostic before (`StatementList`): the same tree again.
    static func statement(in bytes: UnsafeBufferPointer<UInt8>, at start: SourceLocation) -> Statement {
        var parser = Parser(lexer: Lexer(bytes: bytes, at: start))
        guard let statement = try? parser.statement(), parser.diagnostics.isEmpty else {
            preconditionFailure("statement at \(start) no longer parses")
        }
        return statement
    }

    /// True when a prompt should ask for another line: an open `{`, `(` or `[`, an open string,
    /// or a trailing `\`.
    public static func isIncomplete(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var trimmed = bytes[...]
        while let last = trimmed.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") {
            trimmed = trimmed.dropLast()
        }
        if trimmed.last == UInt8(ascii: "\\") { return true }
        return bytes.withUnsafeBufferPointer { hasOpenConstruct($0) }
    }

    /// Whether lexing `bytes` to the end leaves a bracket or a string open.
    private static func hasOpenConstruct(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var lexer = Lexer(bytes: bytes)
        var open: [TokenKind] = []
        while true {
            let token = lexer.next()
            switch token.kind {
            case .endOfFile: return !open.isEmpty
            case .error(let diagnostic) where diagnostic.kind == .unterminatedString: return true
            case .leftBrace, .leftParen, .leftBracket: open.append(token.kind)
            case .rightBrace, .rightParen, .rightBracket:
                if !open.isEmpty { open.removeLast() }
            default: break
            }
        }
    }

    /// A parser that pulls tokens from `lexer` as it goes.
    init(lexer: Lexer) {
        self.lexer = lexer
        self.lexer.decodesValues = false
        self.window = []
        load(0)
        skipErrorTokens()
    }

    // MARK: - Helpers

    /// The token at an absolute index, which `load` has made available.
    private func tokenAt(_ index: Int) -> Lexeme { window[index - windowStart] }

    /// Makes sure the window reaches the absolute index `index` (the lexer keeps returning
    /// `.endOfFile` after the end).
    private mutating func load(_ index: Int) {
        while index - windowStart >= window.count {
            let (lexeme, diagnostic) = lexer.nextLexeme()
            if let diagnostic { lexicalErrors[windowStart + window.count] = diagnostic }
            window.append(lexeme)
        }
    }

    /// Drops the tokens before the previous one; only between top-level statements, where no
    /// position before them can be returned to.
    private mutating func dropConsumedTokens() {
        let consumed = current - 1 - windowStart
        guard consumed >= 1024 else { return }
        // The few tokens still ahead move to the front of the same buffer: a fresh one grew
        // again from empty, reallocating ten times per thousand tokens (docs/performance.md).
        window.removeSubrange(0..<consumed)
        windowStart += consumed
        if !lexicalErrors.isEmpty { lexicalErrors = lexicalErrors.filter { $0.key >= windowStart } }
    }

    private var peek: Lexeme { window[current - windowStart] }
    private var previous: Lexeme { window[max(current - 1, 0) - windowStart] }
    /// The current token's kind with its value, decoded from the source.
    private var peekKind: TokenKind { lexer.kind(of: peek) }
    /// The current token's kind without its value, read without copying the token.
    private var peekTag: TokenTag { window[current - windowStart].tag }

    private var isAtEnd: Bool { peekTag == .endOfFile }

    private func check(_ tag: TokenTag) -> Bool { peekTag == tag }

    // Compares the spelling's bytes in the source: no text is made for a keyword tried.
    private func checkWord(_ word: StaticString) -> Bool { lexer.isWord(peek, word) }

    private var peekWord: String? { word(peek) }

    /// A word token's text, `nil` for other tokens.
    private func word(_ lexeme: Lexeme) -> String? {
        guard lexeme.tag == .word else { return nil }
        return lexer.text(from: lexeme.range.start.offset, to: lexeme.range.end.offset)
    }

    private mutating func match(_ tag: TokenTag) -> Bool {
        guard check(tag) else { return false }
        skip()
        return true
    }

    private mutating func matchWord(_ word: StaticString) -> Bool {
        guard checkWord(word) else { return false }
        skip()
        return true
    }

    /// Consumes the current token and returns its range (see `skip`).
    private mutating func advanceRange() -> SourceRange {
        let range = peek.range
        skip()
        return range
    }

    /// Consumes the current token and returns it (see `skip`).
    private mutating func advance() -> Lexeme {
        let token = peek
        skip()
        return token
    }

    /// Consumes the current token; lexical error tokens after it are reported and skipped, so the
    /// grammar never sees them.
    private mutating func skip() {
        if !isAtEnd {
            current += 1
            load(current)
        }
        skipErrorTokens()
    }

    // Inlined into `skip`, which runs per token: the loop below is rare.
    @inline(__always)
    private mutating func skipErrorTokens() {
        if peekTag == .error { skipErrorTokensFound() }
    }

    private mutating func skipErrorTokensFound() {
        while peekTag == .error, let diagnostic = lexicalErrors[current] {
            // A string left open, or a `\` joining nothing, runs to the end of the input: what
            // is open around it is part of the same unfinished end.
            if diagnostic.kind == .unterminatedString || diagnostic.kind == .backslashAtEndOfFile { reportedEnd = true }
            diagnostics.append(diagnostic)
            panicMode = true
            current += 1
            load(current)
        }
    }

    private mutating func expect(_ tag: TokenTag, _ expectation: Expectation) throws -> Lexeme {
        guard check(tag) else { throw failExpected(expectation) }
        return advance()
    }

    private mutating func expectWord(_ word: StaticString) throws -> Lexeme {
        guard checkWord(word) else { throw failExpected(.token("\(word)")) }
        return advance()
    }

    private mutating func report(
        _ kind: DiagnosticKind, at range: SourceRange, notes: [DiagnosticNote] = []
    ) {
        if !panicMode && !abandoned {
            diagnostics.append(Diagnostic(kind, at: range, notes: notes))
        }
        panicMode = true
    }

    private mutating func fail(
        _ kind: DiagnosticKind, at range: SourceRange, notes: [DiagnosticNote] = []
    ) -> ParseError {
        report(kind, at: range, notes: notes)
        return ParseError()
    }

    private mutating func failExpected(_ expectation: Expectation, notes: [DiagnosticNote] = [])
        -> ParseError
    {
        if isAtEnd, !openers.isEmpty { return failNeverClosed() }
        return fail(.expected(expectation, found: FoundToken(peekKind)), at: peek.range, notes: notes)
    }

    /// The input ended inside a bracket, brace or parenthesis: the innermost one was never
    /// closed. Reported once, at the opener, whatever else the end left unfinished.
    private mutating func failNeverClosed() -> ParseError {
        if !reportedEnd, let opener = openers.last {
            reportedEnd = true
            panicMode = false
            report(.neverClosed(opener.tag.symbol ?? "("), at: opener.range)
        }
        panicMode = true
        return ParseError()
    }

    private mutating func enterNesting() throws {
        guard depth < Self.maximumNestingDepth else {
            report(.nestingTooDeep(limit: Self.maximumNestingDepth), at: peek.range)
            abandoned = true
            throw ParseError()
        }
        depth += 1
    }

    private var isAtStatementEnd: Bool {
        switch peekTag {
        case .newline, .semicolon, .endOfFile, .rightBrace: true
        default: false
        }
    }

    /// Skips to the end of the broken statement: past the next `;` or newline outside braces,
    /// or up to the `}` that closes the enclosing block.
    private mutating func synchronize(insideBlock: Bool) {
        var braces = 0
        while !isAtEnd {
            switch peekTag {
            case .leftBrace:
                braces += 1
            case .rightBrace:
                if braces == 0 {
                    if insideBlock { return }
                } else {
                    braces -= 1
                }
            case .newline, .semicolon:
                if braces == 0 {
                    skip()
                    return
                }
            default:
                break
            }
            skip()
        }
    }

    private func span(from start: SourceRange) -> SourceRange {
        SourceRange(start: start.start, end: max(previous.range.end, start.end))
    }

    // MARK: - Program and blocks

    /// program → { statement end } EOF; each statement goes to `body`, and the result is the
    /// program's range.
    private mutating func program(_ body: (Statement) -> Void) -> SourceRange {
        let start = peek.range
        while !isAtEnd {
            dropConsumedTokens()
            if abandoned {
                skip()
                continue
            }
            if match(.newline) || match(.semicolon) { continue }
            let before = current
            if let statement = recoveringStatement(insideBlock: false) {
                body(statement)
            }
            if current == before && !isAtEnd { skip() }
        }
        return span(from: start)
    }

    /// Parses one statement and its end; on error reports, resynchronizes and returns what it can.
    private mutating func recoveringStatement(insideBlock: Bool) -> Statement? {
        // A statement that starts right after a lexical error (`dеactivate 15`) is already broken;
        // stay quiet about the rest of it.
        if window[max(current - 1, 0) - windowStart].tag == .error {
            panicMode = true
        } else {
            panicMode = false
        }
        recovered = nil
        let parsed: Statement
        do {
            parsed = try statement()
        } catch {
            if !abandoned { synchronize(insideBlock: insideBlock) }
            defer { recovered = nil }
            return recovered
        }
        if !(insideBlock && check(.rightBrace)) && !match(.newline) && !match(.semicolon) && !isAtEnd {
            report(.expected(.endOfStatement, found: FoundToken(peekKind)), at: peek.range)
            synchronize(insideBlock: insideBlock)
        }
        return parsed
    }

    /// block → "{" { statement end } "}"
    private mutating func block() throws -> Block {
        let open = try expect(.leftBrace, .token("{"))
        openers.append(open)
        defer { openers.removeLast() }
        var statements: [Statement] = []
        while true {
            if match(.newline) || match(.semicolon) { continue }
            if check(.rightBrace) { break }
            if isAtEnd { throw failNeverClosed() }
            if let statement = recoveringStatement(insideBlock: true) {
                statements.append(statement)
            }
            if abandoned { throw ParseError() }
        }
        let close = advance()
        return Block(statements: statements, range: open.range.union(close.range))
    }

    // MARK: - Statements

    /// statement → command | let | if | for | wait | assert | try | set | echo | sleep | source
    ///           | help | exit
    private mutating func statement() throws -> Statement {
        try enterNesting()
        defer { depth -= 1 }
        guard peekTag == .word else { throw failExpected(.statement) }
        // The keyword's bytes are compared in the source; no text is made to choose. The first
        // byte picks the few keywords to try: a command went through all fourteen before.
        switch lexer.firstByte(of: peek) {
        case UInt8(ascii: "a"):
            if checkWord("assert") { return try assertStatement() }
        case UInt8(ascii: "e"):
            if checkWord("echo") { return try echoStatement() }
            if checkWord("exit") { return try exitStatement() }
            if checkWord("elif") || checkWord("else") {
                throw fail(.misplacedKeyword(peekWord ?? ""), at: peek.range)
            }
        case UInt8(ascii: "f"):
            if checkWord("for") { return try forStatement() }
        case UInt8(ascii: "h"):
            if checkWord("help") { return try helpStatement() }
        case UInt8(ascii: "i"):
            if checkWord("if") { return try ifStatement() }
        case UInt8(ascii: "l"):
            if checkWord("let") { return try letStatement() }
        case UInt8(ascii: "p"):
            if checkWord("param") { return try paramStatement() }
        case UInt8(ascii: "s"):
            if checkWord("set") { return try setStatement() }
            if checkWord("sleep") { return try sleepStatement() }
            if checkWord("source") { return try sourceStatement() }
        case UInt8(ascii: "t"):
            if checkWord("try") { return try tryStatement() }
        case UInt8(ascii: "w"):
            if checkWord("wait") { return try waitStatement() }
        default:
            break
        }
        let command = try command()
        return Statement(.command(command), range: command.range)
    }

    /// letStatement → "let" NAME "=" ( command | expr )
    private mutating func letStatement() throws -> Statement {
        let start = advanceRange()
        let name = try variableName()
        _ = try expect(.assign, .token("="))
        let value: LetValue
        do {
            value = startsCommand ? .command(try command()) : .expression(try expression())
        } catch {
            recovered = Statement(.let(name: name, value: .invalid), range: span(from: start))
            throw error
        }
        return Statement(.let(name: name, value: value), range: span(from: start))
    }

    /// paramStatement → "param" NAME [ STRING ] [ "=" ( STRING | INT | DURATION ) ]
    private mutating func paramStatement() throws -> Statement {
        let start = advanceRange()
        let name = try variableName()
        var description: StringLiteral?
        if peekTag == .string { description = try plainString() }
        var defaultValue: Expr?
        if match(.assign) {
            switch peekKind {
            case .integer(let value): defaultValue = Expr(.integer(value), range: advanceRange())
            case .duration(let milliseconds): defaultValue = Expr(.duration(milliseconds), range: advanceRange())
            case .string:
                let text = try plainString()
                defaultValue = Expr(.string(text.parts), range: text.range)
            default: throw failExpected(.parameterDefault)
            }
        }
        let parameter = Parameter(name: name, description: description, defaultValue: defaultValue)
        return Statement(.param(parameter), range: span(from: start))
    }

    /// A string without interpolation: a parameter's text is shown and bound before any
    /// variable has a value.
    private mutating func plainString() throws -> StringLiteral {
        let literal = try stringLiteral()
        if literal.constantText == nil { report(.interpolationInParameter, at: literal.range) }
        return literal
    }

    /// variableName → NAME   (letters, digits and `_`, so it can be written `$NAME`)
    private mutating func variableName() throws -> Identifier {
        if peekTag == .variable {
            throw failExpected(.variableName, notes: [DiagnosticNote(.letWithoutDollar)])
        }
        guard let word = peekWord else { throw failExpected(.variableName) }
        let token = advance()
        if word.contains("-") {
            report(.invalidVariableName(word), at: token.range)
        }
        return Identifier(word, range: token.range)
    }

    /// True when the next word begins a command rather than an expression.
    private var startsCommand: Bool {
        guard let word = peekWord else { return false }
        return !GrammarTable.isExpressionKeyword(word)
    }

    /// ifStatement → "if" expr block { "elif" expr block } [ "else" block ]
    private mutating func ifStatement() throws -> Statement {
        let start = advanceRange()
        var branches = [ConditionalBranch(condition: try expression(), body: try block())]
        var elseBlock: Block?
        while true {
            // `}` then a newline then `elif`/`else` still continues the `if`, as operators write it.
            let mark = current
            while check(.newline) { skip() }
            if matchWord("elif") {
                branches.append(ConditionalBranch(condition: try expression(), body: try block()))
            } else if matchWord("else") {
                elseBlock = try block()
                break
            } else {
                current = mark
                break
            }
        }
        return Statement(.if(branches: branches, elseBlock: elseBlock), range: span(from: start))
    }

    /// forStatement → "for" NAME "in" ( targets | command ) block
    private mutating func forStatement() throws -> Statement {
        let start = advanceRange()
        let variable = try variableName()
        _ = try expectWord("in")
        let source: ForSource = startsCommand ? .command(try command()) : .targets(try targets())
        let body = try block()
        return Statement(.for(variable: variable, source: source, body: body), range: span(from: start))
    }

    /// waitStatement → "wait" targets "until" state [ "timeout" DURATION ] [ "every" DURATION ]
    /// (`timeout` and `every` are accepted in either order)
    private mutating func waitStatement() throws -> Statement {
        let start = advanceRange()
        let targets = try targets()
        _ = try expectWord("until")
        let state = try waitState()
        var timeout: DurationLiteral?
        var every: DurationLiteral?
        while true {
            if timeout == nil, matchWord("timeout") {
                timeout = try duration()
            } else if every == nil, matchWord("every") {
                every = try duration()
            } else {
                break
            }
        }
        return Statement(
            .wait(targets: targets, state: state, timeout: timeout, every: every),
            range: span(from: start))
    }

    /// state → "active" | "inactive" | "completed" | "deleted" | "status" STRING
    private mutating func waitState() throws -> WaitState {
        guard let word = peekWord else { throw failExpected(.waitState) }
        let token = advance()
        switch word {
        case "active": return WaitState(.active, range: token.range)
        case "inactive": return WaitState(.inactive, range: token.range)
        case "completed": return WaitState(.completed, range: token.range)
        case "deleted": return WaitState(.deleted, range: token.range)
        case "status":
            let text = try stringLiteral()
            return WaitState(.status(text), range: token.range.union(text.range))
        default:
            throw fail(
                .unknownWaitState(
                    name: word, suggestion: Suggestion.closest(to: word, among: GrammarTable.waitStates)),
                at: token.range, notes: [DiagnosticNote(.allowedValues(GrammarTable.waitStates))])
        }
    }

    /// assertStatement → "assert" expr [ "else" STRING ]
    private mutating func assertStatement() throws -> Statement {
        let start = advanceRange()
        let condition = try expression()
        let message = matchWord("else") ? try stringLiteral() : nil
        return Statement(.assert(condition: condition, message: message), range: span(from: start))
    }

    /// tryStatement → "try" statement
    private mutating func tryStatement() throws -> Statement {
        let start = advanceRange()
        let inner = try statement()
        return Statement(.try(inner), range: span(from: start))
    }

    /// setStatement → "set" SETTING value
    /// value → WORD | INT | DURATION
    private mutating func setStatement() throws -> Statement {
        let start = advanceRange()
        guard let name = peekWord else { throw failExpected(.settingName) }
        let setting = Identifier(name, range: advanceRange())
        let value: SettingValue
        switch peekKind {
        case .word(let word): value = .word(Identifier(word, range: advanceRange()))
        case .integer(let integer): value = .integer(IntegerLiteral(integer, range: advanceRange()))
        case .duration(let milliseconds):
            value = .duration(DurationLiteral(milliseconds: milliseconds, range: advanceRange()))
        default: throw failExpected(.settingValue)
        }
        return Statement(.set(setting: setting, value: value), range: span(from: start))
    }

    /// echoStatement → "echo" expr { expr }
    private mutating func echoStatement() throws -> Statement {
        let start = advanceRange()
        var values = [try expression()]
        while !isAtStatementEnd { values.append(try expression()) }
        return Statement(.echo(values), range: span(from: start))
    }

    /// sleepStatement → "sleep" DURATION
    private mutating func sleepStatement() throws -> Statement {
        let start = advanceRange()
        let duration = try duration()
        return Statement(.sleep(duration), range: span(from: start))
    }

    /// sourceStatement → "source" STRING
    private mutating func sourceStatement() throws -> Statement {
        let start = advanceRange()
        let path = try stringLiteral()
        return Statement(.source(path), range: span(from: start))
    }

    /// helpStatement → "help" [ WORD ]
    private mutating func helpStatement() throws -> Statement {
        let start = advanceRange()
        var topic: Identifier?
        if let word = peekWord { topic = Identifier(word, range: advanceRange()) }
        return Statement(.help(topic), range: span(from: start))
    }

    /// exitStatement → "exit" [ INT ]
    private mutating func exitStatement() throws -> Statement {
        let start = advanceRange()
        var code: IntegerLiteral?
        if peekTag == .integer, case .integer(let value) = peekKind { code = IntegerLiteral(value, range: advanceRange()) }
        return Statement(.exit(code), range: span(from: start))
    }

    // MARK: - Commands

    /// command → VERB [ targets ] { option }
    private mutating func command() throws -> Command {
        guard let word = peekWord else { throw failExpected(.statement) }
        let verbToken = advance()
        guard let spec = GrammarTable.verb(named: word) else {
            let meaning = GrammarTable.meaning(ofStatementWord: word)
            var notes: [DiagnosticNote] = []
            if let meaning, meaning.byMeaning {
                let implied = meaning.implies.map(\.rawValue)
                let rest = restOfStatement(after: verbToken.range.end)
                let fix = ([meaning.word] + [rest].filter { !$0.isEmpty } + implied.filter { !rest.contains($0) })
                    .joined(separator: " ")
                notes.append(DiagnosticNote(.saidAs(word: word, fix: fix)))
            }
            throw fail(.unknownVerb(name: word, suggestion: meaning?.word), at: verbToken.range, notes: notes)
        }
        let verbName = Identifier(word, range: verbToken.range)
        var targets: Targets?
        if spec.argument != .none {
            if let note = misplacedTargetWordNote(spec) { throw failExpected(.target, notes: [note]) }
            targets = try self.targets()
        }
        var options: [CommandOption] = []
        while peekTag == .word {
            options.append(try option())
        }
        return Command(
            verb: spec.verb, verbName: verbName, targets: targets, options: options,
            range: span(from: verbToken.range))
    }

    /// A note for the words people put where targets go: `deactivate campaign 15` (the word is
    /// not needed) and `deactivate all` (every campaign is a `list` command).
    private mutating func misplacedTargetWordNote(_ spec: VerbSpec) -> DiagnosticNote? {
        guard let word = peekWord else { return nil }
        switch word.lowercased() {
        case "campaign", "campaigns", "id", "ids":
            let rest = restOfStatement(after: peek.range.end)
            guard !rest.isEmpty else { return nil }
            return DiagnosticNote(.wordNotNeeded(word: word, fix: "\(spec.name) \(rest)"))
        case "all", "every", "everything":
            guard spec.argument == .targetSet else { return nil }
            // The campaigns the verb can change: deactivating the inactive ones is a no-op.
            let filter: OptionKey? =
                switch spec.verb {
                case .deactivate: .active
                case .activate: .inactive
                default: nil
                }
            let list = (["list"] + [filter?.rawValue].compactMap { $0 }).joined(separator: " ")
            return DiagnosticNote(
                .everyCampaign(word: word, filter: filter?.rawValue, fix: "\(spec.name) (\(list))"))
        default:
            return nil
        }
    }

    /// The source text of the rest of the statement after `location` (to its newline or `;`,
    /// or the `)`/`}` that closes what it sits in), for notes that rewrite what the user wrote.
    private mutating func restOfStatement(after location: SourceLocation) -> String {
        var index = current
        var depth = 0
        var end = location.offset
        scan: while true {
            load(index)
            let token = tokenAt(index)
            switch token.tag {
            case .endOfFile:
                break scan
            case .newline, .semicolon:
                if depth == 0 { break scan }
            case .leftParen, .leftBracket, .leftBrace:
                depth += 1
            case .rightParen, .rightBracket, .rightBrace:
                if depth == 0 { break scan }
                depth -= 1
            default:
                break
            }
            if token.range.start.offset >= location.offset { end = token.range.end.offset }
            index += 1
        }
        let text = lexer.text(from: location.offset, to: end)
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        return String(text.drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }

    /// The note for `abort=true` or `limit=10` (the current token is the `=`).
    private mutating func optionWithoutEqualsNote(_ name: Identifier, _ spec: OptionSpec) -> DiagnosticNote {
        let value = restOfStatement(after: peek.range.end).prefix { $0 != " " && $0 != "\t" }
        let written = "\(name.name)=\(value)"
        guard spec.shape == .flag else {
            return DiagnosticNote(.optionWithoutEquals(written: written, fix: "\(name.name) \(value)"))
        }
        let off = ["false", "no", "0", "off"].contains(value.lowercased())
        return DiagnosticNote(.optionWithoutEquals(written: written, fix: off ? nil : name.name))
    }

    /// What follows an option of a shape: its value, or for a flag the end of the statement.
    private static func expectation(after shape: OptionValueShape) -> Expectation {
        switch shape {
        case .flag: .endOfStatement
        case .positiveInteger: .integer
        case .text, .textOrInteger: .text
        case .choice, .audience: .word
        case .timeOrDuration: .timeOrDuration
        }
    }

    /// option → NAME [ value ]   (the value's shape comes from `GrammarTable.options`)
    private mutating func option() throws -> CommandOption {
        let nameToken = advance()
        guard case .word(let word) = lexer.kind(of: nameToken) else { throw failExpected(.word) }
        let name = Identifier(word, range: nameToken.range)
        guard let spec = GrammarTable.option(named: word) else {
            // The checker names unknown options with a did-you-mean; here only skip their values.
            while true {
                switch peekTag {
                case .integer, .string, .duration, .variable: skip()
                default:
                    return CommandOption(
                        name: name, key: nil, value: .none, range: span(from: nameToken.range))
                }
            }
        }
        if check(.assign) {
            let note = optionWithoutEqualsNote(name, spec)
            throw failExpected(Self.expectation(after: spec.shape), notes: [note])
        }
        let value: OptionValue
        switch spec.shape {
        case .flag:
            value = .none
        case .positiveInteger:
            value = .integer(try integer())
        case .text:
            value = .text(try text())
        case .textOrInteger:
            if peekTag == .integer {
                value = .integer(try integer())
            } else {
                value = .text(try text())
            }
        case .choice:
            guard let choice = peekWord else { throw failExpected(.word) }
            value = .word(Identifier(choice, range: advanceRange()))
        case .audience:
            guard let source = peekWord else {
                throw failExpected(.word, notes: [DiagnosticNote(.allowedValues(["list", "segment"]))])
            }
            let sourceName = Identifier(source, range: advanceRange())
            value = .audience(source: sourceName, id: try integer())
        case .timeOrDuration:
            if peekTag == .duration {
                value = .duration(try duration())
            } else if peekTag == .string {
                value = .text(try stringLiteral())
            } else {
                throw failExpected(.timeOrDuration)
            }
        }
        return CommandOption(
            name: name, key: spec.key, value: value, range: span(from: nameToken.range))
    }

    /// targets → target { "," target }
    private mutating func targets() throws -> Targets {
        let start = peek.range
        var items = [try target()]
        while match(.comma) { items.append(try target()) }
        return Targets(items: items, range: span(from: start))
    }

    /// target → INT | INT ".." INT | "$" path | "(" command ")"
    private mutating func target() throws -> Target {
        switch peekTag {
        case .integer:
            let low = try integer()
            if match(.dotDot) {
                let high = try integer()
                return Target(.range(low, high), range: low.range.union(high.range))
            }
            return Target(.id(low), range: low.range)
        case .variable:
            let path = try postfix(try primary())
            return Target(.variable(path), range: path.range)
        case .leftParen:
            let (command, range) = try parenthesizedCommand()
            return Target(.command(command), range: range)
        default:
            throw failExpected(.target)
        }
    }

    /// parenthesizedCommand → "(" command ")"
    private mutating func parenthesizedCommand() throws -> (Command, SourceRange) {
        let open = advance()
        try enterNesting()
        openers.append(open)
        defer {
            depth -= 1
            openers.removeLast()
        }
        let command = try command()
        let close = try closing(.rightParen, ")", opener: open)
        return (command, open.range.union(close.range))
    }

    private mutating func closing(_ tag: TokenTag, _ symbol: String, opener: Lexeme) throws -> Lexeme {
        guard check(tag) else {
            if isAtEnd { throw failNeverClosed() }
            if check(.newline) || check(.rightBrace) || check(.semicolon) {
                throw fail(
                    .unclosedDelimiter(
                        open: opener.tag.symbol ?? "(", close: symbol, openLine: opener.range.start.line),
                    at: peek.range,
                    notes: [DiagnosticNote(.openedHere(opener.tag.symbol ?? "("), at: opener.range)])
            }
            throw failExpected(.token(symbol))
        }
        return advance()
    }

    // MARK: - Literals

    private mutating func integer() throws -> IntegerLiteral {
        guard peekTag == .integer, case .integer(let value) = peekKind else { throw failExpected(.integer) }
        return IntegerLiteral(value, range: advanceRange())
    }

    private mutating func duration() throws -> DurationLiteral {
        guard peekTag == .duration, case .duration(let milliseconds) = peekKind else {
            throw failExpected(.duration, notes: [DiagnosticNote(.durationForms)])
        }
        return DurationLiteral(milliseconds: milliseconds, range: advanceRange())
    }

    private mutating func stringLiteral() throws -> StringLiteral {
        guard peekTag == .string, case .string(let parts) = peekKind else { throw failExpected(.string) }
        return StringLiteral(parts: parts, range: advanceRange())
    }

    /// text → STRING | WORD
    private mutating func text() throws -> StringLiteral {
        if let word = peekWord {
            return StringLiteral(parts: [.text(word)], range: advanceRange())
        }
        guard peekTag == .string, case .string(let parts) = peekKind else { throw failExpected(.text) }
        return StringLiteral(parts: parts, range: advanceRange())
    }

    // MARK: - Expressions

    /// expr → orExpr
    private mutating func expression() throws -> Expr {
        try enterNesting()
        defer { depth -= 1 }
        return try orExpression()
    }

    /// orExpr → andExpr { "or" andExpr }
    private mutating func orExpression() throws -> Expr {
        var left = try andExpression()
        // Each link makes the (left-deep) tree one level deeper, so it counts as nesting.
        var links = 0
        defer { depth -= links }
        while matchWord("or") {
            try enterNesting()
            links += 1
            let right = try andExpression()
            left = Expr(.or(left, right), range: left.range.union(right.range))
        }
        return left
    }

    /// andExpr → notExpr { "and" notExpr }
    private mutating func andExpression() throws -> Expr {
        var left = try notExpression()
        var links = 0
        defer { depth -= links }
        while matchWord("and") {
            try enterNesting()
            links += 1
            let right = try notExpression()
            left = Expr(.and(left, right), range: left.range.union(right.range))
        }
        return left
    }

    /// notExpr → "not" notExpr | comparison
    private mutating func notExpression() throws -> Expr {
        guard checkWord("not") else { return try comparison() }
        let start = advanceRange()
        try enterNesting()
        defer { depth -= 1 }
        let operand = try notExpression()
        return Expr(.not(operand), range: start.union(operand.range))
    }

    /// comparison → postfix [ ( "==" | "!=" | "<" | "<=" | ">" | ">=" | "in" ) postfix ]
    private mutating func comparison() throws -> Expr {
        let left = try postfix(try primary())
        let comparisonOperator: ComparisonOperator
        switch peekTag {
        case .equal: comparisonOperator = .equal
        case .notEqual: comparisonOperator = .notEqual
        case .less: comparisonOperator = .less
        case .lessEqual: comparisonOperator = .lessEqual
        case .greater: comparisonOperator = .greater
        case .greaterEqual: comparisonOperator = .greaterEqual
        case .word where checkWord("in"): comparisonOperator = .in
        default: return left
        }
        skip()
        let right = try postfix(try primary())
        return Expr(
            .comparison(comparisonOperator, left, right), range: left.range.union(right.range))
    }

    /// postfix → primary { "." NAME | "[" expr "]" }   (no space before "." or "[")
    private mutating func postfix(_ base: Expr) throws -> Expr {
        var result = base
        var links = 0
        defer { depth -= links }
        while !peek.leadingSpace, check(.dot) || check(.leftBracket) {
            try enterNesting()
            links += 1
            if check(.dot) {
                skip()
                guard let field = peekWord, !peek.leadingSpace else { throw failExpected(.fieldName) }
                let fieldToken = advance()
                result = Expr(.field(result, field), range: result.range.union(fieldToken.range))
            } else if check(.leftBracket) {
                let open = advance()
                openers.append(open)
                defer { openers.removeLast() }
                let index = try expression()
                let close = try closing(.rightBracket, "]", opener: open)
                result = Expr(.index(result, index), range: result.range.union(close.range))
            } else {
                break
            }
        }
        return result
    }

    /// primary → INT | DURATION | STRING | "true" | "false" | "null" | VARIABLE
    ///         | "(" ( command | expr ) ")"
    private mutating func primary() throws -> Expr {
        let token = peek
        switch token.tag {
        case .leftParen:
            load(current + 1)
            let next = tokenAt(current + 1)
            if let word = word(next), !GrammarTable.isExpressionKeyword(word) {
                let (command, range) = try parenthesizedCommand()
                return Expr(.command(command), range: range)
            }
            let open = advance()
            openers.append(open)
            defer { openers.removeLast() }
            let inner = try expression()
            let close = try closing(.rightParen, ")", opener: open)
            return Expr(inner.kind, range: open.range.union(close.range))
        case .word:
            if lexer.isWord(token, "true") || lexer.isWord(token, "false") {
                skip()
                return Expr(.bool(lexer.isWord(token, "true")), range: token.range)
            }
            if lexer.isWord(token, "null") {
                skip()
                return Expr(.null, range: token.range)
            }
            if let word = peekWord, GrammarTable.verb(named: word) != nil {
                throw failExpected(.expression, notes: [DiagnosticNote(.wrapCommandInParentheses(word))])
            }
            throw failExpected(.expression)
        case .variable:
            skip()
            return Expr(.variable(lexer.text(from: token.range.start.offset + 1, to: token.range.end.offset)), range: token.range)
        case .integer, .duration, .string:
            break
        default:
            throw failExpected(.expression)
        }
        switch lexer.kind(of: token) {
        case .integer(let value):
            skip()
            return Expr(.integer(value), range: token.range)
        case .duration(let milliseconds):
            skip()
            return Expr(.duration(milliseconds), range: token.range)
        case .string(let parts):
            skip()
            return Expr(.string(parts), range: token.range)
        default:
            throw failExpected(.expression)
        }
    }
}
