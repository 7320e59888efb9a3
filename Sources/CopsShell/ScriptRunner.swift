import AltcraftAPI
import AltcraftSandbox
import CampaignScript
import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs scripts, `-c` text and piped statements: read whole, parse and check whole (any
/// error: print every diagnostic, exit 65, send nothing), pick the target, interpret.
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

    /// The command-line settings and target.
    public struct Options: Sendable {
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
        /// `--format json|xml`: the wire format.
        public var wireFormat: ClientConfiguration.WireFormat = .json
        /// `$1`…`$9`, `$args`.
        public var arguments: [String] = []

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

        /// Diagnostics are coloured only for a person: stderr is a terminal, `NO_COLOR` is
        /// unset and the terminal is not `dumb`.
        var colorsDiagnostics: Bool {
            stderrIsTerminal && variables["NO_COLOR"].map(\.isEmpty) != false && variables["TERM"] != "dumb"
        }

        /// The real process.
        public static var process: Environment {
            Environment(
                variables: ProcessInfo.processInfo.environment,
                sink: OutputSink(
                    result: { FileHandle.standardOutput.write(Data($0.utf8)) },
                    message: { FileHandle.standardError.write(Data($0.utf8)) }),
                stdoutIsTerminal: isatty(STDOUT_FILENO) == 1, stderrIsTerminal: isatty(STDERR_FILENO) == 1,
                readStandardInput: { Array(FileHandle.standardInput.readDataToEndOfFile()) })
        }
    }

    /// Reads a file's bytes, or why it cannot be read.
    static func read(_ path: String) -> Result<[UInt8], ReadFailure> {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return .failure(ReadFailure(why: "no such file"))
        }
        if isDirectory.boolValue { return .failure(ReadFailure(why: "it is a directory")) }
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(ReadFailure(why: "permission denied"))
        }
        return .success(Array(data))
    }

    /// What `source` reads: a file's bytes, or nil when it cannot be read.
    @Sendable static func readSourced(_ path: String) -> [UInt8]? {
        guard case .success(let bytes) = read(path) else { return nil }
        return bytes
    }

    struct ReadFailure: Error {
        var why: String
    }

    /// The source to run, named as diagnostics show it.
    static func source(_ input: Input, _ environment: Environment) -> Result<SourceFile, ReadFailure> {
        switch input {
        case .file("-"), .standardInput:
            return .success(SourceFile(name: "<stdin>", bytes: environment.readStandardInput()))
        case .file(let path):
            return read(path).map { SourceFile(name: path, bytes: $0) }
        case .commands(let texts):
            return .success(SourceFile(name: "<command line>", text: texts.joined(separator: "\n")))
        }
    }

    /// `cops --check FILE…`: parse and check only; exit 0, 65 (errors) or 66 (unreadable).
    public static func check(_ paths: [String], environment: Environment = .process) -> ExitStatus {
        var status = ExitStatus.success
        for path in paths {
            let file: SourceFile
            switch source(.file(path), environment) {
            case .success(let read): file = read
            case .failure(let failure):
                environment.sink.message(Wording.cannotRead(path, failure.why))
                status = .unreadableScript
                continue
            }
            let checked = Interpreter.check(file, readFile: readSourced)
            if !checked.diagnostics.isEmpty {
                environment.sink.message(
                    DiagnosticRenderer(colors: environment.colorsDiagnostics).render(checked.diagnostics, in: file))
            }
            if checked.isRunnable {
                environment.sink.result(Wording.checked(path))
            } else if status == .success {
                status = .invalidScript
            }
        }
        return status
    }

    /// Runs a script against the chosen target and returns its exit status.
    public static func run(
        _ input: Input, options: Options, environment: Environment = .process,
        cancellation: CancellationSwitch = CancellationSwitch()
    ) async -> ExitStatus {
        // A backstop: whatever a script prints (even a literal the user typed), the token
        // never reaches stdout or stderr.
        let sink = environment.sink.redacting(Redactor(secrets: [environment.variables["ALTCRAFT_TOKEN"] ?? ""]))
        let file: SourceFile
        switch source(input, environment) {
        case .success(let read): file = read
        case .failure(let failure):
            if case .file(let path) = input { sink.message(Wording.cannotRead(path, failure.why)) }
            return .unreadableScript
        }
        // Parsed and checked whole before anything is sent.
        let checked = Interpreter.check(file, readFile: readSourced)
        if !checked.diagnostics.isEmpty {
            sink.message(DiagnosticRenderer(colors: environment.colorsDiagnostics).render(checked.diagnostics, in: file))
        }
        guard checked.isRunnable else { return .invalidScript }

        var settings = ScriptSettings()
        settings.output = options.output ?? (environment.stdoutIsTerminal ? .table : .json)
        settings.dryRun = options.dryRun
        settings.continueOnError = options.continueOnError
        if let concurrency = options.concurrency { settings.concurrency = concurrency }
        if let timeout = options.timeoutMilliseconds { settings.timeoutMilliseconds = timeout }
        if let retries = options.retries { settings.retries = retries }

        let operations: AltcraftOperations
        switch makeOperations(options, settings: settings, environment: environment) {
        case .success(let made): operations = made
        case .failure(let failure):
            sink.message(failure.message)
            return failure.status
        }
        let interpreter = Interpreter(
            operations: operations, settings: settings, output: sink, cancellation: cancellation,
            arguments: options.arguments, readFile: readSourced,
            renderer: DiagnosticRenderer(colors: environment.colorsDiagnostics))
        interpreter.showsProgress = environment.stderrIsTerminal
        let status = await interpreter.run(checked.program, in: file)
        await operations.shutdown()
        return status
    }

    struct TargetFailure: Error {
        var message: String
        var status: ExitStatus
    }

    /// The client for `--endpoint` (token from `ALTCRAFT_TOKEN`), or the built-in sandbox.
    static func makeOperations(_ options: Options, settings: ScriptSettings, environment: Environment) -> Result<
        AltcraftOperations, TargetFailure
    > {
        let transport: any AltcraftTransport
        let token: String
        if let endpoint = options.endpoint, !options.sandbox {
            guard let given = environment.variables["ALTCRAFT_TOKEN"], !given.isEmpty else {
                return .failure(TargetFailure(message: Wording.tokenMissing, status: .configuration))
            }
            do throws(AltcraftError) {
                transport = try HTTPTransport(baseURL: endpoint)
            } catch {
                return .failure(TargetFailure(message: Wording.badEndpoint(error.summary), status: .usage))
            }
            token = given
        } else {
            let directory = SandboxStore.defaultDirectory(environment: environment.variables)
            do throws(SandboxStoreError) {
                let sandbox = try Sandbox(store: SandboxStore(directory: directory))
                transport = InProcessTransport(sandbox: sandbox)
            } catch {
                return .failure(TargetFailure(message: Wording.sandboxUnusable(error.description), status: .configuration))
            }
            environment.sink.message(Wording.usingSandbox(path: directory + "/sandbox.json"))
            token = SandboxEngine.defaultToken
        }
        let configuration = ClientConfiguration(
            token: token, format: options.wireFormat, timeout: .milliseconds(settings.timeoutMilliseconds),
            retries: settings.retries)
        return .success(AltcraftOperations(client: AltcraftClient(configuration: configuration, transport: transport)))
    }

    /// Runs `body` with Ctrl-C wired to the cancellation switch, so a running statement stops
    /// starting requests and the run ends with status 130 after reporting what was done.
    public static func withInterruptHandling(
        _ cancellation: CancellationSwitch, _ body: @Sendable @escaping () async -> ExitStatus
    ) async -> ExitStatus {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        let task = Task { await body() }
        source.setEventHandler {
            cancellation.cancel()
            task.cancel()
        }
        source.resume()
        let status = await task.value
        source.cancel()
        return status
    }
}

extension OutputSink {
    /// The same sink with every secret of `redactor` masked in what passes through.
    func redacting(_ redactor: Redactor) -> OutputSink {
        let result = self.result
        let message = self.message
        return OutputSink(result: { result(redactor.redact($0)) }, message: { message(redactor.redact($0)) })
    }
}
