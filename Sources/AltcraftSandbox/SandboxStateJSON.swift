import AltcraftWire

/// The state file of earlier versions (`sandbox.json`), read once to import it into the
/// database (`SandboxStore`): the Codable property names as keys, numbers as numbers, absent
/// optionals left out, as both its writers (Foundation's `JSONEncoder`, then `JSONWire`) wrote
/// it.
extension SandboxState {
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
}

/// The state file does not have the state's shape.
struct SandboxStateFileError: Error {}

extension SandboxCampaign {
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
