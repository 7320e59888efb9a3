import CampaignScript
import XCTest

final class DiagnosticRendererTests: XCTestCase {
    private func render(_ text: String, colors: Bool = false) -> String {
        let file = SourceFile(name: "runbook.cops", text: text)
        return DiagnosticRenderer(colors: colors).render(Checker.check(file).diagnostics, in: file)
    }

    func testDesignExample() {
        XCTAssertEqual(
            render("# one\n# two\ndeactivate 15 abrot\n"),
            """
            runbook.cops:3:15: error: unknown option 'abrot' for 'deactivate'; did you mean 'abort'?
              3 | deactivate 15 abrot
                |               ^~~~~
            note: 'deactivate' accepts 'abort'

            """)
    }

    /// Found by FuzzScript: `for d in$t` with a CRLF ending put the error at the `\n`, one
    /// column past the shown line, and rendering it trapped (a negative prefix): `cops --check`
    /// crashed with SIGILL.
    func testErrorAtTheEndOfACRLFLineDoesNotCrash() {
        XCTAssertEqual(
            render("for d in$t\r\n"),
            """
            runbook.cops:1:12: error: expected '{', found end of line
              1 | for d in$t
                |            ^

            """)
        XCTAssertEqual(
            render("status 15\r\nfor d in$t\r\r\n", colors: true).contains("expected '{', found end of line"), true)
    }

    func testCaretLinesUpUnderCyrillic() {
        let output = render("clone 15 as \"Весна\" limt 5")
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines[0], "runbook.cops:1:21: error: unknown option 'limt' for 'clone'")
        XCTAssertEqual(lines[1], "  1 | clone 15 as \"Весна\" limt 5")
        XCTAssertEqual(lines[2], "    |                     ^~~~")
        // The caret sits under the same character index as the option in the source line.
        let source = Array(lines[1])
        let caret = Array(lines[2])
        let caretIndex = caret.firstIndex(of: "^")!
        XCTAssertEqual(String(source[caretIndex..<caretIndex + 4]), "limt")
    }

    func testTabsExpandInBothLines() {
        let output = render("\tstatus\t0")
        XCTAssertEqual(
            output,
            """
            runbook.cops:1:9: error: campaign ID must be at least 1, not 0
              1 |     status  0
                |             ^

            """)
    }

    func testLineNumberGutterWidth() {
        let output = render(String(repeating: "\n", count: 11) + "sleep 5")
        XCTAssertTrue(
            output.hasPrefix(
                "runbook.cops:12:7: error: expected a duration, found '5'\n  12 | sleep 5\n     |       ^\n"
            ), output)
        XCTAssertTrue(
            output.hasSuffix("note: durations look like 250ms, 5s, 2m, 1h or 1m30s\n"), output)
    }

    func testNoteWithRangeGetsItsOwnSnippet() {
        let output = render("param ID\n\nparam ID\n")
        XCTAssertEqual(
            output,
            """
            runbook.cops:3:7: error: parameter 'ID' is declared twice
              3 | param ID
                |       ^~
            runbook.cops:1:7: note: 'ID' first declared here
              1 | param ID
                |       ^~

            """)
    }

    func testInvisibleCharactersAreNamedNotPrinted() {
        let output = render("status 1\u{1B}\nstatus 2\u{200B}")
        XCTAssertTrue(
            output.contains("error: unexpected character (U+001B CONTROL CHARACTER)\n"), output)
        XCTAssertTrue(output.contains("  1 | status 1\u{FFFD}\n"), output)
        XCTAssertTrue(
            output.contains("note: (U+200B ZERO WIDTH SPACE) looks like nothing (it is invisible)"),
            output)
    }

    func testColourIsOptional() {
        XCTAssertFalse(render("status 0").contains("\u{1B}["))
        let coloured = render("status 0", colors: true)
        XCTAssertTrue(coloured.contains("\u{1B}[1;31merror:\u{1B}[0m"), coloured)
    }

    func testMessagesAreLowercaseWithoutTrailingPeriod() {
        let inputs = [
            "@", "dеactivate", "\"x", "$0", "12abc", "1m30", "99999999999999999999", "deactivte 1",
            "sleep 5",
            "status 0", "set output xml", "exit 300", "activate 1 audience list 1", "echo $nope",
        ]
        for input in inputs {
            for diagnostic in Checker.check(SourceFile(name: "t", text: input)).diagnostics {
                let message = DiagnosticRenderer.message(for: diagnostic.kind)
                XCTAssertFalse(message.hasSuffix("."), message)
                XCTAssertEqual(message.first.map { $0.isUppercase }, false, message)
            }
        }
    }
}
