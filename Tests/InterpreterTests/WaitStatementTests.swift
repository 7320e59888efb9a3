import CampaignScript
import XCTest

/// `wait`: polls with backoff on the injected clock until every ID is in the state.
final class WaitStatementTests: XCTestCase {
    func testWaitSucceedsOnceTheQueueDrains() async {
        let harness = Harness()
        // 15 has 6 000 messages queued at 50 a second: it completes after 120 s of sandbox time.
        let status = await harness.run("deactivate 15\nwait 15 until completed timeout 5m")
        XCTAssertEqual(status, .success, harness.output.stderr)
        XCTAssertEqual(harness.status(15), "Completed")
        XCTAssertEqual(harness.lines.last, #"{"op":"wait","id":15,"ok":true,"status":"Completed"}"#)
        // Backoff: 2 s, then ×1.5 each poll, never more than 30 s.
        XCTAssertEqual(Array(harness.clock.sleeps.prefix(4)), [2_000, 3_000, 4_500, 6_750])
        XCTAssertLessThanOrEqual(harness.clock.sleeps.max() ?? 0, 30_000)
    }

    func testWaitTimeoutNamesTheIDsThatDidNotGetThere() async {
        let harness = Harness()
        let status = await harness.run("deactivate 20 abort\nwait 20, 87 until inactive timeout 10s every 1s")
        XCTAssertEqual(status, .failure)
        XCTAssertTrue(
            harness.output.stderr.contains("test.cops:2:1: error: wait: timed out after 10s; not inactive: 87"),
            harness.output.stderr)
        XCTAssertTrue(harness.output.stderr.contains("note: 87: status Sending"))
        XCTAssertEqual(harness.clock.now(), 10_000)
        XCTAssertEqual(harness.variable("failed"), .list([.int(87)]))
    }

    func testWaitUntilDeletedAcceptsIDsThatDoNotExist() async {
        let harness = Harness()
        let status = await harness.run("delete 40\nwait 40, 99999 until deleted")
        XCTAssertEqual(status, .success, harness.output.stderr)
        XCTAssertTrue(harness.clock.sleeps.isEmpty)
    }

    func testWaitForAnIDThatDoesNotExistIsAnError() async {
        let harness = Harness()
        let status = await harness.run("wait 99999 until inactive")
        XCTAssertEqual(status, .failure)
        XCTAssertTrue(harness.output.stderr.contains("wait until inactive: no campaign 99999"), harness.output.stderr)
    }

    func testWaitUntilStatusComparesTheStatusWord() async {
        let harness = Harness()
        let status = await harness.run("deactivate 87\nwait 87 until status \"stopping\" every 1s")
        XCTAssertEqual(status, .success, harness.output.stderr)
    }
}
