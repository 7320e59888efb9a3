import CampaignScript

/// Lines read one by one, joined until they make a complete entry: no open bracket or string,
/// no trailing `\` (`Parser.isIncomplete`). The prompt and `--stream` run each entry as soon as
/// it is complete.
struct ContinuationBuffer {
    /// A complete entry and the line of the input it starts on (counted from 1).
    struct Entry {
        var text: String
        var firstLine: Int
    }

    private var text = ""
    private var firstLine = 1
    private var linesRead = 0

    /// Whether no unfinished entry is waiting (the prompt then shows its main prompt).
    var isEmpty: Bool { text.isEmpty }

    /// Adds a line; returns the entry it completes, or nil when more lines are needed or the
    /// entry is blank (then it is dropped).
    mutating func add(_ line: String) -> Entry? {
        linesRead += 1
        if text.isEmpty {
            firstLine = linesRead
            text = line
        } else {
            text += "\n" + line
        }
        return Parser.isIncomplete(text) ? nil : flush()
    }

    /// Ends the entry as it stands (at the end of input an unfinished statement still gets its
    /// diagnostics); nil when it is blank.
    mutating func flush() -> Entry? {
        defer { text = "" }
        return text.allSatisfy(\.isWhitespace) ? nil : Entry(text: text, firstLine: firstLine)
    }

    /// Drops an unfinished entry (Ctrl-C at the prompt).
    mutating func clear() { text = "" }
}
