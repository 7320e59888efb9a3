import CampaignScript

/// A target's operations wrapped to change how some of them behave — the journal, `cops
/// plan`'s recorder, `cops apply`'s guard, `--resume`, `require_plan` — each stacked by
/// `Session.use`. Whatever a decorator does not implement itself goes to the operations it
/// wraps, so every layer passes on every request, including `planUnknown` and the settings.
///
/// Except a statement's announcement (`announcing`): a layer that may refuse, skip or settle
/// a change (`cops apply`'s guard, `require_plan`, `--resume`) does not pass it on, so the
/// journal beneath writes each change's intent as that change reaches it, as before.
protocol OperationsDecorator: CampaignOperations {
    /// The operations underneath.
    var base: any CampaignOperations { get }
}

extension OperationsDecorator {
    func perform(_ operation: MutatingOperation) async throws(OperationError) -> Int64? {
        try await base.perform(operation)
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

    var bulkExecutor: (any TaskExecutor)? { base.bulkExecutor }
}
