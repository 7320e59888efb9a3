/// A parsed and checked program, with every diagnostic and whether it may run.
public struct CheckedProgram: Sendable {
    /// The syntax tree.
    public var program: Program
    /// Lexical, syntax and semantic diagnostics, in source order.
    public var diagnostics: [Diagnostic]
    /// Every variable name defined by the end of the program (a prompt passes it to the next check).
    public var definedVariables: Set<String>
    /// The files its `source` statements with a constant path name, checked with it (their
    /// errors also show as an error at the `source` statement, so `isRunnable` covers them).
    public var sourced: [SourcedFile]
    /// The runbook's declared parameters (`param`), in order.
    public var parameters: [Parameter]

    /// False when any diagnostic is an error: then nothing may be sent.
    public var isRunnable: Bool { !diagnostics.contains { $0.severity == .error } }

    /// Creates a checked program.
    public init(
        program: Program, diagnostics: [Diagnostic], definedVariables: Set<String> = [], sourced: [SourcedFile] = [],
        parameters: [Parameter] = []
    ) {
        self.program = program
        self.diagnostics = diagnostics
        self.definedVariables = definedVariables
        self.sourced = sourced
        self.parameters = parameters
    }
}

/// What checking a file finds, without its syntax tree (`Checker.validate`).
public struct CheckVerdict: Sendable {
    /// Lexical, syntax and semantic diagnostics, in source order.
    public var diagnostics: [Diagnostic]
    /// Every variable name defined by the end of the file.
    public var definedVariables: Set<String>
    /// The files its `source` statements with a constant path name, checked with it.
    public var sourced: [SourcedFile]
    /// The runbook's declared parameters (`param`), in order.
    public var parameters: [Parameter]

    /// False when any diagnostic is an error: then nothing may be sent.
    public var isRunnable: Bool { !diagnostics.contains { $0.severity == .error } }

    /// Creates a verdict.
    public init(
        diagnostics: [Diagnostic], definedVariables: Set<String> = [], sourced: [SourcedFile] = [],
        parameters: [Parameter] = []
    ) {
        self.diagnostics = diagnostics
        self.definedVariables = definedVariables
        self.sourced = sourced
        self.parameters = parameters
    }
}

/// Semantic checks over a whole program before anything runs.
///
/// Variables use one flat scope in source order: a `let` (or a `for` variable) defines its name
/// for every later statement, even when it sits inside an `if` block that might not run.
public struct Checker {
    private var diagnostics: [Diagnostic] = []
    private var defined: Set<String> = Set(GrammarTable.predefinedVariables)
    /// Reads the files of `source` statements with a constant path (nil: they are not read).
    private var sources: SourceLoader?
    /// The name of the file being checked (`source` paths are relative to it).
    private var fileName = ""
    /// Where the text comes from: only a runbook declares parameters.
    private var origin = TextOrigin.runbook
    /// The parameters declared so far.
    private var parameters: [Parameter] = []
    /// The first top-level statement that is not a `param`; parameters must come before it.
    private var firstStatement: SourceRange?
    /// How many blocks (or `try`s) the statement being checked is inside.
    private var nesting = 0
    /// The options of the command being checked, each key's first, in order: a buffer kept from
    /// command to command (a dictionary per command was a `malloc` and a hash per lookup; a
    /// command has a few options, so a search is cheaper). Commands nested in targets are
    /// checked before it is filled.
    private var seen: [(key: OptionKey, option: CommandOption)] = []

    /// Parses and checks a file whole; `defined` names variables that already exist (earlier
    /// prompt entries). With `readFile`, the files that its `source` statements with a constant
    /// path name are read and checked too, recursively, as they are met: they see the variables
    /// defined before them, theirs count as defined after the `source` statement, and an error
    /// in any of them makes the program not runnable. `sourcedBy` names the files that source
    /// this one, outermost first (a `source` whose path was computed at run time). `origin`
    /// says where the text comes from: only a runbook may declare parameters.
    public static func check(
        _ file: SourceFile, defined: Set<String> = [], origin: TextOrigin = .runbook, sourcedBy chain: [String] = [],
        readFile: FileReader? = nil
    ) -> CheckedProgram {
        check(
            file, defined: defined, origin: origin,
            sources: readFile.map { SourceLoader(root: file.name, chain: chain, readFile: $0) })
    }

    /// `check` with the loader of the file that sources this one (files sourced twice are read
    /// and checked once, and cycles are found across the whole chain).
    static func check(_ file: SourceFile, defined: Set<String>, origin: TextOrigin, sources: SourceLoader?)
        -> CheckedProgram
    {
        // Only where each statement starts is kept; the trees are parsed again when they are run
        // (`StatementList`). A parse with diagnostics is redone whole to keep recovery's trees.
        var starts: [SourceLocation] = []
        let (range, verdict, parsedCleanly) = checkStatements(
            file, defined: defined, origin: origin, sources: sources
        ) { starts.append($0.range.start) }
        let statements =
            parsedCleanly
            ? StatementList(source: file.storage, starts: starts) : Parser.parse(file).0.statements
        return CheckedProgram(
            program: Program(statements: statements, range: range), diagnostics: verdict.diagnostics,
            definedVariables: verdict.definedVariables, sourced: verdict.sourced, parameters: verdict.parameters)
    }

    /// Checks a file without keeping its syntax tree: each top-level statement is checked as soon
    /// as it is parsed and then dropped, so memory does not grow with the file (`cops --check`
    /// needs only the verdict). The diagnostics are those of `check`, in the same order, `source`d
    /// files included; `each` sees every top-level statement on the way.
    public static func validate(
        _ file: SourceFile, defined: Set<String> = [], readFile: FileReader? = nil,
        each: (Statement) -> Void = { _ in }
    ) -> CheckVerdict {
        let sources = readFile.map { SourceLoader(root: file.name, readFile: $0) }
        return checkStatements(file, defined: defined, origin: .runbook, sources: sources, each).verdict
    }

    /// Parses and checks `file` statement by statement; `parsedCleanly` is true when the parser
    /// reported nothing.
    private static func checkStatements(
        _ file: SourceFile, defined: Set<String>, origin: TextOrigin, sources: SourceLoader?,
        _ each: (Statement) -> Void
    ) -> (range: SourceRange, verdict: CheckVerdict, parsedCleanly: Bool) {
        var checker = Checker()
        checker.defined.formUnion(defined)
        checker.sources = sources
        checker.fileName = file.name
        checker.origin = origin
        // Checked while the statement is fresh: the same order as checking the whole list after.
        let (range, parseDiagnostics) = Parser.parseStatements(file) { statement in
            checker.statement(statement)
            each(statement)
        }
        return (
            range,
            CheckVerdict(
                diagnostics: merged(parseDiagnostics, checker.diagnostics), definedVariables: checker.defined,
                sourced: sources?.files ?? [], parameters: checker.parameters),
            parseDiagnostics.isEmpty
        )
    }

    /// The parser's and the checker's diagnostics in source order (the parser's first at one place).
    private static func merged(_ parseDiagnostics: [Diagnostic], _ checkDiagnostics: [Diagnostic]) -> [Diagnostic] {
        (parseDiagnostics + checkDiagnostics).enumerated().sorted {
            ($0.element.range.start.offset, $0.offset) < ($1.element.range.start.offset, $1.offset)
        }.map(\.element)
    }

    private mutating func report(
        _ kind: DiagnosticKind, at range: SourceRange, notes: [DiagnosticNote] = []
    ) {
        diagnostics.append(Diagnostic(kind, at: range, notes: notes))
    }

    // MARK: Statements

    /// The statements of a block.
    private mutating func statements(_ list: [Statement]) {
        nesting += 1
        defer { nesting -= 1 }
        for statement in list { self.statement(statement) }
    }

    private mutating func statement(_ statement: Statement) {
        let isParameter = if case .param = statement.kind { true } else { false }
        if nesting == 0, firstStatement == nil, !isParameter { firstStatement = statement.range }
        switch statement.kind {
        case .command(let command):
            self.command(command)
        case .let(let name, let value):
            switch value {
            case .command(let command): self.command(command)
            case .expression(let expression): self.expression(expression)
            case .invalid: break
            }
            defined.insert(name.name)
        case .param(let parameter):
            self.parameter(parameter, at: statement.range)
        case .if(let branches, let elseBlock):
            for branch in branches {
                expression(branch.condition)
                statements(branch.body.statements)
            }
            if let elseBlock { statements(elseBlock.statements) }
        case .for(let variable, let source, let body):
            switch source {
            case .targets(let targets): self.targets(targets, singleIDFor: nil)
            case .command(let command): self.command(command)
            }
            defined.insert(variable.name)
            statements(body.statements)
        case .wait(let targets, _, let timeout, let every):
            self.targets(targets, singleIDFor: nil)
            if let timeout { nonZero(timeout, context: "wait timeout") }
            if let every { nonZero(every, context: "wait every") }
        case .assert(let condition, let message):
            expression(condition)
            if let message { string(message.parts) }
        case .try(let inner):
            nesting += 1
            self.statement(inner)
            nesting -= 1
        case .set(let setting, let value):
            self.setting(setting, value)
        case .echo(let values):
            for value in values { expression(value) }
        case .sleep:
            break  // `sleep 0s` is a harmless no-op, so zero is allowed here
        case .source(let path):
            string(path.parts)
            if let sources, let written = path.constantText { source(written, at: path.range, sources) }
        case .help(let topic):
            if let topic, GrammarTable.helpText(for: topic.name) == nil {
                report(
                    .unknownHelpTopic(
                        name: topic.name,
                        suggestion: Suggestion.closest(to: topic.name, among: GrammarTable.helpTopics)),
                    at: topic.range)
            }
        case .exit(let code):
            if let code, !(0...255).contains(code.value) {
                report(.exitCodeOutOfRange(code.value), at: code.range)
            }
        }
    }

    /// A `param`: only at the top of a runbook, each name once, not a predefined variable's,
    /// and the required ones before the optional ones (arguments bind in order). Its name is
    /// defined from here on even when the declaration is wrong, so uses are not reported too.
    private mutating func parameter(_ parameter: Parameter, at range: SourceRange) {
        let name = parameter.name.name
        defer { defined.insert(name) }
        guard origin == .runbook else {
            report(.parameterNotAllowed(origin), at: range)
            return
        }
        if let firstStatement {
            report(.parameterNotFirst, at: range, notes: [DiagnosticNote(.parametersComeFirst, at: firstStatement)])
            return
        }
        if GrammarTable.predefinedVariables.contains(name) {
            report(.parameterNamePredefined(name), at: parameter.name.range)
            return
        }
        if let earlier = parameters.first(where: { $0.name.name == name }) {
            report(
                .duplicateParameter(name), at: parameter.name.range,
                notes: [DiagnosticNote(.previousParameter(name), at: earlier.name.range)])
            return
        }
        if parameter.defaultValue == nil, let optional = parameters.last(where: { $0.defaultValue != nil }) {
            report(
                .requiredParameterAfterOptional(name: name, optional: optional.name.name), at: parameter.name.range,
                notes: [DiagnosticNote(.optionalParameterHere(optional.name.name), at: optional.name.range)])
            return
        }
        parameters.append(parameter)
    }

    /// A `source` with a constant path: its file is checked now, its variables count as defined
    /// from here on, and any problem with it is an error here (nothing runs).
    private mutating func source(_ written: String, at range: SourceRange, _ sources: SourceLoader) {
        switch sources.load(written, from: fileName, defined: defined) {
        case .checked(let file, let names):
            defined.formUnion(names)
            let errors = file.diagnostics.filter { $0.severity == .error }.count
            if errors > 0 { report(.sourcedFileInvalid(path: file.file.name, errors: errors), at: range) }
        case .unreadable(let path, let why):
            report(.sourcedFileUnreadable(path: path, why: why), at: range)
        case .cycle(let chain):
            report(.sourceCycle(path: written, chain: chain), at: range, notes: [DiagnosticNote(.sourcedBy(chain))])
        }
    }

    private mutating func nonZero(_ duration: DurationLiteral, context: String) {
        if duration.milliseconds == 0 { report(.zeroDuration(context: context), at: duration.range) }
    }

    private mutating func setting(_ name: Identifier, _ value: SettingValue) {
        guard let spec = GrammarTable.setting(named: name.name) else {
            report(
                .unknownSetting(
                    name: name.name,
                    suggestion: Suggestion.closest(to: name.name, among: GrammarTable.settings.map(\.name))),
                at: name.range, notes: [DiagnosticNote(.allowedValues(GrammarTable.settings.map(\.name)))])
            return
        }
        switch (spec.values, value) {
        case (.choices(let choices), .word(let word)) where choices.contains(word.name):
            break
        case (.integer(let range), .integer(let integer)):
            if !range.contains(integer.value) {
                report(
                    .settingOutOfRange(setting: spec.name, value: integer.value, range: range),
                    at: integer.range)
            }
        case (.duration, .duration(let duration)):
            nonZero(duration, context: "set timeout")
        default:
            var written = ""
            var suggestion: String?
            switch value {
            case .word(let word):
                written = word.name
                if case .choices(let choices) = spec.values {
                    suggestion = Suggestion.closest(to: word.name, among: choices)
                }
            case .integer(let integer): written = String(integer.value)
            case .duration: written = "duration"
            }
            report(
                .invalidSettingValue(setting: spec.name, value: written, suggestion: suggestion),
                at: value.range,
                notes: [DiagnosticNote(.settingAccepts(setting: spec.name, values: spec.values))])
        }
    }

    // MARK: Commands

    private mutating func command(_ command: Command) {
        let spec = GrammarTable.spec(for: command.verb)
        if let targets = command.targets {
            self.targets(targets, singleIDFor: spec.argument == .singleID ? command.verbName.name : nil)
        }
        seen.removeAll(keepingCapacity: true)
        for option in command.options {
            guard let key = option.key else {
                let candidates = spec.options.map(\.rawValue)
                report(
                    .unknownOption(
                        name: option.name.name, verb: command.verbName.name,
                        suggestion: Suggestion.closest(to: option.name.name, among: candidates)),
                    at: option.name.range,
                    notes: candidates.isEmpty
                        ? [] : [DiagnosticNote(.validOptions(verb: command.verbName.name, options: candidates))]
                )
                continue
            }
            guard spec.options.contains(key) else {
                let owners = GrammarTable.verbs(accepting: key).map(\.name)
                report(
                    .optionNotValidForVerb(option: key.rawValue, verb: command.verbName.name),
                    at: option.name.range,
                    notes: [DiagnosticNote(.optionBelongsTo(option: key.rawValue, verbs: owners))])
                continue
            }
            if let earlier = seenOption(key) {
                if !GrammarTable.spec(for: key).repeatable {
                    report(
                        .duplicateOption(key.rawValue), at: option.name.range,
                        notes: [DiagnosticNote(.previousOption(key.rawValue), at: earlier.range)])
                }
            } else {
                seen.append((key, option))
            }
            optionValue(option, spec: GrammarTable.spec(for: key))
        }
        for group in spec.exclusive {
            let present = group.compactMap { seenOption($0) }
            if present.count > 1 {
                report(
                    .conflictingOptions(present[0].name.name, present[1].name.name), at: present[1].name.range
                )
            }
        }
        // Sent without `now`, the API would silently ignore them (issue 14: `limit` was sent).
        for key in GrammarTable.optionsNeedingNow where spec.options.contains(.now) && seenOption(.now) == nil {
            if let option = seenOption(key) {
                report(
                    .optionWithoutNow(option: option.name.name), at: option.name.range,
                    notes: [DiagnosticNote(.runOverridesNeedNow)])
            }
        }
    }

    /// The first option of the command being checked with this key.
    private func seenOption(_ key: OptionKey) -> CommandOption? {
        seen.first { $0.key == key }?.option
    }

    private mutating func optionValue(_ option: CommandOption, spec: OptionSpec) {
        switch option.value {
        case .integer(let integer) where integer.value < 1 && spec.shape == .positiveInteger:
            report(.valueMustBePositive(option: spec.name), at: integer.range)
        case .word(let word):
            if case .choice(let choices) = spec.shape, !choices.contains(word.name) {
                report(
                    .invalidOptionValue(
                        option: spec.name, value: word.name,
                        suggestion: Suggestion.closest(to: word.name, among: choices)),
                    at: word.range, notes: [DiagnosticNote(.allowedValues(choices))])
            }
        case .audience(let source, let id):
            let sources = ["list", "segment"]
            if !sources.contains(source.name) {
                report(
                    .invalidOptionValue(
                        option: spec.name, value: source.name,
                        suggestion: Suggestion.closest(to: source.name, among: sources)),
                    at: source.range, notes: [DiagnosticNote(.allowedValues(sources))])
            }
            if id.value < 1 { report(.valueMustBePositive(option: spec.name), at: id.range) }
        case .duration(let duration):
            nonZero(duration, context: spec.name)
        case .text(let text):
            string(text.parts)
            if spec.shape == .timeOrDuration, let constant = text.constantText, Timestamp(constant) == nil {
                report(.invalidTimestamp(constant), at: text.range)
            }
        case .integer, .none:
            break
        }
    }

    private mutating func targets(_ targets: Targets, singleIDFor verb: String?) {
        if let verb {
            let isSingle: Bool
            if targets.items.count != 1 {
                isSingle = false
            } else if case .range = targets.items[0].kind {
                isSingle = false
            } else {
                isSingle = true
            }
            if !isSingle {
                report(
                    .singleIDExpected(verb: verb), at: targets.range,
                    notes: [DiagnosticNote(.verbTakesOneID(verb))])
            }
        }
        var total: Int64 = 0
        for item in targets.items {
            switch item.kind {
            case .id(let id):
                if id.value < 1 { report(.invalidCampaignID(id.value), at: id.range) }
                total += 1
            case .range(let low, let high):
                if low.value < 1 { report(.invalidCampaignID(low.value), at: low.range) }
                if high.value < low.value {
                    report(.reversedRange(low: low.value, high: high.value), at: item.range)
                } else {
                    let (span, overflow) = high.value.subtractingReportingOverflow(low.value)
                    let count = overflow ? Int64.max : span + 1
                    if count > GrammarTable.maximumTargetIDs {
                        report(
                            .rangeTooLarge(count: count, limit: GrammarTable.maximumTargetIDs), at: item.range)
                    } else {
                        total += count
                    }
                }
            case .variable(let expression):
                self.expression(expression)
            case .command(let command):
                self.command(command)
            }
        }
        if total > GrammarTable.maximumTargetIDs {
            report(.tooManyIDs(count: total, limit: GrammarTable.maximumTargetIDs), at: targets.range)
        }
    }

    // MARK: Expressions

    private mutating func expression(_ expression: Expr) {
        switch expression.kind {
        case .integer, .bool, .null, .duration:
            break
        case .string(let parts):
            string(parts)
        case .variable(let name):
            variable(name, at: expression.range)
        case .field(let base, _):
            self.expression(base)
        case .index(let base, let index):
            self.expression(base)
            self.expression(index)
        case .command(let command):
            self.command(command)
        case .comparison(_, let left, let right), .and(let left, let right), .or(let left, let right):
            self.expression(left)
            self.expression(right)
        case .not(let operand):
            self.expression(operand)
        }
    }

    private mutating func string(_ parts: [StringPart]) {
        for case .variable(let reference) in parts {
            variable(reference.name, at: reference.range)
        }
    }

    private mutating func variable(_ name: String, at range: SourceRange) {
        guard !defined.contains(name) else { return }
        let variableRange = SourceRange(
            start: range.start,
            end: SourceLocation(
                line: range.start.line, column: range.start.column + 1 + name.utf8.count,
                offset: range.start.offset + 1 + name.utf8.count))
        report(
            .undefinedVariable(
                name: name, suggestion: Suggestion.closest(to: name, among: defined.sorted())),
            at: variableRange, notes: [DiagnosticNote(.defineVariableFirst(name))])
    }
}
