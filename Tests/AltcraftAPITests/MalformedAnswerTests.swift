import AltcraftAPI
import AltcraftWire
import XCTest

/// A broken or hostile server gives typed errors that name the endpoint; nothing crashes.
final class MalformedAnswerTests: XCTestCase {
    /// Runs the call against a server behaving so, once per transport; both must fail the
    /// same way (stage and kind, whatever the words), and the socket transport's error is
    /// returned for the test's own assertions.
    func call(
        _ behaviour: RawHTTPServer.Behaviour, timeout: Duration = .seconds(5), maximumResponseBytes: Int = 1 << 20,
        token: String = "t0ken-value",
        _ operation: @escaping (AltcraftClient) async throws(AltcraftError) -> Void = { _ = try await $0.status(id: 15) }
    ) async throws -> AltcraftError? {
        var errors: [AltcraftError?] = []
        for kind in TransportKind.plain {
            let server = try RawHTTPServer(behaviour)
            defer { server.stop() }
            let client = AltcraftClient(
                configuration: ClientConfiguration(
                    token: token, timeout: timeout, retries: 0, maximumResponseBytes: maximumResponseBytes),
                transport: try kind.make(server.url))
            errors.append(await expectFailure { () async throws(AltcraftError) in try await operation(client) })
            await client.shutdown()
        }
        let (viaClient, viaSockets) = (errors[0], errors[1])
        XCTAssertEqual(
            viaClient?.stage, viaSockets?.stage, "\(String(describing: viaClient)) / \(String(describing: viaSockets))")
        XCTAssertEqual(
            viaClient.map { Self.caseName($0.kind) }, viaSockets.map { Self.caseName($0.kind) },
            "\(String(describing: viaClient)) / \(String(describing: viaSockets))")
        return viaSockets
    }

    /// `connectionLost` of `connectionLost("…")`: the words differ between transports.
    static func caseName(_ kind: AltcraftError.Kind) -> String {
        String(String(describing: kind).prefix { $0 != "(" })
    }

    func assertDecodingError(_ body: String, contentType: String = "application/json", mentions: String, line: UInt = #line)
        async throws
    {
        let error = try await call(.bytes(RawHTTPServer.response(contentType: contentType, body: body)))
        XCTAssertEqual(error?.stage, .decoding, line: line)
        XCTAssertEqual(error?.endpoint, .status, line: line)
        XCTAssertEqual(error?.campaignID, 15, line: line)
        XCTAssertTrue(
            error?.description.contains(mentions) == true, "\(error?.description ?? "nil") lacks '\(mentions)'", line: line)
        XCTAssertTrue(error?.description.hasPrefix("campaigns/get_status (id 15): ") == true, line: line)
    }

    func testInvalidJSON() async throws {
        try await assertDecodingError(#"{"error": 0, "data": {"is_active": trux}}"#, mentions: "invalid literal in JSON")
    }

    func testHTMLErrorPage() async throws {
        try await assertDecodingError("<html><body>Bad Gateway</body></html>", contentType: "text/html", mentions: "HTML page")
        try await assertDecodingError("<!DOCTYPE html><html></html>", contentType: "application/json", mentions: "expected JSON")
    }

    func testHTMLErrorPageWithAFailureStatus() async throws {
        let error = try await call(
            .bytes(RawHTTPServer.response(status: "502 Bad Gateway", contentType: "text/html", body: "<html>502</html>")))
        XCTAssertEqual(error?.kind, .httpStatus(502, apiCode: nil, apiText: nil))
    }

    func testEmptyBody() async throws {
        try await assertDecodingError("", mentions: "empty body")
    }

    func testWrongTypes() async throws {
        try await assertDecodingError(
            #"{"error":0,"data":{"is_active":"maybe","status":"x"}}"#, mentions: "'is_active' should be a boolean")
        try await assertDecodingError(#"{"error":"zero","data":null}"#, mentions: "'error' should be an integer")
        try await assertDecodingError(#"[1,2,3]"#, mentions: "expected an envelope object")
        try await assertDecodingError(#"{"data":{"is_active":true}}"#, mentions: "no 'error' field")
        try await assertDecodingError(#"{"error":0,"data":[1]}"#, mentions: "status: expected an object")
    }

    func testDeepNestingIsRefusedNotACrash() async throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        try await assertDecodingError(#"{"error":0,"data":"# + deep + "}", mentions: "nested too deeply")
    }

    func testInvalidXML() async throws {
        try await assertDecodingError("<xml><error>0</error><data>", contentType: "application/xml", mentions: "invalid XML")
    }

    /// Found by FuzzWire: an element name that is not UTF-8 (`<\u{F3}`) made Foundation's
    /// XMLParser trap, so a broken or hostile server could crash cops.
    func testXMLThatIsNotUTF8IsRefusedNotACrash() async throws {
        for bytes: [UInt8] in [
            [0x3C, 0xF3, 0x20, 0x20, 0x20], Array("<xml><".utf8) + [0xF3] + Array("/></xml>".utf8),
            Array("<xml><error>0</error><data>".utf8) + [0xC0, 0xAF] + Array("</data></xml>".utf8),
        ] {
            XCTAssertThrowsError(try XMLWire.decode(bytes)) { error in
                XCTAssertEqual((error as? WireFormatError)?.message, "invalid XML: not UTF-8")
            }
        }
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: 5\r\nConnection: close\r\n\r\n"
        let error = try await call(.bytes(Array(head.utf8) + [0x3C, 0xF3, 0x20, 0x20, 0x20]))
        XCTAssertEqual(error?.stage, .decoding)
        XCTAssertTrue(error?.description.contains("invalid XML: not UTF-8") == true, String(describing: error))
        // UTF-8 beyond ASCII is still read.
        XCTAssertEqual(try XMLWire.decode("<xml><name>Весна 🌸</name></xml>")["name"], "Весна 🌸")
    }

    /// Found by FuzzWire: a page whose last campaign has the largest possible ID and no
    /// `next_from_id` made `listAll` compute that ID + 1 and trap on the overflow.
    func testListPagingEndsAtTheLargestID() async throws {
        let page = #"{"error":0,"data":[{"id":9223372036854775807,"name":"x","type":"broadcast","is_active":true}]}"#
        let transport = StubTransport(body: page)
        let client = AltcraftClient(configuration: ClientConfiguration(token: "t0ken-value", retries: 0), transport: transport)
        var ids: [Int64] = []
        for try await campaign in client.listAll() { ids.append(campaign.id) }
        for try await campaign in client.broadcasts.listAll() { ids.append(campaign.id) }
        XCTAssertEqual(ids, [Int64.max, Int64.max])
        XCTAssertEqual(transport.requests.count, 2, "one page each, then done")
    }

    func testOversizeBody() async throws {
        let huge = #"{"error":0,"data":""# + String(repeating: "x", count: 300_000) + #""}"#
        let error = try await call(.bytes(RawHTTPServer.response(body: huge)), maximumResponseBytes: 64 * 1024)
        XCTAssertEqual(error?.kind, .responseTooLarge(limit: 64 * 1024))
    }

    func testConnectionResetMidBody() async throws {
        let error = try await call(.bytes(RawHTTPServer.response(body: #"{"error":0,"da"#, declaredLength: 500)))
        XCTAssertEqual(error?.stage, .transport)
        guard case .connectionLost = error?.kind else { return XCTFail("\(String(describing: error))") }
    }

    func testServerClosesAfterTheHeaders() async throws {
        let error = try await call(.bytes(RawHTTPServer.response(body: "", declaredLength: 80)))
        XCTAssertEqual(error?.stage, .transport)
    }

    /// Fault matrix: a lost connection said "malformed HTTP from the server" without saying
    /// which server; the message now names the endpoint (scheme, host and port only).
    func testTransportFailuresNameTheEndpoint() async throws {
        let server = try RawHTTPServer(.bytes(RawHTTPServer.response(body: "", declaredLength: 80)))
        let origin = server.url
        server.stop()
        let lost = try await call(.bytes(RawHTTPServer.response(body: "", declaredLength: 80)))
        XCTAssertTrue(lost?.summary.hasPrefix("connection lost: ") == true, String(describing: lost))
        XCTAssertTrue(lost?.summary.contains("(http://127.0.0.1:") == true, String(describing: lost))
        let withUser = "http://user:secret@" + origin.dropFirst("http://".count) + "/prefix"
        for kind in TransportKind.plain {
            let client = AltcraftClient(
                configuration: ClientConfiguration(token: "t0ken-value", retries: 0),
                transport: try kind.make(withUser))
            let refused = await expectFailure { () async throws(AltcraftError) in try await client.status(id: 15) }
            await client.shutdown()
            XCTAssertEqual(refused?.stage, .transport, "\(kind)")
            XCTAssertTrue(refused?.summary.hasSuffix("(\(origin))") == true, String(describing: refused))
            XCTAssertFalse(refused?.description.contains("secret") == true, String(describing: refused))
        }
    }

    func testGarbageInsteadOfHTTP() async throws {
        let error = try await call(.bytes(Array("SSH-2.0-OpenSSH_9.2\r\n".utf8)))
        XCTAssertEqual(error?.stage, .transport)
    }

    /// Issue 14: a timeout said `no answer within 1s` without naming the server, unlike the
    /// other transport failures; both transports now name the endpoint's origin the same way.
    func testServerThatNeverAnswersTimesOutNamingTheServer() async throws {
        for kind in TransportKind.plain {
            let server = try RawHTTPServer(.silent)
            defer { server.stop() }
            let started = ContinuousClock.now
            let client = AltcraftClient(
                configuration: ClientConfiguration(token: "t0ken-value", timeout: .milliseconds(300), retries: 0),
                transport: try kind.make(server.url))
            let error = await expectFailure { () async throws(AltcraftError) in _ = try await client.status(id: 15) }
            await client.shutdown()
            XCTAssertEqual(error?.kind, .timedOut(seconds: 0.3, server: server.url), "\(kind)")
            XCTAssertEqual(error?.summary, "no answer within 0.3s (\(server.url))", "\(kind)")
            XCTAssertLessThan(ContinuousClock.now - started, .seconds(5))
        }
    }

    func testServerThatStallsMidBodyTimesOut() async throws {
        let started = ContinuousClock.now
        let head = RawHTTPServer.response(body: #"{"error":0,"#, declaredLength: 400)
        let error = try await call(.bytesThenSilence(head), timeout: .milliseconds(300))
        XCTAssertEqual(error.map { Self.caseName($0.kind) }, "timedOut")
        XCTAssertTrue(
            error?.summary.hasPrefix("no answer within 0.3s (http://127.0.0.1:") == true, "\(String(describing: error))")
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(5))
    }

    func testUnreachableServer() async throws {
        let server = try RawHTTPServer(.silent)
        let url = server.url
        server.stop()  // nothing listens on that port any more
        for kind in TransportKind.plain {
            let client = AltcraftClient(
                configuration: ClientConfiguration(token: "t0ken-value", retries: 2, initialBackoff: .milliseconds(1)),
                transport: try kind.make(url))
            let error = await expectFailure { () async throws(AltcraftError) in try await client.status(id: 15) }
            await client.shutdown()
            guard case .unreachable = error?.kind else { return XCTFail("\(kind): \(String(describing: error))") }
            XCTAssertEqual(error?.attempts, 3)
            XCTAssertTrue(error?.isUnreachable == true)
        }
    }

    func testNon2xxWithAnEnvelopeKeepsTheAPIError() async throws {
        let error = try await call(
            .bytes(
                RawHTTPServer.response(
                    status: "401 Unauthorized", body: #"{"error":401,"error_text":"API token required","data":null}"#)))
        XCTAssertEqual(error?.kind, .httpStatus(401, apiCode: 401, apiText: "API token required"))
        XCTAssertTrue(error?.isAuthenticationFailure == true)
    }

    func testErrorEnvelopeWithHTTP200IsAFailure() async throws {
        let error = try await call(
            .bytes(RawHTTPServer.response(body: #"{"error":402,"error_text":"Tariff limit reached","data":null}"#)))
        XCTAssertEqual(error?.kind, .api(code: 402, text: "Tariff limit reached"))
    }

    func testBadEndpointURLIsABuildError() async throws {
        for url in ["ftp://example.com", "not a url", "http://"] {
            for kind in TransportKind.plain {
                XCTAssertThrowsError(try kind.make(url), url) { error in
                    XCTAssertEqual((error as? AltcraftError)?.stage, .building)
                }
            }
        }
        // Direct endpoints, http or https, go over SocketTransport; a proxy or HTTP/2 over
        // async-http-client.
        XCTAssertTrue(try SocketTransport.forEndpoint("https://example.com") is SocketTransport)
        XCTAssertTrue(try SocketTransport.forEndpoint("http://127.0.0.1:1/x") is SocketTransport)
        let http2 = try SocketTransport.forEndpoint(
            "https://example.com", connection: try PreparedConnection(.init(allowsHTTP2: true), endpoint: "https://example.com"))
        XCTAssertTrue(http2 is HTTPTransport)
        await http2.shutdown()
        let proxied = try SocketTransport.forEndpoint(
            "https://example.com",
            connection: try PreparedConnection(
                .init(proxy: try ProxyServer(url: "http://127.0.0.1:3128")), endpoint: "https://example.com"))
        XCTAssertTrue(proxied is HTTPTransport)
        await proxied.shutdown()
    }
}
