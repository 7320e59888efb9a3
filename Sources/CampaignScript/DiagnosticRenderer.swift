/// The one place that words diagnostics in English and renders them with source snippets.
public struct DiagnosticRenderer: Sendable {
    /// Whether to add ANSI colour (the caller knows if stderr is a terminal).
    public var colors: Bool
    /// Columns per tab stop when showing source lines.
    public var tabWidth: Int

    /// Creates a renderer.
    public init(colors: Bool = false, tabWidth: Int = 4) {
        self.colors = colors
        self.tabWidth = tabWidth
    }

    // MARK: Rendering

    /// Renders diagnostics one after another, each ending with a newline.
    public func render(_ diagnostics: [Diagnostic], in file: SourceFile) -> String {
        // A loop, not `map(…).joined()`: every run renders its (usually empty) list, and the
        // standard library's unspecialised `joined` costs a scan of every conformance record
        // on first use (docs/performance.md, "Eleventh round").
        var output = ""
        for diagnostic in diagnostics { output += render(diagnostic, in: file) }
        return output
    }

    /// Renders a file's diagnostics, then those of the files it sources, each against its own
    /// file (so a position names the file the problem is in).
    public func render(_ diagnostics: [Diagnostic], in file: SourceFile, sourced: [SourcedFile]) -> String {
        var output = render(diagnostics, in: file)
        for source in sourced { output += render(source.diagnostics, in: source.file) }
        return output
    }

    /// Renders one diagnostic: header, snippet with caret, then notes.
    public func render(_ diagnostic: Diagnostic, in file: SourceFile) -> String {
        var output = header(
            file: file, range: diagnostic.range, severity: diagnostic.severity,
            message: Self.message(for: diagnostic, in: file))
        output += snippet(diagnostic.range, in: file)
        for note in diagnostic.notes {
            let message = Self.message(for: note.kind)
            // A note about the very same text needs no second copy of the snippet.
            if let range = note.range, range != diagnostic.range {
                output += header(file: file, range: range, severity: .note, message: message)
                output += snippet(range, in: file)
            } else {
                output += paint("note:", .cyan, bold: true) + " " + message + "\n"
            }
        }
        return output
    }

    enum Color: String {
        case red = "31"
        case magenta = "35"
        case cyan = "36"
        case green = "32"
    }

    func paint(_ text: String, _ color: Color?, bold: Bool = false) -> String {
        guard colors else { return text }
        var codes: [String] = []
        if bold { codes.append("1") }
        if let color { codes.append(color.rawValue) }
        return "\u{1B}[\(codes.joined(separator: ";"))m\(text)\u{1B}[0m"
    }

    func header(file: SourceFile, range: SourceRange, severity: Severity, message: String)
        -> String
    {
        let color: Color =
            switch severity {
            case .error: .red
            case .warning: .magenta
            case .note: .cyan
            }
        return paint("\(file.name):\(range.start.line + file.lineOffset):\(range.start.column):", nil, bold: true) + " "
            + paint("\(severity.rawValue):", color, bold: true) + " " + paint(message, nil, bold: true)
            + "\n"
    }

    /// The source line with a caret under the range's first column and `~` under the rest of it
    /// on that line; tabs expand to the same width in both lines so the caret stays aligned.
    func snippet(_ range: SourceRange, in file: SourceFile) -> String {
        let lineNumber = range.start.line
        guard lineNumber >= 1, lineNumber <= file.lineCount else { return "" }
        let columns = SourceFile.scalars(of: file.lineBytes(lineNumber))
        var shown = ""
        var widths: [Int] = []
        var width = 0
        for scalar in columns {
            let piece: String
            switch scalar {
            case "\t"?:
                piece = String(repeating: " ", count: tabWidth - width % tabWidth)
            case let scalar? where scalar.value < 0x20 || scalar.value == 0x7F:
                piece = "\u{FFFD}"  // control characters would move the terminal cursor
            case let scalar?:
                piece = String(Character(scalar))
            case nil:
                piece = "\u{FFFD}"
            }
            shown += piece
            let pieceWidth = scalar == "\t" ? piece.count : 1
            widths.append(pieceWidth)
            width += pieceWidth
        }
        let startColumn = max(1, range.start.column)
        // A range may start past the line's last column (at the `\n` of a `\r\n`, which the
        // shown line leaves out) and end on a later line: never end before it starts.
        let endColumn =
            range.end.line == lineNumber
            ? max(range.end.column, startColumn + 1) : max(columns.count + 1, startColumn + 1)
        let padding =
            widths.prefix(startColumn - 1).reduce(0, +) + max(0, startColumn - 1 - widths.count)
        let underlineWidth = max(
            1, widths.dropFirst(startColumn - 1).prefix(endColumn - startColumn).reduce(0, +))
        let marker = "^" + String(repeating: "~", count: underlineWidth - 1)
        let number = String(lineNumber + file.lineOffset)
        let gutter = String(repeating: " ", count: number.count)
        return "  \(number) |\(shown.isEmpty ? "" : " " + shown)\n"
            + "  \(gutter) | \(String(repeating: " ", count: padding))\(paint(marker, .green, bold: true))\n"
    }

    // MARK: Wording

    private static func quoted(_ text: String) -> String { "'\(text)'" }

    private static func describe(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        // Invisible characters are named but not printed, so the message stays on one line.
        let invisible: [Unicode.GeneralCategory] = [
            .control, .format, .spaceSeparator, .lineSeparator, .paragraphSeparator,
        ]
        let shown =
            invisible.contains(scalar.properties.generalCategory) ? "" : "'\(Character(scalar))' "
        let name =
            scalar.properties.name ?? scalar.properties.nameAlias
            ?? (scalar.properties.generalCategory == .control ? "CONTROL CHARACTER" : "UNNAMED CHARACTER")
        return "\(shown)(\(code) \(name))"
    }

    private static func didYouMean(_ suggestion: String?) -> String {
        suggestion.map { "; did you mean '\($0)'?" } ?? ""
    }

    private static func list(_ words: [String]) -> String {
        words.map(quoted).joined(separator: ", ")
    }

    /// The English for a diagnostic in its file. A construct left open at the end of the
    /// input names where it was opened (`'(' opened at 2:8 was never closed`), with the line
    /// as the file numbers it, so the message says it even where only the message is shown
    /// (a JSON error, an editor's hover); every other kind is `message(for: kind)`.
    public static func message(for diagnostic: Diagnostic, in file: SourceFile) -> String {
        guard case .neverClosed(let open) = diagnostic.kind else { return message(for: diagnostic.kind) }
        let start = diagnostic.range.start
        return "'\(open)' opened at \(start.line + file.lineOffset):\(start.column) was never closed"
    }

    /// The English for a diagnostic kind: lowercase, no trailing period.
    public static func message(for kind: DiagnosticKind) -> String {
        switch kind {
        case .unexpectedCharacter(let scalar):
            return "unexpected character \(describe(scalar))"
        case .nonASCIIInWord(let character, let word):
            return "unexpected character \(describe(character)) in word '\(word)'"
        case .invalidUTF8(let bytes):
            let hex = bytes.map { "0x" + String($0, radix: 16, uppercase: true) }.joined(separator: " ")
            return "invalid UTF-8 byte\(bytes.count == 1 ? "" : "s") \(hex)"
        case .unterminatedString:
            return "unterminated string"
        case .invalidEscape(let escape):
            return "invalid escape '\(escape)' in string"
        case .invalidUnicodeEscape(let escape):
            return "invalid unicode escape '\(escape)'"
        case .strayDollar:
            return "'$' must be followed by a variable name"
        case .invalidArgumentVariable(let text):
            return "'\(text)' is not a script argument"
        case .malformedNumber(let text):
            return "malformed number '\(text)'"
        case .integerOverflow(let text):
            return "integer '\(text)' is too large"
        case .malformedDuration(let text):
            return "malformed duration '\(text)'"
        case .durationOverflow(let text):
            return "duration '\(text)' is too long"
        case .backslashAtEndOfFile:
            return "'\\' at the end of the file has no line to join"
        case .expected(let expectation, let found):
            return "expected \(describe(expectation)), found \(describe(found))"
        case .unclosedDelimiter(let open, let close, let line):
            return "'\(close)' expected (to close '\(open)' at line \(line))"
        case .neverClosed(let open):
            return "'\(open)' was never closed"
        case .unknownVerb(let name, let suggestion):
            return "unknown command '\(name)'\(didYouMean(suggestion))"
        case .misplacedKeyword(let word):
            return "'\(word)' without a preceding 'if' block"
        case .nestingTooDeep(let limit):
            return "nesting is deeper than \(limit) levels; parsing stopped"
        case .invalidVariableName(let name):
            return "'\(name)' cannot be a variable name (use letters, digits and '_')"
        case .unknownWaitState(let name, let suggestion):
            return "unknown state '\(name)' for 'wait'\(didYouMean(suggestion))"
        case .unknownOption(let name, let verb, let suggestion):
            return "unknown option '\(name)' for '\(verb)'\(didYouMean(suggestion))"
        case .optionNotValidForVerb(let option, let verb):
            return "option '\(option)' is not valid for '\(verb)'"
        case .duplicateOption(let option):
            return "option '\(option)' is given more than once"
        case .conflictingOptions(let first, let second):
            return "options '\(first)' and '\(second)' cannot be used together"
        case .invalidOptionValue(let option, let value, let suggestion):
            return "invalid value '\(value)' for '\(option)'\(didYouMean(suggestion))"
        case .valueMustBePositive(let option):
            return "the value of '\(option)' must be at least 1"
        case .optionWithoutNow(let option):
            return "'\(option)' requires 'now'"
        case .undefinedVariable(let name, let suggestion):
            return
                "variable '$\(name)' is used before it is defined\(didYouMean(suggestion.map { "$" + $0 }))"
        case .invalidCampaignID(let id):
            return "campaign ID must be at least 1, not \(id)"
        case .reversedRange(let low, let high):
            return "range \(low)..\(high) is reversed; write \(high)..\(low)"
        case .rangeTooLarge(let count, let limit):
            return "range covers \(count) IDs; at most \(limit) are allowed"
        case .tooManyIDs(let count, let limit):
            return "targets name \(count) IDs; at most \(limit) are allowed"
        case .singleIDExpected(let verb):
            return "'\(verb)' takes a single campaign ID"
        case .invalidTimestamp(let text):
            return "'\(text)' is not a time like \"2024-04-02T17:57:01Z\" or a duration like 1h"
        case .zeroDuration(let context):
            return "\(context) must be longer than zero"
        case .unknownSetting(let name, let suggestion):
            return "unknown setting '\(name)'\(didYouMean(suggestion))"
        case .invalidSettingValue(let setting, let value, let suggestion):
            return "invalid value '\(value)' for setting '\(setting)'\(didYouMean(suggestion))"
        case .settingOutOfRange(let setting, let value, let range):
            return
                "'\(setting)' must be between \(range.lowerBound) and \(range.upperBound), not \(value)"
        case .exitCodeOutOfRange(let code):
            return "exit status must be between 0 and 255, not \(code)"
        case .unknownHelpTopic(let name, let suggestion):
            return "no help for '\(name)'\(didYouMean(suggestion))"
        case .sourcedFileUnreadable(let path, let why):
            return cannotRead(path, why)
        case .sourceCycle(let path, _):
            return alreadySourced(path)
        case .sourcedFileInvalid(let path, let errors):
            return "'\(path)' has \(errors) error\(errors == 1 ? "" : "s")"
        case .interpolationInParameter:
            return "a parameter's description and default are plain text, without '$'"
        case .parameterNotAllowed(let origin):
            return "param declares a runbook's arguments; " + parameterAlternative(origin)
        case .parameterNotFirst:
            return "param must come before the runbook's other statements"
        case .parameterNamePredefined(let name):
            return "'\(name)' is a predefined variable; give the parameter another name"
        case .duplicateParameter(let name):
            return "parameter '\(name)' is declared twice"
        case .requiredParameterAfterOptional(let name, let optional):
            return "required parameter '\(name)' comes after optional '\(optional)'; optional ones come last"
        }
    }

    /// What to write instead of `param` where nothing passes arguments.
    private static func parameterAlternative(_ origin: TextOrigin) -> String {
        switch origin {
        case .runbook: "declare them at the top of the file"
        case .prompt: "at the prompt use let"
        case .commandLine: "-c text takes no arguments; use let"
        case .stream: "--stream takes no arguments; use let"
        case .sourced: "a sourced file sees the variables of the file that sources it"
        }
    }

    /// A file that cannot be read: a `source`d one (before or while running) and, prefixed
    /// with `cops: `, the one named on the command line.
    public static func cannotRead(_ path: String, _ why: String) -> String { "cannot read '\(path)': \(why)" }
    /// `source` of a file that is already being sourced, before or while running.
    static func alreadySourced(_ path: String) -> String { "'\(path)' is already being sourced" }
    /// Which files source the one sourced again.
    static func sourcedBy(_ chain: [String]) -> String { "sourced by " + chain.joined(separator: " → ") }

    /// The English for a note kind: lowercase, no trailing period.
    public static func message(for kind: NoteKind) -> String {
        switch kind {
        case .sourcedBy(let chain):
            return sourcedBy(chain)
        case .looksLike(let scalar, let ascii):
            let target = ascii.isEmpty ? "nothing (it is invisible)" : "'\(ascii)'"
            return "\(describe(scalar)) looks like \(target)"
        case .quoteNonASCIIText:
            return "words are ASCII; put other text in quotes, e.g. \"Весна\""
        case .openedHere(let open):
            return "'\(open)' opened here"
        case .durationForms:
            return "durations look like 250ms, 5s, 2m, 1h or 1m30s"
        case .escapeDollar:
            return "write '\\$' for a literal dollar sign"
        case .validEscapes:
            return "valid escapes are \\\" \\\\ \\n \\t \\$ and \\u{…}"
        case .argumentVariables:
            return "script arguments are $1 to $9; $args holds all of them"
        case .optionBelongsTo(let option, let verbs):
            return verbs.isEmpty
                ? "'\(option)' is not an option of any command"
                : "'\(option)' is an option of \(list(verbs))"
        case .validOptions(let verb, let options):
            return "'\(verb)' accepts \(list(options))"
        case .allowedValues(let values):
            return "expected one of \(list(values))"
        case .settingAccepts(let setting, .choices(let choices)):
            return "'\(setting)' accepts \(list(choices))"
        case .settingAccepts(let setting, .integer(let range)):
            return "'\(setting)' accepts an integer from \(range.lowerBound) to \(range.upperBound)"
        case .settingAccepts(let setting, .duration):
            return "'\(setting)' accepts a duration such as 30s"
        case .runOverridesNeedNow:
            return "the API ignores a run's audience and limit unless the run starts now; add 'now'"
        case .defineVariableFirst(let name):
            return "define it first, e.g. 'let \(name) = …'"
        case .useNotOperator:
            return "use '!=' to compare or 'not' to negate"
        case .noDashes(let written, .some(let word)):
            return "options are plain words: write '\(word)', not '\(written)'"
        case .noDashes(let written, .none):
            return "options are plain words, written without dashes; '\(written)' is not one of them"
        case .saidAs(let word, let fix):
            return "'\(word)' is not a cops word; write '\(fix)'"
        case .wordNotNeeded(let word, let fix):
            return "'\(word)' is not needed: write '\(fix)'"
        case .everyCampaign(let word, let filter, let fix):
            return "'\(word)' is not a target; every \(filter.map { $0 + " " } ?? "")campaign: write '\(fix)'"
        case .optionWithoutEquals(let written, .some(let fix)):
            return "options take no '=': write '\(fix)', not '\(written)'"
        case .optionWithoutEquals(let written, .none):
            return "options take no '=', and a flag left out is off: remove '\(written)'"
        case .wrapCommandInParentheses(let verb):
            return "to use the result of '\(verb)', put the command in parentheses"
        case .letWithoutDollar:
            return "name the variable without '$': 'let name = …'"
        case .verbTakesOneID(let verb):
            return "use 'for id in … { \(verb) $id }' to repeat it"
        case .previousOption(let option):
            return "'\(option)' first given here"
        case .parametersComeFirst:
            return "the first statement that is not a param"
        case .previousParameter(let name):
            return "'\(name)' first declared here"
        case .optionalParameterHere(let name):
            return "'\(name)' has a default, so it is optional"
        }
    }

    private static func describe(_ expectation: Expectation) -> String {
        switch expectation {
        case .statement: "a command or statement"
        case .target: "a campaign ID, range, '$variable' or '(command)'"
        case .integer: "an integer"
        case .duration: "a duration"
        case .string: "a string"
        case .text: "a string or word"
        case .timeOrDuration: "a time string or a duration"
        case .expression: "an expression"
        case .fieldName: "a field name right after '.'"
        case .endOfStatement: "end of statement (newline or ';')"
        case .token(let token): "'\(token)'"
        case .variableName: "a variable name"
        case .settingName: "a setting name"
        case .settingValue: "a setting value"
        case .word: "a word"
        case .waitState: "a state (active, inactive, completed, deleted or status \"…\")"
        case .parameterDefault: "a default value (a string, integer or duration)"
        }
    }

    private static func describe(_ found: FoundToken) -> String {
        switch found {
        case .word(let word): "'\(word)'"
        case .integer(let value): "'\(value)'"
        case .duration: "a duration"
        case .string: "a string"
        case .variable(let name): "'$\(name)'"
        case .symbol(let symbol): "'\(symbol)'"
        case .newline: "end of line"
        case .endOfFile: "end of file"
        case .invalid: "an invalid token"
        }
    }
}
