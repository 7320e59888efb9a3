import AltcraftAPI
import AltcraftSandbox
import CampaignScript
import Dispatch
import Foundation
import LineEditor
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The process's front: what the command line asks to run, read from files, `-c` or stdin (whole,
/// or statement by statement for `--stream`), the prompt on a terminal, and Ctrl-C. Each mode
/// hands its text to one `Session`, which checks, reports and runs it.
public enum ScriptRunner {
    /// What to run.
    public enum Input: Sendable, Equatable {
        /// A script file; `-` is standard input.
        case file(String)
        /// `-c` texts, one statement list each, run in order as one program.
        case commands([String])
        /// Statements piped on standard input.
        case standardInput
    }

    /// `--color`: colour on a terminal (`auto`, unless `NO_COLOR` is set or TERM is dumb),
    /// always, or never.
    public enum ColorChoice: String, Sendable, CaseIterable {
        case auto, always, never
    }

    /// The command-line settings and target.
    public struct Options: Equatable, Sendable {
        /// `-o/--output`; nil picks `table` on a terminal, `json` otherwise.
        public var output: OutputFormat?
        /// `--dry-run`.
        public var dryRun = false
        /// `--continue-on-error`.
        public var continueOnError = false
        /// `--concurrency N`.
        public var concurrency: Int?
        /// `--timeout D`, milliseconds.
        public var timeoutMilliseconds: Int64?
        /// `--retries N`.
        public var retries: Int?
        /// `--endpoint URL`; the token comes from `ALTCRAFT_TOKEN`.
        public var endpoint: String?
        /// `--sandbox`: the built-in sandbox even when other targets are configured.
        public var sandbox = false
        /// `-p/--profile NAME` (else `COPS_PROFILE`, else the config's default).
        public var profile: String?
        /// `--format json|xml`: the wire format (nil: the profile's, else json).
        public var wireFormat: ClientConfiguration.WireFormat?
        /// `$1`…`$9`, `$args`.
        public var arguments: [String] = []
        /// `-y/--yes`: no confirmations at the prompt.
        public var yes = false
        /// `--color`.
        public var color: ColorChoice = .auto
        /// `-v/--verbose`: the HTTP trace on stderr.
        public var verbose = false
        /// `--transcript FILE`.
        public var transcriptPath: String?
        /// `--journal FILE`: the run journal's file (else a new one under the state directory).
        public var journalPath: String?
        /// `--cacert FILE`: the CA bundle to trust for this run (over the profile's `ca_file`).
        public var caFile: String?
        /// `--resume`: rerun the runbook, skipping what a journal records as done.
        public var resume = false
        /// `--resume RUN`: the journal to resume (a name in the runs directory or a path);
        /// nil picks the newest one that fits (`RunResumption`).
        public var resumeRun: String?

        /// Defaults: the built-in sandbox, settings as the language defines them.
        public init() {}
    }

    /// Where the runner writes and what it reads; the real process streams by default.
    public struct Environment: Sendable {
        /// The process environment (`ALTCRAFT_TOKEN`, `XDG_STATE_HOME`).
        public var variables: [String: String]
        /// Writes to standard output and standard error.
        public var sink: OutputSink
        /// Whether standard output is a terminal (then results default to `table`).
        public var stdoutIsTerminal: Bool
        /// Whether standard error is a terminal (then long bulk statements show progress).
        public var stderrIsTerminal = false
        /// Reads all of standard input.
        public var readStandardInput: @Sendable () -> [UInt8]

        /// Whether to colour with `--color choice`: `always` and `never` win over everything;
        /// `auto` needs a terminal on stderr, no `NO_COLOR` and a terminal that is not `dumb`.
        func colors(_ choice: ColorChoice) -> Bool {
            switch choice {
            case .always: return true
            case .never: return false
            case .auto:
                return stderrIsTerminal && variables["NO_COLOR"].map(\.isEmpty) != false && variables["TERM"] != "dumb"
            }
        }

        /// The real process.
        public static var process: Environment {
            Environment(
                variables: processVariables(),
                sink: OutputSink(
                    result: { StandardStreams.out($0) }, message: { StandardStreams.err($0) }),
                stdoutIsTerminal: isatty(STDOUT_FILENO) == 1, stderrIsTerminal: isatty(STDERR_FILENO) == 1,
                readStandardInput: { Array(FileHandle.standardInput.readDataToEndOfFile()) })
        }

        /// The process's variables (`entries`, as `environ` holds them; given by tests), read
        /// as bytes, each split at its first `=`; of a name given twice, the first, as `getenv`
        /// reads it. Not Foundation's `ProcessInfo.environment`, which splits each entry as
        /// Characters: about 10 000 instructions a variable, 12 % of an http one-shot
        /// (docs/performance.md, "Twelfth round").
        static func processVariables(_ entries: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = environ)
            -> [String: String]
        {
            var variables: [String: String] = [:]
            var entry = entries
            while let text = entry.pointee {
                let length = strlen(text)
                text.withMemoryRebound(to: UInt8.self, capacity: length) { start in
                    let bytes = UnsafeBufferPointer(start: start, count: length)
                    guard let equals = bytes.firstIndex(of: UInt8(ascii: "=")) else { return }
                    let name = String(decoding: bytes[..<equals], as: UTF8.self)
                    if variables[name] == nil {
                        variables[name] = String(decoding: bytes[(equals + 1)...], as: UTF8.self)
                    }
                }
                entry += 1
            }
            return variables
        }
    }

    /// The source to run, named as diagnostics show it.
    static func source(_ input: Input, _ environment: Environment) -> Result<SourceFile, FileReadError> {
        switch input {
        case .file("-"), .standardInput:
            return .success(SourceFile(name: "<stdin>", bytes: environment.readStandardInput()))
        case .file(let path):
            return ScriptFileReader.read(path).map { SourceFile.script(named: path, bytes: $0) }
        case .commands(let texts):
            // Not `joined(separator:)`: the standard library's unspecialised copy of it looks
            // up `[String]: Collection` at run time, a scan of every conformance record in
            // the binary (≈ 0.1 ms of a one-shot; docs/performance.md, "Eleventh round").
            var text = ""
            for (index, command) in texts.enumerated() {
                if index > 0 { text.append("\n") }
                text.append(command)
            }
            return .success(SourceFile(name: "<command line>", text: text))
        }
    }

    /// The source `--check` and `--usage` read: a regular file is mapped, not copied
    /// (`ScriptFileReader.script`), and a SIGBUS while it is read is reported as the file
    /// shrinking; standard input as `source` reads it.
    static func checkedSource(_ path: String, _ environment: Environment) -> Result<SourceFile, FileReadError> {
        guard path != "-" else { return source(.file(path), environment) }
        ScriptFileReader.reportShrinking(path)
        return ScriptFileReader.script(path)
    }

    /// `cops --check FILE…`: parse and check only; exit 0, 65 (errors) or 66 (unreadable).
    public static func check(_ paths: [String], color: ColorChoice = .auto, environment: Environment = .process) async
        -> ExitStatus
    {
        let parts = Session.Parts(purpose: .check, sink: environment.sink, colors: environment.colors(color))
        return await Session.with(parts) { session in
            var status = ExitStatus.success
            for path in paths {
                let file: SourceFile
                switch checkedSource(path, environment) {
                case .success(let read): file = read
                case .failure(let failure):
                    session.sink.message(Wording.cannotRead(path, failure.why))
                    status = .unreadableScript
                    continue
                }
                if await session.submit(file, origin: .runbook) == .success {
                    session.sink.result(Wording.checked(path))
                } else if status == .success {
                    status = .invalidScript
                }
            }
            return status
        }
    }

    /// `cops --usage FILE`: the runbook's usage line, parameters and description, after checking
    /// it as `--check` does; exit 0, 65 (errors) or 66 (unreadable). No network, no profile.
    public static func usage(_ path: String, color: ColorChoice = .auto, environment: Environment = .process) async
        -> ExitStatus
    {
        let parts = Session.Parts(purpose: .check, sink: environment.sink, colors: environment.colors(color))
        return await Session.with(parts) { session in
            switch checkedSource(path, environment) {
            case .success(let file): return session.describe(file)
            case .failure(let failure):
                session.sink.message(Wording.cannotRead(path, failure.why))
                return .unreadableScript
            }
        }
    }

    /// The settings a run starts with: the language's defaults, then the flags.
    static func settings(_ options: Options, defaultOutput: OutputFormat) -> ScriptSettings {
        var settings = ScriptSettings()
        settings.output = options.output ?? defaultOutput
        settings.dryRun = options.dryRun
        settings.continueOnError = options.continueOnError
        if let concurrency = options.concurrency { settings.concurrency = concurrency }
        if let timeout = options.timeoutMilliseconds { settings.timeoutMilliseconds = timeout }
        if let retries = options.retries { settings.retries = retries }
        return settings
    }

    /// What the target resolver is asked for.
    static func targetRequest(_ options: Options, settings: ScriptSettings, trace: (@Sendable (String) -> Void)? = nil)
        -> TargetResolver.Request
    {
        TargetResolver.Request(
            sandbox: options.sandbox, endpoint: options.endpoint, profile: options.profile, format: options.wireFormat,
            timeoutMilliseconds: settings.timeoutMilliseconds, retries: settings.retries, caFile: options.caFile, trace: trace)
    }

    /// `$XDG_STATE_HOME/cops`: the sandbox's state and the prompt's history.
    static func stateDirectory(_ environment: [String: String]) -> String {
        SandboxStore.defaultDirectory(environment: environment)
    }

    /// Runs a script (read, checked and run whole) and returns its exit status.
    public static func run(
        _ input: Input, options: Options, environment: Environment = .process,
        cancellation: CancellationSwitch = CancellationSwitch()
    ) async -> ExitStatus {
        let settings = Self.settings(options, defaultOutput: environment.stdoutIsTerminal ? .table : .json)
        return await Session.with(
            options, environment: environment, settings: settings, announcesSandbox: true, cancellation: cancellation
        ) { session in
            await runScript(session, input, environment: environment)
        }
    }

    /// Reads `input` and runs it whole in `session` (scripts, `cops plan`, `cops apply`).
    static func runScript(_ session: Session, _ input: Input, environment: Environment) async -> ExitStatus {
        let file: SourceFile
        switch source(input, environment) {
        case .success(let read): file = read
        case .failure(let failure):
            if case .file(let path) = input { session.sink.message(Wording.cannotReadScript(path, failure.why)) }
            return .unreadableScript
        }
        // The header names the target (issue 14: it named the script, and nothing for
        // --endpoint); the script is named too, as the mode's subject.
        session.begin("script \(file.name)")
        session.transcript?.write(String(decoding: file.bytes, as: UTF8.self) + (file.bytes.last == 10 ? "" : "\n"))
        session.showsProgress = environment.stderrIsTerminal
        let origin: TextOrigin = if case .commands = input { .commandLine } else { .runbook }
        return await session.submit(file, origin: origin)
    }

    /// `--stream`: statements run one by one as soon as each is complete on stdin, so a program
    /// can write a statement, read its result, and decide the next. Memory stays flat: each
    /// statement is read, checked, run and dropped. A statement with errors is reported and
    /// not run; like any failure it ends the run unless `--continue-on-error`.
    public static func stream(
        options: Options, environment: Environment = .process, reader: any LineReader = PlainLineReader(),
        cancellation: CancellationSwitch = CancellationSwitch()
    ) async -> ExitStatus {
        let settings = Self.settings(options, defaultOutput: environment.stdoutIsTerminal ? .table : .json)
        return await Session.with(
            options, environment: environment, settings: settings, announcesSandbox: true, cancellation: cancellation
        ) { session in
            if let stop = session.connect() { return stop }
            session.begin("stream")
            session.answersFailures = true
            var status = ExitStatus.success
            var pending = ContinuationBuffer()
            reading: while !cancellation.isCancelled && !Task.isCancelled {
                let entry: ContinuationBuffer.Entry?
                var ended = false
                switch reader.readLine(prompt: "") {
                case .line(let line):
                    guard let complete = pending.add(line) else { continue reading }
                    entry = complete
                case .interrupted:
                    continue reading
                case .endOfInput:
                    ended = true
                    entry = pending.flush()
                }
                if let entry {
                    var file = SourceFile(name: "<stdin>", text: entry.text)
                    file.lineOffset = entry.firstLine - 1
                    session.transcript?.entered(entry.text, prompt: "> ")
                    let result = await session.submit(file, origin: .stream)
                    if let exit = session.exitRequested {
                        status = exit
                        break reading
                    }
                    if result != .success {
                        if status == .success { status = result }
                        if !session.settings.continueOnError || result == .interrupted { break reading }
                    }
                }
                if ended { break reading }
            }
            if cancellation.isCancelled || Task.isCancelled, status == .success { status = .interrupted }
            return status
        }
    }

    /// The interactive prompt on this terminal (libedit when a person is there).
    public static func prompt(options: Options, environment: Environment = .process) async -> ExitStatus {
        await Session.with(
            options, environment: environment, settings: PromptSession.initialSettings(options), announcesSandbox: false,
            cancellation: CancellationSwitch(), review: Session.Review(mayChangeUnreviewed: true)
        ) { session in
            if let stop = session.connect() { return stop }
            let editor = EditLineReader.make(programName: "cops")
            // Ctrl-C only sets a flag, with or without libedit; the session polls it.
            EditLineReader.installInterruptHandler()
            let reader: any LineReader =
                editor
                ?? PlainLineReader(showPrompt: { prompt in StandardStreams.err(PromptSession.plain(prompt)) })
            let parts = PromptSession.Parts(
                reader: reader, takeInterrupt: { EditLineReader.takeInterrupt() }, environment: environment.variables)
            let prompt = PromptSession(session: session, options: options, parts: parts)
            editor?.completer = { [unowned prompt] in prompt.complete($0) }
            return await prompt.run()
        }
    }

    /// Runs `body` with Ctrl-C wired to the cancellation switch: the first Ctrl-C stops new
    /// requests and lets those in flight finish, so every ID is reported exactly as done or not
    /// done; a second one abandons those in flight (reported as possibly applied). The run ends
    /// with status 130.
    public static func withInterruptHandling(
        _ cancellation: CancellationSwitch,
        _ body: @Sendable @escaping () async -> ExitStatus
    ) async -> ExitStatus {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        let running = Mutex<Task<ExitStatus, Never>?>(nil)
        let presses = Mutex(0)
        source.setEventHandler {
            let count = presses.withLock { count in
                count += 1
                return count
            }
            if count == 1 {
                cancellation.cancel()
            } else {
                running.withLock { $0 }?.cancel()
            }
        }
        // The script starts only once the source is registered: until then SIGINT is ignored,
        // and a Ctrl-C right after the first output was lost (seen under load in CI).
        await withCheckedContinuation { (registered: CheckedContinuation<Void, Never>) in
            source.setRegistrationHandler { registered.resume() }
            source.resume()
        }
        let task = Task { await body() }
        running.withLock { $0 = task }
        let status = await task.value
        source.cancel()
        return status
    }
}
