import CampaignScript
import XCTest

/// Markdown runbooks: which fenced blocks run (CommonMark 0.31 §4.5), positions that are the
/// document's own, and the heading a failure is reported under.
final class MarkdownRunbookTests: XCTestCase {
    /// The program of a document, line by line.
    private func programLines(_ markdown: String) -> [String] {
        String(decoding: MarkdownRunbook(bytes: Array(markdown.utf8)).program, as: UTF8.self)
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    func testOnlyCopsBlocksRunAndLinesKeepTheirPlaces() {
        let markdown = """
            # Runbook
            Prose with `status 1` inline.
            ```cops
            status 15
            ```
            ```sh
            status 16
            ```
              ~~~ cops with more words
              status 17
              ~~~
            ```copsy
            status 18
            ```

            """
        XCTAssertEqual(
            programLines(markdown),
            ["", "", "", "status 15", "", "", "", "", "", "  status 17", "", "", "", "", ""])
        let runbook = MarkdownRunbook(bytes: Array(markdown.utf8))
        XCTAssertEqual(runbook.blocks.map(\.contentLines), [4..<5, 10..<11])
        XCTAssertEqual(runbook.blocks.map(\.indentation), [0, 2])
    }

    func testClosingFenceRules() {
        // Shorter, of the other character, followed by text, or indented four: not a close.
        let markdown = "````cops\nstatus 1\n```\n~~~~\n```` x\n    ````\nstatus 2\n`````  \nstatus 3"
        XCTAssertEqual(
            programLines(markdown), ["", "status 1", "```", "~~~~", "```` x", "    ````", "status 2", "", ""])
    }

    func testAnUnclosedBlockRunsToTheEnd() {
        XCTAssertEqual(programLines("text\n```cops\nstatus 1\nstatus 2"), ["", "", "status 1", "status 2"])
        let runbook = MarkdownRunbook(bytes: Array("```cops\nstatus 1\n".utf8))
        XCTAssertEqual(runbook.blocks.map(\.contentLines), [2..<3])
    }

    func testWhatIsNotAFence() {
        // Indented code, a block quote, a list item's fence, a backtick in a backtick fence's
        // info string, a fence inside another (longer) one, a tab-indented fence.
        let markdown = """
                ```cops
                status 1
                ```
            > ```cops
            > status 2
            > ```
            - ```cops
              status 3
            - done
            ``` cops `x`
            status 4
            ````markdown
            ```cops
            status 5
            ```
            ````
            \t```cops
            status 6
            """
        XCTAssertEqual(programLines(markdown), Array(repeating: "", count: 18))
    }

    func testHeadings() {
        let markdown = "intro\n# One\n```cops\n# not a heading\n```\n  ## Two ##  \n#NoSpace\n####### seven\ntext\n"
        let file = SourceFile.script(named: "rb.md", bytes: Array(markdown.utf8))
        XCTAssertEqual(file.headings, [MarkdownHeading(line: 2, text: "# One"), MarkdownHeading(line: 6, text: "## Two ##")])
        XCTAssertNil(file.heading(over: 2))
        XCTAssertEqual(file.heading(over: 4)?.text, "# One")
        XCTAssertEqual(file.heading(over: 9)?.text, "## Two ##")
    }

    func testMarkdownIsChosenByTheName() {
        XCTAssertTrue(MarkdownRunbook.isMarkdown(path: "RB-042.md"))
        XCTAssertTrue(MarkdownRunbook.isMarkdown(path: "docs/Runbook.MARKDOWN"))
        XCTAssertFalse(MarkdownRunbook.isMarkdown(path: "runbook.cops"))
        XCTAssertFalse(MarkdownRunbook.isMarkdown(path: "md"))
        // Any other name is read as a script, byte for byte.
        XCTAssertEqual(SourceFile.script(named: "x.cops", bytes: Array("```cops\n".utf8)).bytes, Array("```cops\n".utf8))
    }

    func testADiagnosticInTheThirdBlockHasTheDocumentsPosition() {
        let markdown = """
            # Stop a runaway campaign

            ```cops
            status 15
            ```

            Then:

            ```cops
            deactivate 15
            ```

            ## Check

               ```cops
               status 15 limt 3
               ```

            """
        let file = SourceFile.script(named: "RB-042.md", bytes: Array(markdown.utf8))
        let rendered = DiagnosticRenderer().render(Checker.check(file).diagnostics, in: file)
        XCTAssertTrue(
            rendered.hasPrefix(
                """
                RB-042.md:16:14: error: 
                """), rendered)
        XCTAssertTrue(rendered.contains("  16 |    status 15 limt 3\n"), rendered)
        XCTAssertTrue(rendered.contains("     | " + String(repeating: " ", count: 13) + "^"), rendered)
    }

    func testARunTimeErrorNamesItsHeading() {
        let markdown = "# Runbook\n\n## Stop the sends\n\n```cops\nassert false else \"stop\"\n```\n"
        let file = SourceFile.script(named: "RB-042.md", bytes: Array(markdown.utf8))
        let range = SourceRange(
            start: SourceLocation(line: 6, column: 1, offset: 0), end: SourceLocation(line: 6, column: 7, offset: 6))
        let error = RuntimeError(.assertionFailed(message: "stop", comparison: nil), at: range, in: file)
        XCTAssertEqual(
            DiagnosticRenderer().render(error),
            """
            RB-042.md:6:1: error: assertion failed: stop
              6 | assert false else "stop"
                | ^~~~~~
            note: under the heading "## Stop the sends"

            """)
        // A script has no headings, so no note.
        let script = SourceFile(name: "rb.cops", text: "assert false\n")
        XCTAssertFalse(
            DiagnosticRenderer().render(RuntimeError(.assertionFailed(message: nil, comparison: nil), at: range, in: script))
                .contains("note:"))
    }
}
