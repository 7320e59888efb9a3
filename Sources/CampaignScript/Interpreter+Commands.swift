import Synchronization

/// Campaign commands, bulk execution and `wait`.
extension Interpreter {
    /// How one ID of a bulk operation ended.
    enum Attempt: Sendable {
        case ok(Record)
        case failed(OperationError)
        /// Cancelled before its request was started.
        case notStarted
    }

    /// Runs `work` for every ID with at most `concurrency` at a time, in any order, and returns
    /// the outcomes in input order. After cancellation no new request starts; those running finish.
    func bulk(
        _ ids: [Int64], op: String? = nil, _ work: @escaping @Sendable (Int64) async throws(OperationError) -> Record
    ) async -> [Attempt] {
        let limit = max(1, settings.concurrency)
        let cancellation = self.cancellation
        // One ID runs in this task: no group, and not on the transport's own thread, which
        // the embedded sandbox would start for this call alone (docs/performance.md,
        // "Twelfth round").
        if ids.count == 1 {
            guard !cancellation.isCancelled, !Task.isCancelled else { return [.notStarted] }
            return [await Self.attempt(ids[0], work)]
        }
        // Progress only for long work, only where a person watches (the shell decides), and on
        // stderr, so results stay clean.
        let progress = showsProgress && ids.count >= Self.progressThreshold ? op : nil
        let message = output.message
        let board = BulkBoard(count: ids.count)
        // `limit` workers, each taking the next ID when it is done with one: a task per worker,
        // not per ID, whose creation, group wake-up and collection were 7–13 % of a bulk run's
        // instructions (docs/performance.md, "Twelfth round"). On the transport's own
        // thread if it has one: each answer then resumes its worker where it arrived.
        return await withTaskExecutorPreference(operations.bulkExecutor) {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<min(limit, ids.count) {
                    group.addTask {
                        while let index = board.claim(stop: cancellation.isCancelled || Task.isCancelled) {
                            let attempt = await Self.attempt(ids[index], work)
                            board.record(attempt, at: index) { finished in
                                guard let progress, finished % 10 == 0 || finished == ids.count else { return }
                                message("\r\(progress): \(finished)/\(ids.count)" + (finished == ids.count ? "\r\u{1B}[K" : ""))
                            }
                        }
                    }
                }
            }
            return board.attempts
        }
    }

    /// What the workers of one bulk statement share: the next ID to take and the outcomes.
    private final class BulkBoard: Sendable {
        private struct State {
            var next = 0
            var finished = 0
            var attempts: [Attempt]
        }
        private let state: Mutex<State>

        init(count: Int) {
            state = Mutex(State(attempts: Array(repeating: .notStarted, count: count)))
        }

        /// The index of the next ID to send, or nil when all were taken or `stop` (cancelled).
        func claim(stop: Bool) -> Int? {
            state.withLock { state in
                guard !stop, state.next < state.attempts.count else { return nil }
                defer { state.next += 1 }
                return state.next
            }
        }

        /// Records how the ID at `index` ended and tells `report` how many have ended, under
        /// the lock, so that progress lines come out in order whichever thread ends an ID.
        func record(_ attempt: Attempt, at index: Int, report: (Int) -> Void) {
            state.withLock { state in
                state.attempts[index] = attempt
                state.finished += 1
                report(state.finished)
            }
        }

        var attempts: [Attempt] { state.withLock { $0.attempts } }
    }

    private static func attempt(
        _ id: Int64, _ work: @Sendable (Int64) async throws(OperationError) -> Record
    ) async -> Attempt {
        do throws(OperationError) {
            return .ok(try await work(id))
        } catch {
            return .failed(error)
        }
    }

    /// Runs a campaign command: prints its results when `display` (a statement of its own) and
    /// returns its value (for `let`, `( … )` and `for`).
    func run(_ command: Command, display: Bool) async throws -> Value {
        let spec = GrammarTable.spec(for: command.verb)
        let op = spec.name
        var targets = ResolvedTargets()
        if let written = command.targets { targets = try await resolve(written) }
        if targets.hasPlannedUnknown {
            warn(DiagnosticRenderer.dryRunMessage(.unknownID(op: op)), at: command.range)
            if spec.mutates {
                let operations = self.operations
                let ids = targets.ids
                let statement = file.text(of: command.range)
                await StatementPosition.$current.withValue(position(of: command.range)) {
                    await operations.planUnknown(op, ids: ids, statement: statement)
                }
            }
            return .record(Record([("id", .null)], isPlanned: true))
        }
        if spec.argument == .singleID, targets.ids.count != 1 {
            throw fail(.singleIDExpected(verb: command.verbName.name, count: targets.ids.count), at: command.range)
        }
        if spec.mutates, settings.confirm, !settings.dryRun, !targets.ids.isEmpty, let confirmer,
            !confirmer(ConfirmationRequest(op: op, ids: targets.ids, text: file.text(of: command.range)))
        {
            throw fail(.notConfirmed(op: op, count: targets.ids.count), at: command.range)
        }
        // Every command statement sets `$failed` (docs): reset here, after the targets were
        // read (`deactivate $failed` reads the old value), then set by what fails below.
        variables["failed"] = .list([])
        let operations = self.operations
        switch command.verb {
        case .list:
            let filter = try await listFilter(command)
            let campaigns = try await single(op, id: nil, at: command.range) { () async throws(OperationError) in
                try await operations.list(filter)
            }
            if display {
                emit(
                    ResultBlock(
                        op: op, layout: .rows, rows: campaigns.map { ResultRow(record($0)) },
                        preferredColumns: ["id", "name", "type", "is_active", "ui_tags"]))
            }
            return .list(campaigns)
        case .show:
            let id = targets.ids[0]
            let campaign = try await single(op, id: id, at: command.range) { () async throws(OperationError) in
                try await operations.show(id: id)
            }
            if display { emit(ResultBlock(op: op, layout: .record, rows: [ResultRow(record(campaign))])) }
            return campaign
        case .log:
            let id = targets.ids[0]
            var since: LogSince?
            var limit: Int64?
            for option in command.options {
                switch (option.key, option.value) {
                case (.since, .text(let text)):
                    // Checked before the run when constant; a string made now is checked now.
                    let written = try await interpolate(text.parts)
                    guard let time = Timestamp(written) else { throw fail(.invalidTimestamp(written), at: text.range) }
                    since = .time(time)
                case (.since, .duration(let duration)): since = .ago(milliseconds: duration.milliseconds)
                case (.limit, .integer(let integer)): limit = integer.value
                default: break
                }
            }
            let entries = try await single(op, id: id, at: command.range) { [since, limit] () async throws(OperationError) in
                try await operations.log(id: id, since: since, limit: limit)
            }
            if display {
                let rows = entries.map { entry in
                    var fields = record(entry)
                    fields.fields.insert(Record.Field("id", .int(id)), at: 0)
                    return ResultRow(fields)
                }
                emit(
                    ResultBlock(
                        op: op, layout: .rows, rows: rows, preferredColumns: ["time", "level", "message", "state", "value"]))
            }
            return .list(entries)
        case .status:
            return try await perID(op, targets, display: display, at: command.range, mutating: false) {
                id async throws(OperationError) in
                let status = try await operations.status(id: id)
                guard case .record(let record) = status else { return Record([("id", .int(id))]) }
                return record
            }
        case .activate:
            var now = false
            var audience: AudienceOverride?
            var limit: Int64?
            for option in command.options {
                switch (option.key, option.value) {
                case (.now, _): now = true
                case (.audience, .audience(let source, let id)): audience = AudienceOverride(source: source.name, id: id.value)
                case (.limit, .integer(let integer)): limit = integer.value
                default: break
                }
            }
            return try await mutate(op, targets, display: display, at: command.range) { [now, audience, limit] id in
                .activate(id: id, now: now, audience: audience, limit: limit)
            }
        case .deactivate:
            let abort = command.option(.abort) != nil
            return try await mutate(op, targets, display: display, at: command.range) { .deactivate(id: $0, abort: abort) }
        case .delete:
            return try await mutate(op, targets, display: display, at: command.range) { .delete(id: $0) }
        case .launch:
            return try await mutate(op, targets, display: display, at: command.range) { .launch(id: $0) }
        case .clone:
            let source = targets.ids[0]
            var name: String?
            if case .text(let text)? = command.option(.as)?.value { name = try await interpolate(text.parts) }
            let operation = MutatingOperation.clone(id: source, name: name)
            if settings.dryRun {
                let position = self.position(of: command.range)
                let plan = try await single(op, id: source, at: command.range) { () async throws(OperationError) in
                    try await operations.plan(operation, at: position)
                }
                let planned = Record(
                    [
                        ("id", .null), ("source", .int(source)), ("ok", .bool(true)), ("planned", .bool(true)),
                        ("request", .string(plan)),
                    ],
                    isPlanned: true)
                if display { emit(ResultBlock(op: op, layout: .perID, rows: [ResultRow(planned)])) }
                variables["failed"] = .list([])
                return .record(planned)
            }
            let position = self.position(of: command.range)
            let newID = try await single(op, id: source, at: command.range) { () async throws(OperationError) in
                try await operations.perform(operation, at: position)
            }
            let id: Value = newID.map { .int($0) } ?? .null
            variables["failed"] = .list([])
            if display {
                emit(
                    ResultBlock(
                        op: op, layout: .perID,
                        rows: [ResultRow(Record([("id", id), ("source", .int(source)), ("ok", .bool(true))]))]))
            }
            return .record(Record([("id", id), ("source", .int(source))]))
        }
    }

    private func record(_ value: Value) -> Record {
        if case .record(let record) = value { return record }
        return Record([("value", value)])
    }

    /// One request that is not per-ID (`list`) or about one campaign (`show`, `log`, `clone`):
    /// a failure is the statement's failure.
    private func single<T>(
        _ op: String, id: Int64?, at range: SourceRange, _ body: () async throws(OperationError) -> T
    ) async throws -> T {
        if isCancelled {
            throw fail(.cancelled(op: op, done: [], notDone: id.map { [$0] } ?? []), at: range, status: .interrupted)
        }
        do throws(OperationError) {
            return try await body()
        } catch {
            if error.kind == .cancelled {
                // `clone` abandoned mid-request may have created the copy.
                let unsure = GrammarTable.verb(named: op)?.mutates == true ? id.map { [$0] } ?? [] : []
                let notDone = unsure.isEmpty ? id.map { [$0] } ?? [] : []
                throw fail(
                    .cancelled(op: op, done: [], notDone: notDone, inFlight: unsure), at: range, status: .interrupted)
            }
            variables["failed"] = .list(id.map { [.int($0)] } ?? [])
            throw fail(.operationFailed(op: op, id: id, error: error), at: range, status: ExitStatus(for: error.kind))
        }
    }

    private func listFilter(_ command: Command) async throws -> ListFilter {
        var filter = ListFilter()
        for option in command.options {
            switch (option.key, option.value) {
            case (.active, _): filter.isActive = true
            case (.inactive, _): filter.isActive = false
            case (.type, .word(let word)): filter.type = word.name
            case (.tag, .text(let text)): filter.tags.append(try await interpolate(text.parts))
            case (.group, .text(let text)): filter.groupNames.append(try await interpolate(text.parts))
            case (.group, .integer(let integer)): filter.groupIDs.append(integer.value)
            case (.from, .integer(let integer)): filter.fromID = integer.value
            case (.limit, .integer(let integer)): filter.limit = integer.value
            default: break
            }
        }
        return filter
    }

    /// A mutating command over a target set: each ID's operation performed, or in a dry run
    /// planned (nothing is sent).
    private func mutate(
        _ op: String, _ targets: ResolvedTargets, display: Bool, at range: SourceRange,
        _ operation: @escaping @Sendable (Int64) -> MutatingOperation
    ) async throws -> Value {
        let operations = self.operations
        let dryRun = settings.dryRun
        let position = self.position(of: range)
        let statement = { () async throws -> Value in
            try await self.perID(op, targets, display: display, at: range, mutating: true, planned: dryRun) {
                id async throws(OperationError) in
                if dryRun {
                    let plan = try await operations.plan(operation(id), at: position)
                    return Record([("id", .int(id)), ("planned", .bool(true)), ("request", .string(plan))], isPlanned: true)
                }
                _ = try await operations.perform(operation(id), at: position)
                return Record([("id", .int(id))])
            }
        }
        if dryRun || targets.ids.isEmpty { return try await statement() }
        // Told before the first request, so the journal can put the statement's intents on
        // disk together instead of one sync per change.
        return try await operations.announcing(targets.ids.map(operation), at: position, statement)
    }

    /// Where a statement is, as diagnostics number it, for the run journal.
    private func position(of range: SourceRange) -> StatementPosition {
        StatementPosition(file: file.name, line: range.start.line + file.lineOffset, column: range.start.column)
    }

    /// A bulk statement: every ID attempted, one row per ID in input order, `$failed` set, and
    /// a failure of the whole statement when any ID failed.
    private func perID(
        _ op: String, _ targets: ResolvedTargets, display: Bool, at range: SourceRange, mutating: Bool,
        planned: Bool = false, _ work: @escaping @Sendable (Int64) async throws(OperationError) -> Record
    ) async throws -> Value {
        // `deactivate (list tag "typo")` must not look like a success that stopped something.
        // Not a failure: nothing matching is a possible state of an account (kubectl's "No
        // resources found" exits 0 too); `assert` makes it one where a script needs matches.
        if targets.ids.isEmpty {
            warn(DiagnosticRenderer.nothingMatchedMessage(op: op), at: range)
            variables["failed"] = .list([])
            if display { emit(.noTargets(op)) }
            return .list([])
        }
        let attempts = await bulk(targets.ids, op: op, work)
        var rows: [ResultRow] = []
        var values: [Value] = []
        var failures: [BulkFailure] = []
        var failedIDs: [Value] = []
        var done: [Int64] = []
        var notDone: [Int64] = []
        var inFlight: [Int64] = []
        var kinds: [OperationError.Kind] = []
        for (id, attempt) in zip(targets.ids, attempts) {
            switch attempt {
            case .ok(let result):
                var fields = Record([("id", .int(id)), ("ok", .bool(true))], isPlanned: result.isPlanned)
                for field in result.fields where field.name != "id" { fields[field.name] = field.value }
                rows.append(ResultRow(fields))
                values.append(.record(mutating ? fields : result))
                done.append(id)
            case .notStarted:
                rows.append(
                    ResultRow(Record([("id", .int(id)), ("ok", .bool(false)), ("done", .bool(false))]), error: .cancelled))
                failedIDs.append(.int(id))
                notDone.append(id)
            case .failed(let error) where error.kind == .cancelled:
                // A change whose request was abandoned may have reached the server; a read
                // changed nothing either way.
                let unsure = mutating && !planned
                rows.append(
                    ResultRow(
                        Record([("id", .int(id)), ("ok", .bool(false)), ("done", unsure ? .null : .bool(false))]),
                        error: .cancelled))
                failedIDs.append(.int(id))
                if unsure { inFlight.append(id) } else { notDone.append(id) }
            case .failed(let error):
                var fields = Record([("id", .int(id)), ("ok", .bool(false))])
                // A field, not only words in the error's text: a program deciding what to
                // check or resume reads it (docs/changes.md, "Resume").
                if mutating, !planned, error.mayHaveBeenApplied { fields["may_have_been_applied"] = .bool(true) }
                rows.append(ResultRow(fields, error: error))
                failures.append(BulkFailure(id: id, text: error.text))
                failedIDs.append(.int(id))
                kinds.append(error.kind)
                done.append(id)
            }
        }
        variables["failed"] = .list(failedIDs)
        if display, !rows.isEmpty { emit(ResultBlock(op: op, layout: .perID, rows: rows)) }
        if !notDone.isEmpty || !inFlight.isEmpty {
            throw fail(.cancelled(op: op, done: done, notDone: notDone, inFlight: inFlight), at: range, status: .interrupted)
        }
        if !failures.isEmpty {
            let first = kinds[0]
            let status = kinds.allSatisfy { ExitStatus(for: $0) == ExitStatus(for: first) } ? ExitStatus(for: first) : .failure
            if targets.ids.count == 1, case .failed(let error) = attempts[0] {
                throw fail(.operationFailed(op: op, id: targets.ids[0], error: error), at: range, status: status)
            }
            throw fail(.bulkFailed(op: op, total: targets.ids.count, failures: failures), at: range, status: status)
        }
        return targets.isSingle ? values[0] : .list(values)
    }

    // MARK: wait

    /// `wait T until STATE`: polls `status` with backoff until every ID is in the state.
    func wait(_ written: Targets, _ state: WaitState, timeout: Int64?, every: Int64?, range: SourceRange) async throws {
        let targets = try await resolve(written)
        if targets.hasPlannedUnknown {
            warn(DiagnosticRenderer.dryRunMessage(.unknownID(op: "wait")), at: range)
            return
        }
        var wanted: String?
        let stateName: String
        switch state.kind {
        case .active: stateName = "active"
        case .inactive: stateName = "inactive"
        case .completed: stateName = "completed"
        case .deleted: stateName = "deleted"
        case .status(let text):
            let status = try await interpolate(text.parts)
            wanted = status.lowercased()
            stateName = "status " + ScriptLiteral.quoted(status)
        }
        func reached(_ record: Record) -> Bool {
            switch state.kind {
            case .active: record["is_active"] == .bool(true)
            case .inactive: record["is_active"] == .bool(false)
            case .completed: record["is_completed"] == .bool(true)
            case .deleted: false
            case .status: record["status"].map { $0.displayText.lowercased() } == wanted
            }
        }
        var seen = Set<Int64>()
        var pending = targets.ids.filter { seen.insert($0).inserted }
        let timeoutMilliseconds = timeout ?? Self.defaultWaitTimeout
        let first = every ?? Self.defaultWaitInterval
        let cap = max(Self.maximumWaitInterval, first)
        var interval = first
        let deadline = clock.now() + timeoutMilliseconds
        var finished: [ResultRow] = []
        var lastSeen: [Int64: String] = [:]
        let operations = self.operations
        while true {
            let attempts = await bulk(pending) { id async throws(OperationError) in
                guard case .record(let record) = try await operations.status(id: id) else { return Record([]) }
                return record
            }
            var still: [Int64] = []
            var unknown: [Int64] = []
            for (id, attempt) in zip(pending, attempts) {
                switch attempt {
                case .ok(let record):
                    let status = record["status"]?.displayText ?? ""
                    if reached(record) {
                        finished.append(ResultRow(Record([("id", .int(id)), ("ok", .bool(true)), ("status", .string(status))])))
                    } else {
                        still.append(id)
                        lastSeen[id] = status.isEmpty ? "not \(stateName)" : "status \(status)"
                    }
                case .failed(let error) where error.kind == .notFound:
                    if case .deleted = state.kind {
                        finished.append(
                            ResultRow(Record([("id", .int(id)), ("ok", .bool(true)), ("status", .string("deleted"))])))
                    } else {
                        unknown.append(id)
                    }
                case .failed(let error) where error.kind != .cancelled:
                    throw fail(.operationFailed(op: "wait", id: id, error: error), at: range, status: ExitStatus(for: error.kind))
                default:
                    throw fail(
                        .cancelled(op: "wait", done: finished.compactMap { $0.fields["id"].flatMap(Self.int) }, notDone: pending),
                        at: range, status: .interrupted)
                }
            }
            if !unknown.isEmpty { throw fail(.waitUnknownIDs(state: stateName, ids: unknown), at: range) }
            pending = still
            if pending.isEmpty { break }
            if settings.dryRun {
                warn(DiagnosticRenderer.dryRunMessage(.waitWouldPoll(state: stateName, pending: pending)), at: range)
                return
            }
            let now = clock.now()
            if now >= deadline {
                let report = pending.map { BulkFailure(id: $0, text: lastSeen[$0] ?? "not \(stateName)") }
                variables["failed"] = .list(pending.map { .int($0) })
                throw fail(.waitTimedOut(state: stateName, timeoutMilliseconds: timeoutMilliseconds, pending: report), at: range)
            }
            do {
                try await sleep(min(interval, deadline - now))
            } catch {
                throw fail(
                    .cancelled(op: "wait", done: finished.compactMap { $0.fields["id"].flatMap(Self.int) }, notDone: pending),
                    at: range, status: .interrupted)
            }
            interval = min(interval * 3 / 2, cap)
        }
        variables["failed"] = .list([])
        let order = Dictionary(targets.ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        finished.sort { (order[Self.int($0.fields["id"]!) ?? 0] ?? 0) < (order[Self.int($1.fields["id"]!) ?? 0] ?? 0) }
        emit(ResultBlock(op: "wait", layout: .perID, rows: finished))
    }

    static func int(_ value: Value) -> Int64? {
        if case .int(let number) = value { return number }
        return nil
    }
}
