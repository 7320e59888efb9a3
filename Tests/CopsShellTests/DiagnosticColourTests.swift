import CampaignScript
import XCTest

@testable import CopsShell

/// Colour in diagnostics only for a person at a terminal who has not opted out.
final class DiagnosticColourTests: XCTestCase {
    func environment(_ variables: [String: String], stderrIsTerminal: Bool) -> ScriptRunner.Environment {
        ScriptRunner.Environment(
            variables: variables, sink: OutputSink(result: { _ in }, message: { _ in }), stdoutIsTerminal: false,
            stderrIsTerminal: stderrIsTerminal, readStandardInput: { [] })
    }

    func testColourOnlyOnATerminalWithoutNoColorOrDumbTerm() {
        XCTAssertTrue(environment(["TERM": "xterm-256color"], stderrIsTerminal: true).colors(.auto))
        XCTAssertFalse(environment(["TERM": "xterm-256color"], stderrIsTerminal: false).colors(.auto))
        XCTAssertFalse(environment(["TERM": "xterm", "NO_COLOR": "1"], stderrIsTerminal: true).colors(.auto))
        XCTAssertTrue(
            environment(["TERM": "xterm", "NO_COLOR": ""], stderrIsTerminal: true).colors(.auto),
            "an empty NO_COLOR does not count")
        XCTAssertFalse(environment(["TERM": "dumb"], stderrIsTerminal: true).colors(.auto))
    }

    func testColouredAndPlainRenderingsDiffer() {
        let file = SourceFile(name: "x.cops", bytes: Array("deactivate 15 abrot\n".utf8))
        let checked = Checker.check(file)
        let coloured = DiagnosticRenderer(colors: true).render(checked.diagnostics, in: file)
        let plain = DiagnosticRenderer(colors: false).render(checked.diagnostics, in: file)
        XCTAssertTrue(coloured.contains("\u{1B}["))
        XCTAssertFalse(plain.contains("\u{1B}["))
    }
}
