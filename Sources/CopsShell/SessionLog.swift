import AltcraftWire
import CampaignScript
import Foundation

/// The statements of a prompt session that succeeded, in order, as `\save FILE` writes them:
/// a runbook to review (and dry-run) before it runs again. Each statement is kept as it was
/// typed (its source text, continuation lines included), under a comment saying when it ran
/// and that it succeeded; a `\profile` switch is a comment too, since what follows it ran on
/// another target. The whole is laid out by `cops fmt`.
final class SessionLog {
    private enum Item {
        case statement(String, at: Date)
        case target(String, at: Date)
    }

    private var items: [Item] = []

    /// How many statements would be saved.
    var statementCount: Int {
        items.count { if case .statement = $0 { true } else { false } }
    }

    /// Keeps a statement of `file` that succeeded.
    func succeeded(_ statement: Statement, in file: SourceFile, at time: Date = Date()) {
        let range = statement.range
        let bytes = file.bytes[range.start.offset..<min(range.end.offset, file.bytes.count)]
        items.append(.statement(String(decoding: bytes, as: UTF8.self), at: time))
    }

    /// Notes that what follows runs on another target.
    func switched(to label: String, at time: Date = Date()) {
        items.append(.target(label, at: time))
    }

    /// The runbook: a header naming the session's first target and the time, then the
    /// statements. The target is its label (a profile's name or the sandbox), never a token.
    func runbook(target: String, savedAt: Date = Date()) -> String {
        var lines = Wording.savedRunbookHeader(target: target, at: Self.timestamp(savedAt))
        for item in items {
            switch item {
            case .statement(let text, let time):
                lines.append(Wording.savedStatementOutcome(at: Self.timestamp(time)))
                lines.append(text)
            case .target(let label, let time):
                lines.append("")
                lines.append(Wording.savedTargetSwitch(label, at: Self.timestamp(time)))
            }
        }
        let text = lines.joined(separator: "\n") + "\n"
        // Statements that ran parse; should the layout fail anyway, the text as typed is kept.
        return (try? ScriptFormatter.format(text)) ?? text
    }

    /// RFC 3339 in UTC, to the second, as `since` reads times.
    static func timestamp(_ date: Date) -> String {
        UTCTime.rfc3339(date, milliseconds: false)
    }
}
