/// Where an activation sends its run instead of the campaign's own audience.
public struct AudienceOverride: Sendable, Hashable {
    /// `list` or `segment`.
    public var source: String
    /// The list's or segment's ID.
    public var id: Int64

    /// Creates an override.
    public init(source: String, id: Int64) {
        self.source = source
        self.id = id
    }
}

/// The filters of `list`.
public struct ListFilter: Sendable, Equatable {
    /// `true` for `active`, `false` for `inactive`, `nil` for both.
    public var isActive: Bool?
    /// `broadcast`, `regular` or `trigger`.
    public var type: String?
    /// Campaigns with any of these tags.
    public var tags: [String] = []
    /// Access groups by name.
    public var groupNames: [String] = []
    /// Access groups by ID.
    public var groupIDs: [Int64] = []
    /// The first ID to return.
    public var fromID: Int64?
    /// At most this many campaigns, one page; without it every page is followed.
    public var limit: Int64?

    /// Creates an empty filter: every campaign.
    public init() {}
}

/// Where `log … since` starts.
public enum LogSince: Sendable, Equatable {
    /// A time or a date.
    case time(Timestamp)
    /// This many milliseconds before now.
    case ago(milliseconds: Int64)
}

/// A request that changes server state, whole: the interpreter builds it once, then performs
/// it or, in a dry run, plans it.
public enum MutatingOperation: Sendable, Hashable {
    /// `activate ID [now] [audience …] [limit N]`
    case activate(id: Int64, now: Bool, audience: AudienceOverride?, limit: Int64?)
    /// `deactivate ID [abort]`
    case deactivate(id: Int64, abort: Bool)
    /// `clone ID [as NAME]`
    case clone(id: Int64, name: String?)
    /// `delete ID`
    case delete(id: Int64)
    /// `launch ID`; the start endpoint follows from the campaign's type, read when it is sent.
    case launch(id: Int64)
}

/// The campaign operations the language needs; the shell adapts them to the Altcraft API.
///
/// The reads of docs/language.md, "Campaign commands", one method each, and the changes as
/// `MutatingOperation` values, performed or planned. Values come back as language values, so
/// this module never sees HTTP, wire formats or the token.
public protocol CampaignOperations: Sendable {
    /// Sends a change: `activate` (with `now` it also starts a run, the audience and limit
    /// apply then), `deactivate` (`abort` drops the messages still queued), `clone`, `delete`,
    /// `launch` (broadcasts and regulars). Returns the new campaign's ID for a clone, else nil.
    func perform(_ operation: MutatingOperation) async throws(OperationError) -> Int64?
    /// The request a dry run prints instead of sending: endpoint and body, token masked.
    /// May read (a launch looks up the campaign's type to name its endpoint).
    func plan(_ operation: MutatingOperation) async throws(OperationError) -> String
    /// `{id, status, is_active, is_completed}`.
    func status(id: Int64) async throws(OperationError) -> Value
    /// The campaign's whole record.
    func show(id: Int64) async throws(OperationError) -> Value
    /// Campaigns matching the filter, following pages unless `limit` is given.
    func list(_ filter: ListFilter) async throws(OperationError) -> [Value]
    /// Log entries, oldest first.
    func log(id: Int64, since: LogSince?, limit: Int64?) async throws(OperationError) -> [Value]
    /// Applies `set timeout` (one request, milliseconds) and `set retries`.
    func configure(timeoutMilliseconds: Int64, retries: Int) async
    /// A dry run met a change of a campaign it cannot name: one that a planned `clone` would
    /// create, whose ID is known only once the clone is sent. `ids` are the statement's other,
    /// known targets, `statement` its text as written (its options are not evaluated). Nothing
    /// is sent; a plan records it (docs/changes.md, "Plans").
    func planUnknown(_ op: String, ids: [Int64], statement: String) async
    /// Runs `body`, a statement that is about to `perform` these changes (some may not be
    /// sent: a cancelled statement starts no more), told in advance so that a run journal
    /// can write their intents together, with one sync (docs/changes.md, "Run journals").
    /// `position` is the statement's.
    func announcing<T>(
        _ changes: [MutatingOperation], at position: StatementPosition, _ body: () async throws -> T
    ) async rethrows -> T
    /// Where a bulk statement's workers had best run (the transport's poller, whose thread
    /// then carries each exchange from request to answer), or nil for anywhere.
    var bulkExecutor: (any TaskExecutor)? { get }
}

extension CampaignOperations {
    /// Operations that have nothing to configure ignore the settings.
    public func configure(timeoutMilliseconds: Int64, retries: Int) async {}

    /// Operations that keep no plan have nothing to record.
    public func planUnknown(_ op: String, ids: [Int64], statement: String) async {}

    /// Operations with no network of their own run bulk work anywhere.
    public var bulkExecutor: (any TaskExecutor)? { nil }

    /// Operations that write nothing ahead run the statement as it is.
    public func announcing<T>(
        _ changes: [MutatingOperation], at position: StatementPosition, _ body: () async throws -> T
    ) async rethrows -> T {
        try await body()
    }
}
