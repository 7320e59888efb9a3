import AltcraftAPI
import CampaignScript
import XCTest

/// Dry run: no mutating request is sent, the would-be request is printed, reads still run.
final class DryRunTests: XCTestCase {
    func testDryRunSendsNothingMutatingAndPrintsTheRequests() async {
        let harness = Harness(settings: .with { $0.dryRun = true })
        let status = await harness.run(
            """
            deactivate 15, 20 abort
            activate 40 now audience segment 5 limit 100
            let c = clone 15 as "Copy"
            activate $c.id
            delete 40
            launch 87
            status 15
            """)
        XCTAssertEqual(status, .success, harness.output.stderr)
        XCTAssertFalse(harness.requests.contains { $0.isMutating }, "\(harness.requests)")
        XCTAssertTrue(harness.requests.contains(.status), "reads still go to the server")
        XCTAssertEqual(harness.status(15), "Sending")
        let out = harness.output.stdout
        XCTAssertTrue(
            out.contains(
                #"{"op":"deactivate","id":15,"ok":true,"planned":true,"request":"POST /api/v1.1/campaigns/deactivate {\"token\":\"[redacted]\",\"id\":15,\"abort_if_running\":true}"}"#
            ), out)
        XCTAssertTrue(out.contains(#"override_source_type\":\"segment\""#), out)
        XCTAssertTrue(out.contains("/api/v1.1/campaigns/broadcasts/start"), out)
        XCTAssertFalse(out.contains("sandbox-token"))
        XCTAssertTrue(harness.output.stderr.contains("dry run: 'activate' not planned"), harness.output.stderr)
    }

    func testDryRunWaitAndAssertSeeLiveStateButDoNotFail() async {
        let harness = Harness(settings: .with { $0.dryRun = true })
        let status = await harness.run(
            """
            deactivate 87 abort
            wait 87 until inactive
            assert (status 87).is_active == false else "87 must be off"
            """)
        XCTAssertEqual(status, .success, harness.output.stderr)
        XCTAssertTrue(harness.output.stderr.contains("dry run: not waiting; not inactive yet: 87"), harness.output.stderr)
        XCTAssertTrue(
            harness.output.stderr.contains("dry run: assertion failed: 87 must be off (true == false)"), harness.output.stderr)
        XCTAssertTrue(harness.clock.sleeps.isEmpty)
    }

    func testSetDryRunTurnsItOnMidScript() async {
        let harness = Harness()
        let status = await harness.run("deactivate 20 abort\nset dry-run on\ndeactivate 21 abort")
        XCTAssertEqual(status, .success)
        XCTAssertEqual(harness.requests.filter { $0 == .deactivate }.count, 1)
        XCTAssertEqual(harness.status(21), "Sending")
    }
}
