import AltcraftAPI
import AltcraftWire
import CampaignScript
import Synchronization

/// One session of cops, whichever front starts it: a script, `-c` text, piped statements,
/// `--stream`, the prompt or `--check`. It owns what they all share: the output (every known
/// secret masked, copied into the transcript), the target and its client, the interpreter with
/// its settings, and `submit`, the one way a text is parsed, checked, its diagnostics shown and
/// run.
///
/// A session exists only inside `Session.with`, which shuts the client down when its body
/// returns, by whichever path: no exit has to remember it (a missed shutdown once crashed a
/// debug build).
final class Session {
    /// What `submit` does with a text.
    enum Purpose {
        /// Runs what checks without errors, on the target `connect` builds (from the settings
        /// it starts with, telling the output its warnings and the `-v` trace).
        case run(connect: (ScriptSettings, OutputSink) -> Result<SessionTarget, TargetFailure>)
        /// `--check`: parse and check only, keeping no syntax tree (a million-statement runbook
        /// would otherwise be held whole; docs/performance.md). Nothing is built or sent.
        case check
    }

    /// What a session is made of: `Session.with(_:environment:…)` makes them from the command
    /// line and the process, tests from an in-process sandbox and a test clock.
    struct Parts {
        var purpose: Purpose
        /// Where output goes, already copied into the transcript (not yet masked).
        var sink: OutputSink
        /// Masked in all output from the first byte; the target's own are added once it is built.
        var secrets: [String] = []
        var transcript: Transcript? = nil
        /// The target's name before it is built (a script's transcript header names it).
        var label = ""
        var settings = ScriptSettings()
        /// `$1`…`$9` and `$args`.
        var arguments: [String] = []
        /// Colour in diagnostics.
        var colors = false
        /// Whether building the target names the sandbox on stderr (scripts and `--stream`; the
        /// prompt names it itself, after its transcript header and greeting).
        var announcesSandbox = false
        var clock: any ScriptClock = SystemScriptClock()
        /// What `source` reads.
        var readFile: FileReader = { ScriptFileReader.read($0) }
        /// Flipped by the first Ctrl-C: no new requests.
        var cancellation = CancellationSwitch()
        /// Where the changes of the run are journaled (none in tests that do not ask).
        var journal: RunJournal? = nil
        /// Put around the target's journaled operations: `cops plan`'s recorder, `cops
        /// apply`'s guard (docs/changes.md, "Plans").
        var decorate: (@Sendable (any CampaignOperations) -> any CampaignOperations)? = nil
        /// Whether changes may be sent on a `require_plan` target: at the prompt (which
        /// confirms), for `cops apply` and with `--yes`; not for scripts, pipes, `-c` or
        /// `--stream` (docs/changes.md, "Requiring review").
        var mayChangeUnreviewed = false
        /// A status the run must end with whatever its statements did, set by a refusal.
        var verdict = Verdict()
        /// `--resume`: the run resumes a journal of this directory, or the one named.
        var resume: Resume? = nil
    }

    /// The status a decorator decided the run ends with (a refused or diverging change),
    /// whatever the statements' own failures were.
    final class Verdict: Sendable {
        private let decided = Mutex<ExitStatus?>(nil)

        init() {}

        var status: ExitStatus? { decided.withLock { $0 } }

        /// Keeps the first status decided.
        func decide(_ status: ExitStatus) { decided.withLock { if $0 == nil { $0 = status } } }
    }

    /// What `--resume` asked for (`RunResumption` chooses and checks the journal).
    struct Resume {
        /// The journal named on the command line, if any.
        var run: String?
        /// The runs directory, where journals are looked for.
        var directory: String
    }

    private let parts: Parts
    /// Output with every known secret masked (the target's too, once it is built).
    private(set) var sink: OutputSink
    /// Where requests go; nil until the first program to run has checked without errors.
    private(set) var target: SessionTarget?
    /// Runs the programs, over the target's operations (a new one with each target).
    private var interpreter: Interpreter?
    /// `--resume`: the operations matching changes with the resumed journal's.
    private var resuming: ResumingOperations?

    /// Long bulk statements report progress on stderr (a person is watching it).
    var showsProgress = false {
        didSet { interpreter?.showsProgress = showsProgress }
    }
    /// `--stream`: every statement answers, failures included (see `Interpreter.answersFailures`).
    var answersFailures = false {
        didSet { interpreter?.answersFailures = answersFailures }
    }
    /// Asked before a risky statement is sent (the prompt asks a person).
    var confirmer: ((ConfirmationRequest) -> Bool)? {
        didSet { interpreter?.confirmer = confirmer }
    }
    /// Told of each top-level statement that finished, and its error if it failed
    /// (`Interpreter.finishedStatement`; the prompt's session log).
    var finishedStatement: ((Statement, RuntimeError?) -> Void)? {
        didSet { interpreter?.finishedStatement = finishedStatement }
    }

    var transcript: Transcript? { parts.transcript }
    var colors: Bool { parts.colors }
    var cancellation: CancellationSwitch { parts.cancellation }
    /// The settings: those the session started with until something runs, then the
    /// interpreter's (`set` changes them).
    var settings: ScriptSettings { interpreter?.settings ?? parts.settings }
    /// The variables defined so far.
    var variables: [String: Value] { interpreter?.variables ?? [:] }
    /// Set when the last program ended by `exit`.
    var exitRequested: ExitStatus? { interpreter?.exitRequested }

    private init(_ parts: Parts) {
        self.parts = parts
        sink = parts.sink.redacting(Redactor(secrets: parts.secrets))
    }

    /// Runs `body` with a session made of `parts`, then shuts down the client of the session's
    /// last target, if it got one.
    static func with<Outcome>(_ parts: Parts, _ body: (Session) async -> Outcome) async -> Outcome {
        let session = Session(parts)
        let outcome = await body(session)
        await session.target?.operations.shutdown()
        return outcome
    }

    /// Runs `body` with a session for this command line in this process. Output masks, from
    /// the first byte, the environment's token and the one the chosen target will use (a script
    /// is echoed into the transcript and quoted in diagnostics before the target exists); the
    /// target is chosen now and built when needed. A transcript that cannot be opened ends the
    /// session before `body` runs, with status 64.
    static func with(
        _ options: ScriptRunner.Options, environment: ScriptRunner.Environment, settings: ScriptSettings,
        announcesSandbox: Bool, cancellation: CancellationSwitch, review: Review = Review(),
        _ body: (Session) async -> ExitStatus
    ) async -> ExitStatus {
        let variables = environment.variables
        let choice = TargetResolver.choose(
            ScriptRunner.targetRequest(options, settings: ScriptSettings()), environment: variables)
        let secrets =
            [variables["ALTCRAFT_TOKEN"] ?? ""] + ((try? choice.get())?.secrets ?? [])
            + ProxyRules.environmentSecrets(variables)
        var transcript: Transcript?
        if let path = options.transcriptPath {
            switch Transcript.open(path: path, secrets: secrets) {
            case .success(let opened): transcript = opened
            case .failure(let error):
                environment.sink.message(Wording.transcriptUnwritable(error.path, error.reason))
                return .usage
            }
        }
        let connect: (ScriptSettings, OutputSink) -> Result<SessionTarget, TargetFailure> = { settings, sink in
            let request = ScriptRunner.targetRequest(options, settings: settings, trace: options.verbose ? sink.message : nil)
            return choice.flatMap { TargetResolver.build($0, request, environment: variables, warn: sink.message) }
        }
        let parts = Parts(
            purpose: .run(connect: connect), sink: transcript.map(environment.sink.copying(to:)) ?? environment.sink,
            secrets: secrets, transcript: transcript, label: (try? choice.get())?.label ?? Wording.transcriptNoTarget,
            settings: settings, arguments: options.arguments, colors: environment.colors(options.color),
            announcesSandbox: announcesSandbox, cancellation: cancellation,
            journal: RunJournal(
                place: options.journalPath.map(RunJournal.Place.file)
                    ?? .directory(RunJournal.directory(environment: variables)),
                arguments: options.arguments, secrets: secrets, plan: review.planID, yes: options.yes),
            decorate: review.decorate, mayChangeUnreviewed: review.mayChangeUnreviewed || options.yes,
            verdict: review.verdict,
            resume: options.resume
                ? Resume(run: options.resumeRun, directory: RunJournal.directory(environment: variables)) : nil)
        let status = await with(parts, body)
        let final = parts.verdict.status ?? status
        parts.journal?.end(final)
        return final
    }

    /// What a run of `cops plan` or `cops apply`, or the prompt, adds to a session.
    struct Review {
        /// The plan being applied, named in the journal's header.
        var planID: String? = nil
        var decorate: (@Sendable (any CampaignOperations) -> any CampaignOperations)? = nil
        /// See `Parts.mayChangeUnreviewed`.
        var mayChangeUnreviewed = false
        /// Shared with the decorator, which decides the status of a run it stops.
        var verdict = Verdict()
    }

    /// The header the session's journal would write: the runbook (path and hashes) and the
    /// target; `cops plan` copies them into the plan.
    var described: (runbook: WireValue, target: WireValue) {
        parts.journal?.described ?? (.null, .null)
    }

    /// `text` with every secret of the session masked, for files it writes (a plan).
    func masked(_ text: String) -> String {
        Redactor(secrets: parts.secrets + (target?.secrets ?? [])).redact(text)
    }

    /// Ends the run with `status` whatever its statements do (a refusal before anything is sent).
    func decide(_ status: ExitStatus) { parts.verdict.decide(status) }

    /// Builds the target and an interpreter over it, unless there is one. Nil when ready,
    /// otherwise the status to end with (why is printed).
    func connect() -> ExitStatus? {
        guard target == nil else { return nil }
        guard case .run(let connect) = parts.purpose else { preconditionFailure("--check sends nothing") }
        switch connect(parts.settings, sink) {
        case .failure(let failure):
            sink.message(failure.message)
            return failure.status
        case .success(let built):
            use(built, settings: parts.settings)
            if parts.announcesSandbox { announce() }
            return resume()
        }
    }

    /// `--resume`: chooses and checks the journal to resume, now that the runbook and the
    /// target are known, and puts its ledger over the operations. Nil when the run may go
    /// on, otherwise the status to end with (why is printed); nothing was sent either way.
    private func resume() -> ExitStatus? {
        guard let resume = parts.resume, let journal = parts.journal, let target else { return nil }
        switch RunResumption.prepare(run: resume.run, directory: resume.directory, identity: journal.identity) {
        case .failure(let refusal):
            sink.message(refusal.reason)
            return .refused
        case .success(let prepared):
            journal.resumes(prepared.path)
            // Nothing has run yet: the interpreter is made again, over the ledger.
            use(target, settings: parts.settings, ledger: prepared.ledger)
            return nil
        }
    }

    /// `\profile`: requests go to `next` from now on; the old target's client is shut down, the
    /// settings carry over, the variables do not (IDs of one account mean nothing in another).
    func replaceTarget(with next: SessionTarget) async {
        await target?.operations.shutdown()
        for secret in next.secrets { transcript?.addSecret(secret) }
        use(next, settings: settings)
    }

    private func use(_ next: SessionTarget, settings: ScriptSettings, ledger: ResumeLedger? = nil) {
        target = next
        parts.journal?.describe(target: next)
        sink = parts.sink.redacting(Redactor(secrets: parts.secrets + next.secrets.filter { !parts.secrets.contains($0) }))
        var operations: any CampaignOperations =
            parts.journal.map { JournaledOperations(next.operations, journal: $0) } ?? next.operations
        resuming = nil
        if let ledger, let journal = parts.journal {
            let resuming = ResumingOperations(
                operations, ledger: ledger, journal: journal, cancellation: parts.cancellation)
            self.resuming = resuming
            operations = resuming
        }
        if next.requiresPlan, !parts.mayChangeUnreviewed {
            operations = ReviewRequiredOperations(operations, target: next.label, verdict: parts.verdict)
        }
        if let decorate = parts.decorate { operations = decorate(operations) }
        let interpreter = Interpreter(
            operations: operations, settings: settings, output: sink, clock: parts.clock,
            cancellation: parts.cancellation, arguments: parts.arguments, readFile: parts.readFile,
            renderer: DiagnosticRenderer(colors: parts.colors))
        interpreter.showsProgress = showsProgress
        interpreter.answersFailures = answersFailures
        interpreter.confirmer = confirmer
        interpreter.finishedStatement = finishedStatement
        self.interpreter = interpreter
    }

    /// Names the built-in sandbox and its state file on stderr (nothing for other targets).
    func announce() {
        if case .sandbox(let path) = target?.kind { sink.message(Wording.usingSandbox(path: path)) }
    }

    /// The transcript's first line for this session: the mode and the target's name.
    func begin(_ mode: String) {
        transcript?.begin(mode: mode, target: target?.label ?? parts.label)
    }

    /// Parses and checks `file` whole, with the files it `source`s by a constant path, shows
    /// every diagnostic, and runs it when there is no error (building the target first if
    /// need be); any error and nothing is sent: status 65. A runbook whose `param`s its
    /// arguments do not fit stops with its usage and 64, before anything is sent. For
    /// `--check` it stops after the diagnostics (a runbook is checked without its arguments).
    func submit(_ file: SourceFile, origin: TextOrigin) async -> ExitStatus {
        let renderer = DiagnosticRenderer(colors: parts.colors)
        guard case .run = parts.purpose else {
            let verdict = Checker.validate(file, readFile: parts.readFile)
            show(renderer.render(verdict.diagnostics, in: file, sourced: verdict.sourced))
            return verdict.isRunnable ? .success : .invalidScript
        }
        let checked = Checker.check(file, defined: Set(variables.keys), origin: origin, readFile: parts.readFile)
        show(renderer.render(checked.diagnostics, in: file, sourced: checked.sourced))
        guard checked.isRunnable else {
            interpreter?.answer(notRunning: checked, in: file)
            return .invalidScript
        }
        let usage = RunbookUsage(file: file, parameters: checked.parameters)
        if let problem = usage.problem(with: parts.arguments) {
            sink.message(problem + usage.text)
            return .usage
        }
        // Before the target is built: `--resume` compares the runbook with the journal's.
        if origin == .runbook || origin == .commandLine { parts.journal?.describe(runbook: file, sourced: checked.sourced) }
        if let stop = connect() { return stop }
        let status = await interpreter!.run(checked, in: file)
        if let stop = resuming?.stop {
            sink.message(stop.message)
            return .drift
        }
        return status
    }

    /// `--usage`: checks `file` as `--check` does and, when it has no error, prints its usage
    /// line, its parameters and its description; nothing is sent.
    func describe(_ file: SourceFile) -> ExitStatus {
        let verdict = Checker.validate(file, readFile: parts.readFile)
        show(DiagnosticRenderer(colors: parts.colors).render(verdict.diagnostics, in: file, sourced: verdict.sourced))
        guard verdict.isRunnable else { return .invalidScript }
        let description = RunbookUsage.description(of: file)
        let usage = RunbookUsage(file: file, parameters: verdict.parameters).text
        sink.result(usage + (description.isEmpty ? "" : "\n" + description))
        return .success
    }

    private func show(_ rendered: String) {
        if !rendered.isEmpty { sink.message(rendered) }
    }
}

extension OutputSink {
    /// The same sink, with everything also written to the transcript.
    func copying(to transcript: Transcript) -> OutputSink {
        let result = self.result
        let message = self.message
        return OutputSink(
            result: {
                result($0)
                transcript.write($0)
            },
            message: {
                message($0)
                transcript.write($0)
            })
    }

    /// The same sink with every secret of `redactor` masked in what passes through.
    func redacting(_ redactor: Redactor) -> OutputSink {
        let result = self.result
        let message = self.message
        return OutputSink(result: { result(redactor.redact($0)) }, message: { message(redactor.redact($0)) })
    }
}
