import AltcraftSandbox
import CopsTestSupport
import Foundation
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// The test proxy and connection counter of CopsTestSupport, checked with `curl` against the
/// sandbox, so that tests of cops's own proxy support stand on a proxy known to work.
final class ConnectProxyTests: XCTestCase {
    private let statusRequest = #"{"token": "sandbox-token", "id": 15}"#

    private func freshSandbox() -> Sandbox {
        Sandbox(engine: SandboxEngine(token: sandboxToken, clock: ManualSandboxClock()))
    }

    func testCurlReachesTheTLSSandboxThroughOneConnectTunnel() async throws {
        let pki = try TestPKI.shared()
        let proxy = try ConnectProxy()
        defer { proxy.stop() }
        try await TestSandboxServer.with(freshSandbox(), tls: try pki.sandboxTLS()) { url, port in
            let outcome = try Curl.post(
                url + "/api/v1.1/campaigns/get_status", json: statusRequest, caFile: pki.caCertificatePath,
                extra: ["--proxy", proxy.url])
            XCTAssertEqual(outcome.exitStatus, 0, outcome.stderr)
            XCTAssertEqual(outcome.httpStatus, 200)
            XCTAssertTrue(outcome.body.contains(#""status":"Sending""#), outcome.body)
            XCTAssertEqual(proxy.connectTargets, ["127.0.0.1:\(port)"])
            XCTAssertEqual(proxy.acceptedConnections, 1)
            XCTAssertEqual(proxy.requestLines, ["CONNECT 127.0.0.1:\(port) HTTP/1.1"])
            XCTAssertEqual(proxy.proxyAuthorizations, [nil])
        }
    }

    func testTheProxyDemandsItsCredentials() async throws {
        let pki = try TestPKI.shared()
        let credentials = ConnectProxy.Credentials(user: "alice", password: "s3cret:pw")
        let proxy = try ConnectProxy(credentials: credentials)
        defer { proxy.stop() }
        try await TestSandboxServer.with(freshSandbox(), tls: try pki.sandboxTLS()) { url, port in
            let target = url + "/api/v1.1/campaigns/get_status"
            let refused = try Curl.post(
                target, json: statusRequest, caFile: pki.caCertificatePath, extra: ["--proxy", proxy.url])
            XCTAssertNotEqual(refused.exitStatus, 0)
            XCTAssertTrue(refused.stderr.contains("407"), refused.stderr)
            XCTAssertEqual(proxy.connectTargets, [], "no tunnel without credentials")

            let wrong = try Curl.post(
                target, json: statusRequest, caFile: pki.caCertificatePath,
                extra: ["--proxy", proxy.url(user: "alice", password: "guess")])
            XCTAssertNotEqual(wrong.exitStatus, 0)

            let accepted = try Curl.post(
                target, json: statusRequest, caFile: pki.caCertificatePath,
                extra: ["--proxy", proxy.url(user: credentials.user, password: credentials.password)])
            XCTAssertEqual(accepted.exitStatus, 0, accepted.stderr)
            XCTAssertEqual(accepted.httpStatus, 200)
            XCTAssertEqual(proxy.connectTargets, ["127.0.0.1:\(port)"])
            XCTAssertEqual(proxy.proxyAuthorizations.last, credentials.headerValue)
            XCTAssertEqual(proxy.proxyAuthorizations.first, String?.none)
        }
    }

    func testPlainHTTPIsForwardedInOriginForm() async throws {
        let proxy = try ConnectProxy()
        defer { proxy.stop() }
        let sandbox = freshSandbox()
        try await TestSandboxServer.with(sandbox) { url, port in
            for _ in 0..<2 {
                let outcome = try Curl.post(
                    url + "/api/v1.1/campaigns/get_status", json: statusRequest, extra: ["--proxy", proxy.url])
                XCTAssertEqual(outcome.exitStatus, 0, outcome.stderr)
                XCTAssertEqual(outcome.httpStatus, 200)
                XCTAssertTrue(outcome.body.contains(#""status":"Sending""#), outcome.body)
            }
            XCTAssertEqual(
                proxy.requestLines,
                Array(repeating: "POST http://127.0.0.1:\(port)/api/v1.1/campaigns/get_status HTTP/1.1", count: 2))
            XCTAssertEqual(proxy.connectTargets, [])
        }
        sandbox.withEngine { XCTAssertEqual($0.requestLog.count, 2) }
    }

    func testTargetsBeyondLoopbackAreRefused() throws {
        let proxy = try ConnectProxy()
        defer { proxy.stop() }
        let tunnel = try Curl.run(["-sS", "--max-time", "5", "--proxy", proxy.url, "https://example.com/"])
        XCTAssertNotEqual(tunnel.exitStatus, 0)
        XCTAssertTrue(tunnel.stderr.contains("403"), tunnel.stderr)
        let forwarded = try Curl.run(["-sS", "--max-time", "5", "--proxy", proxy.url, "http://example.com/"])
        XCTAssertEqual(forwarded.httpStatus, 403)
        XCTAssertEqual(proxy.recorded.refusedTargets, ["example.com:443", "example.com:80"])
        XCTAssertEqual(proxy.connectTargets, [])
    }

    func testTheCounterCountsEachConnectionItRelays() async throws {
        let pki = try TestPKI.shared()
        try await TestSandboxServer.with(freshSandbox(), tls: try pki.sandboxTLS()) { _, port in
            let counter = try ConnectionCounter(forwardingTo: port)
            defer { counter.stop() }
            for expected in 1...2 {
                let outcome = try Curl.post(
                    counter.url() + "/api/v1.1/campaigns/get_status", json: statusRequest, caFile: pki.caCertificatePath)
                XCTAssertEqual(outcome.exitStatus, 0, outcome.stderr)
                XCTAssertEqual(outcome.httpStatus, 200)
                XCTAssertEqual(counter.accepted, expected)
            }
        }
        let closing = try ConnectionCounter()
        defer { closing.stop() }
        let outcome = try Curl.run(["-sS", "--max-time", "5", closing.url(scheme: "http") + "/"])
        XCTAssertNotEqual(outcome.exitStatus, 0)
        XCTAssertEqual(closing.accepted, 1)
    }

    func testStopEndsAnOpenTunnelPromptly() async throws {
        let pki = try TestPKI.shared()
        try await TestSandboxServer.with(freshSandbox(), tls: try pki.sandboxTLS()) { _, port in
            let proxy = try ConnectProxy()
            // A client that opens a tunnel and keeps it (a pooled keep-alive connection) must not
            // keep the proxy's threads running after stop().
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(proxy.port)).bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            XCTAssertEqual(connected, 0)
            let request = Array("CONNECT 127.0.0.1:\(port) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n".utf8)
            XCTAssertEqual(request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }, request.count)
            var buffer = [UInt8](repeating: 0, count: 256)
            let count = recv(fd, &buffer, buffer.count, 0)
            XCTAssertTrue(String(decoding: buffer.prefix(max(0, count)), as: UTF8.self).hasPrefix("HTTP/1.1 200"))
            let started = ContinuousClock.now
            proxy.stop()
            XCTAssertLessThan(ContinuousClock.now - started, .seconds(2))
            XCTAssertEqual(recv(fd, &buffer, buffer.count, 0), 0, "the tunnel was closed")
        }
    }
}
