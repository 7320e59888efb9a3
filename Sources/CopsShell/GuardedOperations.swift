import AltcraftWire
import CampaignScript
import Synchronization

/// `cops apply`'s decorator, in front of the journal's: a change is sent only when it is the
/// next one the plan holds (operation, campaign, parameters), else it is refused before it is
/// sent and the run ends with status 75 (docs/changes.md, "Plans").
final class GuardedOperations: OperationsDecorator {
    let base: any CampaignOperations
    private let planGuard: PlanGuard

    init(_ base: any CampaignOperations, guard planGuard: PlanGuard) {
        self.base = base
        self.planGuard = planGuard
    }

    func perform(_ operation: MutatingOperation) async throws(OperationError) -> Int64? {
        if let divergence = planGuard.admit(operation, at: StatementPosition.current) {
            throw OperationError(.other, text: divergence)
        }
        let newID = try await base.perform(operation)
        if case .clone = operation { planGuard.cloned(newID, at: StatementPosition.current) }
        return newID
    }
}

/// Which planned change a run has reached. The changes of one statement may arrive in any
/// order (a bulk statement runs several IDs at a time), so a change matches any not yet sent
/// change of the statement the plan is at; the plan moves to the next statement once every
/// change of this one was sent. A change of a campaign a planned clone creates matches when
/// its campaign is one the clones of this run created (or one of the statement's known IDs).
final class PlanGuard: Sendable {
    private struct State {
        var sent: [Bool]
        var cursor = 0
        var created: Set<Int64> = []
        var divergence: String?
    }

    let mutations: [RunPlan.Mutation]
    private let verdict: Session.Verdict
    private let state: Mutex<State>

    init(_ mutations: [RunPlan.Mutation], verdict: Session.Verdict) {
        self.mutations = mutations
        self.verdict = verdict
        state = Mutex(State(sent: Array(repeating: false, count: mutations.count)))
    }

    /// Nil when `operation` is a planned change not yet sent (now counted as sent), else why
    /// it must not be sent. After the first divergence every change is refused.
    func admit(_ operation: MutatingOperation, at position: StatementPosition?) -> String? {
        let fields = WireObject(RunJournal.fields(of: operation))
        let name = fields["operation"]?.stringValue ?? ""
        let campaign = fields["campaign"]?.intValue
        let parameters = fields["parameters"] ?? .null
        let refusal: String? = state.withLock { state in
            if let divergence = state.divergence { return divergence }
            while state.cursor < mutations.count {
                let window = self.window(from: state.cursor)
                for index in window where mutations[index].campaign != nil && !state.sent[index] {
                    let planned = mutations[index]
                    if planned.operation == name, planned.campaign == campaign, planned.parameters == parameters,
                        planned.position == position
                    {
                        state.sent[index] = true
                        return nil
                    }
                }
                for index in window where mutations[index].campaign == nil {
                    let planned = mutations[index]
                    if planned.operation == name, planned.position == position, let campaign,
                        state.created.contains(campaign) || planned.known.contains(campaign)
                    {
                        state.sent[index] = true
                        return nil
                    }
                }
                guard window.allSatisfy({ state.sent[$0] }) else { break }
                state.cursor = window.upperBound
            }
            let expected = state.cursor < mutations.count ? mutations[state.cursor] : nil
            let divergence = Wording.planDiverged(
                at: position, sending: Self.describe(name, campaign, parameters), expected: expected.map(Self.describe))
            state.divergence = divergence
            return divergence
        }
        if refusal != nil { verdict.decide(.drift) }
        return refusal
    }

    /// A planned clone was sent: later changes of the campaign it created are the plan's
    /// "known after apply" ones. A clone that names no new campaign is not what the plan
    /// expected: nothing more is sent.
    func cloned(_ newID: Int64?, at position: StatementPosition?) {
        state.withLock { state in
            if let newID {
                state.created.insert(newID)
            } else if state.divergence == nil {
                state.divergence = Wording.planCloneWithoutID(at: position)
            }
        }
        if newID == nil { verdict.decide(.drift) }
    }

    /// The planned changes the run never sent.
    var unsent: [RunPlan.Mutation] {
        state.withLock { state in mutations.indices.filter { !state.sent[$0] }.map { mutations[$0] } }
    }

    /// The changes of the statement the plan is at: from `start` while the position is the same.
    private func window(from start: Int) -> Range<Int> {
        var end = start + 1
        while end < mutations.count, mutations[end].position == mutations[start].position { end += 1 }
        return start..<end
    }

    static func describe(_ mutation: RunPlan.Mutation) -> String {
        guard let campaign = mutation.campaign else {
            return "\(mutation.operation) of a campaign a planned clone creates (planned change \(mutation.sequence))"
        }
        return describe(mutation.operation, campaign, mutation.parameters) + " (planned change \(mutation.sequence))"
    }

    static func describe(_ operation: String, _ campaign: Int64?, _ parameters: WireValue) -> String {
        let shown = parameters.objectValue.map { $0.isEmpty ? "" : " " + JSONWire.encodeString(parameters) } ?? ""
        return "\(operation) campaign \(campaign.map(String.init) ?? "?")" + shown
    }
}
