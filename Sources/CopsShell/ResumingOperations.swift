import CampaignScript
import Synchronization

/// `--resume`: a target's (journaled) operations with every change matched against the
/// journal chain of the run being resumed (`ResumeLedger`; docs/changes.md, "Resume").
///
/// - done: not sent; its recorded result comes back (a clone's new ID flows on), and the new
///   journal records it as resumed;
/// - failed (never reached the server): sent again;
/// - unknown: `deactivate`, `activate` without `now` and `delete` are settled by reading the
///   campaign: already so is done, otherwise sent again; a `clone`, an `activate … now` or a
///   `launch` is never sent again: the run stops before it (`stop`, exit status 75) and no
///   further request is sent;
/// - beyond the chain's record: sent as usual.
///
/// Reads always go to the live account.
final class ResumingOperations: OperationsDecorator {
    /// Why the run stopped: what the operator is to check.
    struct Stop: Sendable, Equatable {
        var message: String
    }

    let base: any CampaignOperations
    private let ledger: ResumeLedger
    private let journal: RunJournal
    private let cancellation: CancellationSwitch
    private let stopped = Mutex<Stop?>(nil)

    /// `base` journals what it sends; `journal` is the same journal, for the changes skipped.
    init(_ base: any CampaignOperations, ledger: ResumeLedger, journal: RunJournal, cancellation: CancellationSwitch) {
        self.base = base
        self.ledger = ledger
        self.journal = journal
        self.cancellation = cancellation
    }

    /// Set when the run stopped before a change whose outcome cannot be known.
    var stop: Stop? { stopped.withLock { $0 } }

    func perform(_ operation: MutatingOperation) async throws(OperationError) -> Int64? {
        guard let entry = ledger.take(operation) else { return try await base.perform(operation) }
        switch entry.outcome {
        case .done(let newID):
            try skip(operation, newID: newID, how: "done")
            return newID
        case .failed:
            return try await base.perform(operation)
        case .unknown:
            if try await isInEffect(operation, journal: entry.journal) {
                try skip(operation, newID: nil, how: "settled")
                return nil
            }
            return try await base.perform(operation)
        }
    }

    private func skip(_ operation: MutatingOperation, newID: Int64?, how: String) throws(OperationError) {
        if let failure = journal.recordResumed(operation, at: StatementPosition.current, newID: newID, how: how) {
            throw OperationError(.other, text: failure.reason)
        }
    }

    /// Whether an unknown outcome of `operation` is settled by reading the campaign (its
    /// effect is a state `isInEffect` reads); the others are never sent again. The journal
    /// writes these changes' intents ahead, a statement's together (`JournaledOperations`).
    static func settlesByReading(_ operation: MutatingOperation) -> Bool {
        switch operation {
        case .deactivate, .delete, .activate(_, false, _, _): true
        case .clone, .activate(_, true, _, _), .launch: false
        }
    }

    /// Whether a change whose outcome is unknown is already in effect, read from the account;
    /// for a change that cannot be settled so, stops the run and throws.
    private func isInEffect(_ operation: MutatingOperation, journal path: String) async throws(OperationError) -> Bool {
        switch operation {
        case .deactivate(let id, _):
            return try await isActive(id) == false
        case .activate(let id, false, _, _):
            return try await isActive(id) == true
        case .delete(let id):
            do throws(OperationError) {
                _ = try await base.status(id: id)
                return false
            } catch  where error.kind == .notFound {
                return true
            }
        case .clone(let source, let name):
            let found = try? await base.list(ListFilter())
            let matching = (found ?? []).compactMap { campaign -> (Int64, String)? in
                guard case .record(let record) = campaign, case .int(let id)? = record["id"], id != source,
                    case .string(let named)? = record["name"]
                else { return nil }
                return Self.clone(named: named, source: source, name: name, in: found ?? []) ? (id, named) : nil
            }
            throw halt(
                Wording.resumeUnknownClone(source: source, name: name, journal: path, matching: found.map { _ in matching }))
        case .activate(let id, true, _, _), .launch(let id):
            let status = try? await base.status(id: id)
            let log = try? await base.log(id: id, since: nil, limit: nil)
            throw halt(
                Wording.resumeUnknownStart(
                    operation: operation, id: id, journal: path, status: status, log: log.map { Array($0.suffix(5)) }))
        }
    }

    /// Whether a campaign is the clone of `source` asked for: named `name`, or without a
    /// name, named after the source (the server picks the name: its choice is not known).
    private static func clone(named: String, source: Int64, name: String?, in campaigns: [Value]) -> Bool {
        if let name { return named == name }
        let sourceName = campaigns.lazy.compactMap { campaign -> String? in
            guard case .record(let record) = campaign, record["id"] == .int(source), case .string(let text)? = record["name"]
            else { return nil }
            return text
        }.first
        return sourceName.map { !$0.isEmpty && named.contains($0) } ?? false
    }

    private func isActive(_ id: Int64) async throws(OperationError) -> Bool? {
        guard case .record(let record) = try await base.status(id: id), case .bool(let active)? = record["is_active"] else {
            return nil
        }
        return active
    }

    /// Stops the run: no further request is sent, and the session ends with status 75.
    private func halt(_ message: String) -> OperationError {
        cancellation.cancel()
        stopped.withLock { if $0 == nil { $0 = Stop(message: message) } }
        return OperationError(.other, text: Wording.resumeStopped)
    }
}
