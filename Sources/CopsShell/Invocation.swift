import AltcraftAPI
import CampaignScript

#if canImport(Glibc)
    import Glibc
#endif

/// What a `cops` command line asks for, as plain values. Both readers of the options that
/// `CommandLineOption` declares fill it: `parse` reads the everyday command lines without
/// ArgumentParser, whose reflection over its property wrappers cost a one-shot run a few
/// milliseconds every time (docs/performance.md); ArgumentParser's `Cops` reads the rest and
/// owns help, completion scripts and usage messages.
public struct Invocation: Equatable, Sendable {
    /// `-c` texts, in order.
    public var commands: [String] = []
    /// `--check`.
    public var check = false
    /// `--stream`.
    public var stream = false
    /// `--usage`.
    public var usage = false
    /// `--timeout` as written (the usage error quotes it; `run` converts it).
    public var timeout: String?
    /// A script file (`-` for stdin) and its arguments.
    public var script: [String] = []
    /// Everything else, as the runner takes it.
    public var options = ScriptRunner.Options()

    public init() {}

    /// What is wrong with this combination, in the words the usage error prints; nil when fine.
    public func usageError() -> String? {
        if let concurrency = options.concurrency, let message = Self.outOfRange(.concurrency, concurrency) { return message }
        if let retries = options.retries, let message = Self.outOfRange(.retries, retries) { return message }
        if let timeout, (DurationText.milliseconds(timeout) ?? 0) <= 0 { return Wording.usageTimeout(timeout) }
        // Unknown flags are collected with the script's arguments; before the file they are usage errors.
        if let first = script.first, first.hasPrefix("-"), first != "-" { return Wording.usageUnknownOption(first) }
        if options.endpoint != nil, options.sandbox { return Wording.usageEndpointAndSandbox }
        if options.profile != nil, options.endpoint != nil || options.sandbox { return Wording.usageProfileAndTarget }
        if stream, !commands.isEmpty || !(script.isEmpty || script == ["-"]) { return Wording.usageStreamReadsStdin }
        if options.resume,
            script.isEmpty || script == ["-"] || (script.count == 1 && script[0].hasSuffix(".jsonl"))
                || !commands.isEmpty || stream || check || usage || options.dryRun
        {
            return Wording.usageResumeNeedsFile
        }
        if usage, script.count != 1 || script == ["-"] || !commands.isEmpty || check || stream {
            return Wording.usageUsageNeedsFile
        }
        if check {
            if script.isEmpty { return Wording.usageCheckNeedsFiles }
            if !commands.isEmpty { return Wording.usageCheckWithCommand }
        } else if !commands.isEmpty, !script.isEmpty {
            return Wording.usageScriptAndCommand
        }
        return nil
    }

    /// The usage error of an integer outside the option's range (the grammar table's).
    private static func outOfRange(_ option: CommandLineOption, _ value: Int) -> String? {
        guard let range = option.range, !range.contains(Int64(value)) else { return nil }
        return Wording.usageOutOfRange(option.spellings.last!, range)
    }

    /// Runs what the command line asks for; the caller exits with the status right after.
    public func run() async -> ExitStatus {
        if check { return await ScriptRunner.check(script, color: options.color) }
        if usage { return await ScriptRunner.usage(script[0], color: options.color) }
        var options = self.options
        options.timeoutMilliseconds = timeout.flatMap(DurationText.seconds).map { Int64(($0 * 1000).rounded()) }
        let input: ScriptRunner.Input
        if !commands.isEmpty {
            input = .commands(commands)
        } else if !script.isEmpty, !stream {
            var words = script
            // `--resume RUN FILE`: a first word naming a journal (`.jsonl`) is the RUN.
            if options.resume, words.count > 1, words[0].hasSuffix(".jsonl") { options.resumeRun = words.removeFirst() }
            input = .file(words[0])
            options.arguments = Array(words.dropFirst())
        } else if stream {
            let chosen = options
            let cancellation = CancellationSwitch()
            return await ScriptRunner.withInterruptHandling(cancellation) {
                await ScriptRunner.stream(options: chosen, cancellation: cancellation)
            }
        } else if isatty(STDIN_FILENO) == 1 {
            return await ScriptRunner.prompt(options: options)
        } else {
            input = .standardInput
        }
        let chosen = options
        let cancellation = CancellationSwitch()
        return await ScriptRunner.withInterruptHandling(cancellation) {
            await ScriptRunner.run(input, options: chosen, cancellation: cancellation)
        }
    }

    // MARK: - Reading a command line

    /// Reads a command line made of known options with valid values, then a script file and
    /// its arguments, each option at most once (`-c` may repeat) and no usage error. Anything
    /// else before the file (help, version, completion scripts, `--`, unknown, repeated or
    /// grouped options, values that start with `-`, the `help`, `sandbox` and `fmt` words) returns
    /// nil, and ArgumentParser reads the line instead, with its messages.
    /// The commands that only the first word of a command line starts (`CopsProgram` looks
    /// for them before this reader): anywhere else the word is a script file's name.
    public static let firstWordCommands: Set<String> = ["plan", "show-plan", "apply", "runs", "lsp"]

    public static func parse(_ arguments: [String]) -> Invocation? {
        var invocation = Invocation()
        var seen: UInt32 = 0  // a bit per option (see `CommandLineOption(spelled:)` on why not a Set)
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("-"), argument != "-" else {
                if argument == "help" || argument == "sandbox" || argument == "fmt" { return nil }
                // The file ends cops's options: what follows is the script's, `--` and
                // option-like words included, as with `bash FILE ARGS` and `python FILE ARGS`.
                invocation.script = Array(arguments[(index - 1)...])
                break
            }
            var name = argument
            var attached: String?
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                attached = String(argument[argument.index(after: equals)...])
            }
            guard let option = CommandLineOption(spelled: name) else { return nil }
            let bit: UInt32 = 1 << option.rawValue
            guard seen & bit == 0 || option == .commands else { return nil }
            seen |= bit
            if option.isFlag {
                guard attached == nil else { return nil }
                invocation.set(option, "")
                continue
            }
            guard let value = attached ?? (index < arguments.count ? arguments[index] : nil) else { return nil }
            if attached == nil { index += 1 }
            guard !value.hasPrefix("-"), invocation.set(option, value) else { return nil }
        }
        return invocation.usageError() == nil ? invocation : nil
    }

    /// Sets one option; false when the value is not one it takes.
    @discardableResult
    private mutating func set(_ option: CommandLineOption, _ value: String) -> Bool {
        switch option {
        case .commands: commands.append(value)
        case .check: check = true
        case .stream: stream = true
        case .usage: usage = true
        case .resume: options.resume = true
        case .timeout: timeout = value
        case .dryRun: options.dryRun = true
        case .continueOnError: options.continueOnError = true
        case .sandbox: options.sandbox = true
        case .yes: options.yes = true
        case .verbose: options.verbose = true
        case .endpoint: options.endpoint = value
        case .profile: options.profile = value
        case .transcript: options.transcriptPath = value
        case .journal: options.journalPath = value
        case .cacert: options.caFile = value
        case .concurrency:
            guard let number = Int(value) else { return false }
            options.concurrency = number
        case .retries:
            guard let number = Int(value) else { return false }
            options.retries = number
        case .output:
            guard let format = OutputFormat(rawValue: value) else { return false }
            options.output = format
        case .format:
            guard let wire = ClientConfiguration.WireFormat(rawValue: value) else { return false }
            options.wireFormat = wire
        case .color:
            guard let choice = ScriptRunner.ColorChoice(rawValue: value) else { return false }
            options.color = choice
        }
        return true
    }
}
