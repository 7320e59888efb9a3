import CampaignScript

/// The sentences of running scripts, pipes and `-c` text.
extension Wording {
    static func usingSandbox(path: String) -> String {
        "cops: using the built-in sandbox (\(path)); nothing real is touched\n"
    }

    static func cannotLaunch(id: Int64, type: String) -> String {
        type == "trigger"
            ? "campaign \(id) is a trigger campaign; its trigger launches it"
            : "campaign \(id) has type '\(type)'; only broadcast and regular campaigns can be launched"
    }

    static func cannotRead(_ path: String, _ why: String) -> String {
        "cops: cannot read '\(path)': \(why)\n"
    }

    static func checked(_ path: String) -> String { "\(path): ok\n" }

    static let tokenMissing = "cops: --endpoint needs a token in the environment variable ALTCRAFT_TOKEN\n"

    static func badEndpoint(_ why: String) -> String { "cops: \(why)\n" }

    static func sandboxUnusable(_ why: String) -> String { "cops: \(why)\n" }

    // Usage errors: ArgumentParser prefixes "Error: " and exits 64.
    public static let usageEndpointAndSandbox = "give either --endpoint or --sandbox, not both"
    public static let usageCheckNeedsFiles = "--check needs at least one script file"
    public static let usageCheckWithCommand = "--check takes script files, not -c text"
    public static let usageScriptAndCommand = "give either a script file or -c text, not both"
    public static let usageConcurrency = "--concurrency must be between 1 and 64"
    public static let usageRetries = "--retries must be between 0 and 10"
    public static func usageTimeout(_ text: String) -> String {
        "--timeout: '\(text)' is not a duration such as 30s or 1m30s"
    }
    public static func usageUnknownOption(_ text: String) -> String { "unknown option '\(text)'" }

    /// With a terminal on stdin and nothing to run.
    public static let promptNotYet = """
        cops: the interactive prompt comes in a later version.
        Run a script:      cops runbook.cops [ARGS…]
        Run statements:    cops -c 'status 15'
        Pipe statements:   echo 'list active' | cops
        Check a script:    cops --check runbook.cops
        See everything:    cops --help

        """

    public static let copsAbstract = "Operate Altcraft Platform campaigns."
    public static let copsDiscussion = """
        Runs campaign-ops scripts (see docs/language.md): a file with arguments, -c text, or \
        statements piped on stdin. Scripts are parsed and checked whole first; nothing is sent \
        if any statement has an error. With no --endpoint, cops uses the built-in sandbox.

        Exit status: 0 ok, 1 a statement failed, 64 bad usage, 65 script errors (nothing sent), \
        66 unreadable script, 69 API unreachable, 77 token refused, 78 bad configuration, \
        130 interrupted.

        Examples:
          cops -c 'deactivate 15 abort; status 15'
          cops --dry-run examples/stop-runaway-campaign.cops 15
          cops --check examples/*.cops
          ALTCRAFT_TOKEN=… cops --endpoint https://ru.altkraft.com runbook.cops
        """
}
