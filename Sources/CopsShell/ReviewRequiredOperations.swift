import CampaignScript

/// A `require_plan` target's operations outside the prompt, `cops apply` and `--yes`: every
/// change is refused before it is sent, and the run ends with status 76, saying how to plan
/// (docs/changes.md, "Requiring review"). Reads and dry-run plans pass, so `cops plan` and
/// `--dry-run` work as anywhere.
final class ReviewRequiredOperations: CampaignOperations {
    private let base: any CampaignOperations
    private let target: String
    private let verdict: Session.Verdict

    init(_ base: any CampaignOperations, target: String, verdict: Session.Verdict) {
        self.base = base
        self.target = target
        self.verdict = verdict
    }

    func perform(_ operation: MutatingOperation) async throws(OperationError) -> Int64? {
        verdict.decide(.refused)
        throw OperationError(.other, text: Wording.planRequired(target: target))
    }

    func plan(_ operation: MutatingOperation) async throws(OperationError) -> String { try await base.plan(operation) }

    func status(id: Int64) async throws(OperationError) -> Value { try await base.status(id: id) }

    func show(id: Int64) async throws(OperationError) -> Value { try await base.show(id: id) }

    func list(_ filter: ListFilter) async throws(OperationError) -> [Value] { try await base.list(filter) }

    func log(id: Int64, since: LogSince?, limit: Int64?) async throws(OperationError) -> [Value] {
        try await base.log(id: id, since: since, limit: limit)
    }

    func configure(timeoutMilliseconds: Int64, retries: Int) async {
        await base.configure(timeoutMilliseconds: timeoutMilliseconds, retries: retries)
    }

    func planUnknown(_ op: String, ids: [Int64], statement: String) async {
        await base.planUnknown(op, ids: ids, statement: statement)
    }
}
