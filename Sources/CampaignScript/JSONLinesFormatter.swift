import JSONText

/// `json` output: one object per row and line, `op` first, then the row's fields in order,
/// then `error` as `{"kind", "code", "text"}` for a failed row.
public struct JSONLinesFormatter: ResultFormatter {
    /// Creates a formatter.
    public init() {}

    /// One line per row.
    public func format(_ block: ResultBlock) -> String {
        // Every row into one buffer, made text once: a string per value, joined and appended,
        // cost ten thousand instructions a row (docs/performance.md, "Ninth round").
        var out: [UInt8] = []
        out.reserveCapacity(block.rows.count * 48)
        for row in block.rows {
            JSONBytes.append("{", to: &out)
            Self.writeField("op", .string(block.op), first: true, into: &out)
            for field in row.fields.fields { Self.writeField(field.name, field.value, first: false, into: &out) }
            if let error = row.error {
                let details = Record([
                    ("kind", .string(error.kindName)), ("code", error.code.map { .int(Int64($0)) } ?? .null),
                    ("text", .string(error.text)),
                ])
                Self.writeField("error", .record(details), first: false, into: &out)
            }
            JSONBytes.append("}\n", to: &out)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Compact JSON for a value; durations are strings such as `"1m30s"`.
    public static func encode(_ value: Value) -> String {
        var out: [UInt8] = []
        write(value, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static func write(_ value: Value, into out: inout [UInt8]) {
        switch value {
        case .int(let number): JSONBytes.append(number, to: &out)
        case .string(let text): JSONString.append(text, to: &out)
        case .bool(let flag): JSONBytes.append(flag ? "true" : "false", to: &out)
        case .null: JSONBytes.append("null", to: &out)
        case .duration(let milliseconds): JSONString.append(Value.durationText(milliseconds), to: &out)
        case .list(let items):
            JSONBytes.append("[", to: &out)
            for (index, item) in items.enumerated() {
                if index > 0 { JSONBytes.append(",", to: &out) }
                write(item, into: &out)
            }
            JSONBytes.append("]", to: &out)
        case .record(let record):
            JSONBytes.append("{", to: &out)
            for (index, field) in record.fields.enumerated() {
                writeField(field.name, field.value, first: index == 0, into: &out)
            }
            JSONBytes.append("}", to: &out)
        }
    }

    /// `"name":value`, after a comma unless it is the object's first field.
    private static func writeField(_ name: String, _ value: Value, first: Bool, into out: inout [UInt8]) {
        if !first { JSONBytes.append(",", to: &out) }
        JSONString.append(name, to: &out)
        JSONBytes.append(":", to: &out)
        write(value, into: &out)
    }
}
