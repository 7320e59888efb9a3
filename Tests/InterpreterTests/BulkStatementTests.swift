import AltcraftAPI
import AltcraftWire
import CampaignScript
import CopsTestSupport
import Dispatch
import Foundation
import Synchronization
import XCTest

/// Bulk statements: every ID attempted, one row per ID in input order, `$failed`, the whole
/// statement failing when any ID failed.
final class BulkStatementTests: XCTestCase {
    func testRowsComeInInputOrderWithOneRowPerID() async {
        let harness = Harness(settings: .with { $0.concurrency = 3 })
        let status = await harness.run("deactivate 87, 15, 20..22 abort")
        XCTAssertEqual(status, .success)
        XCTAssertEqual(
            harness.lines,
            [87, 15, 20, 21, 22].map { "{\"op\":\"deactivate\",\"id\":\($0),\"ok\":true}" })
        XCTAssertEqual(harness.variable("failed"), .list([]))
        XCTAssertEqual(harness.status(20), "Inactive")
    }

    /// `concurrency` workers share the IDs: never more requests in flight than that, and that
    /// many while enough IDs are left.
    func testABulkStatementKeepsConcurrencyRequestsInFlight() async {
        let flight = InFlight()
        let harness = Harness(settings: .with { $0.concurrency = 4 }) { transport, _ in
            DelayingTransport(base: transport, flight: flight)
        }
        let status = await harness.run("status 1..40")
        XCTAssertEqual(status, .failure, "the seed has no campaign of some of these IDs")
        XCTAssertEqual(harness.lines.count, 40)
        XCTAssertEqual(flight.counts.total, 40)
        XCTAssertEqual(flight.counts.peak, 4)
    }

    /// Issue 14: `deactivate (list tag "typo")` printed nothing and exited 0, so the operator
    /// believed campaigns were stopped.
    func testAnEmptyTargetSetSaysSoInEveryFormat() async {
        let json = Harness()
        let status = await json.run("let before = (list active)\ndeactivate (list tag \"typo\") abort")
        XCTAssertEqual(status, .success, json.output.stderr)
        XCTAssertEqual(json.lines, [#"{"op":"deactivate","ok":true,"matched":0}"#])
        XCTAssertTrue(json.output.stderr.contains("test.cops:2:1: warning: deactivate: no campaigns matched"), json.output.stderr)
        XCTAssertEqual(json.requests.filter { $0 == .deactivate }, [])
        XCTAssertEqual(json.variable("failed"), .list([]))

        let table = Harness(settings: .with { $0.output = .table })
        _ = await table.run("let none = (list tag \"typo\")\ndelete $none\nactivate $none now")
        XCTAssertEqual(table.output.stdout, "(none)\n(none)\n")
        XCTAssertTrue(table.output.stderr.contains("warning: delete: no campaigns matched"), table.output.stderr)
        XCTAssertTrue(table.output.stderr.contains("warning: activate: no campaigns matched"), table.output.stderr)

        let text = Harness(settings: .with { $0.output = .text })
        _ = await text.run("status (list tag \"typo\")")
        XCTAssertEqual(text.output.stdout, "op=status ok=true matched=0\n")
    }

    func testPartialFailureAttemptsEveryIDAndFailsTheStatement() async {
        let harness = Harness()
        let status = await harness.run("deactivate 15, 999, 20, 998 abort\necho \"not reached\"")
        XCTAssertEqual(status, .failure)
        XCTAssertEqual(harness.lines.count, 4)
        XCTAssertEqual(
            harness.lines[1],
            #"{"op":"deactivate","id":999,"ok":false,"error":{"kind":"not-found","code":404,"text":"API error 404 (Campaign not found)"}}"#
        )
        XCTAssertEqual(harness.status(15), "Inactive")
        XCTAssertEqual(harness.status(20), "Inactive")
        XCTAssertEqual(harness.variable("failed"), .list([.int(999), .int(998)]))
        XCTAssertTrue(harness.output.stderr.hasPrefix("test.cops:1:1: error: deactivate: 2 of 4 failed (999, 998)\n"))
        XCTAssertFalse(harness.output.stdout.contains("not reached"))
    }

    func testFailedRetriesExactlyTheFailedIDs() async {
        let harness = Harness(settings: .with { $0.continueOnError = true })
        // 20 is sending, so delete refuses it; after deactivating, $failed retries only 20.
        let status = await harness.run("delete 40, 20, 82\nlet retry = $failed\ndeactivate $retry abort\ndelete $retry")
        XCTAssertEqual(status, .failure, "the first statement failed, so the run reports it")
        let deletes = harness.requests.filter { $0 == .delete }.count
        XCTAssertEqual(deletes, 4)
        XCTAssertNil(harness.status(20))
        XCTAssertEqual(harness.variable("failed"), .list([]))
    }

    /// Issue 14: `show`, `list`, `log` and a failed `clone` left the `$failed` of an earlier
    /// statement, although every command statement sets it.
    func testEveryCommandStatementSetsFailed() async {
        let expectations: [(String, Value)] = [
            ("show 15", .list([])), ("list active", .list([])), ("log 15", .list([])),
            ("show 99999", .list([.int(99999)])), ("log 99998", .list([.int(99998)])),
            ("clone 99997", .list([.int(99997)])),
        ]
        for (statement, failed) in expectations {
            let harness = Harness(settings: .with { $0.continueOnError = true })
            _ = await harness.run("deactivate 99990, 15 abort\n" + statement)
            XCTAssertEqual(harness.variable("failed"), failed, statement)
        }
    }

    func testSingleIDFailureNamesTheIDAndTheAPIError() async {
        let harness = Harness(token: "wrong-token")
        let status = await harness.run("status 15\ndeactivate 15")
        XCTAssertEqual(status, .authentication)
        XCTAssertEqual(
            harness.output.stderr.split(separator: "\n").first,
            "test.cops:1:1: error: status 15: API error 403 (No access: the API token is not valid)")
        XCTAssertFalse(harness.output.stderr.contains("wrong-token"))
        XCTAssertFalse(harness.output.stdout.contains("wrong-token"))
    }

    func testStatusOfOneIDIsARecordAndOfSeveralAList() async {
        let harness = Harness()
        let status = await harness.run(
            """
            let one = status 15
            let many = status 15, 87
            assert $one.is_active == true
            assert $many.count == 2
            assert $many[1].id == 87
            """)
        XCTAssertEqual(status, .success, harness.output.stderr)
    }

    func testTargetsAcceptRecordsListsAndNumericStrings() async {
        let harness = Harness(arguments: ["20"])
        let status = await harness.run(
            """
            let promos = (list active tag "spring-2024")
            deactivate $promos abort
            status $1, $promos[2]
            """)
        XCTAssertEqual(status, .success, harness.output.stderr)
        XCTAssertEqual(harness.lines.count, 5)
        XCTAssertTrue(harness.lines[3].contains(#""id":20"#))
        XCTAssertTrue(harness.lines[4].contains(#""id":22"#))
    }

    func testListFollowsPagesUnlessLimitIsGiven() async {
        let harness = Harness()
        let status = await harness.run(
            """
            let all = list
            let two = list limit 2
            let broadcasts = list type broadcast active
            assert $two.count == 2
            assert $all.count == 21
            assert 87 in $broadcasts
            """)
        XCTAssertEqual(status, .success, harness.output.stderr)
    }

    func testCloneActivateLaunchAndLog() async {
        let harness = Harness(settings: .with { $0.output = .text })
        let status = await harness.run(
            """
            let c = clone 82 as "Summer sale, take 2"
            activate $c.id
            launch $c.id
            let entries = log $c.id limit 10
            assert $entries.count >= 2
            show $c.id
            """)
        XCTAssertEqual(status, .success, harness.output.stderr)
        XCTAssertTrue(harness.output.stdout.contains(#"name="Summer sale, take 2""#), harness.output.stdout)
        XCTAssertTrue(harness.requests.contains(.broadcastsStart))
    }

    func testLaunchOfATriggerCampaignFails() async {
        let harness = Harness()
        let status = await harness.run("launch 12")
        XCTAssertEqual(status, .failure)
        XCTAssertTrue(harness.output.stderr.contains("launch 12: campaign 12 is a trigger campaign"), harness.output.stderr)
    }

    func testLongBulkStatementsReportProgressOnTheMessageStreamOnly() async {
        let harness = Harness(settings: .with { $0.continueOnError = true }, showsProgress: true)
        _ = await harness.run("status 1..60\nstatus 15, 87")
        XCTAssertTrue(harness.output.stderr.contains("\rstatus: 10/60"), harness.output.stderr)
        XCTAssertTrue(harness.output.stderr.contains("\rstatus: 60/60\r\u{1B}[K"))
        XCTAssertEqual(harness.output.stderr.components(separatedBy: "/2").count, 1, "short statements show none")
        XCTAssertFalse(harness.output.stdout.contains("\r"))
    }
}

/// A bulk statement's workers run where the transport asks (`preferredExecutor`: the socket
/// transport's poller thread, or its https event loop), so each answer resumes its worker
/// without waking another thread; a statement of one ID runs in the statement's task.
final class BulkExecutorTests: XCTestCase {
    func testWorkersRunOnTheTransportsPreferredExecutorThroughTheSession() async {
        let executor = ThreadExecutor(name: "test.bulk")
        let threads = Mutex<[String]>([])
        let harness = Harness(settings: .with { $0.concurrency = 4 }) { transport, _ in
            ExecutorTransport(base: transport, executor: executor) {
                threads.withLock { $0.append(currentThreadName()) }
            }
        }
        let status = await harness.run("deactivate 87, 15, 20..22\nstatus 15")
        XCTAssertEqual(status, .success)
        XCTAssertEqual(
            Array(harness.lines.prefix(5)), [87, 15, 20, 21, 22].map { "{\"op\":\"deactivate\",\"id\":\($0),\"ok\":true}" })
        // A statement of several IDs goes through the bulk workers; one of one ID is sent
        // from the statement's own task.
        let seen = threads.withLock { $0 }
        XCTAssertEqual(Array(seen.prefix(5)), Array(repeating: executor.name, count: 5))
        XCTAssertEqual(seen.count, 6)
        XCTAssertNotEqual(seen.last, executor.name)
        XCTAssertGreaterThanOrEqual(executor.jobsRun, 5)
    }
}

/// The embedded sandbox's bulk statements run on one thread, the poller's: its calls into
/// one database are serialized anyway, and on the pool each answer woke another thread. A
/// statement of one ID runs in its own task, so a one-shot starts no poller thread.
final class EmbeddedBulkThreadTests: XCTestCase {
    func testTheEmbeddedSandboxsBulkWorkRunsOnThePollersThread() async {
        let threads = Mutex<[String]>([])
        let harness = Harness(settings: .with { $0.concurrency = 4 }) { transport, _ in
            RecordingTransport(base: transport) { threads.withLock { $0.append(currentThreadName()) } }
        }
        let status = await harness.run("deactivate 87, 15, 20..22\nstatus 15")
        XCTAssertEqual(status, .success)
        XCTAssertEqual(harness.lines.filter { $0.contains(#""ok":true"#) }.count, 6)
        let seen = threads.withLock { $0 }
        XCTAssertEqual(Array(seen.prefix(5)), Array(repeating: "cops.poller", count: 5))
        XCTAssertEqual(seen.count, 6)
        XCTAssertNotEqual(seen.last, "cops.poller", "one ID: no hop to the poller's thread")
    }
}

/// Counts the requests in flight through `DelayingTransport`.
private final class InFlight: Sendable {
    private let state = Mutex((now: 0, peak: 0, total: 0))
    var counts: (peak: Int, total: Int) { state.withLock { ($0.peak, $0.total) } }
    func begin() {
        state.withLock { state in
            state.now += 1
            state.total += 1
            state.peak = max(state.peak, state.now)
        }
    }
    func end() { state.withLock { $0.now -= 1 } }
}

/// A transport that holds each request 5 ms before sending it through another.
private struct DelayingTransport: AltcraftTransport {
    let base: any AltcraftTransport
    let flight: InFlight

    func send(_ request: TransportRequest) async throws(TransportError) -> TransportResponse {
        flight.begin()
        defer { flight.end() }
        try? await Task.sleep(for: .milliseconds(5))
        return try await base.send(request)
    }
}

/// A transport that sends through another, keeps its executor, and reports each send.
private struct RecordingTransport: AltcraftTransport {
    let base: any AltcraftTransport
    let onSend: @Sendable () -> Void

    var preferredExecutor: (any TaskExecutor)? { base.preferredExecutor }

    func send(_ request: TransportRequest) async throws(TransportError) -> TransportResponse {
        onSend()
        return try await base.send(request)
    }
}

/// A transport that sends through another and names an executor for bulk work.
private struct ExecutorTransport: AltcraftTransport {
    let base: any AltcraftTransport
    let executor: ThreadExecutor
    let onSend: @Sendable () -> Void

    var preferredExecutor: (any TaskExecutor)? { executor }

    func send(_ request: TransportRequest) async throws(TransportError) -> TransportResponse {
        onSend()
        return try await base.send(request)
    }
}

/// A task executor with one thread of its own, counting the jobs it runs.
private final class ThreadExecutor: TaskExecutor, Sendable {
    let name: String
    private let queue = Mutex<[UnownedJob]>([])
    private let ready = DispatchSemaphore(value: 0)
    private let count = Atomic<Int>(0)
    var jobsRun: Int { count.load(ordering: .relaxed) }

    init(name: String) {
        self.name = name
        Thread { [self] in
            nameCurrentThread(name)
            while true {
                ready.wait()
                guard let job = queue.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else { continue }
                count.add(1, ordering: .relaxed)
                job.runSynchronously(on: asUnownedTaskExecutor())
            }
        }.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.withLock { $0.append(job) }
        ready.signal()
    }
}
