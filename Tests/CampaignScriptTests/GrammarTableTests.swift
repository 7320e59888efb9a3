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
            XCTAssertEqual(GrammarTable.spec(for: key).key, key)
            XCTAssertEqual(GrammarTable.option(named: key.rawValue)?.key, key)
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

    /// Issue 14: `help until`, `every`, `in`, `and`, … said "no help" though the docs say help
    /// covers keywords, options and settings. The words are taken from docs/language.md: every
    /// quoted word of its grammar, and every value word of the option syntax of its command table.
    func testEveryWordOfTheDocumentedGrammarHasHelp() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/language.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        let grammar = try XCTUnwrap(
            text.components(separatedBy: "## Grammar").last?.components(separatedBy: "```").dropFirst().first)
        var words = Set(
            grammar.matches(of: /"([a-z][a-z-]*)"/).map { String($0.output.1) })
        // The command table's option syntax: `[type broadcast|regular|trigger]`, `[audience list|segment ID]`.
        let commands = try XCTUnwrap(
            text.components(separatedBy: "## Campaign commands").last?.components(separatedBy: "```").first
        ).replacingOccurrences(of: "\\|", with: "|")  // `\|` inside a Markdown table
        for option in commands.matches(of: /\[([a-z]+) ([a-z|]+)/) {
            words.insert(String(option.output.1))
            for value in option.output.2.split(separator: "|") where value.first?.isLowercase == true {
                words.insert(String(value))
            }
        }
        XCTAssertGreaterThan(words.count, 30)
        for word in words.sorted() {
            XCTAssertNotNil(GrammarTable.helpText(for: word), "no help for '\(word)'")
            XCTAssertTrue(GrammarTable.helpTopics.contains(word), "'\(word)' is not a help topic (completion)")
        }
        for word in ["until", "every", "in", "and", "or", "not", "completed", "deleted", "segment", "true", "null", "broadcast"] {
            XCTAssertTrue(words.contains(word), "the docs' grammar lost '\(word)'")
        }
        XCTAssertTrue(GrammarTable.helpText(for: "timeout")?.contains("set timeout") == true)
        XCTAssertTrue(GrammarTable.helpText(for: "timeout")?.contains("wait T until STATE timeout D") == true)
        XCTAssertNil(GrammarTable.helpText(for: "frobnicate"))
    }
}
