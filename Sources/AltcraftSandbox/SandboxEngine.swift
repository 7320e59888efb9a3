import AltcraftWire

/// The simulated Altcraft v72 Campaigns API: a state machine with an injected clock and no I/O.
///
/// Both the in-process transport and the HTTP server feed it decoded parameters and turn
/// its `SandboxReply` into bytes. Where the reference is silent (error codes, status words,
/// delete), the choices are listed in docs/sandbox.md and marked INFERRED here.
public struct SandboxEngine: Sendable {
    /// The token the sandbox accepts unless told otherwise; `cops sandbox serve --help` names it.
    public static let defaultToken = "sandbox-token"

    public let token: String
    public let clock: any SandboxClock
    private(set) var campaigns: [Int: SandboxCampaign] = [:]
    private var sortedIDs: [Int] = []
    private var sendingIDs: Set<Int> = []
    private(set) var nextID: Int
    /// The requests received, newest last, without tokens (tests assert what was sent): the
    /// last `requestLogLimit` of them.
    public var requestLog: [SandboxRequestRecord] {
        oldestRequest == 0 ? recentRequests : Array(recentRequests[oldestRequest...] + recentRequests[..<oldestRequest])
    }
    public var requestLogLimit = 10_000
    // A ring once full: dropping the oldest from the front of an array moved the whole log on
    // every request (7 % of the server's CPU under load, docs/performance.md).
    private var recentRequests: [SandboxRequestRecord] = []
    private var oldestRequest = 0

    public init(token: String = SandboxEngine.defaultToken, clock: any SandboxClock, state: SandboxState) {
        self.token = token
        self.clock = clock
        self.nextID = state.nextID
        for campaign in state.campaigns { insert(campaign) }
        self.nextID = max(state.nextID, (sortedIDs.last ?? 0) + 1)
    }

    /// A sandbox holding the seed campaigns (and generated ones up to `fillTo`).
    public init(token: String = SandboxEngine.defaultToken, clock: any SandboxClock, fillTo: Int = 0) {
        self.init(token: token, clock: clock, state: SandboxState.seed(at: clock.now(), fillTo: fillTo))
    }

    /// Takes another process's state in place of ours, keeping the request log.
    public mutating func replaceState(_ state: SandboxState) {
        campaigns = [:]
        sortedIDs = []
        sendingIDs = []
        for campaign in state.campaigns { insert(campaign) }
        nextID = max(state.nextID, (sortedIDs.last ?? 0) + 1)
    }

    /// The whole state, for persistence.
    public var state: SandboxState {
        SandboxState(campaigns: sortedIDs.map { campaigns[$0]! }, nextID: nextID)
    }

    public func campaign(_ id: Int) -> SandboxCampaign? { campaigns[id] }
    public var campaignIDs: [Int] { sortedIDs }

    private mutating func insert(_ campaign: SandboxCampaign) {
        if campaigns.updateValue(campaign, forKey: campaign.id) == nil {
            let index = sortedIDs.partitioningIndex { $0 >= campaign.id }
            sortedIDs.insert(campaign.id, at: index)
        }
        if campaign.queued > 0 { sendingIDs.insert(campaign.id) } else { sendingIDs.remove(campaign.id) }
    }

    private mutating func remove(_ id: Int) {
        campaigns[id] = nil
        sendingIDs.remove(id)
        let index = sortedIDs.partitioningIndex { $0 >= id }
        if index < sortedIDs.count, sortedIDs[index] == id { sortedIDs.remove(at: index) }
    }

    private mutating func record(_ request: SandboxRequestRecord) {
        if recentRequests.count == requestLogLimit, requestLogLimit > 0 {
            // Full: the newest takes the oldest's place.
            recentRequests[oldestRequest] = request
            oldestRequest = (oldestRequest + 1) % recentRequests.count
            return
        }
        if oldestRequest != 0 {
            // The limit changed while the ring was wrapped: back to oldest-first order.
            recentRequests = requestLog
            oldestRequest = 0
        }
        recentRequests.append(request)
        if recentRequests.count > requestLogLimit {
            recentRequests.removeFirst(recentRequests.count - max(requestLogLimit, 0))
        }
    }

    /// Lets the sending queues run up to the clock's now.
    public mutating func advance() {
        let now = clock.now()
        for id in sendingIDs {
            campaigns[id]!.drain(until: now)
            if campaigns[id]!.queued == 0 { sendingIDs.remove(id) }
        }
    }

    /// Answers one API call. `bearer` is the token of an `Authorization: Bearer` header.
    public mutating func handle(path: String, parameters: WireObject, bearer: String? = nil) -> SandboxReply {
        guard let endpoint = Endpoint(path: path) else { return .unknownMethod(path) }
        let given = parameters["token"]?.stringValue ?? bearer
        // Any spelling of the key: lookups are case-insensitive, so `Token` is a token too.
        let recorded = WireObject(
            parameters.fields.filter { !$0.key.equalsIgnoringASCIICase("token") }.map { ($0.key, $0.value) })
        record(SandboxRequestRecord(endpoint: endpoint, parameters: recorded, time: clock.now()))
        guard let given, !given.isEmpty else {
            return SandboxReply(error: APIErrorCode.tokenRequired, text: "API token required")
        }
        guard given == token else {
            // INFERRED: the reference's code table is cut off at "403 No …".
            return SandboxReply(error: APIErrorCode.forbidden, text: "No access: the API token is not valid")
        }
        advance()
        do {
            return try dispatch(endpoint, Parameters(parameters))
        } catch {
            return SandboxReply(error: error.code, text: error.text)
        }
    }

    private mutating func dispatch(_ endpoint: Endpoint, _ p: Parameters) throws(SandboxFailure) -> SandboxReply {
        let now = clock.now()
        switch endpoint {
        case .activate:
            let id = try p.id()
            let runNow = try p.bool("run_now") ?? false
            let options = try p.launchOptions()
            var campaign = try existing(id)
            if runNow {
                guard campaign.kind != .trigger else {
                    throw SandboxFailure(
                        APIErrorCode.badRequest, "Trigger campaigns cannot be run now; they are launched by their trigger")
                }
                guard campaign.queued == 0 else {
                    throw SandboxFailure(APIErrorCode.badRequest, "Campaign \(id) is already sending")
                }
            }
            if !campaign.isActive {
                campaign.isActive = true
                campaign.isCompleted = false
                campaign.updateTime = now
                campaign.addLog(now, "INFO", "Campaign activated")
            }
            if runNow {
                launch(&campaign, options, now)
            } else if options.overrideSourceID != nil || options.overrideSourceType != nil || options.overrideLimit != nil {
                campaign.addLog(now, "WARNING", "Audience override ignored without run_now")
            }
            insert(campaign)
            return SandboxReply(data: .null, mutated: true)

        case .deactivate:
            let id = try p.id()
            let abort = try p.bool("abort_if_running") ?? false
            var campaign = try existing(id)
            // Repeating a deactivate changes nothing, unless it now aborts a draining queue.
            guard campaign.isActive || (abort && campaign.queued > 0) else { return SandboxReply(data: .null) }
            campaign.isActive = false
            campaign.updateTime = now
            if campaign.queued > 0, abort {
                campaign.addLog(now, "WARNING", "Sending aborted", value: "\(campaign.queued) queued messages dropped")
                campaign.queued = 0
                campaign.sendStarted = nil
                campaign.sentThisRun = nil
                campaign.addLog(now, "INFO", "Campaign deactivated")
            } else if campaign.queued > 0 {
                campaign.addLog(
                    now, "INFO", "Campaign deactivated", value: "\(campaign.queued) queued messages will still be sent")
            } else {
                campaign.addLog(now, "INFO", "Campaign deactivated")
            }
            insert(campaign)
            return SandboxReply(data: .null, mutated: true)

        case .list:
            return try list(p, kind: nil, withNextFromID: true)
        case .broadcastsList:
            return try list(p, kind: .broadcast, withNextFromID: false)
        case .regularsList:
            return try list(p, kind: .regular, withNextFromID: false)
        case .triggersList:
            return try list(p, kind: .trigger, withNextFromID: false)

        case .get:
            return SandboxReply(data: try existing(try p.id()).record)
        case .broadcastsGet:
            return SandboxReply(data: try existing(try p.id(), kind: .broadcast).record)
        case .regularsGet:
            return SandboxReply(data: try existing(try p.id(), kind: .regular).record)
        case .triggersGet:
            return SandboxReply(data: try existing(try p.id(), kind: .trigger).record)

        case .status:
            let campaign = try existing(try p.id())
            return SandboxReply(
                data: .object(
                    WireObject([
                        ("is_active", .bool(campaign.isActive)), ("is_completed", .bool(campaign.isCompleted)),
                        ("status", .string(campaign.status)),
                    ])))

        case .log:
            let campaign = try existing(try p.id())
            let limit = try p.int("limit", in: 1...100_000) ?? 1000
            var from = -Double.infinity
            if let text = try p.string("from_time"), !text.isEmpty {
                guard let parsed = SandboxTime.parse(text) else {
                    throw SandboxFailure(APIErrorCode.badRequest, "Parameter 'from_time' must be an RFC 3339 time")
                }
                from = parsed
            }
            let matching = campaign.log.filter { $0.time >= from }.sorted { $0.time < $1.time }
            let rows = matching.prefix(limit).map { entry -> WireValue in
                .object(
                    WireObject([
                        ("level", .string(entry.level)), ("message", .string(entry.message)),
                        ("time", .string(SandboxTime.format(entry.time))), ("state", .string(entry.state)),
                        ("value", .string(entry.value)),
                    ]))
            }
            return SandboxReply(data: .array(Array(rows)), extra: [("total_count", .int(Int64(matching.count)))])

        case .clone:
            let id = try p.id()
            let source = try existing(id)
            let name = try p.string("name").flatMap { $0.isEmpty ? nil : $0 } ?? "Clone of \(source.name)"
            var copy = source
            copy.id = nextID
            nextID += 1
            copy.name = name
            copy.isActive = false
            copy.isCompleted = false
            copy.queued = 0
            copy.sent = 0
            copy.sendStarted = nil
            copy.sentThisRun = nil
            copy.drainedUntil = now
            copy.updateTime = now
            copy.log = []
            copy.addLog(now, "INFO", "Campaign created", value: "cloned from \(id)")
            insert(copy)
            return SandboxReply(data: .object(WireObject([("saved_id", .int(Int64(copy.id)))])), mutated: true)

        case .delete:
            let id = try p.id()
            let campaign = try existing(id)
            guard !campaign.isActive, campaign.queued == 0 else {
                // INFERRED: the delete page is missing; refusing to delete a live campaign is
                // the safe reading.
                throw SandboxFailure(APIErrorCode.badRequest, "Campaign \(id) is active; deactivate it before deleting")
            }
            remove(id)
            return SandboxReply(data: .null, mutated: true)

        case .broadcastsStart, .regularsStart:
            let kind: SandboxCampaign.Kind = endpoint == .broadcastsStart ? .broadcast : .regular
            let id = try p.id()
            let options = try p.launchOptions()
            var campaign = try existing(id, kind: kind)
            guard campaign.isActive else { throw SandboxFailure(APIErrorCode.badRequest, "Campaign \(id) is not active") }
            guard campaign.queued == 0 else { throw SandboxFailure(APIErrorCode.badRequest, "Campaign \(id) is already sending") }
            launch(&campaign, options, now)
            insert(campaign)
            return SandboxReply(data: .null, mutated: true)
        }
    }

    private func launch(_ campaign: inout SandboxCampaign, _ options: LaunchOverrides, _ now: Double) {
        var size = campaign.audienceSize
        if let limit = options.overrideLimit, limit > 0 { size = min(size, limit) }
        campaign.isCompleted = false
        campaign.queued = size
        campaign.sentThisRun = 0
        campaign.sendStarted = now
        campaign.drainedUntil = now
        campaign.updateTime = now
        var value = "\(size) messages queued"
        if let type = options.overrideSourceType, let source = options.overrideSourceID {
            value += "; audience \(type) \(source)"
        }
        campaign.addLog(now, "INFO", "Begin campaign", state: "start", value: value)
        if size == 0 {
            campaign.isCompleted = true
            campaign.addLog(now, "INFO", "Campaign finished", state: "end")
        }
    }

    private func existing(_ id: Int, kind: SandboxCampaign.Kind? = nil) throws(SandboxFailure) -> SandboxCampaign {
        guard let campaign = campaigns[id] else { throw SandboxFailure(APIErrorCode.notFound, "Campaign not found") }
        if let kind, campaign.kind != kind {
            throw SandboxFailure(
                APIErrorCode.badRequest, "Campaign \(id) is a \(campaign.kind.rawValue) campaign, not a \(kind.rawValue) campaign"
            )
        }
        return campaign
    }

    private func list(_ p: Parameters, kind: SandboxCampaign.Kind?, withNextFromID: Bool) throws(SandboxFailure) -> SandboxReply {
        let fromID = try p.int("from_id", in: 0...Int.max) ?? 1
        let limit = try p.int("limit", in: 1...100_000) ?? 1000
        var typeFilter: SandboxCampaign.Kind? = kind
        if kind == nil, let type = try p.string("type"), !type.isEmpty {
            guard let parsed = SandboxCampaign.Kind(rawValue: type) else {
                throw SandboxFailure(APIErrorCode.badRequest, "Parameter 'type' must be broadcast, regular or trigger")
            }
            typeFilter = parsed
        }
        let active = try p.bool("is_active")
        let tags = try p.strings("ui_tags")
        let groups = try p.strings("groups")
        let groupIDs = try p.ints("groups_id")
        func matches(_ c: SandboxCampaign) -> Bool {
            if let typeFilter, c.kind != typeFilter { return false }
            if let active, c.isActive != active { return false }
            if !tags.isEmpty, !c.uiTags.contains(where: tags.contains) { return false }
            if !groups.isEmpty, !c.groups.contains(where: { groups.contains($0.name) }) { return false }
            if !groupIDs.isEmpty, !c.groups.contains(where: { groupIDs.contains($0.id) }) { return false }
            return true
        }
        var rows: [WireValue] = []
        var total = 0
        var lastID: Int?
        for id in sortedIDs {
            let campaign = campaigns[id]!
            guard matches(campaign) else { continue }
            total += 1
            if id >= fromID, rows.count < limit {
                rows.append(campaign.summary(triggerTypeAsType: kind == .trigger))
                lastID = id
            }
        }
        var extra: [(String, WireValue)] = []
        if withNextFromID { extra.append(("next_from_id", .int(Int64((lastID ?? (fromID - 1)) + 1)))) }
        extra.append(("total_count", .int(Int64(total))))
        return SandboxReply(data: .array(rows), extra: extra)
    }
}

/// The sandbox's whole state as it is saved between runs.
public struct SandboxState: Codable, Sendable, Equatable {
    public var campaigns: [SandboxCampaign]
    public var nextID: Int

    public static func seed(at now: Double, fillTo: Int = 0) -> SandboxState {
        let campaigns = SandboxSeed.campaigns(at: now, fillTo: fillTo)
        return SandboxState(campaigns: campaigns, nextID: (campaigns.last?.id ?? 0) + 1)
    }
}

/// One request as the sandbox received it, token removed.
public struct SandboxRequestRecord: Sendable, Equatable {
    public var endpoint: Endpoint
    public var parameters: WireObject
    public var time: Double
}

/// The sandbox's answer before it is encoded.
public struct SandboxReply: Sendable {
    public var httpStatus: Int
    public var envelope: WireObject
    /// Whether the state changed (and should be saved).
    public var mutated: Bool

    init(data: WireValue, extra: [(String, WireValue)] = [], mutated: Bool = false) {
        httpStatus = 200
        envelope = WireObject([("data", data), ("error", .int(0)), ("error_text", .string("Successful operation"))] + extra)
        self.mutated = mutated
    }

    /// An error envelope. INFERRED: API errors come with HTTP 200, as the reference's note on
    /// HTTP statuses suggests (docs/sandbox.md); clients must check `error` either way.
    init(httpStatus: Int = 200, error: Int, text: String) {
        self.httpStatus = httpStatus
        envelope = WireObject([("data", .null), ("error", .int(Int64(error))), ("error_text", .string(text))])
        mutated = false
    }

    /// A path that is no API method (or is not below the API root): HTTP 404.
    static func unknownMethod(_ path: String) -> SandboxReply {
        SandboxReply(httpStatus: 404, error: 404, text: "Unknown API method \(path)")
    }
}

struct SandboxFailure: Error {
    var code: Int
    var text: String
    init(_ code: Int, _ text: String) {
        self.code = code
        self.text = text
    }
}

/// The options of `activate` and the `start` calls that change a launch, as the engine reads
/// them from a request. (The client writes them from its own `LaunchOptions`: the engine
/// reads the wire, as a real panel does, and does not depend on the client.)
struct LaunchOverrides {
    /// `list` or `segment`.
    var overrideSourceType: String?
    var overrideSourceID: Int?
    var overrideLimit: Int?
}

/// Typed reads of request parameters that accept the docs' string-encoded values.
struct Parameters {
    let object: WireObject
    init(_ object: WireObject) { self.object = object }

    func present(_ key: String) -> WireValue? {
        guard let value = object[key], !value.isNull else { return nil }
        if case .string(let text) = value, text.isEmpty { return nil }
        return value
    }

    func id() throws(SandboxFailure) -> Int {
        guard present("id") != nil else { throw SandboxFailure(APIErrorCode.badRequest, "Parameter 'id' is required") }
        guard let id = try int("id", in: 1...Int(Int32.max)) else {
            throw SandboxFailure(APIErrorCode.badRequest, "Parameter 'id' is required")
        }
        return id
    }

    func int(_ key: String, in range: ClosedRange<Int>) throws(SandboxFailure) -> Int? {
        guard let value = present(key) else { return nil }
        guard let number = value.intValue, let result = Int(exactly: number) else {
            throw SandboxFailure(
                APIErrorCode.badRequest,
                "Parameter '\(key)' must be an integer" + (range.lowerBound > 0 ? " of at least \(range.lowerBound)" : ""))
        }
        // The bound that was missed: `limit 100001` was told "of at least 1", which it is.
        guard range.contains(result) else {
            let bound =
                range.upperBound == Int.max
                ? "of at least \(range.lowerBound)" : "from \(range.lowerBound) to \(range.upperBound)"
            throw SandboxFailure(APIErrorCode.badRequest, "Parameter '\(key)' must be an integer \(bound)")
        }
        return result
    }

    func bool(_ key: String) throws(SandboxFailure) -> Bool? {
        guard let value = present(key) else { return nil }
        guard let flag = value.boolValue else {
            throw SandboxFailure(APIErrorCode.badRequest, "Parameter '\(key)' must be a boolean")
        }
        return flag
    }

    func string(_ key: String) throws(SandboxFailure) -> String? {
        guard let value = present(key) else { return nil }
        guard let text = value.stringValue else {
            throw SandboxFailure(APIErrorCode.badRequest, "Parameter '\(key)' must be a string")
        }
        return text
    }

    func strings(_ key: String) throws(SandboxFailure) -> [String] {
        guard let value = present(key) else { return [] }
        guard let items = value.arrayValue else {
            throw SandboxFailure(APIErrorCode.badRequest, "Parameter '\(key)' must be a list")
        }
        var result: [String] = []
        for item in items {
            guard let text = item.stringValue else {
                throw SandboxFailure(APIErrorCode.badRequest, "Parameter '\(key)' must be a list of strings")
            }
            result.append(text)
        }
        return result
    }

    func ints(_ key: String) throws(SandboxFailure) -> [Int] {
        guard let value = present(key) else { return [] }
        guard let items = value.arrayValue else {
            throw SandboxFailure(APIErrorCode.badRequest, "Parameter '\(key)' must be a list")
        }
        var result: [Int] = []
        for item in items {
            guard let number = item.intValue, let id = Int(exactly: number) else {
                throw SandboxFailure(APIErrorCode.badRequest, "Parameter '\(key)' must be a list of integers")
            }
            result.append(id)
        }
        return result
    }

    func launchOptions() throws(SandboxFailure) -> LaunchOverrides {
        var options = LaunchOverrides()
        if let type = try string("override_source_type") {
            guard ["list", "segment"].contains(type) else {
                throw SandboxFailure(APIErrorCode.badRequest, "Parameter 'override_source_type' must be list or segment")
            }
            options.overrideSourceType = type
        }
        options.overrideSourceID = try int("override_source_id", in: 1...Int.max)
        options.overrideLimit = try int("override_limit", in: 0...Int.max)
        return options
    }
}

extension Array {
    /// The first index whose element satisfies `predicate`, for a predicate that is false
    /// then true along the array (binary search).
    func partitioningIndex(where predicate: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let mid = (low + high) / 2
            if predicate(self[mid]) { high = mid } else { low = mid + 1 }
        }
        return low
    }
}
