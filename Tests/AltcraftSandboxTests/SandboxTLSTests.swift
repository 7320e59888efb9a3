import AltcraftSandbox
import AltcraftSandboxServer
import CopsTestSupport
import Foundation
import XCTest

/// The sandbox over https, checked with `curl` and `openssl` as independent clients: the same
/// answers, faults and rules as over http, with the certificate it was given.
final class SandboxTLSTests: XCTestCase {
    private let statusRequest = #"{"token": "sandbox-token", "id": 15}"#

    private func freshSandbox() -> Sandbox {
        Sandbox(engine: SandboxEngine(token: sandboxToken, clock: ManualSandboxClock()))
    }

    /// POSTs each request over http and over https to two servers on equal sandboxes.
    func testAnswersOverHTTPSAreTheSameAsOverHTTP() async throws {
        let pki = try TestPKI.shared()
        let requests: [(path: String, body: String)] = [
            ("/api/v1.1/campaigns/get_status", statusRequest),
            ("/api/v1.1/campaigns/get", #"{"token": "sandbox-token", "id": 20}"#),
            ("/api/v1.1/campaigns/list", #"{"token": "sandbox-token", "limit": 3}"#),
            ("/api/v1.1/campaigns/deactivate", #"{"token": "sandbox-token", "id": 87, "abort_if_running": true}"#),
            ("/api/v1.1/campaigns/get_status", #"{"token": "wrong", "id": 15}"#),
            ("/api/v1.1/campaigns/get_status?format=xml", statusRequest),
        ]
        let overHTTP = try await TestSandboxServer.with(freshSandbox()) { url, _ in
            try requests.map { try Curl.post(url + $0.path, json: $0.body) }
        }
        let overHTTPS = try await TestSandboxServer.with(freshSandbox(), tls: try pki.sandboxTLS()) { url, _ in
            XCTAssertTrue(url.hasPrefix("https://127.0.0.1:"), url)
            return try requests.map { try Curl.post(url + $0.path, json: $0.body, caFile: pki.caCertificatePath) }
        }
        for (index, request) in requests.enumerated() {
            let plain = overHTTP[index]
            let secure = overHTTPS[index]
            XCTAssertEqual(secure.exitStatus, 0, "\(request.path): \(secure.stderr)")
            XCTAssertEqual(secure.httpStatus, plain.httpStatus, request.path)
            XCTAssertEqual(secure.body, plain.body, request.path)
            XCTAssertFalse(secure.body.isEmpty, request.path)
        }
    }

    func testBothHTTP2AndHTTP11AreOfferedOverTLS() async throws {
        let pki = try TestPKI.shared()
        try await TestSandboxServer.with(freshSandbox(), tls: try pki.sandboxTLS()) { url, _ in
            for (flag, version) in [("--http2", "2"), ("--http1.1", "1.1")] {
                let outcome = try Curl.post(
                    url + "/api/v1.1/campaigns/get_status", json: statusRequest, caFile: pki.caCertificatePath, extra: [flag])
                XCTAssertEqual(outcome.exitStatus, 0, outcome.stderr)
                XCTAssertEqual(outcome.httpStatus, 200)
                XCTAssertEqual(outcome.httpVersion, version, flag)
                XCTAssertTrue(outcome.body.contains(#""status":"Sending""#), outcome.body)
            }
        }
    }

    func testHTTP11OnlyWhenHTTP2IsNotOffered() async throws {
        let pki = try TestPKI.shared()
        var tls = try pki.sandboxTLS()
        tls.offersHTTP2 = false
        try await TestSandboxServer.with(freshSandbox(), tls: tls) { url, _ in
            let outcome = try Curl.post(
                url + "/api/v1.1/campaigns/get_status", json: statusRequest, caFile: pki.caCertificatePath, extra: ["--http2"])
            XCTAssertEqual(outcome.exitStatus, 0, outcome.stderr)
            XCTAssertEqual(outcome.httpVersion, "1.1")
        }
    }

    func testTheServedCertificateIsTheOneGiven() async throws {
        let pki = try TestPKI.shared()
        for identity in [pki.server, pki.wrongHostServer] {
            try await TestSandboxServer.with(freshSandbox(), tls: try pki.sandboxTLS(identity)) { _, port in
                let served = try servedCertificate(port: port)
                let given = try String(contentsOfFile: identity.certificatePath, encoding: .utf8)
                XCTAssertEqual(pemBody(served), pemBody(given))
                XCTAssertFalse(pemBody(given).isEmpty)
            }
        }
    }

    func testACurlThatTrustsAnotherCARefusesTheServer() async throws {
        let pki = try TestPKI.shared()
        try await TestSandboxServer.with(freshSandbox(), tls: try pki.sandboxTLS()) { url, _ in
            let outcome = try Curl.post(
                url + "/api/v1.1/campaigns/get_status", json: statusRequest, caFile: pki.otherCACertificatePath)
            XCTAssertEqual(outcome.exitStatus, 60, "curl: peer certificate cannot be authenticated; \(outcome.stderr)")
        }
    }

    func testMutualTLSDemandsAClientCertificateSignedByTheCA() async throws {
        let pki = try TestPKI.shared()
        let tls = try SandboxTLS(
            certificateChainPath: pki.server.certificatePath, privateKeyPath: pki.server.keyPath,
            clientCAPath: pki.caCertificatePath)
        try await TestSandboxServer.with(freshSandbox(), tls: tls) { url, _ in
            let path = url + "/api/v1.1/campaigns/get_status"
            let without = try Curl.post(path, json: statusRequest, caFile: pki.caCertificatePath)
            XCTAssertNotEqual(without.exitStatus, 0, "no client certificate: \(without.body)")
            XCTAssertEqual(without.httpStatus, 0)
            let with = try Curl.post(
                path, json: statusRequest, caFile: pki.caCertificatePath,
                extra: ["--cert", pki.client.certificatePath, "--key", pki.client.keyPath])
            XCTAssertEqual(with.exitStatus, 0, with.stderr)
            XCTAssertEqual(with.httpStatus, 200)
            let foreign = try Curl.post(
                path, json: statusRequest, caFile: pki.caCertificatePath,
                extra: ["--cert", pki.otherCAServer.certificatePath, "--key", pki.otherCAServer.keyPath])
            XCTAssertNotEqual(foreign.exitStatus, 0, "a certificate of another CA: \(foreign.body)")
        }
    }

    func testInjectedFailuresAre500sOverHTTPS() async throws {
        let pki = try TestPKI.shared()
        var faults = FaultPlan()
        faults.failRate = 1
        let sandbox = freshSandbox()
        try await TestSandboxServer.with(sandbox, faults: faults, tls: try pki.sandboxTLS()) { url, _ in
            for flag in ["--http2", "--http1.1"] {
                let outcome = try Curl.post(
                    url + "/api/v1.1/campaigns/deactivate", json: #"{"token": "sandbox-token", "id": 15}"#,
                    caFile: pki.caCertificatePath, extra: [flag])
                XCTAssertEqual(outcome.exitStatus, 0, outcome.stderr)
                XCTAssertEqual(outcome.httpStatus, 500, flag)
                XCTAssertTrue(outcome.body.contains("Internal error (injected fault)"), outcome.body)
            }
        }
        sandbox.withEngine { XCTAssertEqual($0.campaign(15)?.isActive, true, "a 500 comes before any change") }
    }

    func testRateLimitAndMethodRuleOverHTTPS() async throws {
        let pki = try TestPKI.shared()
        var faults = FaultPlan()
        faults.rateLimit = 1
        try await TestSandboxServer.with(freshSandbox(), faults: faults, tls: try pki.sandboxTLS()) { url, _ in
            let path = url + "/api/v1.1/campaigns/get_status"
            let first = try Curl.post(path, json: statusRequest, caFile: pki.caCertificatePath)
            let second = try Curl.post(path, json: statusRequest, caFile: pki.caCertificatePath)
            XCTAssertEqual(first.httpStatus, 200, first.stderr)
            XCTAssertEqual(second.httpStatus, 429, second.stderr)
            let get = try Curl.run(["-sS", "--cacert", pki.caCertificatePath, path])
            XCTAssertEqual(get.httpStatus, 405, get.stderr)
        }
    }

    func testResetAndCloseFaultsCutTheAnswerOverHTTPS() async throws {
        let pki = try TestPKI.shared()
        for rate in [\FaultPlan.resetRate, \FaultPlan.closeAfterHeadersRate] {
            var faults = FaultPlan()
            faults[keyPath: rate] = 1
            let sandbox = freshSandbox()
            try await TestSandboxServer.with(sandbox, faults: faults, tls: try pki.sandboxTLS()) { url, _ in
                for flag in ["--http2", "--http1.1"] {
                    let outcome = try Curl.post(
                        url + "/api/v1.1/campaigns/get_status", json: statusRequest, caFile: pki.caCertificatePath,
                        extra: [flag])
                    XCTAssertNotEqual(outcome.exitStatus, 0, "\(rate) \(flag): the answer must be cut; got \(outcome.body)")
                }
            }
            sandbox.withEngine { XCTAssertEqual($0.requestLog.count, 2, "\(rate): the change happened before the cut") }
        }
    }

    func testRequestsOverHTTPSAreLogged() async throws {
        let pki = try TestPKI.shared()
        let sandbox = freshSandbox()
        try await TestSandboxServer.with(sandbox, tls: try pki.sandboxTLS()) { url, _ in
            for _ in 0..<3 {
                _ = try Curl.post(url + "/api/v1.1/campaigns/get_status", json: statusRequest, caFile: pki.caCertificatePath)
            }
        }
        sandbox.withEngine { XCTAssertEqual($0.requestLog.count, 3) }
    }

    func testUnusableFilesAreNamed() throws {
        let pki = try TestPKI.shared()
        let directory = try temporaryDirectory(for: self)
        let garbage = directory + "/garbage.pem"
        try Data("not a certificate\n".utf8).write(to: URL(fileURLWithPath: garbage))
        let missing = directory + "/missing.pem"

        func failure(_ certificate: String, _ key: String) -> SandboxTLSError? {
            do {
                _ = try SandboxTLS(certificateChainPath: certificate, privateKeyPath: key)
                return nil
            } catch {
                return error
            }
        }
        XCTAssertEqual(
            failure(missing, pki.server.keyPath),
            SandboxTLSError(file: .certificate, path: missing, problem: .unreadable("no such file or directory")))
        XCTAssertEqual(
            failure(pki.server.certificatePath, missing),
            SandboxTLSError(file: .key, path: missing, problem: .unreadable("no such file or directory")))
        XCTAssertEqual(failure(garbage, pki.server.keyPath), SandboxTLSError(file: .certificate, path: garbage, problem: .notPEM))
        XCTAssertEqual(
            failure(pki.server.certificatePath, pki.server.certificatePath),
            SandboxTLSError(file: .key, path: pki.server.certificatePath, problem: .notPEM), "a certificate is not a key")
        XCTAssertEqual(
            failure(pki.server.certificatePath, pki.client.keyPath),
            SandboxTLSError(
                file: .key, path: pki.client.keyPath, problem: .keyDoesNotMatch(certificatePath: pki.server.certificatePath)))
        XCTAssertNil(failure(pki.server.certificatePath, pki.server.keyPath))
    }

    // MARK: - Helpers

    /// The PEM certificate the server on `port` presents, as `openssl s_client` receives it.
    private func servedCertificate(port: Int) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl", "s_client", "-connect", "127.0.0.1:\(port)", "-servername", "localhost"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text
    }

    /// The base64 of the first PEM certificate in `text`.
    private func pemBody(_ text: String) -> String {
        guard let begin = text.range(of: "-----BEGIN CERTIFICATE-----"),
            let end = text.range(of: "-----END CERTIFICATE-----", range: begin.upperBound..<text.endIndex)
        else { return "" }
        return text[begin.upperBound..<end.lowerBound].filter { !$0.isWhitespace }
    }
}
