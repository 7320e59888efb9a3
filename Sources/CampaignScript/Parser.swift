/// Builds a `Program` from tokens, reporting every syntax error and recovering at statement ends.
public struct Parser {
    /// How deep statements, blocks, parentheses and `not`s may nest; deeper input is rejected
    /// with a diagnostic instead of overflowing the stack.
    public static let maximumNestingDepth = 100

    private struct ParseError: Error {}

    // Tokens come from the lexer as the parser reaches them, and the tokens of finished
    // top-level statements are dropped, so a million-statement file is never one token array
    // (that array was most of `cops --check`'s memory). `nodes.tokens` holds the tokens from the
    // absolute index `nodes.tokenBase` on; `current` is absolute. The tokens are `Lexeme`s: a tag
    // and a range, no value and no reference; the lexical errors' diagnostics are kept by
    // absolute index in `lexicalErrors` (rare, and dropped with their tokens).
    private var lexer: Lexer
    // The token window and the current statement's nodes (`SyntaxNodes`): the parser appends
    // nodes, and trees are built from them only by `SyntaxNodes.statement(_:)`.
    private var nodes: SyntaxNodes
    private var lexicalErrors: [Int: Diagnostic] = [:]
    private var current = 0
    private var diagnostics: [Diagnostic] = []
    // Crafting Interpreters' panic mode: after one error, further syntax errors in the same
    // statement are cascades and stay quiet until the parser resynchronizes.
    private var panicMode = false
    private var depth = 0
    // Set when nesting overflows; the rest of the file is skipped without more syntax errors.
    private var abandoned = false
    // A `let` whose value failed to parse still defines its name, so later uses of the name are
    // not reported as undefined on top of the real error: its `let` token, name token and last
    // token, from which recovery appends a `letInvalid` node.
    private var recovered: (start: Int, name: Int, last: Int)?
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
        parseNodes(file) { nodes, statement in body(nodes.statement(statement)) }
    }

    /// `parseStatements` without trees: `body` gets each top-level statement's nodes and the
    /// index of its node, valid until it returns (the checker reads them; nothing is built).
    static func parseNodes(_ file: SourceFile, _ body: (SyntaxNodes, Int) -> Void) -> (SourceRange, [Diagnostic]) {
        file.withBytes { bytes in
            var parser = Parser(lexer: Lexer(bytes: bytes))
            // Pages of a mapped file behind the statement just read may leave memory.
            let range = parser.program { nodes, statement in
                body(nodes, statement)
                file.didRead(upTo: nodes.range(statement).end.offset)
            }
            return (range, parser.diagnostics)
        }
    }

    /// The top-level statement that starts at `start` in `bytes`, which parsed there without a
    /// diagnostic before (`StatementList`): the same tree again.
    static func statement(in bytes: UnsafeBufferPointer<UInt8>, at start: SourceLocation) -> Statement {
        var parser = Parser(lexer: Lexer(bytes: bytes, at: start))
        guard (try? parser.statement()) != nil, parser.diagnostics.isEmpty else {
            preconditionFailure("statement at \(start) no longer parses")
        }
        return parser.nodes.statement(0)
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
        self.nodes = SyntaxNodes(source: lexer)
        load(0)
        skipErrorTokens()
    }

    // MARK: - Helpers

    /// The token at an absolute index, which `load` has made available.
    private func tokenAt(_ index: Int) -> Lexeme { nodes.tokens[index - nodes.tokenBase] }

    /// Makes sure the window reaches the absolute index `index` (the lexer keeps returning
    /// `.endOfFile` after the end).
    private mutating func load(_ index: Int) {
        while index - nodes.tokenBase >= nodes.tokens.count {
            let (lexeme, diagnostic) = lexer.nextLexeme()
            if let diagnostic { lexicalErrors[nodes.tokenBase + nodes.tokens.count] = diagnostic }
            nodes.tokens.append(lexeme)
        }
    }

    /// Drops the nodes of the statement read and the tokens before the previous one; only
    /// between top-level statements, where no position before them can be returned to and no
    /// node points to them.
    private mutating func dropConsumedTokens() {
        nodes.removeAllNodes()
        let consumed = current - 1 - nodes.tokenBase
        guard consumed >= 1024 else { return }
        // The few tokens still ahead move to the front of the same buffer: a fresh one grew
        // again from empty, reallocating ten times per thousand tokens (docs/performance.md).
        nodes.tokens.removeSubrange(0..<consumed)
        nodes.tokenBase += consumed
        if !lexicalErrors.isEmpty { lexicalErrors = lexicalErrors.filter { $0.key >= nodes.tokenBase } }
    }

    private var peek: Lexeme { nodes.tokens[current - nodes.tokenBase] }
    private var previous: Lexeme { nodes.tokens[max(current - 1, 0) - nodes.tokenBase] }
    /// The current token's kind with its value, decoded from the source.
    private var peekKind: TokenKind { lexer.kind(of: peek) }
    /// The current token's kind without its value, read without copying the token.
    private var peekTag: TokenTag { nodes.tokens[current - nodes.tokenBase].tag }

    private var isAtEnd: Bool { peekTag == .endOfFile }

    private func check(_ tag: TokenTag) -> Bool { peekTag == tag }

    // Compares the spelling's bytes in the source: no text is made for a keyword tried.
    private func checkWord(_ word: StaticString) -> Bool { lexer.isWord(peek, word) }

    private var peekWord: String? { word(peek) }

    /// The verb a word token spells (`GrammarTable.verb(named:)`), nil for other tokens: a
    /// command's verb is found by comparing bytes in the source, not by making a `String` and
    /// hashing it for every statement.
    private func verbSpec(_ lexeme: Lexeme) -> VerbSpec? {
        guard lexeme.tag == .word else { return nil }
        for entry in GrammarTable.verbSpellings where lexer.spells(lexeme, entry.spelling) { return entry.spec }
        return nil
    }

    /// Whether a token is a word with a meaning inside expressions (`GrammarTable.isExpressionKeyword`),
    /// by its bytes: asked after `let x =`, `for x in` and `(`.
    private func isExpressionKeyword(_ lexeme: Lexeme) -> Bool {
        lexeme.tag == .word && GrammarTable.expressionKeywordSpellings.contains { lexer.spells(lexeme, $0) }
    }

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

    // MARK: - Nodes

    /// Appends a node that starts at the current token (`close` finishes it).
    private mutating func open(_ kind: SyntaxNodes.Kind, payload: UInt8 = 0) -> Int {
        nodes.open(kind, at: current, payload: payload)
    }

    /// Finishes a node at the last token consumed, error tokens skipped after it included: the
    /// range `span(from:)` measured for the trees.
    private mutating func close(_ node: Int) {
        nodes.close(node, last: current - 1)
    }

    /// Finishes a node at the last token of its node `child`: the union of ranges
    /// (`left or right`, `not operand`) ends there, not at error tokens skipped after it.
    private mutating func close(_ node: Int, atEndOf child: Int) {
        nodes.close(node, last: nodes.lastToken(child))
    }

    /// Consumes the current token as a leaf node.
    private mutating func leaf(_ kind: SyntaxNodes.Kind, payload: UInt8 = 0) {
        nodes.leaf(kind, at: current, payload: payload)
        skip()
    }

    // MARK: - Program and blocks

    /// program → { statement end } EOF; each statement's node goes to `body`, and the result is
    /// the program's range.
    private mutating func program(_ body: (SyntaxNodes, Int) -> Void) -> SourceRange {
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
                body(nodes, statement)
            }
            if current == before && !isAtEnd { skip() }
        }
        return span(from: start)
    }

    /// Parses one statement and its end; on error reports, resynchronizes and keeps what it can.
    /// The result is the statement's node, nil when nothing is kept.
    private mutating func recoveringStatement(insideBlock: Bool) -> Int? {
        // A statement that starts right after a lexical error (`dеactivate 15`) is already broken;
        // stay quiet about the rest of it.
        if previous.tag == .error {
            panicMode = true
        } else {
            panicMode = false
        }
        recovered = nil
        let node = nodes.count
        do {
            try statement()
        } catch {
            if !abandoned { synchronize(insideBlock: insideBlock) }
            defer { recovered = nil }
            // The nodes the failed statement appended go; only a `let` leaves one (its name).
            nodes.truncate(to: node)
            guard let recovered else { return nil }
            let invalid = nodes.open(.letInvalid, at: recovered.start)
            nodes.leaf(.word, at: recovered.name)
            nodes.close(invalid, last: recovered.last)
            return invalid
        }
        if !(insideBlock && check(.rightBrace)) && !match(.newline) && !match(.semicolon) && !isAtEnd {
            report(.expected(.endOfStatement, found: FoundToken(peekKind)), at: peek.range)
            synchronize(insideBlock: insideBlock)
        }
        return node
    }

    /// block → "{" { statement end } "}"
    private mutating func block() throws {
        let node = open(.block)
        let opening = try expect(.leftBrace, .token("{"))
        openers.append(opening)
        defer { openers.removeLast() }
        while true {
            if match(.newline) || match(.semicolon) { continue }
            if check(.rightBrace) { break }
            if isAtEnd { throw failNeverClosed() }
            _ = recoveringStatement(insideBlock: true)
            if abandoned { throw ParseError() }
        }
        nodes.close(node, last: current)
        skip()
    }

    // MARK: - Statements

    /// statement → command | let | if | for | wait | assert | try | set | echo | sleep | source
    ///           | help | exit
    private mutating func statement() throws {
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
        // A command statement is its command's node.
        try command()
    }

    /// letStatement → "let" NAME "=" ( command | expr )
    private mutating func letStatement() throws {
        let node = open(.let)
        let start = current
        skip()
        let name = current
        try variableName()
        _ = try expect(.assign, .token("="))
        do {
            if startsCommand { try command() } else { try expression() }
        } catch {
            recovered = (start, name, current - 1)
            throw error
        }
        close(node)
    }

    /// paramStatement → "param" NAME [ STRING ] [ "=" ( STRING | INT | DURATION ) ]
    private mutating func paramStatement() throws {
        let node = open(.param)
        skip()
        try variableName()
        var shape: UInt8 = 0
        if peekTag == .string {
            try plainString()
            shape |= 1
        }
        if match(.assign) {
            switch peekTag {
            case .integer: leaf(.integer)
            case .duration: leaf(.duration)
            case .string: try plainString()
            default: throw failExpected(.parameterDefault)
            }
            shape |= 2
        }
        nodes.setPayload(node, shape)
        close(node)
    }

    /// A string without interpolation: a parameter's text is shown and bound before any
    /// variable has a value.
    private mutating func plainString() throws {
        let node = nodes.count
        try stringLiteral()
        if nodes.mayInterpolate(node), nodes.parts(node).contains(where: { if case .variable = $0 { true } else { false } }) {
            report(.interpolationInParameter, at: nodes.range(node))
        }
    }

    /// variableName → NAME   (letters, digits and `_`, so it can be written `$NAME`)
    private mutating func variableName() throws {
        if peekTag == .variable {
            throw failExpected(.variableName, notes: [DiagnosticNote(.letWithoutDollar)])
        }
        guard peekTag == .word else { throw failExpected(.variableName) }
        let token = peek
        leaf(.word)
        if lexer.contains(UInt8(ascii: "-"), in: token) {
            report(.invalidVariableName(word(token) ?? ""), at: token.range)
        }
    }

    /// True when the next word begins a command rather than an expression.
    private var startsCommand: Bool {
        peekTag == .word && !isExpressionKeyword(peek)
    }

    /// ifStatement → "if" expr block { "elif" expr block } [ "else" block ]
    private mutating func ifStatement() throws {
        let node = open(.if)
        skip()
        try branch()
        while true {
            // `}` then a newline then `elif`/`else` still continues the `if`, as operators write it.
            let mark = current
            while check(.newline) { skip() }
            if matchWord("elif") {
                try branch()
            } else if matchWord("else") {
                try block()
                break
            } else {
                current = mark
                break
            }
        }
        close(node)
    }

    /// branch → expr block
    private mutating func branch() throws {
        let node = open(.branch)
        try expression()
        try block()
        close(node)
    }

    /// forStatement → "for" NAME "in" ( targets | command ) block
    private mutating func forStatement() throws {
        let node = open(.for)
        skip()
        try variableName()
        _ = try expectWord("in")
        if startsCommand { try command() } else { try targets() }
        try block()
        close(node)
    }

    /// waitStatement → "wait" targets "until" state [ "timeout" DURATION ] [ "every" DURATION ]
    /// (`timeout` and `every` are accepted in either order)
    private mutating func waitStatement() throws {
        let node = open(.wait)
        skip()
        try targets()
        _ = try expectWord("until")
        try waitState()
        var timeout = false
        var every = false
        while true {
            if !timeout, matchWord("timeout") {
                timeout = true
                try duration(payload: 1)
            } else if !every, matchWord("every") {
                every = true
                try duration(payload: 2)
            } else {
                break
            }
        }
        close(node)
    }

    /// state → "active" | "inactive" | "completed" | "deleted" | "status" STRING
    private mutating func waitState() throws {
        guard let word = peekWord else { throw failExpected(.waitState) }
        let start = current
        let token = advance()
        let state: UInt8
        switch word {
        case "active": state = 0
        case "inactive": state = 1
        case "completed": state = 2
        case "deleted": state = 3
        case "status":
            let node = nodes.open(.waitState, at: start, payload: 4)
            let text = nodes.count
            try stringLiteral()
            close(node, atEndOf: text)
            return
        default:
            throw fail(
                .unknownWaitState(
                    name: word, suggestion: Suggestion.closest(to: word, among: GrammarTable.waitStates)),
                at: token.range, notes: [DiagnosticNote(.allowedValues(GrammarTable.waitStates))])
        }
        nodes.leaf(.waitState, at: start, payload: state)
    }

    /// assertStatement → "assert" expr [ "else" STRING ]
    private mutating func assertStatement() throws {
        let node = open(.assert)
        skip()
        try expression()
        if matchWord("else") { try stringLiteral() }
        close(node)
    }

    /// tryStatement → "try" statement
    private mutating func tryStatement() throws {
        let node = open(.try)
        skip()
        try statement()
        close(node)
    }

    /// setStatement → "set" SETTING value
    /// value → WORD | INT | DURATION
    private mutating func setStatement() throws {
        let node = open(.set)
        skip()
        guard peekTag == .word else { throw failExpected(.settingName) }
        leaf(.word)
        switch peekTag {
        case .word: leaf(.word)
        case .integer: leaf(.integer)
        case .duration: leaf(.duration)
        default: throw failExpected(.settingValue)
        }
        close(node)
    }

    /// echoStatement → "echo" expr { expr }
    private mutating func echoStatement() throws {
        let node = open(.echo)
        skip()
        try expression()
        while !isAtStatementEnd { try expression() }
        close(node)
    }

    /// sleepStatement → "sleep" DURATION
    private mutating func sleepStatement() throws {
        let node = open(.sleep)
        skip()
        try duration()
        close(node)
    }

    /// sourceStatement → "source" STRING
    private mutating func sourceStatement() throws {
        let node = open(.source)
        skip()
        try stringLiteral()
        close(node)
    }

    /// helpStatement → "help" [ WORD ]
    private mutating func helpStatement() throws {
        let node = open(.help)
        skip()
        if peekTag == .word { leaf(.word) }
        close(node)
    }

    /// exitStatement → "exit" [ INT ]
    private mutating func exitStatement() throws {
        let node = open(.exit)
        skip()
        if peekTag == .integer { leaf(.integer) }
        close(node)
    }

    // MARK: - Commands

    /// command → VERB [ targets ] { option }
    private mutating func command() throws {
        guard peekTag == .word else { throw failExpected(.statement) }
        let start = current
        let verbToken = advance()
        guard let spec = verbSpec(verbToken) else {
            let word = self.word(verbToken) ?? ""
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
        let node = nodes.open(.command, at: start, payload: UInt8(spec.verb.ordinal))
        if spec.argument != .none {
            if let note = misplacedTargetWordNote(spec) { throw failExpected(.target, notes: [note]) }
            try targets()
        }
        while peekTag == .word {
            try option()
        }
        close(node)
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
    private mutating func option() throws {
        let start = current
        let nameToken = advance()
        guard let word = word(nameToken) else { throw failExpected(.word) }
        guard let spec = GrammarTable.option(named: word) else {
            // The checker names unknown options with a did-you-mean; here only skip their values.
            let node = nodes.open(.option, at: start)
            while true {
                switch peekTag {
                case .integer, .string, .duration, .variable: skip()
                default:
                    close(node)
                    return
                }
            }
        }
        if check(.assign) {
            let note = optionWithoutEqualsNote(Identifier(word, range: nameToken.range), spec)
            throw failExpected(Self.expectation(after: spec.shape), notes: [note])
        }
        let node = nodes.open(.option, at: start, payload: UInt8(spec.key.ordinal + 1))
        switch spec.shape {
        case .flag:
            break
        case .positiveInteger:
            try integer()
        case .text:
            try text()
        case .textOrInteger:
            if peekTag == .integer {
                try integer()
            } else {
                try text()
            }
        case .choice:
            guard peekTag == .word else { throw failExpected(.word) }
            leaf(.word)
        case .audience:
            guard peekTag == .word else {
                throw failExpected(.word, notes: [DiagnosticNote(.allowedValues(["list", "segment"]))])
            }
            leaf(.word)
            try integer()
        case .timeOrDuration:
            if peekTag == .duration {
                try duration()
            } else if peekTag == .string {
                try stringLiteral()
            } else {
                throw failExpected(.timeOrDuration)
            }
        }
        close(node)
    }

    /// targets → target { "," target }
    private mutating func targets() throws {
        let node = open(.targets)
        try target()
        while match(.comma) { try target() }
        close(node)
    }

    /// target → INT | INT ".." INT | "$" path | "(" command ")"
    private mutating func target() throws {
        let node = nodes.count
        switch peekTag {
        case .integer:
            try integer()
            if match(.dotDot) {
                let range = nodes.precede(node, .targetRange)
                let high = nodes.count
                try integer()
                close(range, atEndOf: high)
            }
        case .variable:
            try primary()
            try postfix(node)
        case .leftParen:
            try parenthesizedCommand()
        default:
            throw failExpected(.target)
        }
    }

    /// parenthesizedCommand → "(" command ")"
    private mutating func parenthesizedCommand() throws {
        let node = open(.commandExpr)
        let opening = advance()
        try enterNesting()
        openers.append(opening)
        defer {
            depth -= 1
            openers.removeLast()
        }
        try command()
        let last = current
        _ = try closing(.rightParen, ")", opener: opening)
        nodes.close(node, last: last)
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

    private mutating func integer() throws {
        guard peekTag == .integer else { throw failExpected(.integer) }
        leaf(.integer)
    }

    private mutating func duration(payload: UInt8 = 0) throws {
        guard peekTag == .duration else {
            throw failExpected(.duration, notes: [DiagnosticNote(.durationForms)])
        }
        leaf(.duration, payload: payload)
    }

    private mutating func stringLiteral() throws {
        guard peekTag == .string else { throw failExpected(.string) }
        leaf(.string)
    }

    /// text → STRING | WORD
    private mutating func text() throws {
        if peekTag == .word { return leaf(.textWord) }
        guard peekTag == .string else { throw failExpected(.text) }
        leaf(.string)
    }

    // MARK: - Expressions

    /// expr → orExpr
    private mutating func expression() throws {
        try enterNesting()
        defer { depth -= 1 }
        try orExpression()
    }

    /// orExpr → andExpr { "or" andExpr }
    private mutating func orExpression() throws {
        let left = nodes.count
        try andExpression()
        // Each link makes the (left-deep) tree one level deeper, so it counts as nesting.
        var links = 0
        defer { depth -= links }
        while matchWord("or") {
            try enterNesting()
            links += 1
            let node = nodes.precede(left, .or)
            let right = nodes.count
            try andExpression()
            close(node, atEndOf: right)
        }
    }

    /// andExpr → notExpr { "and" notExpr }
    private mutating func andExpression() throws {
        let left = nodes.count
        try notExpression()
        var links = 0
        defer { depth -= links }
        while matchWord("and") {
            try enterNesting()
            links += 1
            let node = nodes.precede(left, .and)
            let right = nodes.count
            try notExpression()
            close(node, atEndOf: right)
        }
    }

    /// notExpr → "not" notExpr | comparison
    private mutating func notExpression() throws {
        guard checkWord("not") else { return try comparison() }
        let node = open(.not)
        skip()
        try enterNesting()
        defer { depth -= 1 }
        let operand = nodes.count
        try notExpression()
        close(node, atEndOf: operand)
    }

    /// comparison → postfix [ ( "==" | "!=" | "<" | "<=" | ">" | ">=" | "in" ) postfix ]
    private mutating func comparison() throws {
        let left = nodes.count
        try primary()
        try postfix(left)
        // The operator's place in `ComparisonOperator.allCases`.
        let comparisonOperator: UInt8
        switch peekTag {
        case .equal: comparisonOperator = 0
        case .notEqual: comparisonOperator = 1
        case .less: comparisonOperator = 2
        case .lessEqual: comparisonOperator = 3
        case .greater: comparisonOperator = 4
        case .greaterEqual: comparisonOperator = 5
        case .word where checkWord("in"): comparisonOperator = 6
        default: return
        }
        skip()
        let node = nodes.precede(left, .comparison, payload: comparisonOperator)
        let right = nodes.count
        try primary()
        try postfix(right)
        close(node, atEndOf: right)
    }

    /// postfix → primary { "." NAME | "[" expr "]" }   (no space before "." or "[");
    /// `base` is the primary's node, which each link becomes the child of.
    private mutating func postfix(_ base: Int) throws {
        var links = 0
        defer { depth -= links }
        while !peek.leadingSpace, check(.dot) || check(.leftBracket) {
            try enterNesting()
            links += 1
            if check(.dot) {
                skip()
                guard peekTag == .word, !peek.leadingSpace else { throw failExpected(.fieldName) }
                let node = nodes.precede(base, .field)
                nodes.close(node, last: current)
                skip()
            } else if check(.leftBracket) {
                let opening = advance()
                openers.append(opening)
                defer { openers.removeLast() }
                let node = nodes.precede(base, .index)
                try expression()
                let last = current
                _ = try closing(.rightBracket, "]", opener: opening)
                nodes.close(node, last: last)
            } else {
                break
            }
        }
    }

    /// primary → INT | DURATION | STRING | "true" | "false" | "null" | VARIABLE
    ///         | "(" ( command | expr ) ")"
    private mutating func primary() throws {
        let token = peek
        switch token.tag {
        case .leftParen:
            load(current + 1)
            let next = tokenAt(current + 1)
            if next.tag == .word, !isExpressionKeyword(next) {
                return try parenthesizedCommand()
            }
            let node = open(.paren)
            let opening = advance()
            openers.append(opening)
            defer { openers.removeLast() }
            try expression()
            let last = current
            _ = try closing(.rightParen, ")", opener: opening)
            nodes.close(node, last: last)
        case .word:
            if lexer.isWord(token, "true") || lexer.isWord(token, "false") {
                return leaf(.bool, payload: lexer.isWord(token, "true") ? 1 : 0)
            }
            if lexer.isWord(token, "null") { return leaf(.null) }
            if verbSpec(token) != nil, let word = peekWord {
                throw failExpected(.expression, notes: [DiagnosticNote(.wrapCommandInParentheses(word))])
            }
            throw failExpected(.expression)
        case .variable: leaf(.variable)
        case .integer: leaf(.integer)
        case .duration: leaf(.duration)
        case .string: leaf(.string)
        default: throw failExpected(.expression)
        }
    }
}
