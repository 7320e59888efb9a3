import CampaignScript

/// A `require_plan` target's operations outside the prompt, `cops apply` and `--yes`: every
/// change is refused before it is sent, and the run ends with status 76, saying how to plan
/// (docs/changes.md, "Requiring review"). Reads and dry-run plans pass, so `cops plan` and
/// `--dry-run` work as anywhere.
final class ReviewRequiredOperations: OperationsDecorator {
    let base: any CampaignOperations
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
}
