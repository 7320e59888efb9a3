import AltcraftWire
import CampaignScript
import Synchronization

/// What a chain of run journals knows of the changes a runbook made, for `--resume`
/// (docs/changes.md, "Resume"): each change the rerun is about to make is matched with the
/// journals' record of it, and the rerun skips, settles or sends it accordingly.
///
/// A change is matched by its key (operation, campaign, parameters: a clone by its source and
/// name) and by how many changes of the same key came before it: the k-th `deactivate 15` of
/// the rerun is the k-th one the journals recorded. The statement position is no part of the
/// key (a loop repeats a statement), nor is the order of different keys (a bulk statement's
/// workers record theirs in any order).
///
/// A chain is the journal resumed, the one it resumed, and so on: each resumed run records
/// every change it skipped, so the k-th change of a key is the same change in every journal
/// of the chain. It counts as done when any journal of the chain records it done (a rerun
/// that crashed before its skips were written loses nothing); otherwise the newest journal
/// that records it says what became of it.
final class ResumeLedger: Sendable {
    /// What the chain knows of one change.
    enum Outcome: Sendable, Equatable {
        /// Done: not sent again; a clone's new ID comes back as its result.
        case done(newID: Int64?)
        /// Failed before it could reach the server: sent again.
        case failed
        /// Sent, outcome unknown (no outcome line, or one saying it may have been applied).
        case unknown
    }

    /// What became of a change, and the journal that says so (the operator is told which).
    struct Entry: Sendable, Equatable {
        var outcome: Outcome
        var journal: String
    }

    private let entries: [String: [Entry]]
    private let taken = Mutex<[String: Int]>([:])

    /// The ledger of a chain of journals, oldest first, each with its path.
    init(chain: [(path: String, contents: RunJournalContents)]) {
        var merged: [String: [Entry]] = [:]
        for (path, contents) in chain {
            var results: [Int64: (outcome: Outcome, newID: Int64?)] = [:]
            for outcome in contents.outcomes {
                guard let sequence = outcome["seq"]?.intValue else { continue }
                let newID = outcome["id"]?.intValue
                switch outcome["result"]?.stringValue {
                case "done": results[sequence] = (.done(newID: newID), newID)
                case "failed": results[sequence] = (.failed, nil)
                default: results[sequence] = (.unknown, nil)
                }
            }
            var counts: [String: Int] = [:]
            for intent in contents.intents {
                guard let key = Self.key(intent: intent), let sequence = intent["seq"]?.intValue else { continue }
                let index = counts[key, default: 0]
                counts[key] = index + 1
                let entry = Entry(outcome: results[sequence]?.outcome ?? .unknown, journal: path)
                var list = merged[key, default: []]
                if index < list.count {
                    if case .done = list[index].outcome { continue }
                    list[index] = entry
                } else {
                    list.append(entry)
                }
                merged[key] = list
            }
        }
        entries = merged
    }

    /// What the chain knows of the next change with `operation`'s key; nil when the chain
    /// has no more of them (the rerun goes beyond the journal: sent as usual).
    func take(_ operation: MutatingOperation) -> Entry? {
        let key = Self.key(fields: RunJournal.fields(of: operation))
        return taken.withLock { taken in
            let index = taken[key, default: 0]
            guard let list = entries[key], index < list.count else { return nil }
            taken[key] = index + 1
            return list[index]
        }
    }

    private static func key(intent: WireObject) -> String? {
        guard let operation = intent["operation"], let campaign = intent["campaign"], let parameters = intent["parameters"]
        else { return nil }
        return key(fields: [("operation", operation), ("campaign", campaign), ("parameters", parameters)])
    }

    /// The key of a change: its operation, campaign and parameters as the journal encodes them.
    private static func key(fields: [(String, WireValue)]) -> String {
        let kept = fields.filter { ["operation", "campaign", "parameters"].contains($0.0) }
        return JSONWire.encodeString(.object(WireObject(kept)))
    }
}
