/// What reading one line gave.
public enum LineReadResult: Equatable, Sendable {
    case line(String)
    /// Ctrl-C at the prompt: the half-typed line is dropped.
    case interrupted
    /// Ctrl-D on an empty line, or the end of the input.
    case endOfInput
}

/// Reads lines for the prompt: libedit on a terminal, plain reading elsewhere and in tests.
public protocol LineReader: AnyObject {
    /// Shows `prompt` (when interactive) and reads one line, without its newline.
    func readLine(prompt: String) -> LineReadResult
    /// Remembers an entry for Up-arrow recall (a no-op for plain readers).
    func addToHistory(_ entry: String)
    /// Whether a person is typing (prompts, colour, confirmations make sense).
    var isInteractive: Bool { get }
}
