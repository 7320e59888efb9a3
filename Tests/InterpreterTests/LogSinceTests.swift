import AltcraftAPI
import CampaignScript
import Foundation
import XCTest

/// `log ID since …` from the script to `log_v2`'s `from_time` on the wire, read back from the
/// sandbox's request log; the expected times are written out by hand from RFC 3339.
final class LogSinceTests: XCTestCase {
    /// The script's exit status and the `from_time` the sandbox received for its `log`
    /// statement (nil when none was sent).
    private func run(_ script: String, in harness: Harness = Harness()) async -> (status: ExitStatus, fromTime: String?) {
        let status = await harness.run(script)
        let logs = harness.sandbox.withEngine { $0.requestLog.filter { $0.endpoint == .log } }
        return (status, logs.last?.parameters["from_time"]?.stringValue)
    }

    func testTimesAreSentAsRFC3339() async {
        let cases: [(written: String, sent: String)] = [
            ("2024-04-02", "2024-04-02T00:00:00Z"),
            ("2024-04-02T17:57:01Z", "2024-04-02T17:57:01Z"),
            ("2024-04-02T17:57:01.504Z", "2024-04-02T17:57:01.504Z"),
            ("2024-04-02T17:57:01", "2024-04-02T17:57:01Z"),
            ("2024-04-02 17:57:01", "2024-04-02T17:57:01Z"),
            ("2024-04-02T17:57", "2024-04-02T17:57:00Z"),
            ("2024-04-02T17:57Z", "2024-04-02T17:57:00Z"),
            ("2024-04-02T17:57:01+03:00", "2024-04-02T17:57:01+03:00"),
            ("2024-04-02T17:57:01.5-05:00", "2024-04-02T17:57:01.5-05:00"),
            // RFC 3339 wants seconds and a colon in the offset.
            ("2024-04-02T17:57:01+0300", "2024-04-02T17:57:01+03:00"),
            ("2024-04-02T17:57+03:00", "2024-04-02T17:57:00+03:00"),
            ("2024-04-02 10:00-05:00", "2024-04-02T10:00:00-05:00"),
        ]
        for (written, sent) in cases {
            for script in ["log 15 since \"\(written)\"", "let t = \"\(written)\"\nlog 15 since \"$t\""] {
                let (status, fromTime) = await run(script)
                XCTAssertEqual(status, .success, script)
                XCTAssertEqual(fromTime, sent, script)
            }
        }
    }

    func testADurationIsThatLongBeforeNowInUTC() async throws {
        let before = Date()
        let (status, fromTime) = await run("log 15 since 1h30m")
        let after = Date()
        XCTAssertEqual(status, .success)
        let text = try XCTUnwrap(fromTime)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let sent = try XCTUnwrap(formatter.date(from: text), text)
        XCTAssertTrue(text.hasSuffix("Z"), text)
        XCTAssertGreaterThanOrEqual(sent.timeIntervalSince(before.addingTimeInterval(-5400)), -0.001, text)
        XCTAssertLessThanOrEqual(sent.timeIntervalSince(after.addingTimeInterval(-5400)), 0.001, text)
    }

    func testNonTimesAreErrorsAndNothingIsSent() async {
        let written = [
            "yesterday", "2024-4-02", "2024-04-02T", "2024-04-02T1:00", "2024-04-02t10:00", "2024-04-02T10:00:0",
            "2024-04-02T10:00:00.", "2024-04-02T10:00:00.5+3:00", "2024-04-02T10:00z", "2024-04-02T10:00:00Z ",
            "٢٠٢٤-٠٤-٠٢",
        ]
        for text in written {
            // A constant is the checker's error (nothing runs); a string made at run time is the
            // statement's (before, it was sent and the server refused it).
            for (script, status) in [
                ("log 15 since \"\(text)\"", ExitStatus.invalidScript),
                ("let t = \"\(text)\"\nlog 15 since \"$t\"", .failure),
            ] {
                let harness = Harness()
                let (exitStatus, fromTime) = await run(script, in: harness)
                XCTAssertNil(fromTime, script)
                XCTAssertEqual(exitStatus, status, script)
                XCTAssertTrue(
                    harness.output.stderr.contains("error: '\(text)' is not a time like \"2024-04-02T17:57:01Z\""),
                    harness.output.stderr)
            }
        }
    }
}
