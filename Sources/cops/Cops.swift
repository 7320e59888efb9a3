import ArgumentParser
import CopsShell
import Foundation

@main
struct Cops: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cops",
        abstract: "Operate Altcraft Platform campaigns.",
        version: CopsVersion.current,
        subcommands: [SandboxCommand.self])
}

struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox", abstract: "The simulated Altcraft API.", subcommands: [Serve.self, Reset.self])

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: Wording.sandboxServeAbstract, discussion: Wording.sandboxServeDiscussion)

        @Option(help: "Address to listen on (loopback only is wise).") var host = "127.0.0.1"
        @Option(help: "Port to listen on; 0 picks a free one and prints it.") var port = 0
        @Option(help: "The only token accepted (default: the sandbox token named above).") var token: String?
        @Option(help: "Share of requests answered 500, before any change (0–1).") var failRate = 0.0
        @Option(help: "Share of requests whose connection drops mid-answer, after the change (0–1).") var resetRate = 0.0
        @Option(help: "Share of requests answered with headers only, then closed (0–1).") var closeRate = 0.0
        @Option(help: "Share of requests never answered (0–1).") var stallRate = 0.0
        @Option(help: "Delay per answer: a duration (50ms) or a range (20ms..200ms).") var latency: String?
        @Option(help: "Requests per second allowed; more get 429 with Retry-After.") var rateLimit: Int?
        @Option(help: "Seed of the fault sequence.") var seed: UInt64 = 1
        @Option(help: "Generate campaigns so that every ID up to N exists.") var campaigns = 0
        @Option(help: "Serve the saved state in this directory instead of a fresh seed.") var state: String?

        func validate() throws {
            for (name, rate) in [("fail-rate", failRate), ("reset-rate", resetRate), ("close-rate", closeRate), ("stall-rate", stallRate)]
            where !(0...1).contains(rate) {
                throw ValidationError("--\(name) must be between 0 and 1")
            }
            if let latency, DurationText.range(latency) == nil {
                throw ValidationError("--latency: '\(latency)' is not a duration such as 50ms or 20ms..200ms")
            }
            if let rateLimit, rateLimit < 1 { throw ValidationError("--rate-limit must be at least 1") }
            if !(0...1_000_000).contains(campaigns) { throw ValidationError("--campaigns must be between 0 and 1000000") }
            if let token, token.isEmpty { throw ValidationError("--token must not be empty") }
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
            try await SandboxService.serve(options)
        }
    }

    struct Reset: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: Wording.sandboxResetAbstract)
        @Option(help: "The state directory (default: $XDG_STATE_HOME/cops).") var state: String?
        @Option(help: "Generate campaigns so that every ID up to N exists.") var campaigns = 0

        func run() throws {
            try SandboxService.reset(stateDirectory: state, fillTo: campaigns)
        }
    }
}
