import AltcraftWire

/// A run journal read back (`RunJournal` writes it): its header, the intent and outcome lines
/// of its changes, and its end line, which a run that died never wrote.
struct RunJournalContents: Equatable {
    var header: WireObject
    var intents: [WireObject] = []
    var outcomes: [WireObject] = []
    var end: WireObject?

    /// Why a journal cannot be read: one line for `cops runs`.
    struct Unreadable: Error, Equatable {
        var reason: String
    }

    /// Reads a journal's bytes. A torn last line (no newline, or not JSON: the process died
    /// while writing it) is ignored; any other bad line, or a missing header, makes the
    /// journal unreadable.
    static func parse(_ bytes: [UInt8]) throws(Unreadable) -> RunJournalContents {
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
        if lines.last?.isEmpty == true { lines.removeLast() }
        var objects: [(line: Int, object: WireObject)] = []
        for (index, line) in lines.enumerated() {
            let isLast = index == lines.count - 1
            guard let object = (try? JSONWire.decode(line))?.objectValue else {
                if isLast { break }
                throw Unreadable(reason: Wording.journalBadLine(index + 1))
            }
            if !isLast || bytes.last == UInt8(ascii: "\n") { objects.append((index + 1, object)) }
        }
        guard let first = objects.first?.object, first["type"]?.stringValue == "header" else {
            throw Unreadable(reason: Wording.journalNoHeader)
        }
        var contents = RunJournalContents(header: first)
        for (line, object) in objects.dropFirst() {
            switch object["type"]?.stringValue {
            case "intent": contents.intents.append(object)
            case "outcome": contents.outcomes.append(object)
            case "end": contents.end = object
            default: throw Unreadable(reason: Wording.journalBadLine(line))
            }
        }
        return contents
    }
}
