import ArgumentParser
import CampaignScript
import CopsShell
import XCTest

@testable import CopsCommandLine

/// One duration grammar: the language (`sleep`, `set timeout`) and the command line
/// (`--timeout`, `cops sandbox serve --latency`) accept exactly the same texts, with the same
/// values. The table is written out here, from docs/language.md, not derived from the reader.
final class DurationTextTests: XCTestCase {
    /// Each text with its milliseconds, or nil when it is not a duration.
    let table: [(String, Int64?)] = [
        ("250ms", 250), ("5s", 5_000), ("2m", 120_000), ("1h", 3_600_000), ("0s", 0), ("90s", 90_000),
        ("1h30m", 5_400_000), ("1m30s", 90_000), ("1h2m3s4ms", 3_723_004), ("1s500ms", 1_500),
        ("1_500ms", 1_500), ("0ms", 0),
        // Units out of order or repeated, unknown units, numbers without a unit.
        ("1s1m", nil), ("30m1h", nil), ("5s5s", nil), ("1m1m", nil), ("5sec", nil), ("1m30", nil),
        ("5", nil), ("5S", nil), ("5H", nil), ("s", nil), ("ms", nil), ("5us", nil), ("5µs", nil),
        // Fractions, signs, spaces, separators in the wrong place.
        ("1.5s", nil), ("-5s", nil), ("+5s", nil), ("5 s", nil), ("1__0s", nil), ("10_s", nil),
        ("_1s", nil), ("5s_", nil), ("", nil),
        // Too long for 64 bits.
        ("9999999999999999h", nil), ("9223372036854775807s", nil),
    ]

    /// The milliseconds of `sleep TEXT` when it checks clean.
    func languageLiteral(_ text: String) -> Int64? {
        let checked = Checker.check(SourceFile(name: "t.cops", text: "sleep \(text)"))
        guard checked.isRunnable, checked.program.statements.count == 1,
            case .sleep(let duration) = checked.program.statements[0].kind
        else { return nil }
        return duration.milliseconds
    }

    /// What `set timeout TEXT` sets, when it checks clean.
    func languageTimeout(_ text: String) -> Int64? {
        let checked = Checker.check(SourceFile(name: "t.cops", text: "set timeout \(text)"))
        guard checked.isRunnable, checked.program.statements.count == 1,
            case .set(_, let value) = checked.program.statements[0].kind
        else { return nil }
        var settings = ScriptSettings()
        return settings.apply("timeout", value) ? settings.timeoutMilliseconds : nil
    }

    /// What `--timeout TEXT` sets, when both readers of the command line accept it.
    func flagTimeout(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> Int64? {
        let arguments = ["--timeout", text, "-c", "status 15"]
        let fast = Invocation.parse(arguments)
        let reference = (try? Cops.parseAsRoot(arguments)) as? Cops
        XCTAssertEqual(fast, reference?.invocation, "--timeout '\(text)'", file: file, line: line)
        return fast?.timeout.flatMap(DurationText.milliseconds)
    }

    /// What `cops sandbox serve --latency TEXT` delays each answer by, in seconds, when accepted.
    func latency(_ text: String) -> ClosedRange<Double>? {
        let serve = (try? SubcommandRoot.parseAsRoot(["sandbox", "serve", "--latency", text])) as? SandboxCommand.Serve
        return serve?.latency.flatMap(DurationText.range)
    }

    func testTheLanguageAndTheCommandLineReadTheSameDurations() {
        for (text, milliseconds) in table {
            XCTAssertEqual(languageLiteral(text), milliseconds, "sleep \(text)")
            let timeout = milliseconds.flatMap { $0 > 0 ? $0 : nil }
            XCTAssertEqual(languageTimeout(text), timeout, "set timeout \(text)")
            XCTAssertEqual(flagTimeout(text), timeout, "--timeout '\(text)'")
            let seconds = milliseconds.map { Double($0) / 1000 }
            XCTAssertEqual(latency(text), seconds.map { $0...$0 }, "--latency '\(text)'")
        }
    }

    func testLatencyRangesAreTwoDurations() {
        XCTAssertEqual(latency("20ms..200ms"), 0.02...0.2)
        XCTAssertEqual(latency("1s..1m30s"), 1...90)
        XCTAssertEqual(latency("5ms..5ms"), 0.005...0.005)
        for text in ["200ms..20ms", "1s1m..2m", "1ms..1.5s", "1ms...2ms", "1ms..2ms..3ms", "..2ms", "1ms.."] {
            XCTAssertNil(latency(text), text)
        }
    }

    /// `Value.durationText` is the one printer: what it writes reads back as the same value.
    func testPrintedDurationsReadBack() {
        for milliseconds: Int64 in [1, 999, 1_000, 1_001, 59_999, 60_000, 90_000, 3_600_000, 3_723_004, 86_400_000] {
            let text = Value.durationText(milliseconds)
            XCTAssertEqual(languageLiteral(text), milliseconds, text)
            XCTAssertEqual(flagTimeout(text), milliseconds, text)
        }
        XCTAssertEqual(Value.durationText(90_000), "1m30s")
        XCTAssertEqual(Value.durationText(0), "0s")
    }
}
