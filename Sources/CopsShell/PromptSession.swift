import AltcraftAPI
import CampaignScript
import Foundation
import LineEditor

/// Lines starting with `\` are about the session, not campaigns (as in psql).
enum PromptCommand {
    static let names = ["\\profile", "\\quit"]
}

/// The interactive prompt: reads entries (continuation lines joined into one), checks and runs
/// each with one interpreter, so variables and settings persist; records history; asks before
/// risky statements; turns Ctrl-C into clearing the line or cancelling the running statement.
public final class PromptSession {
    /// What the session needs from its surroundings; tests pass a plain reader and closures.
    public struct Parts {
        public var reader: any LineReader
        /// Output: already redacting, already copying into the transcript.
        public var sink: OutputSink
        public var transcript: Transcript?
        /// Whether Ctrl-C was pressed since the last call (polled while a statement runs).
        public var takeInterrupt: @Sendable () -> Bool
        /// Colour in the prompt and diagnostics.
        public var colors: Bool
        /// The process environment (state and config directories, COPS_HISTFILE).
        public var environment: [String: String]

        public init(
            reader: any LineReader, sink: OutputSink, transcript: Transcript? = nil,
            takeInterrupt: @escaping @Sendable () -> Bool = { false }, colors: Bool = false,
            environment: [String: String] = [:]
        ) {
            self.reader = reader
            self.sink = sink
            self.transcript = transcript
            self.takeInterrupt = takeInterrupt
            self.colors = colors
            self.environment = environment
        }
    }

    let parts: Parts
    var target: SessionTarget
    var interpreter: Interpreter
    var history: HistoryFile
    let options: ScriptRunner.Options
    let cancellation = CancellationSwitch()
    /// The config's profiles, for `\profile` and completion (read when the target changes, not
    /// on every Tab).
    var profileNames: [String]

    init(target: SessionTarget, options: ScriptRunner.Options, parts: Parts) {
        self.parts = parts
        self.target = target
        self.options = options
        self.history = Self.historyFile(for: target, environment: parts.environment)
        self.profileNames = TargetResolver.profileNames(environment: parts.environment)
        self.interpreter = Self.makeInterpreter(
            target: target, settings: Self.initialSettings(options), parts: parts, cancellation: cancellation)
        interpreter.confirmer = { [unowned self] request in self.confirm(request) }
        parts.reader.replaceHistory(history.load())
    }

    /// Output with the current target's token masked (it changes with `\profile`).
    var sink: OutputSink { parts.sink.redacting(Redactor(secrets: target.secrets)) }

    static func initialSettings(_ options: ScriptRunner.Options) -> ScriptSettings {
        var settings = ScriptRunner.settings(options, defaultOutput: .table)
        // At the prompt `delete` and large mutations ask first, unless `--yes`; a failed
        // statement of an entry does not stop the ones after it (GrammarTable's defaults).
        settings.confirm = !options.yes
        settings.continueOnError = true
        return settings
    }

    private static func makeInterpreter(
        target: SessionTarget, settings: ScriptSettings, parts: Parts, cancellation: CancellationSwitch
    ) -> Interpreter {
        let interpreter = Interpreter(
            operations: target.operations, settings: settings,
            output: parts.sink.redacting(Redactor(secrets: target.secrets)), cancellation: cancellation,
            readFile: ScriptRunner.readSourced, renderer: DiagnosticRenderer(colors: parts.colors))
        interpreter.showsProgress = parts.reader.isInteractive
        return interpreter
    }

    /// The history file of a target: `COPS_HISTFILE`, else `history-LABEL` in the state
    /// directory (one per profile, so production commands are not recalled on the sandbox).
    static func historyFile(for target: SessionTarget, environment: [String: String]) -> HistoryFile {
        if let path = environment["COPS_HISTFILE"], !path.isEmpty {
            return HistoryFile(path: path, secrets: target.secrets)
        }
        let directory = ScriptRunner.stateDirectory(environment)
        try? FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let safe = String(target.label.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "_" })
        return HistoryFile(path: directory + "/history-" + safe, secrets: target.secrets)
    }

    /// `cops(sandbox)> `; red for a profile that confirms every change (production, usually).
    var mainPrompt: String {
        let name = "cops(\(target.label))"
        guard parts.colors, target.confirmsEveryMutation else { return name + "> " }
        // \u{1} brackets bytes libedit must not count as printed (EL_PROMPT_ESC).
        return "\u{1}\u{1B}[1;31m\u{1}" + name + "\u{1}\u{1B}[0m\u{1}> "
    }

    var continuationPrompt: String { String(repeating: " ", count: max(0, target.label.count + 3)) + "...> " }

    /// Runs until Ctrl-D, end of input or `exit`; returns `exit`'s status, else 0.
    public func run() async -> ExitStatus {
        parts.transcript?.begin(mode: "prompt", target: target.label)
        if target.isSandbox, case .sandbox(let path) = target.kind {
            sink.message(Wording.usingSandbox(path: path))
        }
        sink.message(Wording.promptGreeting)
        var buffer = ""
        while true {
            let prompt = buffer.isEmpty ? mainPrompt : continuationPrompt
            switch parts.reader.readLine(prompt: prompt) {
            case .interrupted:
                buffer = ""
            case .endOfInput:
                if !buffer.isEmpty { sink.message(Wording.promptIncompleteDropped) }
                await target.operations.shutdown()
                return .success
            case .line(let line):
                buffer += buffer.isEmpty ? line : "\n" + line
                if Parser.isIncomplete(buffer) { continue }
                let entry = buffer
                buffer = ""
                if entry.allSatisfy(\.isWhitespace) { continue }
                record(entry)
                parts.transcript?.entered(entry, prompt: Self.plain(mainPrompt))
                if entry.trimmingCharacters(in: .whitespaces).hasPrefix("\\") {
                    if await command(entry.trimmingCharacters(in: .whitespaces)) == false {
                        await target.operations.shutdown()
                        return .success
                    }
                    continue
                }
                await execute(entry)
                if let status = interpreter.exitRequested {
                    await target.operations.shutdown()
                    return status
                }
            }
        }
    }

    /// Removes libedit's non-printing brackets and colour from a prompt (for transcripts).
    static func plain(_ prompt: String) -> String {
        var text = ""
        var hidden = false
        for scalar in prompt.unicodeScalars {
            if scalar == "\u{1}" {
                hidden.toggle()
            } else if !hidden {
                text.unicodeScalars.append(scalar)
            }
        }
        return text
    }

    private func record(_ entry: String) {
        guard history.reasonNotRecorded(entry) == nil else { return }
        parts.reader.addToHistory(entry)
        history.append(entry)
    }

    /// Checks and runs one entry; Ctrl-C while it runs cancels it.
    func execute(_ entry: String) async {
        let file = SourceFile(name: "<prompt>", text: entry)
        let checked = Checker.check(file, defined: Set(interpreter.variables.keys), readFile: ScriptRunner.readSourced)
        let rendered = DiagnosticRenderer(colors: parts.colors).render(
            checked.diagnostics, in: file, sourced: checked.sourced)
        if !rendered.isEmpty { sink.message(rendered) }
        guard checked.isRunnable else { return }
        cancellation.reset()
        _ = parts.takeInterrupt()  // a Ctrl-C from before the entry is not for this statement
        let running = UncheckedBox(interpreter)
        let task = Task { await running.value.run(checked, in: file) }
        let cancellation = self.cancellation
        let takeInterrupt = parts.takeInterrupt
        // The terminal echoes ^C without a newline; end that line before the report.
        let endEchoedLine = parts.reader.isInteractive ? sink.message : { _ in }
        // First Ctrl-C: no new requests, those in flight finish (an exact report); a second
        // one abandons them.
        let watcher = Task {
            while !Task.isCancelled {
                if takeInterrupt() {
                    endEchoedLine("\n")
                    if cancellation.isCancelled {
                        task.cancel()
                        return
                    }
                    cancellation.cancel()
                }
                try? await Task.sleep(for: .milliseconds(40))
            }
        }
        _ = await task.value
        watcher.cancel()
        cancellation.reset()
    }

    /// The statement needs a yes: `delete`, more than 10 campaigns, or any change on a profile
    /// marked `confirm = true`.
    func needsConfirmation(_ request: ConfirmationRequest) -> Bool {
        target.confirmsEveryMutation || request.op == "delete" || request.ids.count > 10
    }

    func confirm(_ request: ConfirmationRequest) -> Bool {
        guard needsConfirmation(request) else { return true }
        // Whatever was pasted after the statement must not answer the question.
        let dropped = parts.reader.discardTypeAhead()
        if dropped > 0 { sink.message(Wording.typeAheadDropped(bytes: dropped)) }
        let question = Wording.confirmQuestion(request, target: target.label)
        let answer: String
        switch parts.reader.readLine(prompt: question) {
        case .line(let line): answer = line
        case .interrupted, .endOfInput: answer = ""
        }
        parts.transcript?.write(question + answer + "\n")
        return ["y", "yes"].contains(answer.trimmingCharacters(in: .whitespaces).lowercased())
    }

    /// A `\` command; false ends the session.
    func command(_ entry: String) async -> Bool {
        let words = entry.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        switch words.first {
        case "\\quit", "\\q":
            return false
        case "\\profile" where words.count == 2:
            await switchProfile(words[1])
        case "\\profile":
            sink.message(Wording.profileUsage(current: target.label, known: profileNames))
        default:
            sink.message(Wording.unknownPromptCommand(words.first ?? entry))
        }
        return true
    }

    /// `\profile NAME`: a new target, history and interpreter; settings carry over, variables do
    /// not (IDs of one account mean nothing in another).
    func switchProfile(_ name: String) async {
        var request = ScriptRunner.targetRequest(
            options, settings: interpreter.settings, trace: options.verbose ? sink.message : nil)
        request.endpoint = nil
        request.sandbox = false
        request.profile = name
        switch TargetResolver.resolve(request, environment: parts.environment, warn: sink.message) {
        case .failure(let failure):
            sink.message(failure.message)
        case .success(let next):
            await target.operations.shutdown()
            for secret in next.secrets { parts.transcript?.addSecret(secret) }
            target = next
            interpreter = Self.makeInterpreter(
                target: next, settings: interpreter.settings, parts: parts, cancellation: cancellation)
            interpreter.confirmer = { [unowned self] request in self.confirm(request) }
            profileNames = TargetResolver.profileNames(environment: parts.environment)
            history = Self.historyFile(for: target, environment: parts.environment)
            parts.reader.replaceHistory(history.load())
            if case .sandbox(let path) = target.kind { sink.message(Wording.usingSandbox(path: path)) }
            sink.message(Wording.profileSwitched(target.label))
        }
    }

    /// What Tab offers for the text before the cursor.
    public func complete(_ beforeCursor: String) -> CompletionResult {
        CompletionEngine(
            variables: Array(interpreter.variables.keys), campaigns: target.operations.seen.all, profiles: profileNames
        ).complete(beforeCursor)
    }
}

/// Hands the interpreter to the task that runs a statement. Safe: the prompt waits for that
/// task before touching the interpreter again (completion and confirmation happen on the
/// same logical thread of control, inside the run).
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
