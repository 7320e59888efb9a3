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
        case .string(let text): quote(text)
        case .bool(let flag): flag ? "true" : "false"
        case .null: "null"
        case .duration(let milliseconds): quote(Value.durationText(milliseconds))
        case .list(let items): "[" + items.map(encode).joined(separator: ",") + "]"
        case .record(let record):
            "{" + record.fields.map { quote($0.name) + ":" + encode($0.value) }.joined(separator: ",") + "}"
        }
    }

    /// A JSON string literal; non-ASCII text stays as UTF-8.
    public static func quote(_ text: String) -> String {
        var output = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || (0x2028...0x2029).contains(scalar.value):
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output + "\""
    }
}
