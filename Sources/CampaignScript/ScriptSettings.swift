/// How results are printed.
public enum OutputFormat: String, Sendable, Equatable, CaseIterable {
    /// Aligned columns for people, with a summary line for bulk operations.
    case table
    /// One JSON object per line, stable field names.
    case json
    /// `key=value` lines for grep and awk.
    case text
}

/// The settings of docs/language.md, "Other statements" (`set NAME VALUE`; the same names are
/// command-line flags).
public struct ScriptSettings: Sendable, Equatable {
    /// `set output`.
    public var output: OutputFormat = .json
    /// `set on-error continue`: a failed statement does not stop the script.
    public var continueOnError = false
    /// `set dry-run on`: mutating requests are printed, not sent.
    public var dryRun = false
    /// `set concurrency`: parallel requests in bulk operations.
    public var concurrency = 8
    /// `set timeout`: one request, in milliseconds.
    public var timeoutMilliseconds: Int64 = 30_000
    /// `set retries`: retries of idempotent requests.
    public var retries = 3
    /// `set confirm`: ask before mutating bulk operations (only the prompt asks).
    public var confirm = false

    /// The defaults of a script or pipe.
    public init() {}

    /// Applies one `set`; returns false when the name or value is not valid: the grammar
    /// table says which are (the checker rejects the others before anything runs).
    public mutating func apply(_ name: String, _ value: SettingValue) -> Bool {
        guard GrammarTable.setting(named: name)?.values.accepts(value) == true else { return false }
        switch (name, value) {
        case ("output", .word(let word)):
            guard let format = OutputFormat(rawValue: word.name) else { return false }
            output = format
        case ("on-error", .word(let word)): continueOnError = word.name == "continue"
        case ("dry-run", .word(let word)): dryRun = word.name == "on"
        case ("confirm", .word(let word)): confirm = word.name == "on"
        case ("concurrency", .integer(let integer)): concurrency = Int(integer.value)
        case ("retries", .integer(let integer)): retries = Int(integer.value)
        case ("timeout", .duration(let duration)): timeoutMilliseconds = duration.milliseconds
        default: return false
        }
        return true
    }
}
