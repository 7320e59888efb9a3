import AltcraftAPI
import ArgumentParser
import CampaignScript
import CopsShell
import Foundation

/// The `cops` command line as ArgumentParser declares it: the reference for help, completion
/// scripts, usage errors and the man page. Its options' names and help come from
/// `CommandLineOption`, which `Invocation.parse` reads too for the everyday command lines
/// (start-up time); `CopsProgram` decides which of the two reads a line.
public struct Cops: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "cops",
        abstract: Wording.copsAbstract,
        usage: Wording.copsUsage,
        discussion: Wording.copsDiscussion,
        version: CopsVersion.current,
        subcommands: [SandboxCommand.self, FormatCommand.self])

    @Option(name: .of(.commands), help: .of(.commands)) var commands: [String] = []
    @Flag(name: .of(.check), help: .of(.check)) var check = false
    @Flag(name: .of(.dryRun), help: .of(.dryRun)) var dryRun = false
    @Option(name: .of(.output), help: .of(.output)) var output: OutputFormat?
    @Flag(name: .of(.continueOnError), help: .of(.continueOnError)) var continueOnError = false
    @Option(name: .of(.concurrency), help: .of(.concurrency)) var concurrency: Int?
    @Option(name: .of(.timeout), help: .of(.timeout)) var timeout: String?
    @Option(name: .of(.retries), help: .of(.retries)) var retries: Int?
    @Option(name: .of(.endpoint), help: .of(.endpoint)) var endpoint: String?
    @Flag(name: .of(.sandbox), help: .of(.sandbox)) var sandbox = false
    @Option(name: .of(.profile), help: .of(.profile)) var profile: String?
    @Option(name: .of(.format), help: .of(.format)) var format: ClientConfiguration.WireFormat?
    @Flag(name: .of(.yes), help: .of(.yes)) var yes = false
    @Flag(name: .of(.stream), help: .of(.stream)) var stream = false
    @Option(name: .of(.color), help: .of(.color)) var color: ScriptRunner.ColorChoice = .auto
    @Flag(name: .of(.verbose), help: .of(.verbose)) var verbose = false
    @Option(name: .of(.transcript), help: .of(.transcript)) var transcript: String?
    @Option(name: .of(.journal), help: .of(.journal)) var journal: String?
    @Option(name: .of(.cacert), help: .of(.cacert)) var cacert: String?
    @Flag(name: .of(.usage), help: .of(.usage)) var usage = false
    @Flag(name: .of(.resume), help: .of(.resume)) var resume = false

    /// `captureForPassthrough`: everything from the file on is the script's, options and `--`
    /// included (`bash FILE ARGS`); `allUnrecognized` would take cops's options out of it.
    @Argument(
        parsing: .captureForPassthrough,
        help: ArgumentHelp("A script file (- for stdin) and its arguments ($1..$9).", valueName: "file"))
    var script: [String] = []

    public init() {}

    /// The parsed values.
    public var invocation: Invocation {
        var invocation = Invocation()
        invocation.commands = commands
        invocation.check = check
        invocation.stream = stream
        invocation.usage = usage
        invocation.timeout = timeout
        // A `--` before the file only ends cops's options (ArgumentParser keeps it).
        invocation.script = script.first == "--" ? Array(script.dropFirst()) : script
        invocation.options.output = output
        invocation.options.dryRun = dryRun
        invocation.options.continueOnError = continueOnError
        invocation.options.concurrency = concurrency
        invocation.options.retries = retries
        invocation.options.endpoint = endpoint
        invocation.options.sandbox = sandbox
        invocation.options.profile = profile
        invocation.options.wireFormat = format
        invocation.options.yes = yes
        invocation.options.color = color
        invocation.options.verbose = verbose
        invocation.options.transcriptPath = transcript
        invocation.options.journalPath = journal
        invocation.options.caFile = cacert
        invocation.options.resume = resume
        return invocation
    }

    public func validate() throws {
        // With `captureForPassthrough` the first word ArgumentParser does not know starts the
        // script's words, its own `--help` and `--version` included: they count only before a file.
        switch script.first {
        case "-h", "--help", "-help": throw CleanExit.helpRequest(self)
        case "--version": throw CleanExit.message(CopsVersion.current)
        case "--experimental-dump-help": throw CleanExit.message(Self._dumpHelp())
        default: break
        }
        if let message = invocation.usageError() { throw ValidationError(message) }
    }

    public func run() async throws {
        throw ExitCode(await invocation.run().rawValue)
    }
}

// Help and completion list the values the declaration allows.
extension OutputFormat: ExpressibleByArgument {
    public static var allValueStrings: [String] { CommandLineOption.output.allowedValues }
}
extension ClientConfiguration.WireFormat: ExpressibleByArgument {
    public static var allValueStrings: [String] { CommandLineOption.format.allowedValues }
}
extension ScriptRunner.ColorChoice: ExpressibleByArgument {
    public static var allValueStrings: [String] { CommandLineOption.color.allowedValues }
}

extension NameSpecification {
    /// The names of a declared option: `-o` and `--output` as ArgumentParser spells them.
    static func of(_ option: CommandLineOption) -> NameSpecification {
        NameSpecification(
            option.spellings.map { spelling in
                spelling.hasPrefix("--") ? .customLong(String(spelling.dropFirst(2))) : .customShort(spelling.last!)
            })
    }
}

extension ArgumentHelp {
    /// The help of a declared option, with its value name.
    static func of(_ option: CommandLineOption) -> ArgumentHelp {
        ArgumentHelp(option.help, valueName: option.valueName)
    }
}

/// `cops sandbox …` and `cops fmt …`, parsed apart from `Cops` (whose script-file argument
/// would take `sandbox` as a file name) under a root named `cops`, so that their help and usage
/// lines say `cops sandbox serve` as the user types it.
struct SubcommandRoot: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cops", version: CopsVersion.current, subcommands: [SandboxCommand.self, FormatCommand.self])
}

/// `cops fmt [--check] [--diff] [FILE…]`: `FormatRunner` does the work.
public struct FormatCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "fmt", abstract: Wording.formatAbstract, discussion: Wording.formatDiscussion)

    @Flag(help: "Change nothing; name the files whose layout would change and exit 1 if any would.")
    var check = false
    @Flag(help: "Change nothing; print what would change as a unified diff.") var diff = false
    @Argument(help: ArgumentHelp("Script files and Markdown runbooks (- or none: stdin to stdout).", valueName: "file"))
    var files: [String] = []

    public init() {}

    public func run() throws {
        let status = FormatRunner.run(files, options: FormatRunner.Options(check: check, diff: diff))
        if status != .success { throw ExitCode(status.rawValue) }
    }
}

public struct SandboxCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "sandbox", abstract: "The simulated Altcraft API.", subcommands: [Serve.self, Reset.self])

    public init() {}

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: Wording.sandboxServeAbstract, discussion: Wording.sandboxServeDiscussion)

        @Option(help: ArgumentHelp("Address to listen on (loopback only is wise).", valueName: "address")) var host = "127.0.0.1"
        @Option(help: "Port to listen on; 0 picks a free one and prints it.") var port = 0
        @Option(help: "The only token accepted (default: the sandbox token named above).") var token: String?
        @Option(help: ArgumentHelp("Share of requests answered 500, before any change (0-1).", valueName: "share"))
        var failRate = 0.0
        @Option(
            help: ArgumentHelp(
                "Share of requests whose connection drops mid-answer, after the change (0-1).", valueName: "share"))
        var resetRate = 0.0
        @Option(help: ArgumentHelp("Share of requests answered with headers only, then closed (0-1).", valueName: "share"))
        var closeRate = 0.0
        @Option(help: ArgumentHelp("Share of requests never answered (0-1).", valueName: "share")) var stallRate = 0.0
        @Option(help: ArgumentHelp("Delay per answer: a duration (50ms) or a range (20ms..200ms).", valueName: "duration"))
        var latency: String?
        @Option(help: ArgumentHelp("Requests per second allowed; more get 429 with Retry-After.", valueName: "n"))
        var rateLimit: Int?
        @Option(help: ArgumentHelp("Seed of the fault sequence.", valueName: "n")) var seed: UInt64 = 1
        @Option(help: ArgumentHelp("Generate campaigns so that every ID up to N exists.", valueName: "n")) var campaigns = 0
        @Option(help: ArgumentHelp("Serve the saved state in this directory instead of a fresh seed.", valueName: "dir"))
        var state: String?
        @Option(help: ArgumentHelp("Serve https with this certificate chain (PEM); needs --tls-key.", valueName: "pem"))
        var tlsCert: String?
        @Option(help: ArgumentHelp("The private key of --tls-cert (PEM, unencrypted).", valueName: "pem"))
        var tlsKey: String?
        @Option(
            help: ArgumentHelp("Demand client certificates signed by this CA (PEM): mutual TLS.", valueName: "pem"))
        var tlsClientCa: String?
        @Option(
            help: ArgumentHelp(
                "Append one JSON line per answered request to this file (never the token).", valueName: "file"))
        var requestLog: String?

        func validate() throws {
            for (name, rate) in [
                ("fail-rate", failRate), ("reset-rate", resetRate), ("close-rate", closeRate), ("stall-rate", stallRate),
            ]
            where !(0...1).contains(rate) {
                throw ValidationError("--\(name) must be between 0 and 1")
            }
            if let latency, DurationText.range(latency) == nil {
                throw ValidationError("--latency: '\(latency)' is not a duration such as 50ms or 20ms..200ms")
            }
            // A port beyond 65535 was taken modulo 65536 (99999 listened on 34463).
            if !(0...65535).contains(port) { throw ValidationError("--port must be between 0 and 65535") }
            if let rateLimit, rateLimit < 1 { throw ValidationError("--rate-limit must be at least 1") }
            if !(0...1_000_000).contains(campaigns) { throw ValidationError("--campaigns must be between 0 and 1000000") }
            if let token, !Redactor.isMaskable(token: token) { throw ValidationError(Wording.tokenTooShort("--token")) }
            if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError(Wording.usageTLSPair) }
            if tlsClientCa != nil, tlsCert == nil { throw ValidationError(Wording.usageTLSClientCA) }
        }

        func run() async throws {
            var options = SandboxService.ServeOptions()
            options.host = host
            options.port = port
            if let token { options.token = token }
            options.faults.failRate = failRate
            options.faults.resetRate = resetRate
            options.faults.closeAfterHeadersRate = closeRate
            options.faults.stallRate = stallRate
            options.faults.latency = latency.flatMap(DurationText.range)
            options.faults.rateLimit = rateLimit
            options.faults.seed = seed
            options.fillTo = campaigns
            options.stateDirectory = state
            options.tlsCertificatePath = tlsCert
            options.tlsKeyPath = tlsKey
            options.tlsClientCAPath = tlsClientCa
            options.requestLogPath = requestLog
            let status = try await SandboxService.serve(options)
            if status != .success { throw ExitCode(status.rawValue) }
        }
    }

    struct Reset: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: Wording.sandboxResetAbstract)
        @Option(help: ArgumentHelp("The state directory (default: $XDG_STATE_HOME/cops).", valueName: "dir"))
        var state: String?
        @Option(help: ArgumentHelp("Generate campaigns so that every ID up to N exists.", valueName: "n")) var campaigns = 0

        func run() throws {
            try SandboxService.reset(stateDirectory: state, fillTo: campaigns)
        }
    }
}
