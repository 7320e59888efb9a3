import AltcraftSandbox
import XCTest

/// The reference's example requests, sent as raw bytes to a real loopback `SandboxServer`.
final class SandboxServerTests: XCTestCase {
    private func exampleSandbox() -> Sandbox {
        Sandbox(engine: SandboxEngine(token: exampleToken, clock: ManualSandboxClock()))
    }

    private func resetEngine(_ sandbox: Sandbox) {
        sandbox.withEngine { $0 = SandboxEngine(token: exampleToken, clock: ManualSandboxClock()) }
    }

    func testTheIndexListsEveryExampleFile() throws {
        let examples = try ReferenceExamples.all()
        XCTAssertEqual(examples.count, 15)
        let files = try FileManager.default.contentsOfDirectory(atPath: ReferenceExamples.folder.path).filter {
            $0 != "INDEX.tsv"
        }
        XCTAssertEqual(Set(examples.map(\.file)), Set(files))
    }

    func testEveryReferenceExampleRequestSucceedsOverHTTP() async throws {
        let examples = try ReferenceExamples.all()
        let sandbox = exampleSandbox()
        try await withServer(sandbox) { port in
            for example in examples {
                resetEngine(sandbox)
                let response = try await RawHTTP.post(
                    port: port, path: example.path, body: example.body, contentType: example.contentType)
                XCTAssertEqual(response.status, 200, example.file)
                XCTAssertTrue(response.isComplete, example.file)
                let answer = try envelope(response.transportResponse)
                XCTAssertEqual(answer["error"]?.int, 0, "\(example.file): \(answer)")
                XCTAssertEqual(answer["error_text"], "Successful operation", example.file)
            }
        }
    }

    func testTheExamplesSucceedInTheOrderOfTheReferenceOnOneSandbox() async throws {
        let examples = try ReferenceExamples.all()
        let sandbox = exampleSandbox()
        try await withServer(sandbox) { port in
            for example in examples {
                let response = try await RawHTTP.post(
                    port: port, path: example.path, body: example.body, contentType: example.contentType)
                XCTAssertEqual(try envelope(response.transportResponse)["error"]?.int, 0, example.file)
            }
        }
        sandbox.withEngine { engine in
            XCTAssertEqual(engine.campaign(15)?.queued, 0, "deactivate with abort_if_running dropped the queue")
            XCTAssertEqual(engine.campaign(15)?.isActive, false)
            XCTAssertEqual(engine.campaign(82)?.queued, 4000, "activate with run_now launched 82")
            XCTAssertEqual(engine.campaign(4727)?.isActive, true)
            XCTAssertEqual(engine.campaign(11769)?.name, "Clone")
            XCTAssertEqual(engine.requestLog.count, examples.count)
        }
    }

    func testTrailingSlashVariantsOfEveryExamplePathAreAccepted() async throws {
        let examples = try ReferenceExamples.all()
        let sandbox = exampleSandbox()
        try await withServer(sandbox) { port in
            for example in examples {
                resetEngine(sandbox)
                let other = example.path.hasSuffix("/") ? String(example.path.dropLast()) : example.path + "/"
                let response = try await RawHTTP.post(
                    port: port, path: other, body: example.body, contentType: example.contentType)
                XCTAssertEqual(response.status, 200, other)
                XCTAssertEqual(try envelope(response.transportResponse)["error"]?.int, 0, other)
            }
        }
    }

    func testExampleBodiesWithoutContentTypeAreSniffed() async throws {
        let examples = try ReferenceExamples.all()
        let sandbox = exampleSandbox()
        try await withServer(sandbox) { port in
            for example in examples {
                resetEngine(sandbox)
                let response = try await RawHTTP.post(port: port, path: example.path, body: example.body, contentType: nil)
                XCTAssertEqual(try envelope(response.transportResponse)["error"]?.int, 0, example.file)
            }
        }
    }

    func testGetIs405() async throws {
        let sandbox = exampleSandbox()
        try await withServer(sandbox) { port in
            let response = try await RawHTTP.post(
                port: port, path: "/api/v1.1/campaigns/list?token=\(exampleToken)", body: [], contentType: nil, method: "GET")
            XCTAssertEqual(response.status, 405)
            XCTAssertEqual(response.header("allow"), "POST")
            XCTAssertEqual(try envelope(response.transportResponse)["error"]?.int, 405)
        }
        XCTAssertTrue(sandbox.withEngine { $0.requestLog.isEmpty })
    }

    func testABodyOverTheLimitIs413() async throws {
        let sandbox = exampleSandbox()
        try await withServer(sandbox, maximumBodyBytes: 64) { port in
            let padding = String(repeating: " ", count: 100)
            let body = Array(#"{"token": "\#(exampleToken)", "id": 15, "abort_if_running": true}\#(padding)"#.utf8)
            let response = try await RawHTTP.post(port: port, path: "/api/v1.1/campaigns/deactivate", body: body)
            XCTAssertEqual(response.status, 413)
            XCTAssertEqual(try envelope(response.transportResponse)["error"]?.int, 413)
        }
        XCTAssertEqual(sandbox.withEngine { $0.campaign(15)?.queued }, 6000)
    }

    func testUnknownPathIs404OverHTTP() async throws {
        try await withServer(exampleSandbox()) { port in
            let response = try await RawHTTP.post(
                port: port, path: "/api/v1.1/campaigns/nothing", body: Array(#"{"token": "x"}"#.utf8))
            XCTAssertEqual(response.status, 404)
            XCTAssertEqual(try envelope(response.transportResponse)["error"]?.int, 404)
        }
    }

    func testQueryTokenAndXMLFormatWorkOverHTTP() async throws {
        try await withServer(exampleSandbox()) { port in
            let response = try await RawHTTP.post(
                port: port, path: "/api/v1.1/campaigns/get_status?token=\(exampleToken)&format=xml",
                body: Array(#"{"id": 82}"#.utf8))
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(response.header("content-type"), "application/xml; charset=utf-8")
            let answer = try envelope(response.transportResponse)
            XCTAssertEqual(answer["error"]?.int, 0)
            XCTAssertEqual(answer["data"]?["status"], "Inactive")
        }
    }

    func testBearerHeaderAndBadBodiesOverHTTP() async throws {
        try await withServer(exampleSandbox()) { port in
            let bearer = try await RawHTTP.post(
                port: port, path: "/api/v1.1/campaigns/get", body: Array(#"{"id": 15}"#.utf8),
                extraHeaders: ["Authorization: Bearer \(exampleToken)"])
            XCTAssertEqual(try envelope(bearer.transportResponse)["error"]?.int, 0)
            let invalid = try await RawHTTP.post(port: port, path: "/api/v1.1/campaigns/get", body: Array("{oops".utf8))
            XCTAssertEqual(invalid.status, 400)
            XCTAssertEqual(try envelope(invalid.transportResponse)["error"]?.int, 400)
            let wrong = try await RawHTTP.post(
                port: port, path: "/api/v1.1/campaigns/get", body: Array(#"{"token": "sandbox-token", "id": 15}"#.utf8))
            XCTAssertEqual(wrong.status, 200)
            XCTAssertEqual(try envelope(wrong.transportResponse)["error"]?.int, 403, "this server only knows the example token")
        }
    }
}
