import CampaignScript
import Synchronization

/// A target's operations with every change journaled (`RunJournal`): the intent is on disk
/// before the change is sent, its outcome after. Reads and dry-run plans pass through
/// untouched, so a run that changes nothing leaves no journal.
///
/// A statement announced ahead (`announcing`) has the intents of the changes that `--resume`
/// settles by reading written together with one sync before its first request; each of
/// those changes then goes out with no sync of its own. Those `--resume` must never repeat (a
/// clone, a start) keep one synced intent each, written as they are sent.
final class JournaledOperations: OperationsDecorator {
    let base: any CampaignOperations
    private let journal: RunJournal

    init(_ base: any CampaignOperations, journal: RunJournal) {
        self.base = base
        self.journal = journal
    }

    /// A change that cannot be journaled is not sent: the journal must know of every change
    /// that may have reached the server.
    func perform(_ operation: MutatingOperation) async throws(OperationError) -> Int64? {
        let sequence: Int
        if let ahead = WrittenAhead.current, ahead.owner == ObjectIdentifier(self), let written = ahead.take(operation) {
            sequence = written
        } else {
            switch journal.intend(operation, at: StatementPosition.current) {
            case .success(let number): sequence = number
            case .failure(let failure): throw OperationError(.other, text: failure.reason)
            }
        }
        do throws(OperationError) {
            let newID = try await base.perform(operation)
            journal.record(sequence, .done, newID: newID)
            return newID
        } catch {
            journal.record(sequence, error.mayHaveBeenApplied ? .unknown : .failed, error: error)
            throw error
        }
    }

    /// Writes the intents of the statement's changes that resume settles by reading, with one
    /// sync, then runs it; an intent whose change was never performed gets a `failed` outcome
    /// (`not-sent`) at the end. Not passed on: nothing below the journal writes ahead. When
    /// the intents cannot be written, the statement runs as it would unannounced, and each
    /// change fails on its own intent.
    func announcing<T>(
        _ changes: [MutatingOperation], at position: StatementPosition, _ body: () async throws -> T
    ) async rethrows -> T {
        let settled = changes.filter(ResumingOperations.settlesByReading)
        guard !settled.isEmpty, case .success(let sequences) = journal.intend(settled, at: position) else {
            return try await body()
        }
        let ahead = WrittenAhead(owner: ObjectIdentifier(self), Array(zip(settled, sequences)))
        defer { journal.recordNotSent(ahead.untaken()) }
        return try await WrittenAhead.$current.withValue(ahead) { try await body() }
    }
}

/// The intents a statement's announcement wrote, by change, until its `perform`s take them.
/// Task-local, so the bulk statement's workers see it and nothing outside the statement does.
private final class WrittenAhead: Sendable {
    @TaskLocal static var current: WrittenAhead?

    /// The journaling layer that wrote them.
    let owner: ObjectIdentifier
    /// Sequence numbers by change, in the order written (a statement may name one campaign twice).
    private let pending: Mutex<[MutatingOperation: [Int]]>

    init(owner: ObjectIdentifier, _ written: [(MutatingOperation, Int)]) {
        self.owner = owner
        var pending: [MutatingOperation: [Int]] = [:]
        for (operation, sequence) in written { pending[operation, default: []].append(sequence) }
        self.pending = Mutex(pending)
    }

    /// The next written intent of this change, if any is left.
    func take(_ operation: MutatingOperation) -> Int? {
        pending.withLock { pending in
            guard var sequences = pending[operation], !sequences.isEmpty else { return nil }
            let first = sequences.removeFirst()
            pending[operation] = sequences.isEmpty ? nil : sequences
            return first
        }
    }

    /// The intents no change took, in sequence order; none are left afterwards.
    func untaken() -> [Int] {
        pending.withLock { pending in
            defer { pending = [:] }
            return pending.values.flatMap { $0 }.sorted()
        }
    }
}
