import ArgumentParser
import CampaignScript
import CopsCommandLine
import CopsShell
import XCTest

/// The ranges of `concurrency` and `retries` are defined once, in the grammar table; every
/// place that accepts, rejects or describes them must agree with the ranges written out here.
final class SettingRangeTests: XCTestCase {
    let ranges: [(setting: String, option: CommandLineOption, range: ClosedRange<Int64>)] = [
        ("concurrency", .concurrency, 1...64), ("retries", .retries, 0...10),
    ]

    func testEveryWriterAgreesWithTheGrammarTable() throws {
        let help = Cops.helpMessage(columns: 400)
        let docs = try String(contentsOf: repository.appending(path: "docs/language.md"), encoding: .utf8)
        for (name, option, range) in ranges {
            let spec = try XCTUnwrap(GrammarTable.setting(named: name))
            XCTAssertEqual(spec.values, .integer(range), name)
            XCTAssertEqual(option.range, range, name)

            for value in [range.lowerBound - 1, range.lowerBound, range.upperBound, range.upperBound + 1] {
                let inRange = range.contains(value)
                // The language: the checker, then the settings the interpreter applies.
                let file = SourceFile(name: "t.cops", text: "set \(name) \(value)")
                let checked = Checker.check(file)
                XCTAssertEqual(checked.isRunnable, inRange, "set \(name) \(value)")
                guard case .set(_, let written) = checked.program.statements.first?.kind else {
                    return XCTFail("set \(name) \(value) did not parse")
                }
                var settings = ScriptSettings()
                XCTAssertEqual(settings.apply(name, written), inRange, "apply \(name) \(value)")
                // The command line, on both paths.
                let line = ["--\(name)", String(value), "-c", "status 15"]
                XCTAssertEqual(Invocation.parse(line) != nil, inRange, "\(line)")
                XCTAssertEqual((try? Cops.parseAsRoot(line)) != nil, inRange, "\(line)")
                guard !inRange else { continue }
                let between = "must be between \(range.lowerBound) and \(range.upperBound)"
                let rendered = DiagnosticRenderer().render(checked.diagnostics, in: file)
                XCTAssertTrue(rendered.contains("'\(name)' \(between), not \(value)"), rendered)
                // (ArgumentParser reads `-1` as an option, with a message of its own.)
                if value >= 0 {
                    XCTAssertThrowsError(try Cops.parseAsRoot(line)) {
                        XCTAssertEqual(Cops.message(for: $0), "--\(name) \(between)")
                    }
                }
            }
            // What people read: `cops --help`, the language's `help`, docs/language.md.
            XCTAssertTrue(help.contains("(\(range.lowerBound)-\(range.upperBound);"), help)
            XCTAssertEqual(
                GrammarTable.helpText(for: name)?.hasPrefix("set \(name) \(range.lowerBound)..\(range.upperBound)"), true)
            let written = "\(range.lowerBound)–\(range.upperBound)"
            for row in ["| `\(name)` |", "| `--\(name) N` |"] {
                let line = docs.split(separator: "\n").first { $0.hasPrefix(row) }
                XCTAssertEqual(line?.contains(written), true, "docs/language.md: \(row) … \(written)")
            }
        }
    }

    /// The checkout this file is in.
    var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
}
