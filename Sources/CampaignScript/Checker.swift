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
    /// The options of the command being checked, each key's first (its node), in order: a
    /// buffer kept from command to command (a dictionary per command was a `malloc` and a hash
    /// per lookup; a command has a few options, so a search is cheaper). Commands nested in
    /// targets are checked before it is filled.
    private var seen: [(key: OptionKey, option: Int)] = []

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
        ) { nodes, statement in starts.append(nodes.range(statement).start) }
        let statements =
            parsedCleanly
            ? StatementList(source: file.storage, starts: starts) : Parser.parse(file).0.statements
        return CheckedProgram(
            program: Program(statements: statements, range: range), diagnostics: verdict.diagnostics,
            definedVariables: verdict.definedVariables, sourced: verdict.sourced, parameters: verdict.parameters)
    }

    /// Checks a file without keeping its syntax tree: each top-level statement is checked as soon
    /// as it is parsed and then dropped, so memory does not grow with the file (`cops --check`
    /// needs only the verdict, and no statement's tree is built). The diagnostics are those of
    /// `check`, in the same order, `source`d files included.
    public static func validate(_ file: SourceFile, defined: Set<String> = [], readFile: FileReader? = nil)
        -> CheckVerdict
    {
        let sources = readFile.map { SourceLoader(root: file.name, readFile: $0) }
        return checkStatements(file, defined: defined, origin: .runbook, sources: sources) { _, _ in }.verdict
    }

    /// `validate`, with `each` seeing every top-level statement's tree on the way (built for it
    /// from the parser's nodes).
    public static func validate(
        _ file: SourceFile, defined: Set<String> = [], readFile: FileReader? = nil, each: (Statement) -> Void
    ) -> CheckVerdict {
        let sources = readFile.map { SourceLoader(root: file.name, readFile: $0) }
        return checkStatements(file, defined: defined, origin: .runbook, sources: sources) { nodes, statement in
            each(nodes.statement(statement))
        }.verdict
    }

    /// Parses and checks `file` statement by statement, `each` seeing each top-level statement's
    /// nodes after it is checked; `parsedCleanly` is true when the parser reported nothing.
    private static func checkStatements(
        _ file: SourceFile, defined: Set<String>, origin: TextOrigin, sources: SourceLoader?,
        _ each: (SyntaxNodes, Int) -> Void
    ) -> (range: SourceRange, verdict: CheckVerdict, parsedCleanly: Bool) {
        var checker = Checker()
        checker.defined.formUnion(defined)
        checker.sources = sources
        checker.fileName = file.name
        checker.origin = origin
        // Checked while the statement is fresh: the same order as checking the whole list after.
        let (range, parseDiagnostics) = Parser.parseNodes(file) { nodes, statement in
            checker.statement(nodes, statement)
            each(nodes, statement)
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
    //
    // The rules read the parser's nodes (`SyntaxNodes`): kinds, token ranges and leaf values
    // decoded from the source, so `--check` builds no tree (docs/performance.md, "Fourth pass:
    // flat nodes"). The walk is the trees' pre-order, which is the diagnostics' order.

    /// The statements of a block node.
    private mutating func statements(_ nodes: SyntaxNodes, _ block: Int) {
        nesting += 1
        defer { nesting -= 1 }
        var child = block + 1
        while nodes.contains(block, child) {
            statement(nodes, child)
            child = nodes.next(child)
        }
    }

    private mutating func statement(_ nodes: SyntaxNodes, _ node: Int) {
        let kind = nodes.kind(node)
        if nesting == 0, firstStatement == nil, kind != .param { firstStatement = nodes.range(node) }
        let first = node + 1
        switch kind {
        case .command:
            command(nodes, node)
        case .let:
            let value = nodes.next(first)
            if nodes.kind(value) == .command { command(nodes, value) } else { expression(nodes, value) }
            defined.insert(nodes.text(first))
        case .letInvalid:
            defined.insert(nodes.text(first))
        case .param:
            // Rare, and its declaration is kept: the one statement the checker reads as a tree.
            if case .param(let parameter) = nodes.statement(node).kind {
                self.parameter(parameter, at: nodes.range(node))
            }
        case .if:
            var child = first
            while nodes.contains(node, child) {
                if nodes.kind(child) == .branch {
                    expression(nodes, child + 1)
                    statements(nodes, nodes.next(child + 1))
                } else {
                    statements(nodes, child)
                }
                child = nodes.next(child)
            }
        case .for:
            let source = nodes.next(first)
            if nodes.kind(source) == .command {
                command(nodes, source)
            } else {
                targets(nodes, source, singleIDFor: nil)
            }
            defined.insert(nodes.text(first))
            statements(nodes, nodes.next(source))
        case .wait:
            targets(nodes, first, singleIDFor: nil)
            // `timeout` before `every`, whichever was written first.
            waitDuration(nodes, node, payload: 1, context: "wait timeout")
            waitDuration(nodes, node, payload: 2, context: "wait every")
        case .assert:
            expression(nodes, first)
            let message = nodes.next(first)
            if nodes.contains(node, message) { string(nodes, message) }
        case .try:
            nesting += 1
            statement(nodes, first)
            nesting -= 1
        case .set:
            let value = nodes.next(first)
            let settingValue: SettingValue =
                switch nodes.kind(value) {
                case .word: .word(Identifier(nodes.text(value), range: nodes.range(value)))
                case .integer: .integer(IntegerLiteral(nodes.integer(value), range: nodes.range(value)))
                default: .duration(DurationLiteral(milliseconds: nodes.milliseconds(value), range: nodes.range(value)))
                }
            setting(Identifier(nodes.text(first), range: nodes.range(first)), settingValue)
        case .echo:
            var child = first
            while nodes.contains(node, child) {
                expression(nodes, child)
                child = nodes.next(child)
            }
        case .sleep:
            break  // `sleep 0s` is a harmless no-op, so zero is allowed here
        case .source:
            string(nodes, first)
            if let sources, let written = nodes.constantText(first) {
                source(written, at: nodes.range(first), sources)
            }
        case .help:
            guard nodes.contains(node, first) else { break }
            let topic = nodes.text(first)
            if GrammarTable.helpText(for: topic) == nil {
                report(
                    .unknownHelpTopic(
                        name: topic, suggestion: Suggestion.closest(to: topic, among: GrammarTable.helpTopics)),
                    at: nodes.range(first))
            }
        case .exit:
            guard nodes.contains(node, first) else { break }
            let code = nodes.integer(first)
            if !(0...255).contains(code) { report(.exitCodeOutOfRange(code), at: nodes.range(first)) }
        default:
            preconditionFailure("node \(node) (\(kind)) is not a statement")
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

    /// A `wait`'s `timeout` (payload 1) or `every` (2) duration, when it has one.
    private mutating func waitDuration(_ nodes: SyntaxNodes, _ wait: Int, payload: UInt8, context: String) {
        var child = nodes.next(nodes.next(wait + 1))
        while nodes.contains(wait, child) {
            if nodes.payload(child) == payload { nonZero(nodes, child, context: context) }
            child = nodes.next(child)
        }
    }

    private mutating func nonZero(_ nodes: SyntaxNodes, _ duration: Int, context: String) {
        if nodes.milliseconds(duration) == 0 { report(.zeroDuration(context: context), at: nodes.range(duration)) }
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

    private mutating func command(_ nodes: SyntaxNodes, _ node: Int) {
        let spec = GrammarTable.spec(for: nodes.verb(node))
        var child = node + 1
        if nodes.contains(node, child), nodes.kind(child) == .targets {
            targets(nodes, child, singleIDFor: spec.argument == .singleID ? node : nil)
            child = nodes.next(child)
        }
        seen.removeAll(keepingCapacity: true)
        while nodes.contains(node, child) {
            let option = child
            child = nodes.next(child)
            guard let key = nodes.optionKey(option) else {
                let verb = nodes.text(node)
                let name = nodes.text(option)
                let candidates = spec.options.map(\.rawValue)
                report(
                    .unknownOption(
                        name: name, verb: verb, suggestion: Suggestion.closest(to: name, among: candidates)),
                    at: nodes.firstTokenRange(option),
                    notes: candidates.isEmpty ? [] : [DiagnosticNote(.validOptions(verb: verb, options: candidates))]
                )
                continue
            }
            guard spec.options.contains(key) else {
                let owners = GrammarTable.verbs(accepting: key).map(\.name)
                report(
                    .optionNotValidForVerb(option: key.rawValue, verb: nodes.text(node)),
                    at: nodes.firstTokenRange(option),
                    notes: [DiagnosticNote(.optionBelongsTo(option: key.rawValue, verbs: owners))])
                continue
            }
            if let earlier = seenOption(key) {
                if !GrammarTable.spec(for: key).repeatable {
                    report(
                        .duplicateOption(key.rawValue), at: nodes.firstTokenRange(option),
                        notes: [DiagnosticNote(.previousOption(key.rawValue), at: nodes.range(earlier))])
                }
            } else {
                seen.append((key, option))
            }
            optionValue(nodes, option, spec: GrammarTable.spec(for: key))
        }
        for group in spec.exclusive {
            // The first two present, in the group's order, without an array per command.
            var firstPresent: Int?
            for key in group {
                guard let option = seenOption(key) else { continue }
                guard let earlier = firstPresent else {
                    firstPresent = option
                    continue
                }
                report(
                    .conflictingOptions(nodes.text(earlier), nodes.text(option)), at: nodes.firstTokenRange(option))
                break
            }
        }
        // Sent without `now`, the API would silently ignore them (issue 14: `limit` was sent).
        for key in GrammarTable.optionsNeedingNow where spec.options.contains(.now) && seenOption(.now) == nil {
            if let option = seenOption(key) {
                report(
                    .optionWithoutNow(option: nodes.text(option)), at: nodes.firstTokenRange(option),
                    notes: [DiagnosticNote(.runOverridesNeedNow)])
            }
        }
    }

    /// The node of the first option of the command being checked with this key.
    private func seenOption(_ key: OptionKey) -> Int? {
        seen.first { $0.key == key }?.option
    }

    private mutating func optionValue(_ nodes: SyntaxNodes, _ option: Int, spec: OptionSpec) {
        let value = option + 1
        guard nodes.contains(option, value) else { return }
        switch nodes.kind(value) {
        case .integer:
            if spec.shape == .positiveInteger, nodes.integer(value) < 1 {
                report(.valueMustBePositive(option: spec.name), at: nodes.range(value))
            }
        case .word where nodes.contains(option, nodes.next(value)):
            // `audience SOURCE ID`.
            let source = nodes.text(value)
            if source != "list" && source != "segment" {
                let sources = ["list", "segment"]
                report(
                    .invalidOptionValue(
                        option: spec.name, value: source, suggestion: Suggestion.closest(to: source, among: sources)),
                    at: nodes.range(value), notes: [DiagnosticNote(.allowedValues(sources))])
            }
            let id = nodes.next(value)
            if nodes.integer(id) < 1 { report(.valueMustBePositive(option: spec.name), at: nodes.range(id)) }
        case .word:
            if case .choice(let choices) = spec.shape {
                let word = nodes.text(value)
                if !choices.contains(word) {
                    report(
                        .invalidOptionValue(
                            option: spec.name, value: word, suggestion: Suggestion.closest(to: word, among: choices)),
                        at: nodes.range(value), notes: [DiagnosticNote(.allowedValues(choices))])
                }
            }
        case .duration:
            nonZero(nodes, value, context: spec.name)
        default:
            // A string or a bare word.
            string(nodes, value)
            if spec.shape == .timeOrDuration,
                let constant = nodes.constantText(value),
                Timestamp(constant) == nil
            {
                report(.invalidTimestamp(constant), at: nodes.range(value))
            }
        }
    }

    /// `singleIDFor` is the command node whose verb takes one ID (its name is made only for the
    /// diagnostic).
    private mutating func targets(_ nodes: SyntaxNodes, _ node: Int, singleIDFor verbCommand: Int?) {
        if let verbCommand {
            let first = node + 1
            let isSingle = !nodes.contains(node, nodes.next(first)) && nodes.kind(first) != .targetRange
            if !isSingle {
                let verb = nodes.text(verbCommand)
                report(
                    .singleIDExpected(verb: verb), at: nodes.range(node),
                    notes: [DiagnosticNote(.verbTakesOneID(verb))])
            }
        }
        var total: Int64 = 0
        var item = node + 1
        while nodes.contains(node, item) {
            switch nodes.kind(item) {
            case .integer:
                let id = nodes.integer(item)
                if id < 1 { report(.invalidCampaignID(id), at: nodes.range(item)) }
                total += 1
            case .targetRange:
                let low = nodes.integer(item + 1)
                let high = nodes.integer(nodes.next(item + 1))
                if low < 1 { report(.invalidCampaignID(low), at: nodes.range(item + 1)) }
                if high < low {
                    report(.reversedRange(low: low, high: high), at: nodes.range(item))
                } else {
                    let (span, overflow) = high.subtractingReportingOverflow(low)
                    let count = overflow ? Int64.max : span + 1
                    if count > GrammarTable.maximumTargetIDs {
                        report(
                            .rangeTooLarge(count: count, limit: GrammarTable.maximumTargetIDs), at: nodes.range(item))
                    } else {
                        total += count
                    }
                }
            case .commandExpr:
                command(nodes, item + 1)
            default:
                expression(nodes, item)
            }
            item = nodes.next(item)
        }
        if total > GrammarTable.maximumTargetIDs {
            report(.tooManyIDs(count: total, limit: GrammarTable.maximumTargetIDs), at: nodes.range(node))
        }
    }

    // MARK: Expressions

    /// `range` is that of the outermost parentheses around the node: `($x)` is the variable with
    /// the parentheses' range, which is where an undefined name is reported.
    private mutating func expression(_ nodes: SyntaxNodes, _ node: Int, range: SourceRange? = nil) {
        switch nodes.kind(node) {
        case .string:
            string(nodes, node)
        case .variable:
            variable(nodes.variableName(node), at: range ?? nodes.range(node))
        case .paren:
            expression(nodes, node + 1, range: range ?? nodes.range(node))
        case .field, .not:
            expression(nodes, node + 1)
        case .index, .comparison, .and, .or:
            expression(nodes, node + 1)
            expression(nodes, nodes.next(node + 1))
        case .commandExpr:
            command(nodes, node + 1)
        default:
            break  // integers, durations, booleans and `null`
        }
    }

    /// The variables a string names; only a string with a `$` in its spelling is lexed again.
    private mutating func string(_ nodes: SyntaxNodes, _ node: Int) {
        guard nodes.mayInterpolate(node) else { return }
        for case .variable(let reference) in nodes.parts(node) {
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
