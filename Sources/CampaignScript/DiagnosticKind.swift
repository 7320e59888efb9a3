/// Every problem the front end can report.
public enum DiagnosticKind: Equatable, Sendable {
    // Lexical
    /// A character that cannot start any token.
    case unexpectedCharacter(Unicode.Scalar)
    /// A word containing a non-ASCII letter (often a look-alike such as Cyrillic `а`).
    case nonASCIIInWord(character: Unicode.Scalar, word: String)
    /// Bytes that are not valid UTF-8.
    case invalidUTF8([UInt8])
    /// A string with no closing quote.
    case unterminatedString
    /// An unknown escape such as `\q`.
    case invalidEscape(String)
    /// A malformed `\u{…}` escape.
    case invalidUnicodeEscape(String)
    /// A `$` that starts no variable.
    case strayDollar
    /// `$0`, `$10` and the like.
    case invalidArgumentVariable(String)
    /// Digits followed by letters that are not a duration, or badly placed `_`.
    case malformedNumber(String)
    /// An integer that does not fit in 64 bits.
    case integerOverflow(String)
    /// Something like `1m30` or `5sec`.
    case malformedDuration(String)
    /// A duration too long to represent.
    case durationOverflow(String)
    /// A `\` line continuation with nothing after it.
    case backslashAtEndOfFile

    // Syntax
    /// The parser wanted one thing and found another.
    case expected(Expectation, found: FoundToken)
    /// A bracket left open: `'}' expected (to close '{' at line 3)`.
    case unclosedDelimiter(open: String, close: String, openLine: Int)
    /// The input ended inside `(`, `[` or `{`: reported at the opener, the innermost one.
    case neverClosed(String)
    /// A statement starting with a word that is neither a verb nor a keyword.
    case unknownVerb(name: String, suggestion: String?)
    /// `elif`/`else` with no `if` before them.
    case misplacedKeyword(String)
    /// Brackets, blocks or `not`s nested deeper than the parser allows.
    case nestingTooDeep(limit: Int)
    /// A `let`/`for` name that cannot be written as `$name`.
    case invalidVariableName(String)
    /// `wait … until X` with an unknown state.
    case unknownWaitState(name: String, suggestion: String?)
    /// `param X "text $y"`: a parameter's description or default with a `$`.
    case interpolationInParameter

    // Semantic
    /// An option that no verb has.
    case unknownOption(name: String, verb: String, suggestion: String?)
    /// An option of another verb.
    case optionNotValidForVerb(option: String, verb: String)
    /// The same non-repeatable option twice.
    case duplicateOption(String)
    /// Options that exclude each other, such as `active inactive`.
    case conflictingOptions(String, String)
    /// An option value outside its allowed words, e.g. `type news`.
    case invalidOptionValue(option: String, value: String, suggestion: String?)
    /// `limit 0` and friends.
    case valueMustBePositive(option: String)
    /// `audience …` or `limit …` of `activate` without `now`.
    case optionWithoutNow(option: String)
    /// `$name` used before any `let` or `for` defines it.
    case undefinedVariable(name: String, suggestion: String?)
    /// Campaign ID 0.
    case invalidCampaignID(Int64)
    /// `25..20`.
    case reversedRange(low: Int64, high: Int64)
    /// A range over more IDs than allowed.
    case rangeTooLarge(count: Int64, limit: Int64)
    /// A target list over more IDs than allowed.
    case tooManyIDs(count: Int64, limit: Int64)
    /// A verb that takes one campaign given a list or range.
    case singleIDExpected(verb: String)
    /// `since "yesterday"`: not an RFC 3339 time.
    case invalidTimestamp(String)
    /// A zero duration where time must pass, e.g. `timeout 0s`.
    case zeroDuration(context: String)
    /// `set` with an unknown name.
    case unknownSetting(name: String, suggestion: String?)
    /// `set output xml`.
    case invalidSettingValue(setting: String, value: String, suggestion: String?)
    /// `set concurrency 100`.
    case settingOutOfRange(setting: String, value: Int64, range: ClosedRange<Int64>)
    /// `exit 300`.
    case exitCodeOutOfRange(Int64)
    /// `help` about something that has no help.
    case unknownHelpTopic(name: String, suggestion: String?)
    /// `source "lib.cops"` of a file that cannot be read (the resolved path).
    case sourcedFileUnreadable(path: String, why: String)
    /// `source` of a file that is already being sourced: `chain` is the files, outermost first.
    case sourceCycle(path: String, chain: [String])
    /// `source` of a file with errors (they are reported in that file).
    case sourcedFileInvalid(path: String, errors: Int)
    /// `param` where no arguments are given: the prompt, `-c`, `--stream`, a sourced file.
    case parameterNotAllowed(TextOrigin)
    /// `param` after another statement or inside a block.
    case parameterNotFirst
    /// `param args`: a predefined variable's name.
    case parameterNamePredefined(String)
    /// The same parameter declared twice.
    case duplicateParameter(String)
    /// A required parameter after an optional one, which no argument could reach alone.
    case requiredParameterAfterOptional(name: String, optional: String)

    /// The severity this kind normally has.
    public var defaultSeverity: Severity {
        switch self {
        case .duplicateOption, .unknownHelpTopic: .warning
        default: .error
        }
    }
}

/// What a note says.
public enum NoteKind: Equatable, Sendable {
    /// The files that source one sourced again, outermost first.
    case sourcedBy([String])
    /// `'а' (U+0430 CYRILLIC SMALL LETTER A) looks like 'a'`.
    case looksLike(Unicode.Scalar, ascii: String)
    /// Words must be ASCII; other text goes in quotes.
    case quoteNonASCIIText
    /// Where an unclosed bracket was opened.
    case openedHere(String)
    /// The accepted duration forms.
    case durationForms
    /// Use `\$` for a literal dollar.
    case escapeDollar
    /// The accepted escapes.
    case validEscapes
    /// `$1`…`$9` and `$args`.
    case argumentVariables
    /// Which verbs an option belongs to.
    case optionBelongsTo(option: String, verbs: [String])
    /// The options a verb accepts.
    case validOptions(verb: String, options: [String])
    /// The values something accepts.
    case allowedValues([String])
    /// The values a setting accepts.
    case settingAccepts(setting: String, values: SettingValues)
    /// Why `audience` and `limit` need `now`.
    case runOverridesNeedNow
    /// Where the variable may be defined.
    case defineVariableFirst(String)
    /// `!` alone is not an operator.
    case useNotOperator
    /// Options are words, not `--flags`: `written` as the user wrote it (`--active`), `word`
    /// the option it spells when there is one (`active`).
    case noDashes(written: String, word: String?)
    /// A word people say for a cops word (`stop` for `deactivate`), with the statement
    /// rewritten in cops words.
    case saidAs(word: String, fix: String)
    /// A word such as `campaign` before the targets, with the statement written without it.
    case wordNotNeeded(word: String, fix: String)
    /// `all` as a target: the command that reaches every campaign the verb applies to.
    case everyCampaign(word: String, filter: String?, fix: String)
    /// `abort=true`, `limit=10`: options take no `=`; `fix` is the option as it is written, or
    /// nil when the value turns a flag off (then it is left out).
    case optionWithoutEquals(written: String, fix: String?)
    /// Command values in expressions need parentheses.
    case wrapCommandInParentheses(String)
    /// `let $x` should be `let x`.
    case letWithoutDollar
    /// A verb taking one campaign.
    case verbTakesOneID(String)
    /// Where the earlier copy of an option is.
    case previousOption(String)
    /// The statement a `param` must come before.
    case parametersComeFirst
    /// Where a parameter was declared before.
    case previousParameter(String)
    /// Where the optional parameter before a required one is.
    case optionalParameterHere(String)
}

/// Things the parser can expect.
public enum Expectation: Equatable, Sendable {
    /// The start of a statement.
    case statement
    /// A target: ID, range, `$var` or `(command)`.
    case target
    /// A campaign ID or other integer.
    case integer
    /// A duration such as `5s`.
    case duration
    /// A string literal.
    case string
    /// A string or bare word.
    case text
    /// A string or duration, for `since`.
    case timeOrDuration
    /// An expression.
    case expression
    /// A field name after `.`.
    case fieldName
    /// `;` or a newline.
    case endOfStatement
    /// An exact symbol or keyword, e.g. `=` or `until`.
    case token(String)
    /// A name for `let` or `for`.
    case variableName
    /// A setting name after `set`.
    case settingName
    /// A setting value.
    case settingValue
    /// A word value, e.g. after `type`.
    case word
    /// A state after `until`.
    case waitState
    /// A parameter's default: a string, integer or duration.
    case parameterDefault
}

/// A token as described in diagnostics, without its payload's bulk.
public enum FoundToken: Equatable, Sendable {
    /// A word, e.g. `'foo'`.
    case word(String)
    /// An integer.
    case integer(Int64)
    /// A duration.
    case duration
    /// A string.
    case string
    /// A variable, e.g. `'$x'`.
    case variable(String)
    /// A symbol such as `)`.
    case symbol(String)
    /// A line break.
    case newline
    /// The end of the input.
    case endOfFile
    /// An invalid token.
    case invalid

    /// Describes a token kind.
    public init(_ kind: TokenKind) {
        switch kind {
        case .word(let word): self = .word(word)
        case .integer(let value): self = .integer(value)
        case .duration: self = .duration
        case .string: self = .string
        case .variable(let name): self = .variable(name)
        case .newline: self = .newline
        case .endOfFile: self = .endOfFile
        case .error: self = .invalid
        default: self = .symbol(kind.symbol ?? "?")
        }
    }
}
