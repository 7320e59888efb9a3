/// Where a checked text comes from. Only a runbook (a file, or standard input, that cops runs
/// with arguments) may declare parameters: nothing else is given arguments to bind.
public enum TextOrigin: Equatable, Sendable {
    /// A script file or standard input run whole: `cops FILE ARGS…`, `cops - ARGS…`, `--check`.
    case runbook
    /// `-c` text.
    case commandLine
    /// An entry at the interactive prompt.
    case prompt
    /// A statement of `--stream`.
    case stream
    /// A file read by `source`: it shares the variables of the file that sources it.
    case sourced

    /// The words that may start a statement in such a text (what completion offers): `param`
    /// only in a runbook.
    public var statementWords: [String] {
        self == .runbook ? GrammarTable.statementWords : GrammarTable.statementWords.filter { $0 != "param" }
    }
}
