import AltcraftAPI
import AltcraftSandbox
import AltcraftSandboxServer
import AltcraftWire
import XCTest

/// Retries: what is repeated, what never is, and how long the client waits.
final class RetryTests: XCTestCase {
    func json(_ status: Int = 200, _ body: String, headers: [(String, String)] = []) -> Result<TransportResponse, TransportError>
    {
        .success(
            TransportResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(body.utf8)))
    }
    let ok = #"{"data":null,"error":0,"error_text":"Successful operation"}"#
    let saved = #"{"data":{"saved_id":90},"error":0,"error_text":"Successful operation"}"#

    func client(_ transport: StubTransport, sleeper: RecordingSleeper = RecordingSleeper(), retries: Int = 3) -> AltcraftClient {
        AltcraftClient(
            configuration: ClientConfiguration(token: "t0ken-value", retries: retries), transport: transport,
            sleep: sleeper.sleep,
            jitter: { 0.5 })
    }

    func testIdempotentCallsRetryTransportFailuresAnd5xx() async throws {
        let transport = StubTransport([
            .failure(.connectionLost("reset")), json(503, "oops"), .failure(.timedOut(server: nil)), json(200, ok),
        ])
        try await client(transport).deactivate(id: 15, abortIfRunning: true)
        XCTAssertEqual(transport.requests.count, 4)
    }

    func testRetriesAreBoundedByTheRetryCount() async throws {
        let transport = StubTransport([json(500, "{}")])
        let error = await expectFailure { () async throws(AltcraftError) in try await client(transport, retries: 2).status(id: 15)
        }
        XCTAssertEqual(transport.requests.count, 3)
        XCTAssertEqual(error?.attempts, 3)
        XCTAssertEqual(error?.stage, .httpStatus)
    }

    func testBackoffGrowsExponentiallyWithJitter() async throws {
        let sleeper = RecordingSleeper()
        let transport = StubTransport([.failure(.connectFailed("refused"))])
        _ = await expectFailure { () async throws(AltcraftError) in
            try await client(transport, sleeper: sleeper, retries: 4).status(id: 1)
        }
        // initial 200ms doubling; jitter 0.5 gives three quarters of each step.
        XCTAssertEqual(sleeper.recorded, [.milliseconds(150), .milliseconds(300), .milliseconds(600), .milliseconds(1200)])
    }

    func testCloneIsNeverRetriedOnceItMayHaveReachedTheServer() async throws {
        for failure in [json(502, "bad gateway"), .failure(.connectionLost("reset")), .failure(.timedOut(server: nil))] {
            let transport = StubTransport([failure, json(200, saved)])
            let error = await expectFailure { () async throws(AltcraftError) in try await client(transport).clone(id: 1) }
            XCTAssertEqual(transport.requests.count, 1, "\(failure)")
            XCTAssertEqual(error?.mayHaveBeenApplied, true, "the user must learn the clone may exist")
        }
    }

    func testUnsafeCallsRetryWhenTheRequestCertainlyWasNotProcessed() async throws {
        let transport = StubTransport([
            .failure(.connectFailed("refused")), json(429, "{}", headers: [("Retry-After", "1")]), json(200, saved),
        ])
        let id = try await client(transport).clone(id: 1)
        XCTAssertEqual(id, 90)
        XCTAssertEqual(transport.requests.count, 3)
    }

    func testActivateWithRunNowIsNotRetriedButPlainActivateIs() async throws {
        let launching = StubTransport([.failure(.connectionLost("reset")), json(200, ok)])
        _ = await expectFailure { () async throws(AltcraftError) in try await client(launching).activate(id: 82, runNow: true) }
        XCTAssertEqual(launching.requests.count, 1)
        let plain = StubTransport([.failure(.connectionLost("reset")), json(200, ok)])
        try await client(plain).activate(id: 82)
        XCTAssertEqual(plain.requests.count, 2)
        let starting = StubTransport([json(500, "{}"), json(200, ok)])
        _ = await expectFailure { () async throws(AltcraftError) in try await client(starting).broadcasts.start(id: 3) }
        XCTAssertEqual(starting.requests.count, 1)
    }

    func testRetriedDeleteThatFindsTheCampaignGoneSucceeds() async throws {
        let notFound = #"{"data":null,"error":404,"error_text":"Campaign not found"}"#
        let retried = StubTransport([.failure(.connectionLost("reset")), json(200, notFound)])
        try await client(retried).delete(id: 40)
        XCTAssertEqual(retried.requests.count, 2)
        // Without an uncertain attempt before it, not found is an error.
        let direct = StubTransport([json(200, notFound)])
        let error = await expectFailure { () async throws(AltcraftError) in try await client(direct).delete(id: 40) }
        XCTAssertEqual(error?.isNotFound, true)
    }

    func testRetryAfterIsHonouredInSecondsAndAsADate() async throws {
        let sleeper = RecordingSleeper()
        let date = "Wed, 21 Oct 2099 07:28:00 GMT"
        let transport = StubTransport([
            json(429, "{}", headers: [("Retry-After", "7")]), json(503, "{}", headers: [("Retry-After", "2")]),
            json(429, "{}", headers: [("Retry-After", date)]), json(200, ok),
        ])
        try await client(transport, sleeper: sleeper).deactivate(id: 15)
        XCTAssertEqual(Array(sleeper.recorded.prefix(2)), [.seconds(7), .seconds(2)])
        XCTAssertEqual(sleeper.recorded.last, .seconds(60), "a far date is capped at maximumRetryAfter")
    }

    func testCancellationStopsRetrying() async throws {
        let transport = StubTransport([.failure(.connectFailed("refused"))])
        let client = AltcraftClient(
            configuration: ClientConfiguration(token: "t0ken-value", retries: 10, initialBackoff: .seconds(5)),
            transport: transport)
        let task = Task { () async throws(AltcraftError) in try await client.status(id: 1) }
        try await Task.sleep(for: .milliseconds(50))
        task.cancel()
        let result = await task.result
        guard case .failure(let error) = result else { return XCTFail("cancelled call succeeded") }
        XCTAssertEqual((error as? AltcraftError)?.stage, .cancelled)
        XCTAssertEqual(transport.requests.count, 1)
    }

    // MARK: Against the sandbox server with injected faults

    func faultyClient(_ url: String, retries: Int = 8, _ kind: TransportKind = .asyncHTTPClient) throws -> AltcraftClient {
        AltcraftClient(
            configuration: ClientConfiguration(
                token: SandboxEngine.defaultToken, timeout: .seconds(5), retries: retries, initialBackoff: .milliseconds(1),
                maximumBackoff: .milliseconds(5)),
            transport: try kind.make(url))
    }

    func testIdempotentCallsSucceedThroughFaults() async throws {
        try await idempotentCallsSucceedThroughFaults(.asyncHTTPClient)
    }

    func testIdempotentCallsSucceedThroughFaultsOverSockets() async throws {
        try await idempotentCallsSucceedThroughFaults(.sockets)
    }

    func testIdempotentCallsSucceedThroughFaultsOverHTTPS() async throws {
        try await idempotentCallsSucceedThroughFaults(.https)
    }

    func testIdempotentCallsSucceedThroughFaultsOverHTTP2() async throws {
        try await idempotentCallsSucceedThroughFaults(.https2)
    }

    func idempotentCallsSucceedThroughFaults(_ kind: TransportKind) async throws {
        var faults = FaultPlan()
        faults.failRate = 0.25
        faults.resetRate = 0.15
        faults.closeAfterHeadersRate = 0.05
        faults.seed = 42
        let sandbox = makeSandbox(fillTo: 120)
        try await withSandboxServer(sandbox, faults: faults, over: kind) { url in
            let client = try faultyClient(url, retries: 12, kind)
            for id: Int64 in 1...120 { try await client.deactivate(id: id, abortIfRunning: true) }
            for id in stride(from: Int64(1), through: 120, by: 7) {
                let status = try await client.status(id: id)
                XCTAssertFalse(status.isActive)
            }
            var seen = 0
            for try await _ in client.listAll(CampaignListQuery(limit: 10)) { seen += 1 }
            XCTAssertEqual(seen, sandbox.withEngine { $0.campaignIDs.count })
            await client.shutdown()
        }
        let stillActive = sandbox.withEngine { engine in engine.campaignIDs.filter { $0 <= 120 && engine.campaign($0)!.isActive }
        }
        XCTAssertEqual(stillActive, [])
        let received = sandbox.withEngine { $0.requestLog.count }
        XCTAssertGreaterThan(received, 120 + 18, "faults must actually have forced retries")
        print(
            "fault figures (\(kind)): \(120 + 18) idempotent calls plus list pages succeeded; the engine saw \(received) requests (500s never reach it)"
        )
    }

    func testCloneUnderFaultsNeverCreatesTwoCampaigns() async throws {
        try await cloneUnderFaultsNeverCreatesTwoCampaigns(.asyncHTTPClient)
    }

    func testCloneUnderFaultsNeverCreatesTwoCampaignsOverSockets() async throws {
        try await cloneUnderFaultsNeverCreatesTwoCampaigns(.sockets)
    }

    func testCloneUnderFaultsNeverCreatesTwoCampaignsOverHTTPS() async throws {
        try await cloneUnderFaultsNeverCreatesTwoCampaigns(.https)
    }

    func testCloneUnderFaultsNeverCreatesTwoCampaignsOverHTTP2() async throws {
        try await cloneUnderFaultsNeverCreatesTwoCampaigns(.https2)
    }

    func cloneUnderFaultsNeverCreatesTwoCampaigns(_ kind: TransportKind) async throws {
        var faults = FaultPlan()
        faults.failRate = 0.2
        faults.resetRate = 0.2
        faults.closeAfterHeadersRate = 0.1
        faults.seed = 7
        let sandbox = makeSandbox()
        var reported: [String: Result<Int64, AltcraftError>] = [:]
        try await withSandboxServer(sandbox, faults: faults, over: kind) { url in
            let client = try faultyClient(url, kind)
            for index in 0..<80 {
                let name = "fault clone \(index)"
                do throws(AltcraftError) {
                    reported[name] = .success(try await client.clone(id: 118, name: name))
                } catch {
                    reported[name] = .failure(error)
                }
            }
            await client.shutdown()
        }
        let names = sandbox.withEngine { engine in engine.campaignIDs.compactMap { engine.campaign($0)?.name } }
        var failedButApplied = 0
        for (name, result) in reported {
            let count = names.filter { $0 == name }.count
            XCTAssertLessThanOrEqual(count, 1, "\(name) was created \(count) times")
            switch result {
            case .success(let id):
                XCTAssertEqual(count, 1)
                XCTAssertEqual(sandbox.withEngine { $0.campaign(Int(id))?.name }, name)
            case .failure(let error):
                if count == 1 {
                    failedButApplied += 1
                    XCTAssertTrue(error.mayHaveBeenApplied, "\(name): created but reported as certainly failed")
                }
            }
        }
        XCTAssertTrue(
            reported.values.contains { if case .failure = $0 { true } else { false } }, "faults must have hit some clones")
        XCTAssertGreaterThan(failedButApplied, 0, "resets after the change must have been seen")
        let succeeded = reported.values.filter { if case .success = $0 { true } else { false } }.count
        print(
            "fault figures (\(kind)): 80 clones, \(succeeded) reported done, \(80 - succeeded) failed of which \(failedButApplied) applied and flagged mayHaveBeenApplied; none created twice"
        )
    }

    func testRateLimitedCallsWaitAsToldAndThenSucceed() async throws {
        var faults = FaultPlan()
        faults.rateLimit = 3
        let sandbox = makeSandbox()
        let waits = RecordingSleeper()
        try await withSandboxServer(sandbox, faults: faults) { url in
            let client = AltcraftClient(
                configuration: ClientConfiguration(token: SandboxEngine.defaultToken, retries: 3),
                transport: try HTTPTransport(baseURL: url),
                sleep: { duration in
                    try await waits.sleep(duration)
                    try await Task.sleep(for: duration)
                })
            for _ in 0..<5 { _ = try await client.status(id: 15) }
            await client.shutdown()
        }
        XCTAssertFalse(waits.recorded.isEmpty, "the burst of 3 must have been exceeded")
        XCTAssertTrue(waits.recorded.allSatisfy { $0 == .seconds(1) }, "\(waits.recorded)")
    }
}
