import AltcraftAPI
import CampaignScript
import Foundation
import LineEditor

/// Lines starting with `\` are about the session, not campaigns (as in psql).
enum PromptCommand {
    static let names = ["\\profile", "\\quit", "\\save"]
}

/// The interactive prompt: what only the prompt has, around its session (which checks and runs
/// each entry with one interpreter, so variables and settings persist). It reads entries
/// (continuation lines joined into one), records history, asks before risky statements, runs
/// `\` commands (`\profile` switches the session's target), completes on Tab, and turns Ctrl-C
/// into clearing the line or cancelling the running statement.
public final class PromptSession {
    /// What the prompt needs from its surroundings; tests pass a plain reader and closures.
    public struct Parts {
        public var reader: any LineReader
        /// Whether Ctrl-C was pressed since the last call (polled while a statement runs).
        public var takeInterrupt: @Sendable () -> Bool
        /// The process environment (state and config directories, COPS_HISTFILE).
        public var environment: [String: String]

        public init(
            reader: any LineReader, takeInterrupt: @escaping @Sendable () -> Bool = { false },
            environment: [String: String] = [:]
        ) {
            self.reader = reader
            self.takeInterrupt = takeInterrupt
            self.environment = environment
        }
    }

    let session: Session
    let parts: Parts
    var history: HistoryFile
    let options: ScriptRunner.Options
    /// The config's profiles, for `\profile` and completion (read when the target changes, not
    /// on every Tab).
    var profileNames: [String]
    /// What succeeded, for `\save`.
    let log = SessionLog()
    /// The target the session started on (the saved runbook's header names it).
    let firstTarget: String
    /// The entry running now: the log keeps its statements' text.
    private var running: SourceFile?

    /// A prompt over a session that has its target (`Session.connect`).
    init(session: Session, options: ScriptRunner.Options, parts: Parts) {
        self.session = session
        self.parts = parts
        self.options = options
        self.history = Self.historyFile(for: session.target!, environment: parts.environment)
        self.profileNames = TargetResolver.profileNames(environment: parts.environment)
        firstTarget = session.target!.label
        session.showsProgress = parts.reader.isInteractive
        session.confirmer = { [unowned self] request in self.confirm(request) }
        session.finishedStatement = { [unowned self] statement, error in
            if error == nil, let running = self.running { self.log.succeeded(statement, in: running) }
        }
        parts.reader.replaceHistory(history.load())
    }

    /// The session's target: there is one from the start (`init`), and `\profile` replaces it.
    var target: SessionTarget { session.target! }

    static func initialSettings(_ options: ScriptRunner.Options) -> ScriptSettings {
        var settings = ScriptRunner.settings(options, defaultOutput: .table)
        // At the prompt `delete` and large mutations ask first, unless `--yes`; a failed
        // statement of an entry does not stop the ones after it (GrammarTable's defaults).
        settings.confirm = !options.yes
        settings.continueOnError = true
        return settings
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
        guard session.colors, target.confirmsEveryMutation else { return name + "> " }
        // \u{1} brackets bytes libedit must not count as printed (EL_PROMPT_ESC).
        return "\u{1}\u{1B}[1;31m\u{1}" + name + "\u{1}\u{1B}[0m\u{1}> "
    }

    var continuationPrompt: String { String(repeating: " ", count: max(0, target.label.count + 3)) + "...> " }

    /// Runs until Ctrl-D, end of input or `exit`; returns `exit`'s status, else 0.
    public func run() async -> ExitStatus {
        session.begin("prompt")
        session.announce()
        session.sink.message(Wording.promptGreeting)
        var pending = ContinuationBuffer()
        while true {
            switch parts.reader.readLine(prompt: pending.isEmpty ? mainPrompt : continuationPrompt) {
            case .interrupted:
                pending.clear()
            case .endOfInput:
                if !pending.isEmpty { session.sink.message(Wording.promptIncompleteDropped) }
                return .success
            case .line(let line):
                guard let entry = pending.add(line)?.text else { continue }
                record(entry)
                session.transcript?.entered(entry, prompt: Self.plain(mainPrompt))
                if entry.trimmingCharacters(in: .whitespaces).hasPrefix("\\") {
                    if await command(entry.trimmingCharacters(in: .whitespaces)) == false { return .success }
                    continue
                }
                await execute(entry)
                if let status = session.exitRequested { return status }
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
        let cancellation = session.cancellation
        cancellation.reset()
        _ = parts.takeInterrupt()  // a Ctrl-C from before the entry is not for this statement
        let file = SourceFile(name: "<prompt>", text: entry)
        running = file
        defer { running = nil }
        let boxed = UncheckedBox(session)
        let task = Task { await boxed.value.submit(file, origin: .prompt) }
        let takeInterrupt = parts.takeInterrupt
        // The terminal echoes ^C without a newline; end that line before the report.
        let endEchoedLine = parts.reader.isInteractive ? session.sink.message : { _ in }
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
        if dropped > 0 { session.sink.message(Wording.typeAheadDropped(bytes: dropped)) }
        let question = Wording.confirmQuestion(request, target: target.label)
        let answer: String
        switch parts.reader.readLine(prompt: question) {
        case .line(let line): answer = line
        case .interrupted, .endOfInput: answer = ""
        }
        session.transcript?.write(question + answer + "\n")
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
            session.sink.message(Wording.profileUsage(current: target.label, known: profileNames))
        case "\\save":
            let path = entry.dropFirst(words[0].count).trimmingCharacters(in: .whitespaces)
            save(to: path)
        default:
            session.sink.message(Wording.unknownPromptCommand(words.first ?? entry))
        }
        return true
    }

    /// `\save FILE`: the session's statements that succeeded, as a new runbook file (never
    /// over an existing one: a file is not lost to a typo).
    func save(to argument: String) {
        guard !argument.isEmpty else { return session.sink.message(Wording.saveUsage) }
        guard log.statementCount > 0 else { return session.sink.message(Wording.nothingToSave) }
        var path = argument
        if path.hasPrefix("~/"), let home = parts.environment["HOME"] { path = home + path.dropFirst(1) }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            let reason = errno
            return session.sink.message(
                reason == EEXIST ? Wording.saveRefused(path) : Wording.saveFailed(path, ScriptFileReader.reason(reason)))
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        do {
            try handle.write(contentsOf: Data(log.runbook(target: firstTarget).utf8))
            try handle.close()
        } catch {
            return session.sink.message(Wording.saveFailed(path, error.localizedDescription))
        }
        session.sink.message(Wording.saved(log.statementCount, to: path))
    }

    /// `\profile NAME`: a new target and history (`Session.replaceTarget` says what carries over).
    func switchProfile(_ name: String) async {
        var request = ScriptRunner.targetRequest(
            options, settings: session.settings, trace: options.verbose ? session.sink.message : nil)
        request.endpoint = nil
        request.sandbox = false
        request.profile = name
        switch TargetResolver.resolve(request, environment: parts.environment, warn: session.sink.message) {
        case .failure(let failure):
            session.sink.message(failure.message)
        case .success(let next):
            await session.replaceTarget(with: next)
            log.switched(to: next.label)
            profileNames = TargetResolver.profileNames(environment: parts.environment)
            history = Self.historyFile(for: next, environment: parts.environment)
            parts.reader.replaceHistory(history.load())
            session.announce()
            session.sink.message(Wording.profileSwitched(next.label))
        }
    }

    /// What Tab offers for the text before the cursor.
    public func complete(_ beforeCursor: String) -> CompletionResult {
        CompletionEngine(
            variables: Array(session.variables.keys), campaigns: target.operations.seen.all, profiles: profileNames
        ).complete(beforeCursor)
    }
}

/// Hands the session to the task that runs a statement. Safe: the prompt waits for that task
/// before touching the session again (completion and confirmation happen on the
/// same logical thread of control, inside the run).
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
