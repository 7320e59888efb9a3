/// One top-level statement's syntax as the parser builds it: nodes in contiguous arrays indexed
/// by integers, in preorder, beside the token window they point into (as fast compilers and
/// Lua's parser do). The arrays are emptied, keeping their capacity, between top-level
/// statements, so parsing and checking a file allocates nothing per statement; a `Statement`
/// tree is built from them (`statement(_:)`) only for a consumer that reads trees
/// (docs/performance.md, "Fourth pass: flat nodes").
///
/// Node `i` covers the tokens from its `firstToken` to its `lastToken` (absolute token indices)
/// and its subtree is `i + 1 ..< end`; its children are found by jumping from one child's end to
/// the next. Leaves are token nodes: their values stay in the source and are decoded when read.
struct SyntaxNodes {
    /// What a node is. The layout of each kind's children is written beside it.
    enum Kind: UInt8 {
        // Statements.
        /// children: targets?, option…; payload: the verb's ordinal.
        case command
        /// children: name (word), value (command or an expression).
        case `let`
        /// A `let` whose value failed to parse (recovery). children: name (word).
        case letInvalid
        /// children: name (word), description (string)?, default (integer, duration, string)?;
        /// payload: 1 when there is a description, 2 when there is a default (or both).
        case param
        /// children: branch…, else (block)?
        case `if`
        /// children: name (word), source (targets or command), body (block).
        case `for`
        /// children: targets, waitState, durations (payload 1 `timeout`, 2 `every`).
        case wait
        /// children: condition, message (string)?
        case assert
        /// children: the statement.
        case `try`
        /// children: setting (word), value (word, integer or duration).
        case set
        /// children: the values.
        case echo
        /// children: duration.
        case sleep
        /// children: path (string).
        case source
        /// children: topic (word)?
        case help
        /// children: code (integer)?
        case exit

        // Parts of statements.
        /// `{ … }`. children: the statements.
        case block
        /// One `if`/`elif` branch. children: condition, body (block).
        case branch
        /// children: target… (integer, targetRange, commandExpr or an expression).
        case targets
        /// `low..high`. children: two integers.
        case targetRange
        /// children: the value's leaves (none; integer; string or textWord; word; word and
        /// integer for `audience`; duration); payload: the key's ordinal + 1, 0 when unknown.
        case option
        /// payload: `WaitState.Kind` in order (4: `status`, whose string is the child).
        case waitState
        /// `(command)`. children: command.
        case commandExpr
        /// `(expr)`: the inner expression with the parentheses' range. children: the expression.
        case paren
        /// `base.field`: the field is the last token. children: base.
        case field
        /// `base[index]`. children: base, index.
        case index
        /// children: left, right; payload: the operator's place in `ComparisonOperator.allCases`.
        case comparison
        /// children: left, right.
        case and
        /// children: left, right.
        case or
        /// children: operand.
        case not

        // Leaves: one token each.
        /// An integer literal.
        case integer
        /// A duration literal.
        case duration
        /// A string literal.
        case string
        /// A word: a name, a setting, a topic, an option's word value.
        case word
        /// A bare word where text is accepted: a one-part string.
        case textWord
        /// `$name`.
        case variable
        /// `true` or `false` (payload 1 for `true`).
        case bool
        /// `null`.
        case null
    }

    /// One node: 16 bytes. One array of them rather than an array per field: a node is then
    /// one append, one uniqueness check and one capacity check (five arrays cost the parser
    /// 2.5 times as many instructions per node).
    struct Node {
        /// The absolute index of its first token.
        var firstToken: UInt32
        /// The absolute index of its last token.
        var lastToken: UInt32
        /// One past the last node of its subtree.
        var end: UInt32
        var kind: Kind
        /// A verb, an option key, an operator… (see `Kind`).
        var payload: UInt8
    }

    private var nodes: [Node] = []

    /// The parser's token window: the tokens from the absolute index `tokenBase` on. It keeps a
    /// statement's tokens until the statement has been read, and is trimmed with the nodes.
    var tokens: [Lexeme] = []
    /// The absolute index of `tokens[0]`.
    var tokenBase = 0
    /// Reads the values of tokens from the source (`Lexer.kind(of:)`).
    let source: Lexer

    /// Empty storage over the source `source` lexes.
    init(source: Lexer) {
        self.source = source
    }

    /// How many nodes there are.
    var count: Int { nodes.count }

    /// What node `node` is.
    func kind(_ node: Int) -> Kind { nodes[node].kind }

    /// Node `node`'s payload byte (see `Kind`).
    func payload(_ node: Int) -> UInt8 { nodes[node].payload }

    /// The absolute index of node `node`'s last token.
    func lastToken(_ node: Int) -> Int { Int(nodes[node].lastToken) }

    /// The verbs by `Verb.ordinal` (a command's payload): `allCases` builds an array per call.
    static let verbs = Verb.allCases.sorted { $0.ordinal < $1.ordinal }
    /// The options by `OptionKey.ordinal` (an option's payload is that + 1).
    static let optionKeys = OptionKey.allCases.sorted { $0.ordinal < $1.ordinal }
    /// The comparison operators in declaration order (a comparison's payload).
    static let comparisonOperators = ComparisonOperator.allCases

    /// The verb of a command node.
    func verb(_ node: Int) -> Verb { Self.verbs[Int(payload(node))] }

    /// The key of an option node, nil when no verb knows its word.
    func optionKey(_ node: Int) -> OptionKey? {
        payload(node) == 0 ? nil : Self.optionKeys[Int(payload(node)) - 1]
    }

    // MARK: Building

    /// Appends a node that starts at the absolute token index `token`; `close` finishes it.
    mutating func open(_ kind: Kind, at token: Int, payload: UInt8 = 0) -> Int {
        let index = UInt32(truncatingIfNeeded: token)
        nodes.append(Node(firstToken: index, lastToken: index, end: 0, kind: kind, payload: payload))
        return nodes.count - 1
    }

    /// Finishes node `node`: its subtree is every node appended since, its last token `token`.
    mutating func close(_ node: Int, last token: Int) {
        nodes[node].end = UInt32(truncatingIfNeeded: nodes.count)
        nodes[node].lastToken = UInt32(truncatingIfNeeded: token)
    }

    /// Appends a finished leaf for the token at the absolute index `token`.
    mutating func leaf(_ kind: Kind, at token: Int, payload: UInt8 = 0) {
        let index = UInt32(truncatingIfNeeded: token)
        nodes.append(
            Node(
                firstToken: index, lastToken: index, end: UInt32(truncatingIfNeeded: nodes.count + 1), kind: kind,
                payload: payload))
    }

    /// Makes the finished nodes from `node` on the children of a new node inserted at `node`,
    /// which starts where they do (`left or right`, `base.field`, `low..high`: the parser knows
    /// the parent only after its first child); `close` finishes it.
    mutating func precede(_ node: Int, _ kind: Kind, payload: UInt8 = 0) -> Int {
        // Shifted by hand, each end moved with its node: `insert(_:at:)` cost twice as much.
        let child = nodes[node]
        nodes.append(child)
        nodes.withUnsafeMutableBufferPointer { buffer in
            var index = buffer.count - 1
            while index > node {
                buffer[index] = buffer[index - 1]
                buffer[index].end += 1
                index -= 1
            }
            buffer[node] = Node(
                firstToken: child.firstToken, lastToken: child.lastToken, end: 0, kind: kind, payload: payload)
        }
        return node
    }

    /// Sets a node's payload once the parser knows it (`param`'s parts).
    mutating func setPayload(_ node: Int, _ payload: UInt8) {
        nodes[node].payload = payload
    }

    /// Drops the nodes from `count` on: those of a statement that failed to parse.
    mutating func truncate(to count: Int) {
        guard count < nodes.count else { return }
        nodes.removeSubrange(count...)
    }

    /// Drops every node, keeping the arrays' capacity for the next statement.
    mutating func removeAllNodes() {
        nodes.removeAll(keepingCapacity: true)
    }

    // MARK: Reading

    /// The token at an absolute index.
    func token(_ index: Int) -> Lexeme { tokens[index - tokenBase] }

    /// From the start of the node's first token to the end of its last.
    func range(_ node: Int) -> SourceRange {
        SourceRange(
            start: token(Int(nodes[node].firstToken)).range.start, end: token(Int(nodes[node].lastToken)).range.end)
    }

    /// The node after `node`'s subtree: its next sibling, when it has one.
    func next(_ node: Int) -> Int { Int(nodes[node].end) }

    /// Whether `child` (a child of `node`, or the next child's index) is still inside `node`.
    func contains(_ node: Int, _ child: Int) -> Bool { child < Int(nodes[node].end) }

    /// A leaf's token.
    private func leafToken(_ node: Int) -> Lexeme { token(Int(nodes[node].firstToken)) }

    /// The range of a node's first token: a command's verb, an option's word.
    func firstTokenRange(_ node: Int) -> SourceRange { leafToken(node).range }

    /// The spelling of a node's first token: a word's, a text word's, a command's verb, an
    /// option's word.
    func text(_ node: Int) -> String {
        let range = leafToken(node).range
        return source.text(from: range.start.offset, to: range.end.offset)
    }

    /// A variable leaf's name, without the `$`.
    func variableName(_ node: Int) -> String {
        let range = leafToken(node).range
        return source.text(from: range.start.offset + 1, to: range.end.offset)
    }

    /// An integer leaf's value.
    func integer(_ node: Int) -> Int64 {
        guard case .integer(let value) = source.kind(of: leafToken(node)) else {
            preconditionFailure("integer node \(node) no longer reads")
        }
        return value
    }

    /// A duration leaf's value in milliseconds.
    func milliseconds(_ node: Int) -> Int64 {
        guard case .duration(let milliseconds) = source.kind(of: leafToken(node)) else {
            preconditionFailure("duration node \(node) no longer reads")
        }
        return milliseconds
    }

    /// A string leaf's parts (lexed again from the source), or a text word's one part.
    func parts(_ node: Int) -> [StringPart] {
        if kind(node) == .textWord { return [.text(text(node))] }
        guard case .string(let parts) = source.kind(of: leafToken(node)) else {
            preconditionFailure("string node \(node) no longer reads")
        }
        return parts
    }

    /// A string leaf's or text word's text when it names no variable (`StringLiteral.constantText`).
    func constantText(_ node: Int) -> String? {
        StringLiteral(parts: parts(node), range: range(node)).constantText
    }

    /// Whether a string leaf may name variables: its spelling has a `$` (most strings have
    /// none, and are then not lexed again to be read).
    func mayInterpolate(_ node: Int) -> Bool {
        kind(node) == .string && source.contains(UInt8(ascii: "$"), in: leafToken(node))
    }

    // MARK: Trees

    /// The tree of the statement node `node`, built in one walk: the tree the parser built
    /// before nodes (`Syntax.swift`'s types, for the interpreter, the formatter and the
    /// language server).
    func statement(_ node: Int) -> Statement {
        let range = self.range(node)
        let first = node + 1
        switch kind(node) {
        case .command:
            let command = self.command(node)
            return Statement(.command(command), range: command.range)
        case .let:
            let value = next(first)
            let letValue: LetValue =
                kind(value) == .command ? .command(command(value)) : .expression(expression(value))
            return Statement(.let(name: identifier(first), value: letValue), range: range)
        case .letInvalid:
            return Statement(.let(name: identifier(first), value: .invalid), range: range)
        case .param:
            var child = next(first)
            var description: StringLiteral?
            if payload(node) & 1 != 0 {
                description = stringLiteral(child)
                child = next(child)
            }
            let defaultValue = payload(node) & 2 != 0 ? expression(child) : nil
            return Statement(
                .param(Parameter(name: identifier(first), description: description, defaultValue: defaultValue)),
                range: range)
        case .if:
            var branches: [ConditionalBranch] = []
            var elseBlock: Block?
            var child = first
            while contains(node, child) {
                if kind(child) == .branch {
                    let condition = child + 1
                    branches.append(ConditionalBranch(condition: expression(condition), body: block(next(condition))))
                } else {
                    elseBlock = block(child)
                }
                child = next(child)
            }
            return Statement(.if(branches: branches, elseBlock: elseBlock), range: range)
        case .for:
            let sourceNode = next(first)
            let source: ForSource =
                kind(sourceNode) == .command ? .command(command(sourceNode)) : .targets(targets(sourceNode))
            return Statement(
                .for(variable: identifier(first), source: source, body: block(next(sourceNode))), range: range)
        case .wait:
            let stateNode = next(first)
            var timeout: DurationLiteral?
            var every: DurationLiteral?
            var child = next(stateNode)
            while contains(node, child) {
                if payload(child) == 1 { timeout = durationLiteral(child) } else { every = durationLiteral(child) }
                child = next(child)
            }
            return Statement(
                .wait(targets: targets(first), state: waitState(stateNode), timeout: timeout, every: every),
                range: range)
        case .assert:
            let message = next(first)
            return Statement(
                .assert(
                    condition: expression(first), message: contains(node, message) ? stringLiteral(message) : nil),
                range: range)
        case .try:
            return Statement(.try(statement(first)), range: range)
        case .set:
            let valueNode = next(first)
            let value: SettingValue =
                switch kind(valueNode) {
                case .word: .word(identifier(valueNode))
                case .integer: .integer(integerLiteral(valueNode))
                default: .duration(durationLiteral(valueNode))
                }
            return Statement(.set(setting: identifier(first), value: value), range: range)
        case .echo:
            var values: [Expr] = []
            var child = first
            while contains(node, child) {
                values.append(expression(child))
                child = next(child)
            }
            return Statement(.echo(values), range: range)
        case .sleep:
            return Statement(.sleep(durationLiteral(first)), range: range)
        case .source:
            return Statement(.source(stringLiteral(first)), range: range)
        case .help:
            return Statement(.help(contains(node, first) ? identifier(first) : nil), range: range)
        case .exit:
            return Statement(.exit(contains(node, first) ? integerLiteral(first) : nil), range: range)
        default:
            preconditionFailure("node \(node) (\(kind(node))) is not a statement")
        }
    }

    private func block(_ node: Int) -> Block {
        var statements: [Statement] = []
        var child = node + 1
        while contains(node, child) {
            statements.append(statement(child))
            child = next(child)
        }
        return Block(statements: statements, range: range(node))
    }

    private func identifier(_ node: Int) -> Identifier { Identifier(text(node), range: range(node)) }

    private func integerLiteral(_ node: Int) -> IntegerLiteral { IntegerLiteral(integer(node), range: range(node)) }

    private func durationLiteral(_ node: Int) -> DurationLiteral {
        DurationLiteral(milliseconds: milliseconds(node), range: range(node))
    }

    private func stringLiteral(_ node: Int) -> StringLiteral { StringLiteral(parts: parts(node), range: range(node)) }

    private func waitState(_ node: Int) -> WaitState {
        let state: WaitState.Kind =
            switch payload(node) {
            case 0: .active
            case 1: .inactive
            case 2: .completed
            case 3: .deleted
            default: .status(stringLiteral(node + 1))
            }
        return WaitState(state, range: range(node))
    }

    func command(_ node: Int) -> Command {
        var child = node + 1
        var targets: Targets?
        if contains(node, child), kind(child) == .targets {
            targets = self.targets(child)
            child = next(child)
        }
        var options: [CommandOption] = []
        while contains(node, child) {
            options.append(option(child))
            child = next(child)
        }
        let verbName = Identifier(text(node), range: firstTokenRange(node))
        return Command(
            verb: verb(node), verbName: verbName, targets: targets, options: options,
            range: range(node))
    }

    private func option(_ node: Int) -> CommandOption {
        let name = Identifier(text(node), range: firstTokenRange(node))
        let key = optionKey(node)
        let child = node + 1
        let value: OptionValue
        if !contains(node, child) {
            value = .none
        } else {
            switch kind(child) {
            case .integer: value = .integer(integerLiteral(child))
            case .duration: value = .duration(durationLiteral(child))
            case .word where contains(node, next(child)):
                value = .audience(source: identifier(child), id: integerLiteral(next(child)))
            case .word: value = .word(identifier(child))
            default: value = .text(stringLiteral(child))
            }
        }
        return CommandOption(name: name, key: key, value: value, range: range(node))
    }

    private func targets(_ node: Int) -> Targets {
        var items: [Target] = []
        var child = node + 1
        while contains(node, child) {
            let target: Target.Kind =
                switch kind(child) {
                case .integer: .id(integerLiteral(child))
                case .targetRange: .range(integerLiteral(child + 1), integerLiteral(next(child + 1)))
                case .commandExpr: .command(command(child + 1))
                default: .variable(expression(child))
                }
            items.append(Target(target, range: range(child)))
            child = next(child)
        }
        return Targets(items: items, range: range(node))
    }

    func expression(_ node: Int) -> Expr {
        let range = self.range(node)
        switch kind(node) {
        case .integer: return Expr(.integer(integer(node)), range: range)
        case .duration: return Expr(.duration(milliseconds(node)), range: range)
        case .string: return Expr(.string(parts(node)), range: range)
        case .bool: return Expr(.bool(payload(node) == 1), range: range)
        case .null: return Expr(.null, range: range)
        case .variable: return Expr(.variable(variableName(node)), range: range)
        case .field:
            let field = token(Int(nodes[node].lastToken)).range
            return Expr(
                .field(expression(node + 1), source.text(from: field.start.offset, to: field.end.offset)),
                range: range)
        case .index: return Expr(.index(expression(node + 1), expression(next(node + 1))), range: range)
        case .commandExpr: return Expr(.command(command(node + 1)), range: range)
        case .paren: return Expr(expression(node + 1).kind, range: range)
        case .comparison:
            return Expr(
                .comparison(
                    Self.comparisonOperators[Int(payload(node))], expression(node + 1),
                    expression(next(node + 1))),
                range: range)
        case .and: return Expr(.and(expression(node + 1), expression(next(node + 1))), range: range)
        case .or: return Expr(.or(expression(node + 1), expression(next(node + 1))), range: range)
        case .not: return Expr(.not(expression(node + 1)), range: range)
        default: preconditionFailure("node \(node) (\(kind(node))) is not an expression")
        }
    }
}
