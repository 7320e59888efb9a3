import LineEditor
import XCTest

@testable import CopsShell

final class CompletionEngineTests: XCTestCase {
    let engine = CompletionEngine(
        variables: ["failed", "ids", "idx"], campaigns: [(15, "Spring sale"), (150, "Весна")], profiles: ["prod", "sandbox"])

    func texts(_ line: String) -> [String] { engine.complete(line).candidates.map(\.text) }

    func testVerbsAndKeywordsStartAStatement() {
        XCTAssertEqual(texts("deac"), ["deactivate"])
        XCTAssertEqual(texts("st"), ["status"])
        XCTAssertTrue(texts("").contains("wait"))
        XCTAssertEqual(texts("status 1; dea"), ["deactivate"], "after ; a new statement starts")
        XCTAssertEqual(texts("if $x { sho"), ["show"])
    }

    /// `param` is offered where it can be written: in a runbook (the language server), not at
    /// the prompt, where the checker refuses it.
    func testParamIsOfferedInARunbookOnly() {
        XCTAssertEqual(texts("par"), [])
        XCTAssertEqual(texts("\\sa"), ["\\save"])
        XCTAssertEqual(CompletionEngine(origin: .runbook).complete("par").candidates.map(\.text), ["param"])
        XCTAssertTrue(CompletionEngine(origin: .runbook).complete("").candidates.map(\.text).contains("let"))
    }

    func testOptionsAreThoseOfTheVerbUnderTheCursor() {
        XCTAssertEqual(texts("deactivate 15 "), ["abort"])
        XCTAssertEqual(texts("deactivate 15 a"), ["abort"])
        XCTAssertEqual(Set(texts("activate 15 ")), ["now", "audience", "limit"])
        XCTAssertEqual(Set(texts("activate 15 now ")), ["audience", "limit"], "an option is offered once")
        XCTAssertEqual(texts("list type "), ["broadcast", "regular", "trigger"])
        XCTAssertEqual(texts("activate 15 audience "), ["list", "segment"])
        XCTAssertEqual(texts("status 15 "), [])
    }

    func testCampaignIDsComeWithTheirNames() {
        let result = engine.complete("show 1")
        XCTAssertEqual(result.word, "1")
        XCTAssertEqual(result.candidates.map(\.display), ["15 (Spring sale)", "150 (Весна)"])
        XCTAssertEqual(texts("deactivate 3, "), ["15", "150"])
    }

    func testSettingsValuesVariablesHelpAndProfiles() {
        XCTAssertEqual(texts("set on"), ["on-error"])
        XCTAssertEqual(texts("set on-error "), ["stop", "continue"])
        XCTAssertEqual(texts("echo $id"), ["$ids", "$idx"])
        XCTAssertEqual(texts("deactivate $f"), ["$failed"])
        XCTAssertEqual(texts("help deac"), ["deactivate"])
        XCTAssertEqual(texts("\\pro"), ["\\profile"])
        XCTAssertEqual(texts("\\profile p"), ["prod"])
        XCTAssertEqual(texts("wait 15 until "), ["active", "inactive", "completed", "deleted", "status"])
    }
}
