/// `table` output: aligned columns for people, field/value pairs for one record, and a
/// summary line (`3 ok, 1 failed`) under per-ID results.
public struct TableFormatter: ResultFormatter {
    /// Creates a formatter.
    public init() {}

    /// The block as aligned text.
    public func format(_ block: ResultBlock) -> String {
        switch block.layout {
        case .text:
            return block.rows.map { ($0.fields["text"]?.displayText ?? "") + "\n" }.joined()
        case .record:
            var output = ""
            for row in block.rows {
                let pairs = row.fields.fields.map { [$0.name, Self.cell($0.value)] }
                output += Self.align(pairs, header: nil)
            }
            return output
        case .noTargets:
            return "(none)\n"
        case .rows, .perID:
            guard !block.rows.isEmpty else { return block.layout == .rows ? "(none)\n" : "" }
            var columns: [String] = []
            for row in block.rows {
                for name in row.fields.names where !columns.contains(name) { columns.append(name) }
            }
            if let preferred = block.preferredColumns { columns = preferred.filter(columns.contains) }
            if block.layout == .perID {
                columns.removeAll { $0 == "ok" || $0 == "planned" || $0 == "done" }
                columns.insert("result", at: min(1, columns.count))
            }
            let lines = block.rows.map { row in
                columns.map { name -> String in
                    if name == "result" { return Self.outcomeText(row) }
                    return row.fields[name].map(Self.cell) ?? ""
                }
            }
            var output = Self.align(lines, header: columns.map { $0.uppercased() })
            if block.layout == .perID { output += Self.summary(block.rows) + "\n" }
            return output
        }
    }

    static func outcomeText(_ row: ResultRow) -> String {
        switch row.outcome {
        case .ok: "ok"
        case .planned: "planned"
        case .notDone: "not done"
        case .failed: "failed: " + (row.error?.text ?? "")
        }
    }

    /// `3 ok, 1 failed`, with `planned` and `not done` counts when there are any.
    public static func summary(_ rows: [ResultRow]) -> String {
        var counts: [ResultRow.Outcome: Int] = [:]
        for row in rows { counts[row.outcome, default: 0] += 1 }
        var parts = ["\(counts[.ok] ?? 0) ok", "\(counts[.failed] ?? 0) failed"]
        if let planned = counts[.planned] { parts.append("\(planned) planned") }
        if let notDone = counts[.notDone] { parts.append("\(notDone) not done") }
        return parts.joined(separator: ", ")
    }

    /// A value in a cell: strings bare, lists comma-separated, groups by name.
    static func cell(_ value: Value) -> String {
        switch value {
        case .list(let items): return items.map(cell).joined(separator: ",")
        case .record(let record):
            if let name = record["name"] { return cell(name) }
            return value.literalText
        case .string(let text):
            return text.unicodeScalars.contains { $0.value < 0x20 } ? value.literalText : text
        default: return value.displayText
        }
    }

    /// Left-aligned columns two spaces apart, the last one unpadded.
    static func align(_ lines: [[String]], header: [String]?) -> String {
        let all = (header.map { [$0] } ?? []) + lines
        guard let width = all.map(\.count).max(), width > 0 else { return "" }
        var widths = Array(repeating: 0, count: width)
        for line in all {
            for (index, text) in line.enumerated() { widths[index] = max(widths[index], text.count) }
        }
        var output = ""
        for line in all {
            var text = ""
            for (index, cell) in line.enumerated() {
                if index == line.count - 1 {
                    text += cell
                } else {
                    text += cell + String(repeating: " ", count: widths[index] - cell.count + 2)
                }
            }
            while text.last == " " { text.removeLast() }
            output += text + "\n"
        }
        return output
    }
}
