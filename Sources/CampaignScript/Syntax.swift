/// A parsed file: its statements in order.
public struct Program: Equatable, Sendable {
    /// The top-level statements (read one at a time: see `StatementList`).
    public var statements: StatementList
    /// The whole file.
    public var range: SourceRange

    /// Creates a program.
    public init(statements: [Statement], range: SourceRange) {
        self.init(statements: StatementList(statements), range: range)
    }

    /// Creates a program from a statement list.
    public init(statements: StatementList, range: SourceRange) {
        self.statements = statements
        self.range = range
    }
}

/// One statement with its source range.
public struct Statement: Equatable, Sendable {
    /// What the statement does.
    public var kind: Kind
    /// From its first token to its last.
    public var range: SourceRange

    /// Creates a statement.
    public init(_ kind: Kind, range: SourceRange) {
        self.kind = kind
        self.range = range
    }

    /// The statement forms of docs/language.md. Boxed: stored inline, a statement is as large
    /// as its largest form (≈ 200 bytes), and moving those through the parser's and blocks'
    /// arrays cost more than the box (docs/performance.md, "Flat syntax storage", second pass).
    public indirect enum Kind: Equatable, Sendable {
        /// A campaign command.
        case command(Command)
        /// `let NAME = command|expr`.
        case `let`(name: Identifier, value: LetValue)
        /// `param NAME ["description"] [= DEFAULT]`: a runbook's declared argument.
        case param(Parameter)
        /// `if … elif … else …`.
        case `if`(branches: [ConditionalBranch], elseBlock: Block?)
        /// `for NAME in T|command { … }`.
        case `for`(variable: Identifier, source: ForSource, body: Block)
        /// `wait T until STATE [timeout D] [every D]`.
        case wait(
            targets: Targets, state: WaitState, timeout: DurationLiteral?, every: DurationLiteral?)
        /// `assert EXPR [else "message"]`.
        case assert(condition: Expr, message: StringLiteral?)
        /// `try STATEMENT`.
        case `try`(Statement)
        /// `set SETTING VALUE`.
        case set(setting: Identifier, value: SettingValue)
        /// `echo EXPR…`.
        case echo([Expr])
        /// `sleep D`.
        case sleep(DurationLiteral)
        /// `source "file"`.
        case source(StringLiteral)
        /// `help [WORD]`.
        case help(Identifier?)
        /// `exit [CODE]`.
        case exit(IntegerLiteral?)
    }
}

/// A name with its range (a `let`/`for` variable, a setting, a help topic, an option word).
public struct Identifier: Equatable, Sendable {
    /// The spelling.
    public var name: String
    /// Where it is.
    public var range: SourceRange

    /// Creates an identifier.
    public init(_ name: String, range: SourceRange) {
        self.name = name
        self.range = range
    }
}

/// An integer literal with its range.
public struct IntegerLiteral: Equatable, Sendable {
    /// The value.
    public var value: Int64
    /// Where it is.
    public var range: SourceRange

    /// Creates a literal.
    public init(_ value: Int64, range: SourceRange) {
        self.value = value
        self.range = range
    }
}

/// A duration literal in milliseconds, with its range.
public struct DurationLiteral: Equatable, Sendable {
    /// The duration in milliseconds.
    public var milliseconds: Int64
    /// Where it is.
    public var range: SourceRange

    /// Creates a literal.
    public init(milliseconds: Int64, range: SourceRange) {
        self.milliseconds = milliseconds
        self.range = range
    }
}

/// A string literal (or a bare word where text is accepted), with its range.
public struct StringLiteral: Equatable, Sendable {
    /// Literal text and interpolations.
    public var parts: [StringPart]
    /// Where it is.
    public var range: SourceRange

    /// Creates a literal.
    public init(parts: [StringPart], range: SourceRange) {
        self.parts = parts
        self.range = range
    }

    /// The text when the literal has no interpolation.
    public var constantText: String? {
        var text = ""
        for part in parts {
            guard case .text(let piece) = part else { return nil }
            text += piece
        }
        return text
    }
}

/// A runbook's declared argument: `param ID "the campaign to stop"` or
/// `param LIMIT "how many" = 10`. Arguments bind to the declarations in order.
public struct Parameter: Equatable, Sendable {
    /// The name, written `$NAME` after the declaration.
    public var name: Identifier
    /// The description the usage line shows (a string without `$`).
    public var description: StringLiteral?
    /// The value when the argument is not given: a string, integer or duration literal
    /// (`.string`, `.integer` or `.duration`); nil when the argument is required.
    public var defaultValue: Expr?

    /// Creates a declaration.
    public init(name: Identifier, description: StringLiteral?, defaultValue: Expr?) {
        self.name = name
        self.description = description
        self.defaultValue = defaultValue
    }

    /// The value an absent argument takes, as the text a command-line argument would be
    /// (`= 15` binds `"15"`, like `cops runbook.cops 15`); nil when the argument is required.
    public var defaultText: String? {
        guard let defaultValue else { return nil }
        switch defaultValue.kind {
        case .integer(let value): return String(value)
        case .duration(let milliseconds): return Value.durationText(milliseconds)
        case .string(let parts): return StringLiteral(parts: parts, range: defaultValue.range).constantText
        default: return nil
        }
    }
}

/// What a `let` binds.
public enum LetValue: Equatable, Sendable {
    /// A command's result.
    case command(Command)
    /// An expression's value.
    case expression(Expr)
    /// A value that failed to parse; only in programs with errors, which never run.
    case invalid
}

/// One `if`/`elif` condition and its block.
public struct ConditionalBranch: Equatable, Sendable {
    /// The condition.
    public var condition: Expr
    /// The block run when it holds.
    public var body: Block

    /// Creates a branch.
    public init(condition: Expr, body: Block) {
        self.condition = condition
        self.body = body
    }

    /// From the condition to the closing `}`.
    public var range: SourceRange { condition.range.union(body.range) }
}

/// What `for` iterates over.
public enum ForSource: Equatable, Sendable {
    /// IDs, ranges, variables or `(command)` values.
    case targets(Targets)
    /// A bare command's result (boxed, so a `for` over targets stays small).
    indirect case command(Command)
}

/// `{ statements }`.
public struct Block: Equatable, Sendable {
    /// The statements inside.
    public var statements: [Statement]
    /// From `{` to `}`.
    public var range: SourceRange

    /// Creates a block.
    public init(statements: [Statement], range: SourceRange) {
        self.statements = statements
        self.range = range
    }
}

/// The state `wait` waits for.
public struct WaitState: Equatable, Sendable {
    /// The state.
    public var kind: Kind
    /// Where it is written.
    public var range: SourceRange

    /// Creates a state.
    public init(_ kind: Kind, range: SourceRange) {
        self.kind = kind
        self.range = range
    }

    /// The states `wait … until` knows (docs/language.md).
    public enum Kind: Equatable, Sendable {
        /// `active`
        case active
        /// `inactive`
        case inactive
        /// `completed`
        case completed
        /// `deleted` (waits for not-found)
        case deleted
        /// `status "text"`
        case status(StringLiteral)
    }
}

/// A setting's value as written.
public enum SettingValue: Equatable, Sendable {
    /// A word such as `json` or `on`.
    case word(Identifier)
    /// An integer.
    case integer(IntegerLiteral)
    /// A duration.
    case duration(DurationLiteral)

    /// Where the value is.
    public var range: SourceRange {
        switch self {
        case .word(let word): word.range
        case .integer(let integer): integer.range
        case .duration(let duration): duration.range
        }
    }
}

/// A campaign command: verb, targets and options.
public struct Command: Equatable, Sendable {
    /// The verb (aliases resolved).
    public var verb: Verb
    /// The verb as written, e.g. `info`.
    public var verbName: Identifier
    /// The targets, for verbs that take them.
    public var targets: Targets?
    /// The options, in source order.
    public var options: [CommandOption]
    /// From the verb to the last option.
    public var range: SourceRange

    /// Creates a command.
    public init(
        verb: Verb, verbName: Identifier, targets: Targets?, options: [CommandOption],
        range: SourceRange
    ) {
        self.verb = verb
        self.verbName = verbName
        self.targets = targets
        self.options = options
        self.range = range
    }

    /// The first option with this key.
    public func option(_ key: OptionKey) -> CommandOption? {
        options.first { $0.key == key }
    }
}

/// One option of a command.
public struct CommandOption: Equatable, Sendable {
    /// The option word as written.
    public var name: Identifier
    /// The option, or `nil` when no verb knows the word (the checker reports it).
    public var key: OptionKey?
    /// Its value.
    public var value: OptionValue
    /// From the option word to the end of its value.
    public var range: SourceRange

    /// Creates an option.
    public init(name: Identifier, key: OptionKey?, value: OptionValue, range: SourceRange) {
        self.name = name
        self.key = key
        self.value = value
        self.range = range
    }
}

/// The typed value of an option.
public enum OptionValue: Equatable, Sendable {
    /// A flag: no value.
    case none
    /// `limit 10`, `from 5`, `group 3`.
    case integer(IntegerLiteral)
    /// `tag "spring"`, `as "Copy"`, `group ops`, `since "2024-04-02T00:00:00Z"`.
    case text(StringLiteral)
    /// `type broadcast`.
    case word(Identifier)
    /// `audience segment 5` (boxed: the largest and rarest value).
    indirect case audience(source: Identifier, id: IntegerLiteral)
    /// `since 1h`.
    case duration(DurationLiteral)
}

/// A comma-separated target set.
public struct Targets: Equatable, Sendable {
    /// The items in order.
    public var items: [Target]
    /// From the first item to the last.
    public var range: SourceRange

    /// Creates a target set.
    public init(items: [Target], range: SourceRange) {
        self.items = items
        self.range = range
    }
}

/// One item of a target set.
public struct Target: Equatable, Sendable {
    /// What the item is.
    public var kind: Kind
    /// Where it is.
    public var range: SourceRange

    /// Creates a target.
    public init(_ kind: Kind, range: SourceRange) {
        self.kind = kind
        self.range = range
    }

    /// The target forms.
    public enum Kind: Equatable, Sendable {
        /// `15`
        case id(IntegerLiteral)
        /// `20..25`, inclusive.
        case range(IntegerLiteral, IntegerLiteral)
        /// `$ids`, `$c.id`, `$list[0].id`.
        case variable(Expr)
        /// `(list active)`. Boxed: a command is large and rare here, and every other target
        /// would otherwise be as large as it.
        indirect case command(Command)
    }
}

/// An expression with its range.
public struct Expr: Equatable, Sendable {
    /// What the expression is.
    public var kind: Kind
    /// Where it is.
    public var range: SourceRange

    /// Creates an expression.
    public init(_ kind: Kind, range: SourceRange) {
        self.kind = kind
        self.range = range
    }

    /// The expression forms. The leaves are stored inline (no heap box for each literal and
    /// variable); only the forms that contain expressions or a command are boxed.
    public enum Kind: Equatable, Sendable {
        /// `15`
        case integer(Int64)
        /// `"text $x"`
        case string([StringPart])
        /// `true`, `false`
        case bool(Bool)
        /// `null`
        case null
        /// `5s`, in milliseconds.
        case duration(Int64)
        /// `$name`
        case variable(String)
        /// `base.field`; `.count` on a list is a field like any other, resolved at run time.
        indirect case field(Expr, String)
        /// `base[index]`
        indirect case index(Expr, Expr)
        /// `(command)`
        indirect case command(Command)
        /// `lhs OP rhs` for `== != < <= > >= in`.
        indirect case comparison(ComparisonOperator, Expr, Expr)
        /// `lhs and rhs`
        indirect case and(Expr, Expr)
        /// `lhs or rhs`
        indirect case or(Expr, Expr)
        /// `not operand`
        indirect case not(Expr)
    }
}

/// The comparison operators.
public enum ComparisonOperator: String, Equatable, Sendable, CaseIterable {
    /// `==`
    case equal = "=="
    /// `!=`
    case notEqual = "!="
    /// `<`
    case less = "<"
    /// `<=`
    case lessEqual = "<="
    /// `>`
    case greater = ">"
    /// `>=`
    case greaterEqual = ">="
    /// `in`: membership in a list (or a record's IDs).
    case `in` = "in"
}
