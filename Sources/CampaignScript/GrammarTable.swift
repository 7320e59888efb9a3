/// The campaign verbs of the language.
public enum Verb: String, CaseIterable, Sendable {
    case activate, deactivate, status, show, list, log, clone, delete, launch

    /// The verb's place in `allCases`, where `GrammarTable` keeps its spec: a raw-value enum
    /// hashes its text as a dictionary key, which the checker paid per command.
    var ordinal: Int {
        switch self {
        case .activate: 0
        case .deactivate: 1
        case .status: 2
        case .show: 3
        case .list: 4
        case .log: 5
        case .clone: 6
        case .delete: 7
        case .launch: 8
        }
    }
}

/// The command options of the language (each has one value shape, whatever the verb).
public enum OptionKey: String, CaseIterable, Sendable {
    case now, audience, limit, abort, active, inactive, type, tag, group, from, since
    case `as` = "as"

    /// The option's place in `allCases`, where `GrammarTable` keeps its spec (see `Verb.ordinal`).
    var ordinal: Int {
        switch self {
        case .now: 0
        case .audience: 1
        case .limit: 2
        case .abort: 3
        case .active: 4
        case .inactive: 5
        case .type: 6
        case .tag: 7
        case .group: 8
        case .from: 9
        case .since: 10
        case .as: 11
        }
    }
}

/// What follows a verb before its options.
public enum VerbArgument: Sendable, Equatable {
    /// A target set `T`: IDs, ranges, variables, `(command)`, comma-separated.
    case targetSet
    /// Exactly one campaign ID (written as an integer, `$path` or `(command)`).
    case singleID
    /// Nothing.
    case none
}

/// The value an option takes.
public enum OptionValueShape: Sendable, Equatable {
    /// No value: `abort`.
    case flag
    /// An integer ≥ 1: `limit 10`.
    case positiveInteger
    /// A string or bare word: `tag "spring"`.
    case text
    /// A string, bare word or integer: `group ops` or `group 3`.
    case textOrInteger
    /// One of fixed words: `type broadcast`.
    case choice([String])
    /// `list|segment` then an integer ID: `audience segment 5`.
    case audience
    /// A time string or a duration: `since 1h`.
    case timeOrDuration
}

/// One verb: its spellings, help text, argument and options. A class: the parser and the
/// checker read a verb's spec per command, and a struct's copy retained each of its arrays.
public final class VerbSpec: Sendable {
    /// The verb.
    public let verb: Verb
    /// Other spellings, e.g. `info` for `show`.
    public let aliases: [String]
    /// One line for `help`.
    public let summary: String
    /// The syntax line for `help`.
    public let syntax: String
    /// True when the verb changes server state (dry run skips it).
    public let mutates: Bool
    /// What follows the verb.
    public let argument: VerbArgument
    /// The options the verb accepts, in help order.
    public let options: [OptionKey]
    /// Options that cannot appear together.
    public let exclusive: [[OptionKey]]
    /// Words people say for this verb that are not cops words (`stop` for `deactivate`): an
    /// unknown command that is one of them is answered with this verb, whatever its spelling
    /// is close to.
    public let saidAs: [SaidAs]

    /// A verb's row of the table.
    public init(
        verb: Verb, aliases: [String], summary: String, syntax: String, mutates: Bool, argument: VerbArgument,
        options: [OptionKey], exclusive: [[OptionKey]], saidAs: [SaidAs] = []
    ) {
        self.verb = verb
        self.aliases = aliases
        self.summary = summary
        self.syntax = syntax
        self.mutates = mutates
        self.argument = argument
        self.options = options
        self.exclusive = exclusive
        self.saidAs = saidAs
    }

    /// The canonical spelling.
    public var name: String { verb.rawValue }
}

/// A word people say for a verb or keyword, and the options it implies (`abort` said as a
/// command means `deactivate … abort`).
public struct SaidAs: Sendable, Equatable, ExpressibleByStringLiteral {
    /// The word as people say it.
    public var word: String
    /// Options the word implies, added to the suggested fix.
    public var implies: [OptionKey]

    /// A word that implies options.
    public init(_ word: String, implies: [OptionKey]) {
        self.word = word
        self.implies = implies
    }

    /// A word that means the verb and nothing more.
    public init(stringLiteral word: String) {
        self.init(word, implies: [])
    }
}

/// What an unknown statement word most likely means: a cops word, found by meaning (a word
/// people say for it) or, failing that, by spelling.
public struct StatementWordMeaning: Sendable, Equatable {
    /// The cops word to suggest.
    public var word: String
    /// Options the user's word implies (`abort` → `deactivate … abort`).
    public var implies: [OptionKey]
    /// True when found by meaning, so the fix can be spelled out in a note.
    public var byMeaning: Bool
}

/// One option: its value shape and help text. A class, as `VerbSpec` is: read per option.
public final class OptionSpec: Sendable {
    /// The option.
    public let key: OptionKey
    /// What value follows the option word.
    public let shape: OptionValueShape
    /// Whether it may appear more than once.
    public let repeatable: Bool
    /// One line for `help`.
    public let summary: String

    /// An option's row of the table.
    public init(key: OptionKey, shape: OptionValueShape, repeatable: Bool, summary: String) {
        self.key = key
        self.shape = shape
        self.repeatable = repeatable
        self.summary = summary
    }

    /// The spelling.
    public var name: String { key.rawValue }
}

/// One statement keyword with its help text.
public struct KeywordSpec: Sendable {
    /// The keyword.
    public var name: String
    /// One line for `help`.
    public var summary: String
    /// The syntax line for `help`.
    public var syntax: String
    /// Words people say for this keyword (`print` for `echo`); see `VerbSpec.saidAs`.
    public var saidAs: [SaidAs] = []
}

/// The values a setting accepts.
public enum SettingValues: Sendable, Equatable {
    /// One of fixed words.
    case choices([String])
    /// An integer in a range.
    case integer(ClosedRange<Int64>)
    /// A non-zero duration.
    case duration

    /// Whether `value` is one of these (the checker says why one is not; `ScriptSettings`
    /// only asks).
    public func accepts(_ value: SettingValue) -> Bool {
        switch (self, value) {
        case (.choices(let words), .word(let word)): words.contains(word.name)
        case (.integer(let range), .integer(let integer)): range.contains(integer.value)
        case (.duration, .duration(let duration)): duration.milliseconds > 0
        default: false
        }
    }
}

/// One setting for `set NAME VALUE`.
public struct SettingSpec: Sendable {
    /// The setting's name (also the command-line flag).
    public var name: String
    /// What it accepts.
    public var values: SettingValues
    /// The default, as described to people.
    public var defaultValue: String
    /// One line for `help`.
    public var summary: String
}

/// The one table of verbs, options, keywords and settings that parser, checker, help and
/// completion all read.
public enum GrammarTable {
    /// Every verb, in help order.
    public static let verbs: [VerbSpec] = [
        VerbSpec(
            verb: .activate, aliases: [], summary: "activate campaigns, optionally starting a run now",
            syntax: "activate T [now] [audience list|segment ID] [limit N]", mutates: true,
            argument: .targetSet, options: [.now, .audience, .limit], exclusive: [],
            saidAs: ["start", "enable", "resume", "unpause", "restart"]),
        VerbSpec(
            verb: .deactivate, aliases: [], summary: "deactivate campaigns; abort drops queued messages",
            syntax: "deactivate T [abort]", mutates: true, argument: .targetSet, options: [.abort],
            exclusive: [],
            saidAs: [
                "stop", "pause", "disable", "halt", "suspend", "cancel", SaidAs("abort", implies: [.abort]),
                SaidAs("kill", implies: [.abort]),
            ]),
        VerbSpec(
            verb: .status, aliases: [], summary: "show whether campaigns are active or completed",
            syntax: "status T", mutates: false, argument: .targetSet, options: [], exclusive: [],
            saidAs: ["state", "stat", "check"]),
        VerbSpec(
            verb: .show, aliases: ["info"], summary: "show one campaign's full record",
            syntax: "show ID", mutates: false, argument: .singleID, options: [], exclusive: [],
            saidAs: ["get", "view", "describe", "inspect", "display", "details"]),
        VerbSpec(
            verb: .list, aliases: [], summary: "list campaigns, following pages until done",
            syntax:
                "list [active|inactive] [type broadcast|regular|trigger] [tag S]... [group S|N]... [from ID] [limit N]",
            mutates: false, argument: .none,
            options: [.active, .inactive, .type, .tag, .group, .from, .limit],
            exclusive: [[.active, .inactive]],
            saidAs: ["ls", "find", "search", "campaigns"]),
        VerbSpec(
            verb: .log, aliases: [], summary: "show a campaign's log entries",
            syntax: "log ID [since TIME|DURATION] [limit N]", mutates: false, argument: .singleID,
            options: [.since, .limit], exclusive: [],
            saidAs: ["logs", "history", "events", "tail"]),
        VerbSpec(
            verb: .clone, aliases: [], summary: "copy a campaign into a new inactive one",
            syntax: "clone ID [as S]", mutates: true, argument: .singleID, options: [.as], exclusive: [],
            saidAs: ["copy", "cp", "duplicate", "dup"]),
        VerbSpec(
            verb: .delete, aliases: [], summary: "delete campaigns", syntax: "delete T", mutates: true,
            argument: .targetSet, options: [], exclusive: [],
            saidAs: ["remove", "rm", "del", "destroy", "drop", "erase", "purge"]),
        VerbSpec(
            verb: .launch, aliases: [], summary: "start a broadcast or regular campaign now",
            syntax: "launch ID", mutates: true, argument: .singleID, options: [], exclusive: [],
            saidAs: ["send", "fire", "run"]),
    ]

    /// Options of a verb with `now` (`activate`) that shape the run `now` starts, and that the
    /// API ignores without it.
    public static let optionsNeedingNow: [OptionKey] = [.audience, .limit]

    /// Every option, with its one value shape.
    public static let options: [OptionSpec] = [
        OptionSpec(key: .now, shape: .flag, repeatable: false, summary: "start a run immediately"),
        OptionSpec(
            key: .audience, shape: .audience, repeatable: false,
            summary: "send this run to another list or segment (activate: needs now)"),
        OptionSpec(
            key: .limit, shape: .positiveInteger, repeatable: false, summary: "at most N (activate: needs now)"),
        OptionSpec(key: .abort, shape: .flag, repeatable: false, summary: "drop messages still queued"),
        OptionSpec(key: .active, shape: .flag, repeatable: false, summary: "only active campaigns"),
        OptionSpec(key: .inactive, shape: .flag, repeatable: false, summary: "only inactive campaigns"),
        OptionSpec(
            key: .type, shape: .choice(["broadcast", "regular", "trigger"]), repeatable: false,
            summary: "only campaigns of this type"),
        OptionSpec(key: .tag, shape: .text, repeatable: true, summary: "only campaigns with this tag"),
        OptionSpec(
            key: .group, shape: .textOrInteger, repeatable: true,
            summary: "only campaigns of this access group (name or ID)"),
        OptionSpec(key: .from, shape: .positiveInteger, repeatable: false, summary: "start at this ID"),
        OptionSpec(
            key: .since, shape: .timeOrDuration, repeatable: false,
            summary: "entries since a time (\"2024-04-02T00:00:00Z\") or a duration ago (1h)"),
        OptionSpec(key: .as, shape: .text, repeatable: false, summary: "name of the copy"),
    ]

    /// Every statement keyword, in help order.
    public static let keywords: [KeywordSpec] = [
        KeywordSpec(name: "let", summary: "name a value", syntax: "let NAME = command|expr", saidAs: ["var", "const", "define"]),
        KeywordSpec(
            name: "param", summary: "declare a runbook's argument (at its top)",
            syntax: "param NAME [\"description\"] [= DEFAULT]"),
        KeywordSpec(
            name: "if", summary: "run a block when a condition holds",
            syntax: "if EXPR { ... } [elif EXPR { ... }] [else { ... }]"),
        KeywordSpec(name: "elif", summary: "another condition of an if", syntax: "elif EXPR { ... }"),
        KeywordSpec(name: "else", summary: "the fallback of an if", syntax: "else { ... }"),
        KeywordSpec(
            name: "for", summary: "run a block for each value", syntax: "for NAME in T|command { ... }",
            saidAs: ["foreach", "loop"]),
        KeywordSpec(
            name: "wait", summary: "poll until campaigns reach a state",
            syntax: "wait T until active|inactive|completed|deleted|status S [timeout D] [every D]"),
        KeywordSpec(
            name: "assert", summary: "fail the script unless a condition holds",
            syntax: "assert EXPR [else \"message\"]"),
        KeywordSpec(
            name: "try", summary: "turn a statement's failure into a warning", syntax: "try STATEMENT"),
        KeywordSpec(name: "set", summary: "change a setting", syntax: "set SETTING VALUE"),
        KeywordSpec(name: "echo", summary: "print values", syntax: "echo EXPR...", saidAs: ["print", "say", "puts", "printf"]),
        KeywordSpec(name: "sleep", summary: "pause", syntax: "sleep DURATION", saidAs: ["delay"]),
        KeywordSpec(
            name: "source", summary: "run another file", syntax: "source \"file.cops\"", saidAs: ["include", "import", "require"]),
        KeywordSpec(
            name: "help", summary: "explain verbs, keywords and settings", syntax: "help [WORD]", saidAs: ["man", "usage"]),
        KeywordSpec(name: "exit", summary: "stop with an exit status", syntax: "exit [CODE]", saidAs: ["quit", "bye", "return"]),
    ]

    /// Words with a meaning inside expressions.
    public static let expressionKeywordSpecs: [KeywordSpec] = [
        KeywordSpec(name: "true", summary: "the boolean true", syntax: "true"),
        KeywordSpec(name: "false", summary: "the boolean false", syntax: "false"),
        KeywordSpec(name: "null", summary: "no value (a missing argument, $error after a success)", syntax: "null"),
        KeywordSpec(name: "not", summary: "true when the value is not true", syntax: "not EXPR"),
        KeywordSpec(
            name: "and", summary: "true when both are true (the right one is not evaluated otherwise)", syntax: "EXPR and EXPR"),
        KeywordSpec(
            name: "or", summary: "true when either is true (the right one is not evaluated otherwise)", syntax: "EXPR or EXPR"),
        KeywordSpec(
            name: "in", summary: "an item of a list (or a record's id), a substring, a record's field",
            syntax: "EXPR in EXPR"),
    ]
    public static var expressionKeywords: [String] { expressionKeywordSpecs.map(\.name) }
    /// True when `word` has a meaning inside expressions; asked for every `let` and `for`, so it
    /// makes no array (`expressionKeywords` built one per call: docs/performance.md).
    static func isExpressionKeyword(_ word: String) -> Bool { expressionKeywordSpecs.contains { $0.name == word } }

    /// Words that continue a statement rather than start one.
    public static let clauseSpecs: [KeywordSpec] = [
        KeywordSpec(name: "until", summary: "the state wait polls for", syntax: "wait T until STATE"),
        KeywordSpec(
            name: "timeout", summary: "how long wait polls before failing (default 5m)", syntax: "wait T until STATE timeout D"),
        KeywordSpec(name: "every", summary: "how often wait polls at first (default 2s)", syntax: "wait T until STATE every D"),
        KeywordSpec(name: "in", summary: "the values a for loop runs over", syntax: "for NAME in T|command { ... }"),
    ]

    /// States `wait … until` accepts (`status S` takes a string after it).
    public static let waitStateSpecs: [KeywordSpec] = [
        KeywordSpec(name: "active", summary: "wait until is_active is true", syntax: "wait T until active"),
        KeywordSpec(name: "inactive", summary: "wait until is_active is false", syntax: "wait T until inactive"),
        KeywordSpec(name: "completed", summary: "wait until is_completed is true", syntax: "wait T until completed"),
        KeywordSpec(name: "deleted", summary: "wait until the campaign is not found", syntax: "wait T until deleted"),
        KeywordSpec(
            name: "status", summary: "wait until the status word is S (compared without case)",
            syntax: "wait T until status S"),
    ]
    public static var waitStates: [String] { waitStateSpecs.map(\.name) }

    /// Every setting.
    public static let settings: [SettingSpec] = [
        SettingSpec(
            name: "output", values: .choices(OutputFormat.allCases.map(\.rawValue)),
            defaultValue: "table on a terminal, json otherwise", summary: "how results are printed"),
        SettingSpec(
            name: "on-error", values: .choices(["stop", "continue"]),
            defaultValue: "stop in scripts and pipes, continue at the prompt",
            summary: "what a failed statement does"),
        SettingSpec(
            name: "dry-run", values: .choices(["on", "off"]), defaultValue: "off",
            summary: "print mutating requests instead of sending them"),
        SettingSpec(
            name: "concurrency", values: .integer(1...64), defaultValue: "8",
            summary: "parallel requests in bulk operations"),
        SettingSpec(
            name: "timeout", values: .duration, defaultValue: "30s", summary: "time limit for one request"
        ),
        SettingSpec(
            name: "retries", values: .integer(0...10), defaultValue: "3",
            summary: "retries of idempotent requests"),
        SettingSpec(
            name: "confirm", values: .choices(["on", "off"]),
            defaultValue: "on at the prompt (unless --yes), off elsewhere",
            summary: "at the prompt, ask before delete and changes of more than 10 campaigns "
                + "(every change on a profile with confirm = true)"),
    ]

    /// Variables that exist before any `let`.
    public static let predefinedVariables: [String] =
        ["failed", "error", "args"] + (1...9).map { String($0) }

    /// The largest number of IDs one target set may name.
    public static let maximumTargetIDs: Int64 = 100_000

    private static let verbsByName: [String: VerbSpec] = {
        var table: [String: VerbSpec] = [:]
        for spec in verbs {
            table[spec.name] = spec
            for alias in spec.aliases { table[alias] = spec }
        }
        return table
    }()

    /// The verb spelled `name`, aliases included.
    public static func verb(named name: String) -> VerbSpec? { verbsByName[name] }

    /// The same spellings as bytes, for the parser, which compares them with the source.
    static let verbSpellings: [(spelling: [UInt8], spec: VerbSpec)] = verbs.flatMap { spec in
        ([spec.name] + spec.aliases).map { (Array($0.utf8), spec) }
    }

    /// The expression keywords' spellings as bytes (`isExpressionKeyword`), for the parser.
    static let expressionKeywordSpellings: [[UInt8]] = expressionKeywordSpecs.map { Array($0.name.utf8) }

    /// Verbs' specs by `Verb.ordinal`.
    private static let verbSpecs: [VerbSpec] = Verb.allCases.map { verb in verbs.first { $0.verb == verb }! }

    /// The spec of a verb.
    public static func spec(for verb: Verb) -> VerbSpec { verbSpecs[verb.ordinal] }

    /// The option spelled `name`.
    public static func option(named name: String) -> OptionSpec? {
        OptionKey(rawValue: name).map(spec(for:))
    }

    /// Options' specs by `OptionKey.ordinal`.
    private static let optionSpecs: [OptionSpec] = OptionKey.allCases.map { key in options.first { $0.key == key }! }

    /// The spec of an option.
    public static func spec(for key: OptionKey) -> OptionSpec { optionSpecs[key.ordinal] }

    /// The keyword spelled `name`.
    public static func keyword(named name: String) -> KeywordSpec? {
        keywords.first { $0.name == name }
    }

    /// The setting spelled `name`.
    public static func setting(named name: String) -> SettingSpec? {
        settings.first { $0.name == name }
    }

    /// The verbs that accept an option.
    public static func verbs(accepting key: OptionKey) -> [VerbSpec] {
        verbs.filter { $0.options.contains(key) }
    }

    /// What an unknown statement word most likely means. A word people say for a verb or
    /// keyword (`stop`, `rm`, `print`) is answered by meaning; otherwise the closest spelling
    /// among the cops words and those said-as words, so a typo of `stop` still leads to
    /// `deactivate` and never to `show`: a word that means a change is never pointed at a
    /// read, or the reverse.
    public static func meaning(ofStatementWord word: String) -> StatementWordMeaning? {
        // A keyword where a command must be (`(echo 1)`) is itself, not a misspelling.
        if statementWords.contains(word) { return nil }
        let lowered = word.lowercased()
        if let meant = saidAsWords[lowered] {
            return StatementWordMeaning(word: meant.word, implies: meant.implies, byMeaning: true)
        }
        let spelled = Suggestion.closest(to: word, among: statementWords)
        let spelledDistance = spelled.map { Suggestion.editDistance(word, $0) } ?? Int.max
        // A said-as word counts by spelling only one letter away (`stopp`): people's words are
        // many and short, so a looser match would answer unrelated words (`bogus` → `logs`).
        // On a tie the cops word wins (`shop`: `show` rather than `stop`'s `deactivate`).
        if word.count > 3, spelledDistance > 1,
            let said = saidAsWords.keys.sorted().first(where: {
                // The length check first: a megabyte-long word must not cost an edit distance each.
                abs($0.count - word.count) <= 1 && Suggestion.editDistance(word, $0) == 1
            }),
            let meant = saidAsWords[said]
        {
            return StatementWordMeaning(word: meant.word, implies: meant.implies, byMeaning: false)
        }
        return spelled.map { StatementWordMeaning(word: $0, implies: [], byMeaning: false) }
    }

    /// Every said-as word with the cops word it means (and the options it implies).
    public static let saidAsWords: [String: (word: String, implies: [OptionKey])] = {
        var table: [String: (word: String, implies: [OptionKey])] = [:]
        for verb in verbs {
            for said in verb.saidAs { table[said.word] = (verb.name, said.implies) }
        }
        for keyword in keywords {
            for said in keyword.saidAs { table[said.word] = (keyword.name, said.implies) }
        }
        return table
    }()

    /// All words that may start a statement: verbs, aliases and keywords (for completion too).
    public static var statementWords: [String] {
        verbs.flatMap { [$0.name] + $0.aliases } + keywords.map(\.name)
    }

    /// Every word `help` can explain: statement words, options and their value words, settings,
    /// clauses, wait states and expression keywords, each once.
    public static var helpTopics: [String] {
        var seen = Set<String>()
        let all =
            statementWords + options.map(\.name) + options.flatMap { valueWords($0.shape) } + settings.map(\.name)
            + clauseSpecs.map(\.name) + waitStates + expressionKeywords
        return all.filter { seen.insert($0).inserted }
    }

    /// The fixed words an option's value may be (`broadcast` of `type`, `segment` of `audience`).
    public static func valueWords(_ shape: OptionValueShape) -> [String] {
        switch shape {
        case .choice(let words): words
        case .audience: ["list", "segment"]
        default: []
        }
    }

    /// Examples `help VERB` shows; each is a valid statement (a test parses and checks them).
    public static let examples: [Verb: [String]] = [
        .activate: ["activate 82", "activate 82 now audience segment 2550 limit 300"],
        .deactivate: ["deactivate 15 abort", "deactivate 20..22, 87", "deactivate (list active tag \"spring-2024\") abort"],
        .status: ["status 15", "status 12, 15, 20..25"],
        .show: ["show 118", "info 118"],
        .list: ["list active", "list type broadcast tag \"spring-2024\"", "list inactive group \"main\" limit 50"],
        .log: ["log 15", "log 15 since 1h limit 20", "log 15 since \"2024-04-02T00:00:00Z\""],
        .clone: ["clone 118", "clone 118 as \"Spring 2025 (draft)\""],
        .delete: ["delete 40", "delete $failed"],
        .launch: ["launch 3"],
    ]

    /// The text `help` prints: an overview, or one topic; `nil` for an unknown topic.
    public static func helpText(for topic: String? = nil) -> String? {
        guard let topic else {
            var lines = ["verbs:"]
            for spec in verbs { lines.append("  \(spec.syntax)\n      \(spec.summary)") }
            lines.append("statements:")
            for keyword in keywords { lines.append("  \(keyword.syntax)\n      \(keyword.summary)") }
            lines.append("settings:")
            for setting in settings { lines.append("  set \(setting.name) \(describe(setting.values))") }
            return lines.joined(separator: "\n")
        }
        if let spec = verb(named: topic) {
            var lines = [spec.syntax, "  \(spec.summary)" + (spec.mutates ? " (mutating)" : "")]
            for key in spec.options {
                let option = self.spec(for: key)
                lines.append("  \(option.name): \(option.summary)")
            }
            let samples = examples[spec.verb] ?? []
            if !samples.isEmpty {
                lines.append("examples:")
                for sample in samples { lines.append("  \(sample)") }
            }
            return lines.joined(separator: "\n")
        }
        // A word can be several things (`timeout` a setting and a clause of wait, `active` an
        // option and a state): every meaning is shown.
        var sections: [String] = []
        if let keyword = keyword(named: topic) { sections.append("\(keyword.syntax)\n  \(keyword.summary)") }
        if let setting = setting(named: topic) {
            sections.append(
                "set \(setting.name) \(describe(setting.values))\n  \(setting.summary) (default: \(setting.defaultValue))")
        }
        if let option = option(named: topic) {
            let owners = verbs(accepting: option.key).map(\.name).joined(separator: ", ")
            sections.append("\(option.name): \(option.summary) (used by \(owners))")
        }
        for option in options where valueWords(option.shape).contains(topic) {
            let values = valueWords(option.shape).joined(separator: "|")
            sections.append("\(topic): a value of '\(option.name)' (\(option.name) \(values)); \(option.summary)")
        }
        for spec in clauseSpecs + waitStateSpecs + expressionKeywordSpecs where spec.name == topic {
            sections.append("\(spec.syntax)\n  \(spec.summary)")
        }
        return sections.isEmpty ? nil : sections.joined(separator: "\n")
    }

    /// The values of a setting as help shows them.
    public static func describe(_ values: SettingValues) -> String {
        switch values {
        case .choices(let words): words.joined(separator: "|")
        case .integer(let range): "\(range.lowerBound)..\(range.upperBound)"
        case .duration: "DURATION"
        }
    }
}
