import AltcraftAPI
import AltcraftSandbox
import CopsShell
import XCTest

/// The embedded sandbox as the client reaches it: the same bytes as over HTTP, and the
/// client's size limit.
final class InProcessTransportTests: XCTestCase {
    let sandbox = Sandbox(engine: SandboxEngine(clock: ManualSandboxClock()))

    func testSendsTheSameBytesAndKeepsTheSizeLimit() async throws {
        let transport = InProcessTransport(sandbox: sandbox)
        let request = TransportRequest(
            path: "/api/v1.1/campaigns/clone", headers: [("Content-Type", "application/json")],
            body: Array(#"{"token": "sandbox-token", "id": 1, "name": "Clone"}"#.utf8), timeout: .seconds(5),
            maximumResponseBytes: 1 << 20)
        let response = try await transport.send(request)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(
            String(decoding: response.body, as: UTF8.self),
            #"{"data":{"saved_id":11769},"error":0,"error_text":"Successful operation"}"#)
        var small = request
        small.maximumResponseBytes = 10
        do {
            _ = try await transport.send(small)
            XCTFail("an answer larger than the limit must fail")
        } catch {
            XCTAssertEqual(error, .responseTooLarge(limit: 10))
        }
    }
}
