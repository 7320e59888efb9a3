import CampaignScript

/// A target's operations with every change journaled (`RunJournal`): the intent is on disk
/// before the change is sent, its outcome after. Reads and dry-run plans pass through
/// untouched, so a run that changes nothing leaves no journal.
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
        switch journal.intend(operation, at: StatementPosition.current) {
        case .success(let number): sequence = number
        case .failure(let failure): throw OperationError(.other, text: failure.reason)
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
}
