import XCTest

@testable import CampaignScript

/// The line table is built on first use (docs/performance.md, "Flat syntax storage", second
/// pass): a file that checks cleanly never builds it, and a diagnostic still quotes its line.
final class SourceFileTests: XCTestCase {
    func testCleanCheckBuildsNoLineTable() {
        let file = SourceFile(name: "clean.cops", text: "deactivate 15\nstatus 15 # a comment\necho \"done\"\n")
        let verdict = Checker.validate(file)
        XCTAssertTrue(verdict.diagnostics.isEmpty)
        XCTAssertFalse(file.isLineTableBuilt)
        _ = Checker.check(file)
        XCTAssertFalse(file.isLineTableBuilt)
    }

    func testDiagnosticBuildsTheTableOnceForEveryCopy() {
        let text = "deactivate 15\n\nstatus 15 frobnicate\n"
        let file = SourceFile(name: "broken.cops", text: text)
        let copy = file
        let verdict = Checker.validate(file)
        XCTAssertEqual(verdict.diagnostics.count, 1)
        let rendered = DiagnosticRenderer().render(verdict.diagnostics, in: copy)
        XCTAssertTrue(rendered.contains("3 | status 15 frobnicate"), rendered)
        XCTAssertTrue(file.isLineTableBuilt)
        // Line starts counted independently of the table: after each newline.
        let newlines = text.utf8.enumerated().filter { $0.element == UInt8(ascii: "\n") }.map { $0.offset + 1 }
        XCTAssertEqual(Array(file.lineStarts), [0] + newlines)
        XCTAssertEqual(file.location(atOffset: 17), SourceLocation(line: 3, column: 3, offset: 17))
    }
}
