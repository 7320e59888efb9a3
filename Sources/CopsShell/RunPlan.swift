import AltcraftWire
import CampaignScript
import Foundation

/// A plan file (`cops plan`, docs/changes.md, "Plans"): the run's header as its journal would
/// write it, when it was made and until when it may be applied, a random single-use ID, the
/// observed state of every campaign the dry run read or would change, and the ordered planned
/// changes, each with a prediction made from that state.
struct RunPlan: Equatable {
    /// The version of the file's format, in its `format` field.
    static let formatVersion: Int64 = 1
    /// How long a plan may be applied: a working day, so a reviewer elsewhere can read it the
    /// same day, and short enough that an approved plan does not wait for weeks to be applied
    /// to an account that moved on (drift is refused anyway; an old plan is rarely what anyone
    /// still means).
    static let maximumAge: TimeInterval = 24 * 3600

    /// One campaign as the dry run saw it: `exists` false when it was not found.
    struct Observed: Equatable {
        var campaign: Int64
        var exists: Bool
        /// Every field the run's reads returned (status, is_active, and what `show` and `list`
        /// answered), merged in the order they were read.
        var fields: WireObject
    }

    /// What applying a planned change is expected to do.
    enum Prediction: String {
        case wouldChange = "would change"
        case noOp = "already so, no-op"
        case cannotPredict = "cannot predict"
    }

    /// One planned change, in the order the dry run reached it.
    struct Mutation: Equatable {
        var sequence: Int
        var position: StatementPosition?
        /// `activate`, `deactivate`, `clone`, `delete`, `launch`.
        var operation: String
        /// Nil for a change of a campaign a planned clone creates (known after apply).
        var campaign: Int64?
        /// As the journal's intent lines write them; nil for a campaign known after apply.
        var parameters: WireValue
        /// The request as the dry run names it (endpoint and body, token masked).
        var request: String?
        /// For a change known after apply: the statement's other, known targets.
        var known: [Int64] = []
        var prediction: Prediction
        /// The campaign's state before and after, in words (`active` → `inactive`).
        var current: String
        var intended: String
    }

    var id: String
    var cops = CopsVersion.current
    var created: Date
    var expires: Date
    var runbook: WireValue
    var arguments: [String]
    var target: WireValue
    var observed: [Observed]
    var mutations: [Mutation]

    /// A new random plan ID: 128 bits in hex, so it names a marker file safely.
    static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        return RunJournal.hex((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    static func isValidID(_ id: String) -> Bool {
        id.count == 32 && id.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    // MARK: Predictions

    /// Predicts each change from the observed state, carrying the state a change would leave
    /// on to the next change of the same campaign.
    static func predict(_ mutations: [Mutation], observed: [Observed]) -> [Mutation] {
        var state: [Int64: (exists: Bool, active: Bool?)] = [:]
        // A campaign still sending its queue after a plain deactivate: `abort` changes it.
        var draining: Set<Int64> = []
        for campaign in observed {
            state[campaign.campaign] = (campaign.exists, campaign.fields["is_active"]?.boolValue)
            if campaign.fields["status"]?.stringValue == "Stopping" { draining.insert(campaign.campaign) }
        }
        return mutations.map { mutation in
            var predicted = mutation
            guard let id = mutation.campaign else {
                predicted.prediction = .cannotPredict
                predicted.current = Wording.planKnownAfterApply
                predicted.intended = intended(of: mutation.operation, after: nil)
                return predicted
            }
            let before = state[id]
            predicted.current = describe(before)
            guard let before, before.exists else {
                predicted.prediction = mutation.operation == "delete" ? .noOp : .cannotPredict
                predicted.intended = mutation.operation == "delete" ? Wording.planMissing : Wording.planWouldFailMissing
                return predicted
            }
            switch mutation.operation {
            case "deactivate":
                let aborts = mutation.parameters["abort"]?.boolValue == true && draining.contains(id)
                predicted.prediction = before.active == false && !aborts ? .noOp : .wouldChange
                state[id] = (true, false)
                if aborts { draining.remove(id) }
            case "activate":
                let now = mutation.parameters["now"]?.boolValue == true
                predicted.prediction = before.active == true && !now ? .noOp : .wouldChange
                state[id] = (true, true)
            case "delete":
                predicted.prediction = .wouldChange
                state[id] = (false, nil)
            case "clone":
                predicted.prediction = .wouldChange
            default:
                predicted.prediction = .wouldChange
            }
            if mutation.operation == "clone" { predicted.current = Wording.planNoCampaignYet }
            predicted.intended = intended(of: mutation.operation, after: state[id], source: id)
            return predicted
        }
    }

    /// A change's intended state in words: the state it leaves, or what it creates or starts.
    private static func intended(of operation: String, after state: (exists: Bool, active: Bool?)?, source: Int64? = nil)
        -> String
    {
        switch operation {
        case "clone": return Wording.planNewCampaign(copyOf: source)
        case "launch": return Wording.planRunStarted
        case "deactivate": return "inactive"
        case "activate": return "active"
        case "delete": return Wording.planMissing
        default: return describe(state)
        }
    }

    private static func describe(_ state: (exists: Bool, active: Bool?)?) -> String {
        guard let state else { return Wording.planUnread }
        guard state.exists else { return Wording.planMissing }
        switch state.active {
        case true?: return "active"
        case false?: return "inactive"
        case nil: return "exists"
        }
    }

    // MARK: The file

    var wireValue: WireValue {
        .object(
            WireObject([
                ("format", .int(Self.formatVersion)), ("id", .string(id)), ("cops", .string(cops)),
                ("created", .string(UTCTime.rfc3339(created))), ("expires", .string(UTCTime.rfc3339(expires))),
                ("runbook", runbook), ("arguments", .array(arguments.map(WireValue.string))), ("target", target),
                (
                    "observed",
                    .array(
                        observed.map {
                            .object(
                                WireObject([
                                    ("campaign", .int($0.campaign)), ("exists", .bool($0.exists)), ("fields", .object($0.fields)),
                                ]))
                        })
                ),
                ("mutations", .array(mutations.map(Self.value))),
            ]))
    }

    private static func value(_ mutation: Mutation) -> WireValue {
        var fields: [(String, WireValue)] = [
            ("seq", .int(Int64(mutation.sequence))), ("position", mutation.position.map(position) ?? .null),
            ("operation", .string(mutation.operation)), ("campaign", mutation.campaign.map(WireValue.int) ?? .null),
            ("parameters", mutation.parameters), ("request", mutation.request.map(WireValue.string) ?? .null),
        ]
        if mutation.campaign == nil { fields.append(("known", .array(mutation.known.map(WireValue.int)))) }
        fields += [
            ("prediction", .string(mutation.prediction.rawValue)), ("current", .string(mutation.current)),
            ("intended", .string(mutation.intended)),
        ]
        return .object(WireObject(fields))
    }

    static func position(_ position: StatementPosition) -> WireValue {
        .object(
            WireObject([
                ("file", .string(position.file)), ("line", .int(Int64(position.line))),
                ("column", .int(Int64(position.column))),
            ]))
    }

    /// Why a plan file cannot be used: one line naming what is wrong.
    struct Invalid: Error, Equatable {
        var reason: String
    }

    /// Reads a plan file's bytes; anything but a plan of this format is invalid.
    static func parse(_ bytes: [UInt8]) throws(Invalid) -> RunPlan {
        guard let object = (try? JSONWire.decode(bytes))?.objectValue else { throw Invalid(reason: Wording.planNotJSON) }
        guard let format = object["format"]?.intValue else { throw Invalid(reason: Wording.planMissingField("format")) }
        guard format == formatVersion else { throw Invalid(reason: Wording.planUnknownFormat(format)) }
        func field<T>(_ name: String, _ read: (WireValue) -> T?) throws(Invalid) -> T {
            guard let value = object[name], let read = read(value) else { throw Invalid(reason: Wording.planMissingField(name)) }
            return read
        }
        let id = try field("id") { $0.stringValue.flatMap { isValidID($0) ? $0 : nil } }
        let created = try field("created") { $0.stringValue.flatMap(UTCTime.parse) }
        let expires = try field("expires") { $0.stringValue.flatMap(UTCTime.parse) }
        let runbook = try field("runbook") { $0.objectValue.map(WireValue.object) }
        let arguments = try field("arguments") { value in
            value.arrayValue.flatMap { items in
                let texts = items.compactMap(\.stringValue)
                return texts.count == items.count ? texts : nil
            }
        }
        let target = try field("target") { $0.objectValue.map(WireValue.object) }
        let observedItems = try field("observed") { $0.arrayValue }
        var observed: [Observed] = []
        for item in observedItems {
            guard let campaign = item["campaign"]?.intValue, let exists = item["exists"]?.boolValue,
                let fields = item["fields"]?.objectValue
            else { throw Invalid(reason: Wording.planMissingField("observed")) }
            observed.append(Observed(campaign: campaign, exists: exists, fields: fields))
        }
        let mutationItems = try field("mutations") { $0.arrayValue }
        var mutations: [Mutation] = []
        for item in mutationItems {
            guard let sequence = item["seq"]?.intValue, let operation = item["operation"]?.stringValue,
                let parameters = item["parameters"],
                let prediction = item["prediction"]?.stringValue.flatMap(Prediction.init(rawValue:))
            else { throw Invalid(reason: Wording.planMissingField("mutations")) }
            var position: StatementPosition?
            if let place = item["position"]?.objectValue, let file = place["file"]?.stringValue,
                let line = place["line"]?.intValue, let column = place["column"]?.intValue
            {
                position = StatementPosition(file: file, line: Int(line), column: Int(column))
            }
            mutations.append(
                Mutation(
                    sequence: Int(sequence), position: position, operation: operation, campaign: item["campaign"]?.intValue,
                    parameters: parameters, request: item["request"]?.stringValue,
                    known: item["known"]?.arrayValue?.compactMap(\.intValue) ?? [], prediction: prediction,
                    current: item["current"]?.stringValue ?? "", intended: item["intended"]?.stringValue ?? ""))
        }
        return RunPlan(
            id: id, cops: object["cops"]?.stringValue ?? "", created: created, expires: expires, runbook: runbook,
            arguments: arguments, target: target, observed: observed, mutations: mutations)
    }

    /// A language value as JSON (durations as milliseconds), for the observed state.
    static func wire(_ value: Value) -> WireValue {
        switch value {
        case .int(let number), .duration(let number): return .int(number)
        case .string(let text): return .string(text)
        case .bool(let flag): return .bool(flag)
        case .null: return .null
        case .list(let items): return .array(items.map(wire))
        case .record(let record): return .object(WireObject(record.fields.map { ($0.name, wire($0.value)) }))
        }
    }
}
