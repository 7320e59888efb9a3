import AltcraftAPI
import CampaignScript
import Foundation
import XCTest

/// `log ID since …` from the script to `log_v2`'s `from_time` on the wire, read back from the
/// sandbox's request log; the expected times are written out by hand from RFC 3339.
final class LogSinceTests: XCTestCase {
    /// The `from_time` the sandbox received for one `log` statement, or nil when none was sent.
    private func sentFromTime(_ script: String, in harness: Harness = Harness()) async -> String? {
        _ = await harness.run(script)
        let logs = harness.sandbox.withEngine { $0.requestLog.filter { $0.endpoint == .log } }
        return logs.last?.parameters["from_time"]?.stringValue
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
            ("2024-04-02T17:57:01+0300", "2024-04-02T17:57:01+0300"),
            ("2024-04-02T17:57+03:00", "2024-04-02T17:57+03:00Z"),
            ("2024-04-02 10:00-05:00", "2024-04-02T10:00-05:00Z"),
        ]
        for (written, sent) in cases {
            for script in ["log 15 since \"\(written)\"", "let t = \"\(written)\"\nlog 15 since \"$t\""] {
                let fromTime = await sentFromTime(script)
                XCTAssertEqual(fromTime, sent, script)
            }
        }
    }

    func testADurationIsThatLongBeforeNowInUTC() async throws {
        let before = Date()
        let harness = Harness()
        let fromTime = await sentFromTime("log 15 since 1h30m", in: harness)
        let after = Date()
        XCTAssertEqual(harness.output.stderr, "")
        let text = try XCTUnwrap(fromTime)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let sent = try XCTUnwrap(formatter.date(from: text), text)
        XCTAssertTrue(text.hasSuffix("Z"), text)
        XCTAssertGreaterThanOrEqual(sent.timeIntervalSince(before.addingTimeInterval(-5400)), -0.001, text)
        XCTAssertLessThanOrEqual(sent.timeIntervalSince(after.addingTimeInterval(-5400)), 0.001, text)
    }

    func testANonTimeMadeAtRunTimeIsSentAsWritten() async {
        let fromTime = await sentFromTime("let t = \"yesterday\"\nlog 15 since \"$t\"")
        XCTAssertEqual(fromTime, "yesterdayZ")
    }
}
