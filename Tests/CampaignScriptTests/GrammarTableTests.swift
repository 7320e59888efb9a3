import CampaignScript
import XCTest

final class GrammarTableTests: XCTestCase {
    func testEveryVerbHasASpecAndAliasesResolve() {
        for verb in Verb.allCases {
            XCTAssertEqual(GrammarTable.spec(for: verb).verb, verb)
            XCTAssertEqual(GrammarTable.verb(named: verb.rawValue)?.verb, verb)
        }
        XCTAssertEqual(GrammarTable.verb(named: "info")?.verb, .show)
        XCTAssertNil(GrammarTable.verb(named: "lsit"))
    }

    func testEveryOptionHasExactlyOneSpecAndAnOwner() {
        for key in OptionKey.allCases {
            XCTAssertEqual(GrammarTable.options.filter { $0.key == key }.count, 1, key.rawValue)
            XCTAssertFalse(GrammarTable.verbs(accepting: key).isEmpty, key.rawValue)
        }
    }

    func testMutatingVerbsMatchTheDesign() {
        let mutating = Set(GrammarTable.verbs.filter(\.mutates).map(\.verb))
        XCTAssertEqual(mutating, [.activate, .deactivate, .clone, .delete, .launch])
    }

    func testStatementWordsDoNotCollide() {
        let words = GrammarTable.statementWords
        XCTAssertEqual(words.count, Set(words).count)
        XCTAssertTrue(words.contains("info"))
        XCTAssertTrue(words.contains("wait"))
    }

    func testEveryVerbHasExamplesThatCheckClean() {
        for verb in Verb.allCases {
            let samples = GrammarTable.examples[verb] ?? []
            XCTAssertFalse(samples.isEmpty, "\(verb) has no example")
            for sample in samples {
                let checked = Checker.check(SourceFile(name: "example", text: sample))
                XCTAssertTrue(checked.isRunnable, "\(sample): \(checked.diagnostics)")
            }
        }
    }

    func testHelpReadsTheTable() throws {
        let overview = try XCTUnwrap(GrammarTable.helpText())
        for spec in GrammarTable.verbs { XCTAssertTrue(overview.contains(spec.syntax), spec.name) }
        for setting in GrammarTable.settings {
            XCTAssertTrue(overview.contains("set \(setting.name)"), setting.name)
        }
        XCTAssertEqual(
            GrammarTable.helpText(for: "deactivate"),
            "deactivate T [abort]\n  deactivate campaigns; abort drops queued messages (mutating)\n  abort: drop messages still queued\n"
                + "examples:\n  deactivate 15 abort\n  deactivate 20..22, 87\n  deactivate (list active tag \"spring-2024\") abort"
        )
        XCTAssertEqual(GrammarTable.helpText(for: "info"), GrammarTable.helpText(for: "show"))
        XCTAssertNotNil(GrammarTable.helpText(for: "concurrency"))
        XCTAssertNotNil(GrammarTable.helpText(for: "tag"))
        XCTAssertNil(GrammarTable.helpText(for: "nothing"))
    }

    func testSettingsTable() {
        XCTAssertEqual(GrammarTable.setting(named: "concurrency")?.values, .integer(1...64))
        XCTAssertEqual(GrammarTable.setting(named: "retries")?.values, .integer(0...10))
        XCTAssertEqual(GrammarTable.setting(named: "timeout")?.values, .duration)
        XCTAssertEqual(
            GrammarTable.setting(named: "output")?.values, .choices(["table", "json", "text"]))
        XCTAssertEqual(GrammarTable.settings.count, 7)
    }
}
