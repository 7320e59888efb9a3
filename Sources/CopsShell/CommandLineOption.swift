import AltcraftAPI
import CampaignScript

/// The options of `cops` itself (not of `cops sandbox …`), declared once. `Invocation.parse`
/// reads the spellings and whether a value follows; ArgumentParser's `Cops` takes its names,
/// value names and help from here, and its help, completion scripts, usage errors and the man
/// page follow from it. Where an option is a setting of the language (`--concurrency N` is
/// `set concurrency N`), the values it takes come from the grammar table.
///
/// Each fact is a `switch` rather than a table of values: `Invocation.parse` runs first in
/// every run, and looking up a spelling here costs no Dictionary, Set or array of structs
/// built at start-up (see `init(spelled:)`).
public enum CommandLineOption: Int, CaseIterable, Sendable {
    case commands, check, dryRun, output, continueOnError, concurrency, timeout, retries, endpoint, sandbox
    case profile, format, yes, stream, color, verbose, transcript, journal, cacert, usage, resume

    /// The spellings, the short one first.
    public var spellings: [String] {
        switch self {
        case .commands: ["-c"]
        case .check: ["--check"]
        case .dryRun: ["--dry-run"]
        case .output: ["-o", "--output"]
        case .continueOnError: ["--continue-on-error"]
        case .concurrency: ["--concurrency"]
        case .timeout: ["--timeout"]
        case .retries: ["--retries"]
        case .endpoint: ["--endpoint"]
        case .sandbox: ["--sandbox"]
        case .profile: ["-p", "--profile"]
        case .format: ["--format"]
        case .yes: ["-y", "--yes"]
        case .stream: ["--stream"]
        case .color: ["--color"]
        case .verbose: ["-v", "--verbose"]
        case .transcript: ["--transcript"]
        case .journal: ["--journal"]
        case .cacert: ["--cacert"]
        case .usage: ["--usage"]
        case .resume: ["--resume"]
        }
    }

    /// What help calls the value (`-c <text>`); nil for a flag, which takes none.
    public var valueName: String? {
        switch self {
        case .commands: "text"
        case .output: "format"
        case .concurrency, .retries: "n"
        case .timeout: "duration"
        case .endpoint: "url"
        case .profile: "name"
        case .format: "wire-format"
        case .color: "when"
        case .transcript, .journal, .cacert: "file"
        case .check, .dryRun, .continueOnError, .sandbox, .yes, .stream, .verbose, .usage, .resume: nil
        }
    }

    /// True for a flag: it takes no value.
    public var isFlag: Bool { valueName == nil }

    /// The words the value must be, when they are fixed (help and completion list them).
    public var allowedValues: [String] {
        switch self {
        case .output: OutputFormat.allCases.map(\.rawValue)
        case .format: ClientConfiguration.WireFormat.allCases.map(\.rawValue)
        case .color: ScriptRunner.ColorChoice.allCases.map(\.rawValue)
        default: []
        }
    }

    /// The language setting whose values the option takes, if it is one.
    public var setting: SettingSpec? {
        switch self {
        case .concurrency: GrammarTable.setting(named: "concurrency")
        case .retries: GrammarTable.setting(named: "retries")
        case .timeout: GrammarTable.setting(named: "timeout")
        default: nil
        }
    }

    /// The integers the option takes, when it is an integer setting (`--concurrency`).
    public var range: ClosedRange<Int64>? {
        guard case .integer(let range) = setting?.values else { return nil }
        return range
    }

    /// One line of help; ArgumentParser adds the allowed values and wraps it.
    public var help: String {
        switch self {
        case .commands: "Run these statements (repeatable)."
        case .check: "Parse and check the script files only; exit 0, 65 (errors) or 66 (unreadable file); no network."
        case .dryRun: "Print mutating requests instead of sending them; reads still run."
        case .output: "How results are printed (default: table on a terminal, json otherwise)."
        case .continueOnError: "Keep going after a failed statement (exit status still reports it)."
        case .concurrency, .retries, .timeout: settingHelp
        case .endpoint: "The Altcraft panel URL, e.g. https://ru.altkraft.com; the token comes from ALTCRAFT_TOKEN."
        case .sandbox: "Use the built-in sandbox (the default when nothing else is configured)."
        case .profile: "The profile of ~/.config/cops/config.toml to use (else $COPS_PROFILE, else its default)."
        case .format: "Wire format of requests (default: the profile's, else json)."
        case .yes: "Do not ask before delete and large changes at the prompt; on a require_plan profile, change without a plan."
        case .stream: "Run statements from stdin one by one as each is complete (for programs driving cops)."
        case .color: "When to colour messages: auto means on a terminal, unless NO_COLOR is set."
        case .verbose: "Trace HTTP requests and answers on stderr (token masked)."
        case .transcript: "Append what was entered and what came back to this file (token masked)."
        case .journal: "Keep this run's journal of changes in this new file (default: a new file in $XDG_STATE_HOME/cops/runs)."
        case .cacert: "Trust the CAs of this PEM bundle (instead of the system's) for https."
        case .usage: "Print a runbook's usage line, parameters and description without running it; no network."
        case .resume:
            "Rerun a runbook that died, was interrupted or failed, skipping the changes its journal records as done "
                + "(--resume [RUN.jsonl] FILE [ARGS...]; see docs/changes.md)."
        }
    }

    /// The help of an option that is a setting: the grammar table's summary, values and default.
    private var settingHelp: String {
        guard let setting else { return "" }
        let summary = setting.summary.prefix(1).uppercased() + setting.summary.dropFirst()
        let values =
            switch setting.values {
            case .integer(let range): "\(range.lowerBound)-\(range.upperBound)"
            case .duration: "a duration such as 1m30s"
            case .choices(let words): words.joined(separator: ", ")
            }
        return "\(summary) (\(values); default \(setting.defaultValue))."
    }

    /// The option spelled so. A plain loop rather than a dictionary or a set: building
    /// those of a new key type looks up its conformances in the whole binary, which cost
    /// this, the first thing every run does, 0.4 ms.
    init?(spelled name: String) {
        for option in Self.allCases where option.spellings.contains(name) {
            self = option
            return
        }
        return nil
    }
}
