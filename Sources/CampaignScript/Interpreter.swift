/// Runs checked programs (`Checker.check` makes them): statements in order, campaign commands
/// through `CampaignOperations`, results through the output formatter, failures as
/// `RuntimeError`s with source positions.
///
/// Variables and settings persist across `run` calls: the prompt runs each entry with the same
/// interpreter, and `source` shares it too.
public final class Interpreter {
    /// The current settings; `set` changes them.
    public internal(set) var settings: ScriptSettings
    /// The variables defined so far (`$failed`, `$error`, `$args`, `$1`…`$9` included).
    public internal(set) var variables: [String: Value] = [:]

    let operations: any CampaignOperations
    let output: OutputSink
    let clock: any ScriptClock
    let cancellation: CancellationSwitch
    let readFile: FileReader
    let renderer: DiagnosticRenderer
    /// The script's arguments, which its `param`s bind in order.
    let arguments: [String]
    /// How many `param`s the running program has bound so far.
    var boundParameters = 0

    /// The files being run, innermost last (for positions and `source` cycles).
    var files: [SourceFile] = []
    /// Inside `try`, failures go up to it instead of being reported where they happen.
    var tryDepth = 0
    /// The status of the first failure that `on-error continue` let pass.
    var continuedFailure: ExitStatus?
    /// The files that `source` statements with a constant path name, as they were checked
    /// before the run, by resolved path: `source` runs these rather than reading them again.
    var checkedSources: [String: SourcedFile] = [:]

    /// Asked before a mutating statement is sent while `set confirm` is on; false means the
    /// statement is not run. The prompt decides which statements need a person's yes.
    public var confirmer: ((ConfirmationRequest) -> Bool)?
    /// Told of every top-level statement of a run when it has finished: with nil when it
    /// succeeded, with its error when it failed (the prompt's `\save` keeps what succeeded).
    public var finishedStatement: ((Statement, RuntimeError?) -> Void)?
    /// Set when the last run ended by `exit` (the prompt then ends the session).
    public private(set) var exitRequested: ExitStatus?

    /// Whether long bulk statements report progress on the message stream (a terminal's stderr).
    public var showsProgress = false
    /// `--stream`: a statement that fails (or is not run because of its errors) without having
    /// printed a result prints a failure row instead, so a program that reads one answer per
    /// statement never waits for one that does not come.
    public var answersFailures = false
    /// Result blocks printed so far (whether a failed statement printed one).
    var resultCount = 0
    /// Bulk statements over at least this many IDs report progress.
    public static let progressThreshold = 50

    /// The longest interval between `wait` polls, unless `every` asks for more.
    public static let maximumWaitInterval: Int64 = 30_000
    /// `wait` polls this often at first.
    public static let defaultWaitInterval: Int64 = 2_000
    /// `wait` gives up after this long.
    public static let defaultWaitTimeout: Int64 = 300_000

    /// Creates an interpreter.
    /// - Parameters:
    ///   - arguments: the script's arguments, `$1`…`$9` and `$args`.
    ///   - readFile: reads a file for `source` (the shell passes a real one).
    public init(
        operations: any CampaignOperations, settings: ScriptSettings = ScriptSettings(), output: OutputSink,
        clock: any ScriptClock = SystemScriptClock(), cancellation: CancellationSwitch = CancellationSwitch(),
        arguments: [String] = [], readFile: @escaping FileReader = { _ in .failure(FileReadError(why: "no files here")) },
        renderer: DiagnosticRenderer = DiagnosticRenderer()
    ) {
        self.operations = operations
        self.settings = settings
        self.output = output
        self.clock = clock
        self.cancellation = cancellation
        self.readFile = readFile
        self.renderer = renderer
        self.arguments = arguments
        variables["failed"] = .list([])
        variables["error"] = .null
        variables["args"] = .list(arguments.map { .string($0) })
        for index in 1...9 {
            variables[String(index)] = index <= arguments.count ? .string(arguments[index - 1]) : .null
        }
    }

    /// How a running statement ends early.
    enum Interruption: Error {
        /// `exit N`.
        case exit(ExitStatus)
        /// A failure not yet reported.
        case failed(RuntimeError)
        /// A failure already reported; the run stops with this status.
        case stopped(ExitStatus)
    }

    // MARK: Running

    /// Runs a program that has been checked without errors, with the files it sources.
    public func run(_ checked: CheckedProgram, in file: SourceFile) async -> ExitStatus {
        precondition(checked.isRunnable, "only a program without errors runs")
        checkedSources = [:]
        for sourced in checked.sourced { checkedSources[sourced.file.name] = sourced }
        defer { checkedSources = [:] }
        return await run(checked.program, in: file)
    }

    /// `--stream` answers every statement: one that its errors kept from running answers with
    /// its first error (nothing is printed otherwise).
    public func answer(notRunning checked: CheckedProgram, in file: SourceFile) {
        guard answersFailures, let error = checked.diagnostics.first(where: { $0.severity == .error }) else { return }
        emit(Self.answer(to: error, in: file))
    }

    private func run(_ program: Program, in file: SourceFile) async -> ExitStatus {
        continuedFailure = nil
        exitRequested = nil
        boundParameters = 0
        files = [file]
        defer { files = [] }
        do {
            try await execute(program.statements, topLevel: true)
            return continuedFailure ?? .success
        } catch let interruption as Interruption {
            switch interruption {
            case .exit(let status):
                exitRequested = status
                return status
            case .stopped(let status): return status
            case .failed(let error):
                output.message(renderer.render(error))
                return error.status
            }
        } catch {
            return .failure
        }
    }

    var file: SourceFile { files.last! }

    func fail(_ kind: RuntimeErrorKind, at range: SourceRange, status: ExitStatus = .failure) -> Interruption {
        .failed(RuntimeError(kind, at: range, in: file, status: status))
    }

    func emit(_ block: ResultBlock) {
        let text = settings.output.formatter.format(block)
        if !text.isEmpty {
            resultCount += 1
            output.result(text)
        }
    }

    func warn(_ message: String, at range: SourceRange) {
        output.message(renderer.renderWarning(message, at: range, in: file))
    }

    var isCancelled: Bool { cancellation.isCancelled || Task.isCancelled }

    /// Runs statements in order; a failure stops them unless `on-error continue` (and not inside
    /// `try`, which handles failures itself).
    func execute(_ statements: some Sequence<Statement>, topLevel: Bool = false) async throws {
        for statement in statements {
            if isCancelled {
                throw fail(
                    .cancelled(op: Self.keyword(of: statement), done: [], notDone: []), at: statement.range, status: .interrupted)
            }
            let printed = resultCount
            do {
                try await execute(statement)
                if topLevel { finishedStatement?(statement, nil) }
            } catch Interruption.failed(let error) where tryDepth == 0 {
                if topLevel { finishedStatement?(statement, error) }
                output.message(renderer.render(error))
                if answersFailures, resultCount == printed { emit(Self.answer(to: error, of: statement)) }
                guard settings.continueOnError, error.status != .interrupted else { throw Interruption.stopped(error.status) }
                continuedFailure = continuedFailure ?? error.status
            }
        }
    }

    /// The row a failed statement answers with in `--stream` mode: `op` the operation that
    /// failed (else the statement's first word), and the error as failed rows carry it.
    static func answer(to error: RuntimeError, of statement: Statement) -> ResultBlock {
        var op = keyword(of: statement)
        var failure = OperationError(.other, text: DiagnosticRenderer.message(for: error.kind))
        switch error.kind {
        case .operationFailed(let name, _, let cause):
            op = name
            failure = OperationError(cause.kind, code: cause.code, text: failure.text)
        case .cancelled(let name, _, _, _):
            op = name
            failure = OperationError(.cancelled, text: failure.text)
        default:
            break
        }
        return ResultBlock(op: op, layout: .perID, rows: [ResultRow(Record([("ok", .bool(false))]), error: failure)])
    }

    /// The row a statement with errors (not run) answers with in `--stream` mode: `op` is
    /// `check`, the error's kind `invalid` and its text the first error with its position.
    static func answer(to diagnostic: Diagnostic, in file: SourceFile) -> ResultBlock {
        let start = diagnostic.range.start
        let text =
            "\(file.name):\(start.line + file.lineOffset):\(start.column): "
            + DiagnosticRenderer.message(for: diagnostic, in: file)
        return ResultBlock(
            op: "check", layout: .perID,
            rows: [ResultRow(Record([("ok", .bool(false))]), error: OperationError(.invalid, text: text))])
    }

    /// The word a statement starts with, for messages about it.
    static func keyword(of statement: Statement) -> String {
        switch statement.kind {
        case .command(let command): command.verbName.name
        case .let: "let"
        case .param: "param"
        case .if: "if"
        case .for: "for"
        case .wait: "wait"
        case .assert: "assert"
        case .try: "try"
        case .set: "set"
        case .echo: "echo"
        case .sleep: "sleep"
        case .source: "source"
        case .help: "help"
        case .exit: "exit"
        }
    }

    // MARK: Statements

    func execute(_ statement: Statement) async throws {
        switch statement.kind {
        case .command(let command):
            _ = try await run(command, display: true)
        case .let(let name, let value):
            switch value {
            case .command(let command): variables[name.name] = try await run(command, display: false)
            case .expression(let expression): variables[name.name] = try await evaluate(expression)
            case .invalid: break
            }
        case .param(let parameter):
            // The checker allows `param` only at the top of a runbook, so the nth one binds the
            // nth argument; the shell has already refused too few or too many arguments.
            let index = boundParameters
            boundParameters += 1
            let text = index < arguments.count ? arguments[index] : parameter.defaultText
            variables[parameter.name.name] = text.map(Value.string) ?? .null
        case .if(let branches, let elseBlock):
            for branch in branches where try await evaluate(branch.condition).isTruthy {
                try await execute(branch.body.statements)
                return
            }
            if let elseBlock { try await execute(elseBlock.statements) }
        case .for(let variable, let source, let body):
            let items: [Value]
            switch source {
            case .targets(let targets): items = try await iterationValues(targets)
            case .command(let command): items = try iterable(try await run(command, display: false), at: command.range)
            }
            for item in items {
                if isCancelled {
                    throw fail(.cancelled(op: "for", done: [], notDone: []), at: statement.range, status: .interrupted)
                }
                variables[variable.name] = item
                try await execute(body.statements)
            }
        case .wait(let targets, let state, let timeout, let every):
            try await wait(targets, state, timeout: timeout?.milliseconds, every: every?.milliseconds, range: statement.range)
        case .assert(let condition, let message):
            try await assert(condition, message: message, range: statement.range)
        case .try(let inner):
            tryDepth += 1
            defer { tryDepth -= 1 }
            do {
                try await execute(inner)
                variables["error"] = .null
            } catch Interruption.failed(let error) where error.status != .interrupted {
                warn(DiagnosticRenderer.triedMessage(for: error.kind), at: error.range)
                variables["error"] = errorValue(error)
            }
        case .set(let setting, let value):
            _ = settings.apply(setting.name, value)
            if setting.name == "timeout" || setting.name == "retries" {
                await operations.configure(timeoutMilliseconds: settings.timeoutMilliseconds, retries: settings.retries)
            }
        case .echo(let expressions):
            var pieces: [String] = []
            for expression in expressions { pieces.append(try await evaluate(expression).displayText) }
            emit(.text("echo", pieces.joined(separator: " ")))
        case .sleep(let duration):
            do {
                try await sleep(duration.milliseconds)
            } catch {
                throw fail(.cancelled(op: "sleep", done: [], notDone: []), at: statement.range, status: .interrupted)
            }
        case .source(let path):
            try await source(path, range: statement.range)
        case .help(let topic):
            emit(.text("help", GrammarTable.helpText(for: topic?.name) ?? GrammarTable.helpText()!))
        case .exit(let code):
            throw Interruption.exit(ExitStatus(rawValue: Int32(code?.value ?? 0)))
        }
    }

    /// Sleeps on the injected clock; a flipped cancellation switch ends it before it starts, a
    /// cancelled task (Ctrl-C cancels the running task) while it sleeps.
    func sleep(_ milliseconds: Int64) async throws {
        // The first Ctrl-C only flips the switch (requests in flight finish); the clock
        // watches it, so a long `sleep` or `wait` still ends within a tenth of a second.
        if isCancelled { throw CancellationError() }
        let cancellation = self.cancellation
        try await clock.sleep(milliseconds: milliseconds, stoppingWhen: { cancellation.isCancelled })
        if isCancelled { throw CancellationError() }
    }

    /// `$error` after `try`: what failed, as a record.
    func errorValue(_ error: RuntimeError) -> Value {
        var fields: [(String, Value)] = [
            ("message", .string(DiagnosticRenderer.message(for: error.kind))),
            ("line", .int(Int64(error.range.start.line))),
            ("status", .int(Int64(error.status.rawValue))),
        ]
        switch error.kind {
        case .operationFailed(_, _, let failure):
            fields += [("kind", .string(failure.kindName)), ("code", failure.code.map { .int(Int64($0)) } ?? .null)]
        case .bulkFailed(_, _, let failures):
            fields.append(("ids", .list(failures.map { .int($0.id) })))
        case .waitTimedOut(_, _, let pending):
            fields.append(("ids", .list(pending.map { .int($0.id) })))
        default:
            break
        }
        return .record(Record(fields))
    }

    func assert(_ condition: Expr, message: StringLiteral?, range: SourceRange) async throws {
        let holds = try await evaluate(condition)
        guard !holds.isTruthy else { return }
        var comparison: String?
        if case .comparison(let op, let left, let right) = condition.kind {
            let lhs = try await evaluate(left)
            let rhs = try await evaluate(right)
            comparison = "\(lhs.literalText) \(op.rawValue) \(rhs.literalText)"
        } else if case .not(let operand) = condition.kind {
            comparison = "not \(try await evaluate(operand).literalText)"
        } else {
            comparison = "\(holds.literalText)"
        }
        var text: String?
        if let message { text = try await interpolate(message.parts) }
        let kind = RuntimeErrorKind.assertionFailed(message: text, comparison: comparison)
        if settings.dryRun {
            warn(DiagnosticRenderer.dryRunMessage(.assertionWouldFail(kind)), at: range)
            return
        }
        throw fail(kind, at: range)
    }

    func source(_ path: StringLiteral, range: SourceRange) async throws {
        let written = try await interpolate(path.parts)
        let resolved = SourceLoader.resolve(written, relativeTo: file.name)
        if files.contains(where: { $0.name == resolved }) {
            throw fail(.sourceCycle(path: written, chain: files.map(\.name)), at: range)
        }
        // Checked with the file that sources it (a constant path): its diagnostics were shown then.
        if let checked = checkedSources[resolved] {
            files.append(checked.file)
            defer { files.removeLast() }
            try await execute(checked.program.statements)
            return
        }
        // A path computed at run time: read and checked only now.
        let bytes: [UInt8]
        switch readFile(resolved) {
        case .success(let read): bytes = read
        case .failure(let error): throw fail(.sourceUnreadable(path: resolved, why: error.why), at: range)
        }
        let sourced = SourceFile.script(named: resolved, bytes: bytes)
        let checked = Checker.check(
            sourced, defined: Set(variables.keys), origin: .sourced, sourcedBy: files.map(\.name), readFile: readFile)
        let rendered = renderer.render(checked.diagnostics, in: sourced, sourced: checked.sourced)
        if !rendered.isEmpty { output.message(rendered) }
        guard checked.isRunnable else {
            let errors = checked.diagnostics.filter { $0.severity == .error }.count
            throw fail(.sourceInvalid(path: resolved, errors: errors), at: range, status: .invalidScript)
        }
        for nested in checked.sourced where checkedSources[nested.file.name] == nil {
            checkedSources[nested.file.name] = nested
        }
        files.append(sourced)
        defer { files.removeLast() }
        try await execute(checked.program.statements)
    }
}
