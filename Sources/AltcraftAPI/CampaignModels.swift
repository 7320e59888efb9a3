import AltcraftWire

/// An access group of a campaign (`{"id": 0, "name": "main"}`, or `Id`/`Name` in older answers).
public struct CampaignGroup: Sendable, Hashable {
    public var id: Int64
    public var name: String

    public init(id: Int64, name: String) {
        self.id = id
        self.name = name
    }

    init(wire: WireValue) throws(WireDecodingError) {
        let reader = try WireReader(wire, context: "group")
        id = try reader.int("id")
        name = try reader.string("name", default: "")
    }
}

/// One row of a campaign list (`campaigns/list` and the per-type lists).
public struct CampaignSummary: Sendable, Hashable {
    public var id: Int64
    public var name: String
    /// `broadcast`, `regular`, `trigger`; in trigger lists the trigger type (`api_call`).
    public var type: String
    public var isActive: Bool
    public var forConfirm: Bool
    public var uiTags: [String]
    public var groups: [CampaignGroup]
    /// Everything the server sent for the row, unmodelled fields included.
    public var raw: WireObject

    public init(wire: WireValue) throws(WireDecodingError) {
        let reader = try WireReader(wire, context: "campaign")
        id = try reader.int("id")
        name = try reader.string("name", default: "")
        type = try reader.string("type", default: "")
        isActive = try reader.bool("is_active", default: false)
        forConfirm = try reader.bool("for_confirm", default: false)
        uiTags = try reader.strings("ui_tags")
        var groups: [CampaignGroup] = []
        for group in try reader.array("groups") { groups.append(try CampaignGroup(wire: group)) }
        self.groups = groups
        raw = reader.object
    }
}

/// One page of a campaign list.
public struct CampaignPage: Sendable, Hashable {
    public var campaigns: [CampaignSummary]
    public var totalCount: Int?
    /// The `from_id` of the next page (`campaigns/list` only).
    public var nextFromID: Int64?

    public init(campaigns: [CampaignSummary], totalCount: Int?, nextFromID: Int64?) {
        self.campaigns = campaigns
        self.totalCount = totalCount
        self.nextFromID = nextFromID
    }
}

/// A campaign's whole record as `get` returns it: a few typed fields and every field the
/// server sent, in its order, so that showing it loses nothing.
public struct CampaignRecord: Sendable, Hashable {
    public var id: Int64
    public var name: String
    public var type: String?
    public var status: String?
    public var isActive: Bool
    public var isCompleted: Bool?
    public var raw: WireObject

    public init(wire: WireValue) throws(WireDecodingError) {
        let reader = try WireReader(wire, context: "campaign")
        id = try reader.int("id")
        name = try reader.string("name", default: "")
        type = reader.object["type"]?.stringValue ?? reader.object["trigger_type"]?.stringValue
        status = reader.object["status"]?.stringValue
        isActive = try reader.bool("is_active", default: false)
        isCompleted = reader.object["is_completed"] == nil ? nil : try reader.bool("is_completed")
        raw = reader.object
    }
}

/// The answer of `get_status`.
public struct CampaignStatus: Sendable, Hashable {
    public var isActive: Bool
    public var isCompleted: Bool
    /// The server's status word, e.g. `Inactive` (the reference does not enumerate them).
    public var status: String

    public init(isActive: Bool, isCompleted: Bool, status: String) {
        self.isActive = isActive
        self.isCompleted = isCompleted
        self.status = status
    }

    public init(wire: WireValue) throws(WireDecodingError) {
        let reader = try WireReader(wire, context: "status")
        isActive = try reader.bool("is_active")
        isCompleted = try reader.bool("is_completed", default: false)
        status = try reader.string("status", default: "")
    }
}

/// One entry of a campaign log (`log_v2`).
public struct LogEntry: Sendable, Hashable {
    /// `DEBUG`, `INFO`, `WARNING` or `ERROR`.
    public var level: String
    public var message: String
    public var time: String
    /// `start`, `end` or empty.
    public var state: String
    public var value: String

    public init(level: String, message: String, time: String, state: String, value: String) {
        self.level = level
        self.message = message
        self.time = time
        self.state = state
        self.value = value
    }

    public init(wire: WireValue) throws(WireDecodingError) {
        let reader = try WireReader(wire, context: "log entry")
        level = try reader.string("level", default: "")
        message = try reader.string("message", default: "")
        time = try reader.string("time", default: "")
        state = try reader.string("state", default: "")
        value = try reader.string("value", default: "")
    }
}

public struct CampaignLog: Sendable, Hashable {
    public var entries: [LogEntry]
    public var totalCount: Int?
}

/// Filters and paging of the list endpoints.
public struct CampaignListQuery: Sendable, Hashable {
    public var fromID: Int64?
    public var limit: Int64?
    public var type: String?
    public var isActive: Bool?
    public var uiTags: [String]
    public var groups: [String]
    public var groupIDs: [Int64]
    /// The v72 attribute filter (`{"season": {"options": […]}}`), passed through as given.
    public var attributes: WireValue?

    public init(
        fromID: Int64? = nil, limit: Int64? = nil, type: String? = nil, isActive: Bool? = nil, uiTags: [String] = [],
        groups: [String] = [], groupIDs: [Int64] = [], attributes: WireValue? = nil
    ) {
        self.fromID = fromID
        self.limit = limit
        self.type = type
        self.isActive = isActive
        self.uiTags = uiTags
        self.groups = groups
        self.groupIDs = groupIDs
        self.attributes = attributes
    }

    var parameters: WireObject {
        var object = WireObject()
        if let fromID { object["from_id"] = .int(fromID) }
        if let limit { object["limit"] = .int(limit) }
        if let type { object["type"] = .string(type) }
        if let isActive { object["is_active"] = .bool(isActive) }
        if !uiTags.isEmpty { object["ui_tags"] = .array(uiTags.map { .string($0) }) }
        if !groups.isEmpty { object["groups"] = .array(groups.map { .string($0) }) }
        if !groupIDs.isEmpty { object["groups_id"] = .array(groupIDs.map { .int($0) }) }
        if let attributes { object["attributes"] = attributes }
        return object
    }
}

/// The audience source type of an activate/launch override.
public enum AudienceSource: String, Sendable, Hashable {
    case list, segment
}

/// Options of `activate` and of the broadcast/regular `start` calls.
public struct LaunchOptions: Sendable, Hashable {
    public var overrideSourceType: AudienceSource?
    public var overrideSourceID: Int64?
    public var overrideLimit: Int64?
    /// Data for the API-content filter node and `apicontent` template variables.
    public var content: WireValue?
    /// File objects attached to the messages.
    public var attach: [WireValue]?

    public init(
        overrideSourceType: AudienceSource? = nil, overrideSourceID: Int64? = nil, overrideLimit: Int64? = nil,
        content: WireValue? = nil, attach: [WireValue]? = nil
    ) {
        self.overrideSourceType = overrideSourceType
        self.overrideSourceID = overrideSourceID
        self.overrideLimit = overrideLimit
        self.content = content
        self.attach = attach
    }

    func add(to object: inout WireObject) {
        if let overrideSourceType { object["override_source_type"] = .string(overrideSourceType.rawValue) }
        if let overrideSourceID { object["override_source_id"] = .int(overrideSourceID) }
        if let overrideLimit { object["override_limit"] = .int(overrideLimit) }
        if let content { object["content"] = content }
        if let attach { object["attach"] = .array(attach) }
    }
}
