import AltcraftWire

/// The state file's JSON, written and read with the project's own JSON codec (`JSONWire`).
///
/// Foundation's `JSONEncoder`/`JSONDecoder` did this before, and in a short `cops` run their
/// first use (Codable's generic containers, type metadata looked up at run time) cost more
/// than everything else the embedded sandbox does: about 6 ms of a 25 ms `cops -c 'deactivate
/// 15'` (docs/performance.md). The file is the same: the Codable property names as keys, in
/// sorted order, numbers as numbers, absent optionals left out; files written either way read
/// the same.
extension SandboxState {
    /// The state as the file's JSON bytes.
    func encodedJSON() -> [UInt8] {
        JSONWire.encode(
            Self.object([
                ("campaigns", .array(campaigns.map(\.wireValue))),
                ("nextID", .int(Int64(nextID))),
            ]))
    }

    /// Reads the file's JSON; any mismatch with the state's shape is an error.
    init(json bytes: [UInt8]) throws(SandboxStateFileError) {
        let root: WireValue
        do {
            root = try JSONWire.decode(bytes)
        } catch {
            throw SandboxStateFileError()
        }
        let fields = try StateFields(root)
        self.init(campaigns: try fields.array("campaigns").map(SandboxCampaign.init(file:)), nextID: try fields.int("nextID"))
    }

    /// An object with its keys sorted, as `JSONEncoder`'s `.sortedKeys` wrote them.
    static func object(_ fields: [(String, WireValue)]) -> WireValue {
        .object(WireObject(fields.sorted { $0.0 < $1.0 }))
    }
}

/// The state file does not have the state's shape.
struct SandboxStateFileError: Error {}

extension SandboxCampaign {
    var wireValue: WireValue {
        var fields: [(String, WireValue)] = [
            ("id", .int(Int64(id))),
            ("name", .string(name)),
            ("kind", .string(kind.rawValue)),
            ("channel", .string(channel)),
            ("isActive", .bool(isActive)),
            ("isCompleted", .bool(isCompleted)),
            ("uiTags", .array(uiTags.map { .string($0) })),
            (
                "groups",
                .array(groups.map { SandboxState.object([("id", .int(Int64($0.id))), ("name", .string($0.name))]) })
            ),
            ("audienceSize", .int(Int64(audienceSize))),
            ("queued", .int(Int64(queued))),
            ("sent", .int(Int64(sent))),
            ("sendRate", .double(sendRate)),
            ("drainedUntil", .double(drainedUntil)),
            ("updateTime", .double(updateTime)),
            (
                "log",
                .array(
                    log.map {
                        SandboxState.object([
                            ("time", .double($0.time)), ("level", .string($0.level)), ("message", .string($0.message)),
                            ("state", .string($0.state)), ("value", .string($0.value)),
                        ])
                    })
            ),
        ]
        if let triggerType { fields.append(("triggerType", .string(triggerType))) }
        if let sendStarted { fields.append(("sendStarted", .double(sendStarted))) }
        if let sentThisRun { fields.append(("sentThisRun", .int(Int64(sentThisRun)))) }
        return SandboxState.object(fields)
    }

    init(file value: WireValue) throws(SandboxStateFileError) {
        let fields = try StateFields(value)
        guard let kind = Kind(rawValue: try fields.string("kind")) else { throw SandboxStateFileError() }
        var groups: [Group] = []
        for group in try fields.array("groups") {
            let groupFields = try StateFields(group)
            groups.append(Group(id: try groupFields.int("id"), name: try groupFields.string("name")))
        }
        var log: [LogRecord] = []
        for entry in try fields.array("log") {
            let entryFields = try StateFields(entry)
            log.append(
                LogRecord(
                    time: try entryFields.double("time"), level: try entryFields.string("level"),
                    message: try entryFields.string("message"), state: try entryFields.string("state"),
                    value: try entryFields.string("value")))
        }
        var uiTags: [String] = []
        for tag in try fields.array("uiTags") {
            guard case .string(let text) = tag else { throw SandboxStateFileError() }
            uiTags.append(text)
        }
        self.init(
            id: try fields.int("id"), name: try fields.string("name"), kind: kind,
            triggerType: try fields.optional("triggerType") { (value) throws(SandboxStateFileError) in
                try StateFields.string(value)
            },
            channel: try fields.string("channel"), isActive: try fields.bool("isActive"),
            isCompleted: try fields.bool("isCompleted"), uiTags: uiTags, groups: groups,
            audienceSize: try fields.int("audienceSize"), queued: try fields.int("queued"), sent: try fields.int("sent"),
            sendRate: try fields.double("sendRate"), drainedUntil: try fields.double("drainedUntil"),
            sendStarted: try fields.optional("sendStarted") { (value) throws(SandboxStateFileError) in
                try StateFields.double(value)
            },
            sentThisRun: try fields.optional("sentThisRun") { (value) throws(SandboxStateFileError) in
                try StateFields.int(value)
            },
            updateTime: try fields.double("updateTime"), log: log)
    }
}

/// Strict typed reads of one object of the state file (exact keys, exact types; an integer
/// is accepted where a double is expected, as JSON writes `50.0` as `50`).
private struct StateFields {
    let object: WireObject

    init(_ value: WireValue) throws(SandboxStateFileError) {
        guard case .object(let object) = value else { throw SandboxStateFileError() }
        self.object = object
    }

    func value(_ key: String) -> WireValue? {
        object.fields.first { $0.key == key }?.value
    }

    func required(_ key: String) throws(SandboxStateFileError) -> WireValue {
        guard let value = value(key) else { throw SandboxStateFileError() }
        return value
    }

    /// A key that may be absent (or null): a nil optional.
    func optional<T>(_ key: String, _ read: (WireValue) throws(SandboxStateFileError) -> T) throws(SandboxStateFileError)
        -> T?
    {
        guard let value = value(key), value != .null else { return nil }
        return try read(value)
    }

    func int(_ key: String) throws(SandboxStateFileError) -> Int { try Self.int(required(key)) }
    func double(_ key: String) throws(SandboxStateFileError) -> Double { try Self.double(required(key)) }
    func string(_ key: String) throws(SandboxStateFileError) -> String { try Self.string(required(key)) }

    func bool(_ key: String) throws(SandboxStateFileError) -> Bool {
        guard case .bool(let flag) = try required(key) else { throw SandboxStateFileError() }
        return flag
    }

    func array(_ key: String) throws(SandboxStateFileError) -> [WireValue] {
        guard case .array(let items) = try required(key) else { throw SandboxStateFileError() }
        return items
    }

    static func int(_ value: WireValue) throws(SandboxStateFileError) -> Int {
        guard case .int(let number) = value, let result = Int(exactly: number) else { throw SandboxStateFileError() }
        return result
    }

    static func double(_ value: WireValue) throws(SandboxStateFileError) -> Double {
        switch value {
        case .double(let number): return number
        case .int(let number): return Double(number)
        default: throw SandboxStateFileError()
        }
    }

    static func string(_ value: WireValue) throws(SandboxStateFileError) -> String {
        guard case .string(let text) = value else { throw SandboxStateFileError() }
        return text
    }
}
