import CampaignScript
import XCTest

/// Source text with 1️⃣…9️⃣ markers removed and their byte offsets remembered, so tests pin
/// diagnostic positions without hand-counted columns.
struct MarkedSource {
    static let markers = ["1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣"]

    let text: String
    let offsets: [Int: Int]

    init(_ marked: String) {
        var text = ""
        var offsets: [Int: Int] = [:]
        var rest = Substring(marked)
        outer: while !rest.isEmpty {
            for (index, marker) in Self.markers.enumerated() where rest.hasPrefix(marker) {
                offsets[index + 1] = text.utf8.count
                rest = rest.dropFirst(marker.count)
                continue outer
            }
            text.append(rest.removeFirst())
        }
        self.text = text
        self.offsets = offsets
    }

    var file: SourceFile { SourceFile(name: "test.cops", text: text) }

    /// The location of a marker, computed from the file's line table.
    func location(_ marker: Int) -> SourceLocation {
        guard let offset = offsets[marker] else { fatalError("marker \(marker) not in source") }
        return file.location(atOffset: offset)
    }
}

/// Parses and checks marked source.
func checkMarked(_ marked: String) -> (MarkedSource, CheckedProgram) {
    let source = MarkedSource(marked)
    return (source, Checker.check(source.file))
}

/// Asserts exactly the expected diagnostics, each starting at its marker (and ending at the
/// `end` marker when given), in order.
func assertDiagnostics(
    _ marked: String, _ expected: [(kind: DiagnosticKind, at: Int, end: Int?)],
    file: StaticString = #filePath, line: UInt = #line
) {
    let (source, checked) = checkMarked(marked)
    let rendered = DiagnosticRenderer().render(checked.diagnostics, in: source.file)
    XCTAssertEqual(
        checked.diagnostics.count, expected.count, "diagnostics:\n\(rendered)", file: file, line: line)
    for (diagnostic, expectation) in zip(checked.diagnostics, expected) {
        XCTAssertEqual(diagnostic.kind, expectation.kind, "\n\(rendered)", file: file, line: line)
        XCTAssertEqual(
            diagnostic.range.start, source.location(expectation.at), "start of \(diagnostic.kind)",
            file: file, line: line)
        if let end = expectation.end {
            XCTAssertEqual(
                diagnostic.range.end, source.location(end), "end of \(diagnostic.kind)", file: file,
                line: line)
        }
    }
}

/// Asserts one diagnostic of `kind` starting at marker 1️⃣.
func assertDiagnostic(
    _ marked: String, _ kind: DiagnosticKind, file: StaticString = #filePath, line: UInt = #line
) {
    assertDiagnostics(marked, [(kind, 1, nil)], file: file, line: line)
}
