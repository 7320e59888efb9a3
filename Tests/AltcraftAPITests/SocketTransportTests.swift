import AltcraftAPI
import AltcraftSandbox
import AltcraftWire
import XCTest

/// What only the plain-socket transport does itself: HTTP framing, keep-alive, cancellation.
/// (Everything both transports share runs against both in ClientOverHTTPTests,
/// MalformedAnswerTests and RetryTests.)
final class SocketTransportTests: XCTestCase {
    let ok = #"{"error":0,"error_text":"Successful","data":{"is_active":true,"is_completed":false,"status":"Sending"}}"#

    func status(_ bytes: String, timeout: Duration = .seconds(5)) async throws -> Result<CampaignStatus, AltcraftError> {
        let server = try RawHTTPServer(.bytes(Array(bytes.utf8)))
        defer { server.stop() }
        let client = AltcraftClient(
            configuration: ClientConfiguration(token: "t0ken-value", timeout: timeout, retries: 0),
            transport: try SocketTransport(baseURL: server.url))
        defer { Task { await client.shutdown() } }
        do throws(AltcraftError) {
            return .success(try await client.status(id: 15))
        } catch {
            return .failure(error)
        }
    }

    func testChunkedAnswer() async throws {
        let body = Array(ok.utf8)
        let chunks = [body[0..<10], body[10..<50], body[50...]].map { chunk in
            String(chunk.count, radix: 16) + ";ext=1\r\n" + String(decoding: chunk, as: UTF8.self) + "\r\n"
        }
        let answer =
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            + chunks.joined() + "0\r\nX-Trailer: yes\r\n\r\n"
        let result = try await status(answer)
        XCTAssertEqual(try result.get(), CampaignStatus(isActive: true, isCompleted: false, status: "Sending"))
    }

    func testBadChunkSizeIsALostConnectionNotACrash() async throws {
        let answer = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"
        guard case .failure(let error) = try await status(answer), case .connectionLost = error.kind else {
            return XCTFail("expected a lost connection")
        }
        XCTAssertTrue(error.summary.contains("malformed HTTP"), error.summary)
    }

    func testInterimContinueAnswerIsSkipped() async throws {
        let answer =
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(ok.utf8.count)\r\n\r\n"
            + ok
        let result = try await status(answer)
        XCTAssertNoThrow(try result.get())
    }

    func testBodyUntilTheServerCloses() async throws {
        let answer = "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n" + ok
        let result = try await status(answer)
        XCTAssertNoThrow(try result.get())
    }

    func testHeadersAreCaseInsensitiveAndFoldedLinesJoin() async throws {
        let answer =
            "HTTP/1.1 200 OK\r\ncontent-TYPE:application/json\r\nX-Long: a\r\n  b\r\nCONTENT-LENGTH:   \(ok.utf8.count)  \r\n\r\n"
            + ok
        let result = try await status(answer)
        XCTAssertNoThrow(try result.get())
    }

    func testHugeHeadIsRefused() async throws {
        let answer = "HTTP/1.1 200 OK\r\nX-Big: " + String(repeating: "a", count: 100_000) + "\r\n\r\n"
        guard case .failure(let error) = try await status(answer), case .connectionLost = error.kind else {
            return XCTFail("expected a lost connection")
        }
    }

    func testKeepAliveUsesOneConnectionForSequentialRequests() async throws {
        let sandbox = makeSandbox()
        try await withSandboxServer(sandbox) { url in
            let transport = try SocketTransport(baseURL: url)
            let client = AltcraftClient(
                configuration: ClientConfiguration(token: SandboxEngine.defaultToken), transport: transport)
            for _ in 0..<25 { _ = try await client.status(id: 15) }
            XCTAssertEqual(transport.openedConnections, 1)
            await client.shutdown()
        }
    }

    func testAConnectionTheServerClosedIsNotReused() async throws {
        // HTTP/1.1 without "Connection: close", then the server closes anyway (as an idle
        // timeout would): the next request must open a new connection, not fail.
        let answer = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(ok.utf8.count)\r\n\r\n" + ok
        let server = try RawHTTPServer(.bytes(Array(answer.utf8)))
        defer { server.stop() }
        let transport = try SocketTransport(baseURL: server.url)
        let client = AltcraftClient(configuration: ClientConfiguration(token: "t", retries: 0), transport: transport)
        for _ in 0..<3 {
            _ = try await client.status(id: 15)
            try await Task.sleep(for: .milliseconds(20))  // the server's close arrives
        }
        XCTAssertEqual(transport.openedConnections, 3)
        XCTAssertEqual(server.accepted, 3)
        await client.shutdown()
    }

    func testCancellationWakesABlockedExchangeAtOnce() async throws {
        let server = try RawHTTPServer(.silent)
        defer { server.stop() }
        let transport = try SocketTransport(baseURL: server.url)
        let request = TransportRequest(
            path: "/api/v1.1/campaigns/get_status", headers: [], body: Array("{}".utf8), timeout: .seconds(30),
            maximumResponseBytes: 1 << 20)
        let started = ContinuousClock.now
        let exchange = Task { () async throws(TransportError) -> TransportResponse in try await transport.send(request) }
        try await Task.sleep(for: .milliseconds(150))
        exchange.cancel()
        let result = await exchange.result
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(3))
        guard case .failure(let error) = result, error as? TransportError == .cancelled else { return XCTFail("\(result)") }
        await transport.shutdown()
    }

    func testAHeaderWithALineBreakIsNeverSent() async throws {
        let server = try RawHTTPServer(.silent)
        defer { server.stop() }
        let transport = try SocketTransport(baseURL: server.url)
        let request = TransportRequest(
            path: "/x", headers: [(name: "Authorization", value: "Bearer a\r\nX-Injected: 1")], body: [],
            timeout: .seconds(5), maximumResponseBytes: 1024)
        do {
            _ = try await transport.send(request)
            XCTFail("sent")
        } catch {
            guard case .connectFailed(let why) = error else { return XCTFail("\(error)") }
            XCTAssertFalse(why.contains("X-Injected"), why)
        }
        XCTAssertEqual(transport.openedConnections, 0)
    }

    func testEveryHeaderThatWouldBreakTheHeadIsRefused() throws {
        let bad: [(name: String, value: String)] = [
            ("X-A", "one\ntwo"), ("X-A", "one\rtwo"), ("X-A\r\nX-B", "1"), ("X:A", "1"), ("X\nA", "1"),
        ]
        for header in bad {
            let request = TransportRequest(
                path: "/x", headers: [header], body: [], timeout: .seconds(1), maximumResponseBytes: 1)
            XCTAssertThrowsError(try SocketTransport.requestBytes(request, baseURL: "http://127.0.0.1:1/"), "\(header)")
        }
        let fine = TransportRequest(
            path: "/x", headers: [("X-A", "a: b, c\td é")], body: [], timeout: .seconds(1), maximumResponseBytes: 1)
        XCTAssertEqual(
            String(decoding: try SocketTransport.requestBytes(fine, baseURL: "http://127.0.0.1:1/"), as: UTF8.self),
            "POST /x HTTP/1.1\r\nHost: 127.0.0.1:1\r\nContent-Length: 0\r\nX-A: a: b, c\td é\r\n\r\n")
    }

    func testAPathPrefixAndHostHeaderAreSent() throws {
        let request = TransportRequest(
            path: "/api/v1.1/campaigns/get", headers: [(name: "Content-Type", value: "application/json")],
            body: Array("{}".utf8), timeout: .seconds(1), maximumResponseBytes: 1)
        let message = try SocketTransport.requestBytes(request, baseURL: "http://user:pw@[::1]:8080/panel/")
        XCTAssertEqual(
            String(decoding: message, as: UTF8.self),
            "POST /panel/api/v1.1/campaigns/get HTTP/1.1\r\nHost: [::1]:8080\r\nContent-Length: 2\r\n"
                + "Content-Type: application/json\r\n\r\n{}")
    }
}
