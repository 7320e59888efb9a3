import AltcraftWire
import CampaignScript
import Synchronization

/// `cops plan`'s decorator: passes reads through and records what they returned per campaign,
/// records each change the dry run plans (with its statement and request), and refuses to
/// send any change (a runbook that turns `dry-run` off still sends nothing). Log entries are
/// history, not state a plan could hold still: they pass through unrecorded.
final class PlanningOperations: OperationsDecorator {
    let base: any CampaignOperations
    private let recording: PlanRecording

    init(_ base: any CampaignOperations, recording: PlanRecording) {
        self.base = base
        self.recording = recording
    }

    func perform(_ operation: MutatingOperation) async throws(OperationError) -> Int64? {
        throw OperationError(.other, text: Wording.planSendsNothing)
    }

    func plan(_ operation: MutatingOperation) async throws(OperationError) -> String {
        let request = try await base.plan(operation)
        recording.planned(operation, at: StatementPosition.current, request: request)
        return request
    }

    func status(id: Int64) async throws(OperationError) -> Value {
        try await recording.reading(id) { () async throws(OperationError) in try await base.status(id: id) }
    }

    func show(id: Int64) async throws(OperationError) -> Value {
        try await recording.reading(id) { () async throws(OperationError) in try await base.show(id: id) }
    }

    func list(_ filter: ListFilter) async throws(OperationError) -> [Value] {
        let campaigns = try await base.list(filter)
        for campaign in campaigns {
            if case .int(let id)? = campaign.field("id") { recording.observe(id, campaign) }
        }
        return campaigns
    }

    func planUnknown(_ op: String, ids: [Int64], statement: String) async {
        recording.plannedUnknown(op, ids: ids, statement: statement, at: StatementPosition.current)
    }
}

/// What a `cops plan` dry run saw and planned, gathered by `PlanningOperations`.
final class PlanRecording: Sendable {
    private struct State {
        var observed: [Int64: (exists: Bool, fields: [(String, WireValue)])] = [:]
        var mutations: [RunPlan.Mutation] = []
    }

    private let state = Mutex(State())

    init() {}

    /// Runs a read of campaign `id`, recording its answer, or that the campaign was not found.
    func reading(_ id: Int64, _ read: () async throws(OperationError) -> Value) async throws(OperationError) -> Value {
        do throws(OperationError) {
            let value = try await read()
            observe(id, value)
            return value
        } catch {
            if error.kind == .notFound { state.withLock { $0.observed[id] = (false, []) } }
            throw error
        }
    }

    /// Merges a record's fields into what is known of campaign `id`.
    func observe(_ id: Int64, _ value: Value) {
        guard case .record(let record) = value else { return }
        state.withLock { state in
            var fields = state.observed[id]?.fields ?? []
            for field in record.fields {
                let wire = RunPlan.wire(field.value)
                if let index = fields.firstIndex(where: { $0.0 == field.name }) {
                    fields[index].1 = wire
                } else {
                    fields.append((field.name, wire))
                }
            }
            state.observed[id] = (true, fields)
        }
    }

    func planned(_ operation: MutatingOperation, at position: StatementPosition?, request: String) {
        let fields = WireObject(RunJournal.fields(of: operation))
        state.withLock { state in
            state.mutations.append(
                RunPlan.Mutation(
                    sequence: state.mutations.count + 1, position: position, operation: fields["operation"]?.stringValue ?? "",
                    campaign: fields["campaign"]?.intValue, parameters: fields["parameters"] ?? .null, request: request,
                    prediction: .cannotPredict, current: "", intended: ""))
        }
    }

    /// A change of a campaign a planned clone creates: its statement's text stands for the
    /// request, which cannot be built yet.
    func plannedUnknown(_ op: String, ids: [Int64], statement: String, at position: StatementPosition?) {
        state.withLock { state in
            state.mutations.append(
                RunPlan.Mutation(
                    sequence: state.mutations.count + 1, position: position, operation: op, campaign: nil, parameters: .null,
                    request: statement, known: ids, prediction: .cannotPredict, current: "", intended: ""))
        }
    }

    /// The planned changes, in the order the dry run reached them; the changes of one bulk
    /// statement, which are planned concurrently and arrive in any order, sorted by campaign,
    /// so that planning the same runbook twice writes the same list for a reviewer.
    var mutations: [RunPlan.Mutation] {
        let reached = state.withLock { $0.mutations }
        var ordered: [RunPlan.Mutation] = []
        var start = 0
        while start < reached.count {
            var end = start + 1
            while end < reached.count, reached[end].position == reached[start].position,
                reached[end].campaign != nil, reached[start].campaign != nil
            {
                end += 1
            }
            ordered += reached[start..<end].sorted { $0.campaign! < $1.campaign! }
            start = end
        }
        for index in ordered.indices { ordered[index].sequence = index + 1 }
        return ordered
    }

    /// The campaigns a planned change names whose status no read of the run returned (none
    /// read them, or only `list`, whose rows have no status).
    var withoutStatus: [Int64] {
        state.withLock { state in
            var ids: [Int64] = []
            for mutation in state.mutations {
                for id in [mutation.campaign].compactMap({ $0 }) + mutation.known where !ids.contains(id) {
                    guard let entry = state.observed[id] else {
                        ids.append(id)
                        continue
                    }
                    if entry.exists, !entry.fields.contains(where: { $0.0 == "status" }) { ids.append(id) }
                }
            }
            return ids
        }
    }

    /// What the reads returned, by campaign ID.
    var observed: [RunPlan.Observed] {
        state.withLock { state in
            state.observed.keys.sorted().map { id in
                let entry = state.observed[id]!
                return RunPlan.Observed(campaign: id, exists: entry.exists, fields: WireObject(entry.fields))
            }
        }
    }
}
