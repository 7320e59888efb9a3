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
    /// Drops input that was typed or pasted ahead and not read yet, returning how many bytes,
    /// so a pasted line cannot answer a confirmation it was not meant for.
    func discardTypeAhead() -> Int
    /// Replaces the entries Up-arrow recalls (another profile's history).
    func replaceHistory(_ entries: [String])
}

/// One completion: the text that replaces the word before the cursor, and what a listing of
/// several shows (a campaign ID with its name, say).
public struct Completion: Sendable, Equatable {
    public var text: String
    public var display: String

    public init(_ text: String, display: String? = nil) {
        self.text = text
        self.display = display ?? text
    }
}

/// What Tab offers: the word before the cursor being completed, and its candidates.
public struct CompletionResult: Sendable, Equatable {
    public var word: String
    public var candidates: [Completion]

    public init(word: String, candidates: [Completion]) {
        self.word = word
        self.candidates = candidates
    }
}
