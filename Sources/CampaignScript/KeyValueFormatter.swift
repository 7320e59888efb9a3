import JSONText

/// `text` output: one line per row of space-separated `key=value` pairs, for grep and awk.
///
/// Values with spaces, quotes or `=` are written as JSON strings; lists join their items with
/// commas; nested records are compact JSON; `echo` text is printed as it is.
public struct KeyValueFormatter: ResultFormatter {
    /// Creates a formatter.
    public init() {}

    /// One line per row.
    public func format(_ block: ResultBlock) -> String {
        if block.layout == .text { return block.rows.map { ($0.fields["text"]?.displayText ?? "") + "\n" }.joined() }
        var output = ""
        for row in block.rows {
            var pairs = ["op=" + block.op]
            for field in row.fields.fields { pairs.append(field.name + "=" + Self.text(field.value)) }
            if let error = row.error {
                pairs.append("error.kind=" + error.kindName)
                if let code = error.code { pairs.append("error.code=\(code)") }
                pairs.append("error.text=" + Self.text(.string(error.text)))
            }
            output += pairs.joined(separator: " ") + "\n"
        }
        return output
    }

    static func text(_ value: Value) -> String {
        switch value {
        case .string(let text):
            let plain = !text.isEmpty && !text.utf8.contains { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "=") }
            return plain && !JSONString.needsEscapes(text) ? text : JSONString.literal(text)
        case .list(let items): return items.map(text).joined(separator: ",")
        case .record: return JSONLinesFormatter.encode(value)
        default: return value.displayText
        }
    }
}
