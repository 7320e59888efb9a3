import AltcraftAPI
import AltcraftSandbox
import AltcraftWire
import CampaignScript
import CopsShell
import XCTest

/// `source` (relative paths, whole-file checks, cycles) and cancellation of bulk statements.
final class SourceAndCancellationTests: XCTestCase {
    func testSourceRunsAFileNextToTheCurrentOneInTheSameSession() async {
        let harness = Harness(
            settings: .with { $0.output = .table },
            files: ["runbooks/lib/common.cops": "let promos = (list active tag \"spring-2024\")\n"])
        let status = await harness.run("source \"lib/common.cops\"\necho $promos.count", name: "runbooks/main.cops")
        XCTAssertEqual(status, .success, harness.output.stderr)
        XCTAssertEqual(harness.output.stdout, "3\n")
    }

    func testASourcedFileWithErrorsRunsNothing() async {
        let harness = Harness(files: ["bad.cops": "deactivate 20 abort\ndeactivte 21\n"])
        let status = await harness.run("source \"bad.cops\"")
        XCTAssertEqual(status, .invalidScript)
        XCTAssertTrue(harness.requests.isEmpty)
        XCTAssertTrue(harness.output.stderr.contains("bad.cops:2:1: error: unknown command 'deactivte'"), harness.output.stderr)
        XCTAssertTrue(harness.output.stderr.contains("test.cops:1:8: error: 'bad.cops' has 1 error"), harness.output.stderr)
    }

    /// Issue 14: the statements before a `source` of a broken file were sent, then the run
    /// failed with 65, whose documented meaning is "nothing was sent".
    func testAnErrorInASourcedFileSendsNothingBeforeTheSource() async {
        let harness = Harness(files: ["lib/bad.cops": "status 15\ndeactivte 21\n"])
        let status = await harness.run("deactivate 15 abort\nsource \"lib/bad.cops\"\n", name: "main.cops")
        XCTAssertEqual(status, .invalidScript)
        XCTAssertEqual(harness.requests, [], "nothing is sent")
        XCTAssertEqual(harness.status(15), "Sending", "campaign 15 was not stopped")
        XCTAssertTrue(
            harness.output.stderr.contains("lib/bad.cops:2:1: error: unknown command 'deactivte'"), harness.output.stderr)
        XCTAssertTrue(harness.output.stderr.contains("main.cops:2:8: error: 'lib/bad.cops' has 1 error"), harness.output.stderr)
    }

    /// Sourced files are checked recursively, each against its own path.
    func testErrorsInANestedSourcedFileNameThatFile() async {
        let harness = Harness(files: [
            "lib/outer.cops": "source \"inner.cops\"\n", "lib/inner.cops": "echo 1\ndeactivate 15 abrot\n",
        ])
        let status = await harness.run("status 15\nsource \"lib/outer.cops\"", name: "main.cops")
        XCTAssertEqual(status, .invalidScript)
        XCTAssertEqual(harness.requests, [])
        XCTAssertTrue(
            harness.output.stderr.contains("lib/inner.cops:2:15: error: unknown option 'abrot' for 'deactivate'"),
            harness.output.stderr)
        XCTAssertTrue(harness.output.stderr.contains("  2 | deactivate 15 abrot"), harness.output.stderr)
    }

    /// The checker of a sourced file sees the variables defined before the `source`.
    func testASourcedFileSeesTheVariablesDefinedBeforeIt() async {
        let harness = Harness(settings: .with { $0.output = .text }, files: ["lib.cops": "echo $who\nlet done = 1\n"])
        let status = await harness.run("let who = \"ops\"\nsource \"lib.cops\"\necho $done")
        XCTAssertEqual(status, .success, harness.output.stderr)
        XCTAssertEqual(harness.output.stdout, "ops\n1\n")
    }

    /// A file sourced from two places is checked once: its warning is printed once.
    func testAFileSourcedTwiceIsCheckedOnce() async {
        let harness = Harness(
            settings: .with { $0.output = .text },
            files: ["a.cops": "source \"c.cops\"\n", "b.cops": "source \"c.cops\"\n", "c.cops": "help nosuchtopic\n"])
        let status = await harness.run("source \"a.cops\"\nsource \"b.cops\"", name: "main.cops")
        XCTAssertEqual(status, .success, harness.output.stderr)
        XCTAssertEqual(harness.output.stderr.components(separatedBy: "c.cops:1:6: warning:").count, 2, harness.output.stderr)
    }

    /// Only a path computed at run time is read when the `source` runs.
    func testAComputedPathIsCheckedWhenItRuns() async {
        let harness = Harness(files: ["lib/bad.cops": "deactivte 21\n"])
        let status = await harness.run("let lib = \"lib\"\ndeactivate 15 abort\nsource \"$lib/bad.cops\"")
        XCTAssertEqual(status, .invalidScript)
        XCTAssertEqual(harness.requests, [.deactivate])
        XCTAssertTrue(harness.output.stderr.contains("test.cops:3:1: error: 'lib/bad.cops' has 1 error; nothing in it ran"))
    }

    func testSourceCyclesAreDetected() async {
        let harness = Harness(files: ["a.cops": "source \"b.cops\"\n", "b.cops": "source \"a.cops\"\n"])
        let status = await harness.run("status 15\nsource \"a.cops\"", name: "main.cops")
        XCTAssertEqual(status, .invalidScript)
        XCTAssertEqual(harness.requests, [])
        XCTAssertTrue(
            harness.output.stderr.contains("b.cops:1:8: error: 'a.cops' is already being sourced"), harness.output.stderr)
        XCTAssertTrue(harness.output.stderr.contains("note: sourced by a.cops → b.cops"), harness.output.stderr)
    }

    func testSourceOfAMissingFileFailsBeforeAnythingIsSent() async {
        let harness = Harness()
        let status = await harness.run("status 15\nsource \"missing.cops\"")
        XCTAssertEqual(status, .invalidScript)
        XCTAssertEqual(harness.requests, [])
        XCTAssertTrue(
            harness.output.stderr.contains("test.cops:2:8: error: cannot read 'missing.cops': no such file"),
            harness.output.stderr)
    }

    /// Bad-input catalogue `source-directory`: `source "."` said "cannot read ''".
    func testSourceOfTheCurrentDirectoryNamesIt() async {
        let harness = Harness()
        let status = await harness.run("source \"./\"")
        XCTAssertEqual(status, .invalidScript)
        XCTAssertTrue(harness.output.stderr.contains("error: cannot read '.'"), harness.output.stderr)
    }

    func testCancelledBulkStatementStopsStartingRequestsAndReportsDoneAndNotDone() async {
        let harness = Harness(settings: .with { $0.concurrency = 1 }) { transport, cancellation in
            CancellingTransport(inner: transport, cancellation: cancellation, cancelAfter: 21)
        }
        let status = await harness.run("deactivate 20, 21, 22, 87, 15 abort\necho \"not reached\"")
        XCTAssertEqual(status, .interrupted)
        XCTAssertEqual(harness.requests.filter { $0 == .deactivate }.count, 2)
        XCTAssertTrue(
            harness.output.stderr.contains("error: deactivate: cancelled; done: 20, 21; not done: 22, 87, 15"),
            harness.output.stderr)
        XCTAssertEqual(harness.lines.count, 5)
        XCTAssertTrue(harness.lines[2].contains(#""ok":false,"done":false"#), harness.lines[2])
        XCTAssertEqual(harness.variable("failed"), .list([.int(22), .int(87), .int(15)]))
    }
}

/// Flips the cancellation switch after deactivating one given ID, as Ctrl-C would mid-statement.
struct CancellingTransport: AltcraftTransport {
    let inner: InProcessTransport
    let cancellation: CancellationSwitch
    let cancelAfter: Int64

    func send(_ request: TransportRequest) async throws(TransportError) -> TransportResponse {
        let response = try await inner.send(request)
        // What the sandbox just handled, as it decoded it.
        let handled = inner.sandbox.withEngine { $0.requestLog.last }
        if handled?.endpoint == .deactivate, handled?.parameters["id"]?.intValue == cancelAfter { cancellation.cancel() }
        return response
    }
}
