/// A value of the language: what variables hold, expressions yield and commands return.
public enum Value: Sendable, Equatable {
    /// A whole number (campaign IDs are integers).
    case int(Int64)
    /// Text; campaign names may be any Unicode.
    case string(String)
    /// `true` or `false`.
    case bool(Bool)
    /// `null`: a missing value.
    case null
    /// A duration in milliseconds.
    case duration(Int64)
    /// An ordered list.
    case list([Value])
    /// A record with ordered fields (a campaign, a status, a result row).
    case record(Record)

    /// The name of the value's type, as messages show it.
    public var typeName: String {
        switch self {
        case .int: "integer"
        case .string: "string"
        case .bool: "boolean"
        case .null: "null"
        case .duration: "duration"
        case .list: "list"
        case .record: "record"
        }
    }

    /// Whether `if`, `and`, `or` and `not` take the value as true: `false`, `null`, `0`, `""`
    /// and empty lists are false; everything else is true.
    public var isTruthy: Bool {
        switch self {
        case .bool(let value): value
        case .null: false
        case .int(let value): value != 0
        case .string(let text): !text.isEmpty
        case .duration(let milliseconds): milliseconds != 0
        case .list(let items): !items.isEmpty
        case .record: true
        }
    }

    /// True for a record produced by a dry run instead of a real request.
    public var isPlanned: Bool {
        if case .record(let record) = self { return record.isPlanned }
        return false
    }

    /// The field of a record, or `.count` of a list or string; a field of a list of records is
    /// the list of that field of each record (`$promos.id`).
    public func field(_ name: String) -> Value? {
        switch self {
        case .record(let record):
            if let value = record[name] { return value }
            return name == "count" ? .int(Int64(record.fields.count)) : nil
        case .list(let items):
            if name == "count" { return .int(Int64(items.count)) }
            var values: [Value] = []
            for item in items {
                guard let value = item.field(name) else { return nil }
                values.append(value)
            }
            return .list(values)
        case .string(let text):
            return name == "count" ? .int(Int64(text.count)) : nil
        default:
            return nil
        }
    }

    /// Equality as `==` sees it: like `Equatable`, but a planned record's marker is ignored.
    public static func same(_ lhs: Value, _ rhs: Value) -> Bool {
        switch (lhs, rhs) {
        case (.record(let left), .record(let right)):
            left.fields.count == right.fields.count
                && zip(left.fields, right.fields).allSatisfy { $0.name == $1.name && same($0.value, $1.value) }
        case (.list(let left), .list(let right)):
            left.count == right.count && zip(left, right).allSatisfy { same($0, $1) }
        default:
            lhs == rhs
        }
    }

    /// The order of two values for `<`, `<=`, `>`, `>=`: integers, strings and durations, each
    /// only with its own kind; `nil` when they cannot be ordered.
    public static func order(_ lhs: Value, _ rhs: Value) -> Int? {
        func compare<T: Comparable>(_ a: T, _ b: T) -> Int { a < b ? -1 : (a == b ? 0 : 1) }
        switch (lhs, rhs) {
        case (.int(let a), .int(let b)): return compare(a, b)
        case (.string(let a), .string(let b)): return compare(a, b)
        case (.duration(let a), .duration(let b)): return compare(a, b)
        default: return nil
        }
    }

    /// `lhs in rhs`: an element of a list (a record in the list matches its `id`), a substring
    /// of a string, or a field name of a record.
    public static func contains(_ container: Value, _ element: Value) -> Bool? {
        switch container {
        case .list(let items):
            return items.contains { item in
                if same(item, element) { return true }
                if case .record = item, let id = item.field("id"), same(id, element) { return true }
                return false
            }
        case .string(let text):
            guard case .string(let piece) = element else { return nil }
            return text.contains(piece)
        case .record(let record):
            guard case .string(let name) = element else { return nil }
            return record[name] != nil
        default:
            return nil
        }
    }

    /// The text `echo` prints and strings interpolate: strings bare, everything else as written.
    public var displayText: String {
        switch self {
        case .string(let text): text
        default: literalText
        }
    }

    /// The value written the way a person would type it: strings as script literals.
    public var literalText: String {
        switch self {
        case .int(let value): String(value)
        case .string(let text): ScriptLiteral.quoted(text)
        case .bool(let value): value ? "true" : "false"
        case .null: "null"
        case .duration(let milliseconds): Self.durationText(milliseconds)
        case .list(let items): "[" + items.map(\.literalText).joined(separator: ", ") + "]"
        case .record(let record):
            "{" + record.fields.map { "\($0.name): \($0.value.literalText)" }.joined(separator: ", ") + "}"
        }
    }

    /// `1h2m3s`, `250ms`, `0s`: the largest units first, as the language writes durations. The
    /// one printer of durations; `DurationText` reads what it writes.
    public static func durationText(_ milliseconds: Int64) -> String {
        if milliseconds == 0 { return "0s" }
        var rest = milliseconds.magnitude
        var text = milliseconds < 0 ? "-" : ""
        for (unit, size) in [("h", UInt64(3_600_000)), ("m", 60_000), ("s", 1_000), ("ms", 1)] where rest >= size {
            text += "\(rest / size)\(unit)"
            rest %= size
        }
        return text
    }
}

/// A record: named fields in a fixed order, optionally marked as the planned result of a dry run.
public struct Record: Sendable, Equatable {
    /// One field.
    public struct Field: Sendable, Equatable {
        /// The field's name.
        public var name: String
        /// Its value.
        public var value: Value

        /// Creates a field.
        public init(_ name: String, _ value: Value) {
            self.name = name
            self.value = value
        }
    }

    /// The fields in order.
    public var fields: [Field]
    /// True when a dry run made this record instead of the server.
    public var isPlanned: Bool

    /// Creates a record from `(name, value)` pairs.
    public init(_ pairs: [(String, Value)], isPlanned: Bool = false) {
        self.fields = pairs.map { Field($0.0, $0.1) }
        self.isPlanned = isPlanned
    }

    /// The value of a field, or `nil`.
    public subscript(name: String) -> Value? {
        get { fields.first { $0.name == name }?.value }
        set {
            if let index = fields.firstIndex(where: { $0.name == name }) {
                if let newValue { fields[index].value = newValue } else { fields.remove(at: index) }
            } else if let newValue {
                fields.append(Field(name, newValue))
            }
        }
    }

    /// The field names in order.
    public var names: [String] { fields.map(\.name) }
}
