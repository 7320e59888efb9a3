import AltcraftSandbox
import AltcraftWire
import XCTest

@testable import AltcraftSandboxServer

/// Faults the HTTP sandbox injects, seen from a raw socket.
final class FaultInjectionTests: XCTestCase {
    private let cloneBody = Array(#"{"token": "sandbox-token", "id": 1, "name": "Faulty clone"}"#.utf8)
    private let clonePath = "/api/v1.1/campaigns/clone"

    private func plan(_ configure: (inout FaultPlan) -> Void) -> FaultPlan {
        var plan = FaultPlan()
        configure(&plan)
        return plan
    }

    private func clones(_ sandbox: Sandbox) -> [Int] {
        sandbox.withEngine { engine in engine.campaignIDs.filter { engine.campaign($0)?.name == "Faulty clone" } }
    }

    func testFailRateOneAnswers500WithAnEnvelopeAndChangesNothing() async throws {
        let sandbox = Sandbox(engine: SandboxEngine(clock: ManualSandboxClock()))
        let before = sandbox.withEngine { $0.state }
        try await withServer(sandbox, faults: plan { $0.failRate = 1 }) { port in
            for _ in 0..<3 {
                let response = try await RawHTTP.post(port: port, path: clonePath, body: cloneBody)
                XCTAssertEqual(response.status, 500)
                XCTAssertTrue(response.isComplete)
                let answer = try envelope(response.transportResponse)
                XCTAssertEqual(answer["error"]?.int, 500)
                XCTAssertEqual(answer["data"], .null)
                XCTAssertNotNil(answer["error_text"]?.stringValue)
            }
        }
        XCTAssertEqual(sandbox.withEngine { $0.state }, before)
        XCTAssertTrue(sandbox.withEngine { $0.requestLog.isEmpty }, "a failed request never reaches the engine")
    }

    func testRateLimitAnswers429WithRetryAfterAfterTheBurst() async throws {
        let sandbox = Sandbox(engine: SandboxEngine(clock: ManualSandboxClock()))
        try await withServer(sandbox, faults: plan { $0.rateLimit = 2 }) { port in
            var statuses: [Int] = []
            var limited: RawHTTPResponse?
            for _ in 0..<3 {
                let response = try await RawHTTP.post(port: port, path: clonePath, body: cloneBody)
                statuses.append(response.status ?? 0)
                if response.status == 429 { limited = response }
            }
            XCTAssertEqual(statuses, [200, 200, 429])
            let response = try XCTUnwrap(limited)
            let retryAfter = try XCTUnwrap(response.header("retry-after").flatMap(Int.init))
            XCTAssertEqual(retryAfter, 1)
            XCTAssertEqual(try envelope(response.transportResponse)["error"]?.int, 429)
        }
        XCTAssertEqual(clones(sandbox).count, 2, "the limited request was not applied")
    }

    func testResetRateOneBreaksTheAnswerAfterTheChangeWasApplied() async throws {
        let sandbox = Sandbox(engine: SandboxEngine(clock: ManualSandboxClock()))
        try await withServer(sandbox, faults: plan { $0.resetRate = 1 }) { port in
            let response = try await RawHTTP.post(port: port, path: clonePath, body: cloneBody)
            XCTAssertFalse(response.isComplete, "the client must see a broken answer, got \(response.bytes.count) bytes")
            XCTAssertEqual(response.status, 200, "the headers promise success")
            let length = try XCTUnwrap(response.header("content-length").flatMap(Int.init))
            XCTAssertGreaterThan(response.body.count, 0, "part of the body is sent")
            XCTAssertLessThan(response.body.count, length)
            XCTAssertThrowsError(try JSONWire.decode(response.body), "the partial body does not parse")
        }
        XCTAssertEqual(clones(sandbox), [11769], "the clone was made although the client saw no answer")
    }

    func testCloseAfterHeadersRateOneBreaksTheAnswerAfterTheChangeWasApplied() async throws {
        let sandbox = Sandbox(engine: SandboxEngine(clock: ManualSandboxClock()))
        try await withServer(sandbox, faults: plan { $0.closeAfterHeadersRate = 1 }) { port in
            let response = try await RawHTTP.post(port: port, path: clonePath, body: cloneBody)
            XCTAssertFalse(response.isComplete, "the client must see a broken answer, got \(response.bytes.count) bytes")
            XCTAssertEqual(response.status, 200, "the headers promise success")
            XCTAssertGreaterThan(response.header("content-length").flatMap(Int.init) ?? 0, 0)
            XCTAssertTrue(response.body.isEmpty, "no body byte is sent")
        }
        XCTAssertEqual(clones(sandbox), [11769])
        let deactivate = Array(#"{"token": "sandbox-token", "id": 15, "abort_if_running": true}"#.utf8)
        try await withServer(sandbox, faults: plan { $0.closeAfterHeadersRate = 1 }) { port in
            let response = try await RawHTTP.post(port: port, path: "/api/v1.1/campaigns/deactivate", body: deactivate)
            XCTAssertFalse(response.isComplete)
        }
        XCTAssertEqual(sandbox.withEngine { $0.campaign(15)?.queued }, 0)
    }

    func testStallRateOneLeavesTheClientWaitingAndChangesNothing() async throws {
        let sandbox = Sandbox(engine: SandboxEngine(clock: ManualSandboxClock()))
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let server = SandboxServer(sandbox: sandbox, faults: plan { $0.stallRate = 1 })
        let task = Task { try await server.run(onListening: { continuation.yield($0) }) }
        var iterator = ports.makeAsyncIterator()
        let listening = await iterator.next()
        let port = try XCTUnwrap(listening)
        do {
            let response = try await RawHTTP.post(port: port, path: clonePath, body: cloneBody, timeout: 0.3)
            XCTFail("a stalled request was answered: \(response.bytes.count) bytes")
        } catch is RawHTTP.SocketError {
            // The client's own timeout ended the wait.
        }
        XCTAssertEqual(clones(sandbox), [], "a stalled request is never applied")
        task.cancel()
        let stopped = await finishes(task, within: 5)
        XCTAssertTrue(stopped, "the server stops although a request is stalled")
    }

    func testLatencyDelaysEveryAnswer() async throws {
        let sandbox = Sandbox(engine: SandboxEngine(clock: ManualSandboxClock()))
        try await withServer(sandbox, faults: plan { $0.latency = 0.25...0.3 }) { port in
            for _ in 0..<2 {
                let started = ContinuousClock.now
                let response = try await RawHTTP.post(
                    port: port, path: "/api/v1.1/campaigns/get", body: Array(#"{"token": "sandbox-token", "id": 1}"#.utf8))
                let elapsed = ContinuousClock.now - started
                XCTAssertEqual(response.status, 200)
                XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(240))
            }
        }
    }

    func testNoFaultsMeansEveryRequestIsAnsweredAtOnce() async throws {
        let sandbox = Sandbox(engine: SandboxEngine(clock: ManualSandboxClock()))
        XCTAssertTrue(FaultPlan().isEmpty)
        try await withServer(sandbox) { port in
            for _ in 0..<20 {
                let response = try await RawHTTP.post(port: port, path: clonePath, body: cloneBody)
                XCTAssertEqual(response.status, 200)
                XCTAssertTrue(response.isComplete)
            }
        }
        XCTAssertEqual(clones(sandbox).count, 20)
    }

    // MARK: Seeded decisions

    private func mixedPlan(seed: UInt64) -> FaultPlan {
        var plan = FaultPlan()
        plan.failRate = 0.2
        plan.resetRate = 0.2
        plan.closeAfterHeadersRate = 0.2
        plan.stallRate = 0.1
        plan.latency = 0.01...0.5
        plan.seed = seed
        return plan
    }

    func testTheSameSeedGivesTheSameSequenceOfDecisions() {
        let a = FaultInjector(plan: mixedPlan(seed: 42))
        let b = FaultInjector(plan: mixedPlan(seed: 42))
        let first = (0..<500).map { _ in a.decide() }
        let second = (0..<500).map { _ in b.decide() }
        XCTAssertEqual(first, second)
        let actions = Set(first.map { "\($0.action)" })
        XCTAssertEqual(actions, ["answer", "fail", "reset", "closeAfterHeaders", "stall"], "the mix exercises every fault")
        XCTAssertTrue(first.allSatisfy { (0.01...0.5).contains($0.delay) })
    }

    func testDifferentSeedsGiveDifferentSequences() {
        let a = FaultInjector(plan: mixedPlan(seed: 1))
        let b = FaultInjector(plan: mixedPlan(seed: 2))
        XCTAssertNotEqual((0..<50).map { _ in a.decide() }, (0..<50).map { _ in b.decide() })
    }

    func testOneFaultsRateDoesNotShiftAnothersSequence() {
        var onlyFail = FaultPlan()
        onlyFail.failRate = 0.3
        var failAndClose = onlyFail
        failAndClose.closeAfterHeadersRate = 0.3
        let a = FaultInjector(plan: onlyFail)
        let b = FaultInjector(plan: failAndClose)
        let failsA = (0..<300).map { _ in a.decide().action == .fail }
        let failsB = (0..<300).map { _ in b.decide().action == .fail }
        XCTAssertEqual(failsA, failsB)
    }

    func testRatesDecideTheShareOfFaults() {
        var plan = FaultPlan()
        plan.failRate = 0.25
        plan.seed = 7
        let injector = FaultInjector(plan: plan)
        let fails = (0..<4000).filter { _ in injector.decide().action == .fail }.count
        XCTAssertEqual(Double(fails) / 4000, 0.25, accuracy: 0.03)
        let never = FaultInjector(plan: FaultPlan())
        XCTAssertTrue((0..<200).allSatisfy { _ in never.decide() == FaultDecision(action: .answer, delay: 0) })
    }

    func testRateLimiterAllowsABurstThenRefusesWithRetryAfter() {
        var plan = FaultPlan()
        plan.rateLimit = 3
        let injector = FaultInjector(plan: plan)
        let actions = (0..<5).map { _ in injector.decide().action }
        XCTAssertEqual(Array(actions.prefix(3)), [.answer, .answer, .answer])
        XCTAssertEqual(actions[3], .rateLimited(retryAfter: 1))
        XCTAssertEqual(actions[4], .rateLimited(retryAfter: 1))
    }
}
