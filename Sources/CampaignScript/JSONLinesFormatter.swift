import JSONText

/// `json` output: one object per row and line, `op` first, then the row's fields in order,
/// then `error` as `{"kind", "code", "text"}` for a failed row.
public struct JSONLinesFormatter: ResultFormatter {
    /// Creates a formatter.
    public init() {}

    /// One line per row.
    public func format(_ block: ResultBlock) -> String {
        var output = ""
        for row in block.rows {
            var fields = [Record.Field("op", .string(block.op))] + row.fields.fields
            if let error = row.error {
                fields.append(
                    Record.Field(
                        "error",
                        .record(
                            Record([
                                ("kind", .string(error.kindName)), ("code", error.code.map { .int(Int64($0)) } ?? .null),
                                ("text", .string(error.text)),
                            ]))))
            }
            output += Self.encode(.record(Record(fields.map { ($0.name, $0.value) }))) + "\n"
        }
        return output
    }

    /// Compact JSON for a value; durations are strings such as `"1m30s"`.
    public static func encode(_ value: Value) -> String {
        switch value {
        case .int(let number): String(number)
        case .string(let text): JSONString.literal(text)
        case .bool(let flag): flag ? "true" : "false"
        case .null: "null"
        case .duration(let milliseconds): JSONString.literal(Value.durationText(milliseconds))
        case .list(let items): "[" + items.map(encode).joined(separator: ",") + "]"
        case .record(let record):
            "{" + record.fields.map { JSONString.literal($0.name) + ":" + encode($0.value) }.joined(separator: ",") + "}"
        }
    }
}
