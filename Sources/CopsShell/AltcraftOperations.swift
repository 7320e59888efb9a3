import AltcraftAPI
import AltcraftWire
import CampaignScript
import Foundation
import Synchronization

/// The language's campaign operations over the Altcraft client: requests built by
/// `AltcraftAPI`, answers turned into language values, errors sorted for exit statuses.
///
/// The token lives only inside the client; nothing here copies it into a value or a message.
public final class AltcraftOperations: CampaignOperations {
    private let client: Mutex<AltcraftClient>
    private let makeClient: @Sendable (ClientConfiguration) -> AltcraftClient
    /// Names from answers, for completion at the prompt.
    public let seen = SeenCampaigns()

    /// Wraps a client; `makeClient` rebuilds it when `set timeout` or `set retries` change
    /// its configuration (the transport, and so the connections, stay the same).
    public init(client: AltcraftClient, makeClient: (@Sendable (ClientConfiguration) -> AltcraftClient)? = nil) {
        self.client = Mutex(client)
        let transport = client.transport
        self.makeClient = makeClient ?? { AltcraftClient(configuration: $0, transport: transport) }
    }

    private var current: AltcraftClient { client.withLock { $0 } }

    /// Applies `set timeout` and `set retries` to the requests that follow.
    public func configure(timeoutMilliseconds: Int64, retries: Int) async {
        client.withLock { client in
            var configuration = client.configuration
            configuration.timeout = .milliseconds(timeoutMilliseconds)
            configuration.retries = retries
            client = makeClient(configuration)
        }
    }

    public var bulkExecutor: (any TaskExecutor)? { current.transport.preferredExecutor }

    /// Closes the client's connections.
    public func shutdown() async { await current.shutdown() }

    // MARK: Operations

    public func perform(_ operation: MutatingOperation) async throws(OperationError) -> Int64? {
        let client = current
        let call = try await apiCall(for: operation, client: client)
        let newID = try await self.call { () async throws(AltcraftError) -> Int64? in
            let answer = try await client.perform(call)
            guard case .clone = operation else { return nil }
            return try client.clonedID(in: answer, of: call)
        }
        switch operation {
        case .clone(_, let name?): if let newID { seen.record(id: newID, name: name) }
        case .delete(let id): seen.forget(id: id)
        default: break
        }
        return newID
    }

    public func plan(_ operation: MutatingOperation) async throws(OperationError) -> String {
        let client = current
        return client.plan(for: try await apiCall(for: operation, client: client))
    }

    public func status(id: Int64) async throws(OperationError) -> Value {
        let status = try await call { () async throws(AltcraftError) in try await current.status(id: id) }
        return .record(
            Record([
                ("id", .int(id)), ("status", .string(status.status)), ("is_active", .bool(status.isActive)),
                ("is_completed", .bool(status.isCompleted)),
            ]))
    }

    public func show(id: Int64) async throws(OperationError) -> Value {
        let record = try await call { () async throws(AltcraftError) in try await current.get(id: id) }
        seen.record(id: id, name: record.name)
        return Self.value(.object(record.normalized))
    }

    public func list(_ filter: ListFilter) async throws(OperationError) -> [Value] {
        var query = CampaignListQuery(
            fromID: filter.fromID, limit: filter.limit, type: filter.type,
            isActive: filter.isActive, uiTags: filter.tags, groups: filter.groupNames, groupIDs: filter.groupIDs)
        let client = current
        if filter.limit != nil {
            let page = try await call { () async throws(AltcraftError) in try await client.list(query) }
            return page.campaigns.map { remembered($0) }
        }
        query.limit = nil
        return try await call { () async throws(AltcraftError) in
            var campaigns: [Value] = []
            var iterator = client.listAll(query).makeAsyncIterator()
            while let campaign = try await iterator.next() { campaigns.append(remembered(campaign)) }
            return campaigns
        }
    }

    public func log(id: Int64, since: LogSince?, limit: Int64?) async throws(OperationError) -> [Value] {
        let fromTime = since.map(Self.fromTime)
        let log = try await call { () async throws(AltcraftError) in
            try await current.log(id: id, fromTime: fromTime, limit: limit)
        }
        return log.entries.map { entry in
            .record(
                Record([
                    ("time", .string(entry.time)), ("level", .string(entry.level)), ("message", .string(entry.message)),
                    ("state", .string(entry.state)), ("value", .string(entry.value)),
                ]))
        }
    }

    // MARK: Helpers

    /// The one request an operation is, so that what `perform` sends is what `plan` shows.
    private func apiCall(for operation: MutatingOperation, client: AltcraftClient) async throws(OperationError) -> APICall {
        switch operation {
        case .activate(let id, let now, let audience, let limit):
            return .activate(id: id, runNow: now, options: Self.launchOptions(audience, limit))
        case .deactivate(let id, let abort):
            return .deactivate(id: id, abortIfRunning: abort)
        case .clone(let id, let name):
            return .clone(id: id, name: name)
        case .delete(let id):
            return .delete(id: id)
        case .launch(let id):
            // Which start endpoint depends on the campaign's type: a read, which dry runs allow.
            let type = try await campaignType(id: id, client: client)
            return .start(type == "regular" ? .regularsStart : .broadcastsStart, id: id)
        }
    }

    private func remembered(_ campaign: CampaignSummary) -> Value {
        seen.record(id: campaign.id, name: campaign.name)
        return Self.value(.object(campaign.normalized))
    }

    private func campaignType(id: Int64, client: AltcraftClient) async throws(OperationError) -> String {
        let record = try await call { () async throws(AltcraftError) in try await client.get(id: id) }
        let type = record.type ?? ""
        guard type == "broadcast" || type == "regular" else {
            throw OperationError(.other, text: Wording.cannotLaunch(id: id, type: type))
        }
        return type
    }

    private func call<T>(_ body: () async throws(AltcraftError) -> T) async throws(OperationError) -> T {
        do throws(AltcraftError) {
            return try await body()
        } catch {
            throw Self.operationError(error)
        }
    }

    /// Sorts a client error into the classes the language's exit statuses and `wait` need.
    public static func operationError(_ error: AltcraftError) -> OperationError {
        var sorted = classified(error)
        sorted.mayHaveBeenApplied = error.mayHaveBeenApplied
        return sorted
    }

    /// The class and text of a client error; `operationError` adds whether it may have applied.
    private static func classified(_ error: AltcraftError) -> OperationError {
        var text = error.summary
        if error.attempts > 1 { text += " after \(error.attempts) attempts" }
        if error.mayHaveBeenApplied { text += "; the server may have carried it out" }
        let code: Int?
        switch error.kind {
        case .api(let apiCode, _): code = apiCode
        case .httpStatus(let status, let apiCode, _): code = apiCode ?? status
        default: code = nil
        }
        if error.stage == .cancelled { return OperationError(.cancelled, text: text) }
        if error.isAuthenticationFailure { return OperationError(.authentication, code: code, text: text) }
        if error.isNotFound { return OperationError(.notFound, code: code, text: text) }
        if case .tls = error.kind { return OperationError(.tls, code: code, text: text) }
        if error.isUnreachable { return OperationError(.unreachable, code: code, text: text) }
        if error.isServerError { return OperationError(.serverError, code: code, text: text) }
        if case .api = error.kind { return OperationError(.api, code: code, text: text) }
        if case .httpStatus(_, .some, _) = error.kind { return OperationError(.api, code: code, text: text) }
        return OperationError(.other, code: code, text: text)
    }

    static func launchOptions(_ audience: AudienceOverride?, _ limit: Int64?) -> LaunchOptions {
        LaunchOptions(
            overrideSourceType: audience.flatMap { AudienceSource(rawValue: $0.source) },
            overrideSourceID: audience.map(\.id), overrideLimit: limit)
    }

    /// `log_v2`'s `from_time`: the time in RFC 3339, or now minus the duration.
    static func fromTime(_ since: LogSince) -> String {
        switch since {
        case .time(let time):
            return time.rfc3339
        case .ago(let milliseconds):
            return UTCTime.rfc3339(Date().addingTimeInterval(-Double(milliseconds) / 1000))
        }
    }

    /// A wire value as a language value; fractional numbers become text (the language has
    /// only integers).
    public static func value(_ wire: WireValue) -> Value {
        switch wire {
        case .null: return .null
        case .bool(let flag): return .bool(flag)
        case .int(let number): return .int(number)
        case .double(let number):
            if number.rounded() == number, abs(number) < 9e18 { return .int(Int64(number)) }
            return .string(String(number))
        case .string(let text): return .string(text)
        case .array(let items): return .list(items.map(value))
        case .object(let object): return .record(Record(object.fields.map { ($0.key, value($0.value)) }))
        }
    }
}
