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
        "cops: " + DiagnosticRenderer.cannotRead(path, why) + "\n"
    }

    /// A script file that cannot be read; when it does not exist and is named like a command
    /// that only the first word starts (`cops --endpoint URL plan FILE`), says so.
    static func cannotReadScript(_ path: String, _ why: String) -> String {
        guard Invocation.firstWordCommands.contains(path), why == ScriptFileReader.missingFile else {
            return cannotRead(path, why)
        }
        return cannotRead(path, why)
            + "cops: '\(path)' is a command only as the first word: cops \(path) …; cops's options come after it\n"
    }

    static func checked(_ path: String) -> String { "\(path): ok\n" }

    // A runbook's declared parameters (`param`) and its arguments.
    static func missingArgument(_ name: String) -> String { "cops: missing argument \(name)\n" }
    static func unexpectedArgument(_ text: String) -> String { "cops: unexpected argument '\(text)'\n" }
    static func runbookUsageLine(name: String, words: [String]) -> String {
        "usage: " + ([name] + words).joined(separator: " ")
    }
    /// A parameter's line after its name: its description, then its default if it has one.
    static func parameterExplanation(description: String?, defaultText: String?) -> String {
        let pieces = [description, defaultText.map { "(default: \($0))" }].compactMap(\.self)
        return pieces.joined(separator: " ")
    }

    static let tokenMissing = "cops: --endpoint needs a token in the environment variable ALTCRAFT_TOKEN\n"

    static func badEndpoint(_ why: String) -> String { "cops: \(why)\n" }

    static func sandboxUnusable(_ why: String) -> String { "cops: \(why)\n" }

    // Usage errors: ArgumentParser prefixes "Error: " and exits 64.
    public static let usageEndpointAndSandbox = "give either --endpoint or --sandbox, not both"
    public static let usageCheckNeedsFiles = "--check needs at least one script file"
    public static let usageCheckWithCommand = "--check takes script files, not -c text"
    public static let usageScriptAndCommand = "give either a script file or -c text, not both"
    public static func usageOutOfRange(_ flag: String, _ range: ClosedRange<Int64>) -> String {
        "\(flag) must be between \(range.lowerBound) and \(range.upperBound)"
    }
    public static func usageTimeout(_ text: String) -> String {
        "--timeout: '\(text)' is not a duration such as 30s or 1m30s"
    }
    public static func usageUnknownOption(_ text: String) -> String { "unknown option '\(text)'" }

    public static let usageProfileAndTarget = "give either --profile or --endpoint/--sandbox, not both"
    public static let usageStreamReadsStdin = "--stream runs statements from stdin; it takes no script file or -c text"
    public static let usageUsageNeedsFile = "--usage takes one runbook file (and no -c, --check or --stream)"
    public static let usageResumeNeedsFile =
        "--resume takes a runbook file, after the journal if one is named (and no -c, --check, --stream, --usage or --dry-run)"

    /// `cops help TOPIC` for a topic that is not a subcommand.
    public static func noHelpTopic(_ topic: String) -> String {
        "cops: no help topic '\(topic)'; try 'cops --help', 'cops help sandbox [serve|reset]', 'cops help fmt', "
            + "or for a statement cops -c 'help \(topic)'"
    }

    /// A transcript header's target when none could be chosen (the run stops with 78).
    static let transcriptNoTarget = "no target (bad configuration)"

    public static let copsAbstract = "Operate Altcraft Platform campaigns."
    /// ArgumentParser's own would read `cops [<options>] [<file> ...] <subcommand>`.
    public static let copsUsage = """
        cops [<options>] [<file> [<argument> ...]]
        cops --resume [<run>.jsonl] <file> [<argument> ...]
        cops sandbox serve|reset [<options>]
        cops fmt [--check] [--diff] [<file> ...]
        cops plan [<options>] --out <plan> <file> [<argument> ...]
        cops show-plan <plan> [-o table|json]
        cops apply [<options>] <plan>
        cops runs [-o table|json]
        cops lsp
        cops help [sandbox [serve|reset]|fmt]
        """
    public static let copsDiscussion = """
        With a terminal and nothing to run, cops opens an interactive prompt (history, Tab \
        completion, Ctrl-C cancels a running statement). Otherwise it runs campaign-ops scripts \
        (see docs/language.md): a file with arguments, -c text, or statements piped on stdin \
        (--stream runs each as soon as it is complete). Scripts are parsed and checked whole \
        first; nothing is sent if any statement has an error.

        Where requests go: --sandbox; --endpoint URL with the token in ALTCRAFT_TOKEN; -p PROFILE, \
        COPS_PROFILE or the default profile of $XDG_CONFIG_HOME/cops/config.toml; else the \
        built-in sandbox, with its state in $XDG_STATE_HOME/cops. Tokens are never taken \
        from the command line.

        A run that changes something keeps a journal (cops runs lists them). If it died, was \
        interrupted or failed, cops --resume FILE ARGS reruns it, skipping the changes the \
        journal records as done and settling unknown ones by reading; it never resends a \
        clone or an immediate start whose outcome is unknown, but stops (75) and says what \
        to check (docs/changes.md, "Resume").

        Also: cops sandbox serve (the simulated API over HTTP), cops sandbox reset, \
        cops fmt (lay out scripts), cops plan / show-plan / apply (a reviewed change: \
        docs/changes.md), cops runs (recent runs that changed something), cops lsp (a language server for editors, on stdin/stdout; \
        docs/editors.md), cops --generate-completion-script bash|zsh|fish. Help: \
        cops help sandbox [serve|reset], cops help fmt; \
        the language's statements: cops -c 'help deactivate'. A script file named help runs \
        as cops ./help.

        Exit status: 0 ok, 1 a statement failed, 64 bad usage, 65 script errors (nothing sent), \
        66 unreadable script, 69 API unreachable, 75 drift from a plan, 76 plan or journal \
        refused, 77 token refused, 78 bad configuration, 130 interrupted.

        Examples:
          cops -c 'deactivate 15 abort; status 15'
          cops --dry-run examples/stop-runaway-campaign.cops 15
          cops --check examples/*.cops
          cops -p prod -c 'deactivate 15 abort'
          ALTCRAFT_TOKEN=... cops --endpoint https://ru.altkraft.com runbook.cops
        """
}
