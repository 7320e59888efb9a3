import CopsTestSupport
import Foundation
import XCTest

/// `cops sandbox serve --tls-cert --tls-key` as a user runs it: the https URL it prints, what
/// curl gets there, and the one-line errors and exit statuses of unusable options and files.
final class SandboxServeTLSTests: XCTestCase {
    var cops: CopsProcess!
    private let statusRequest = #"{"token": "sandbox-token", "id": 15}"#

    override func setUpWithError() throws {
        cops = try CopsProcess()
        try CopsProcess.requireBinary()
    }

    override func tearDown() {
        cops.cleanUp()
    }

    private func tlsArguments(_ identity: TestPKI.Identity) -> [String] {
        ["--tls-cert", identity.certificatePath, "--tls-key", identity.keyPath]
    }

    func testServesHTTPSAndPrintsAnHTTPSURL() throws {
        let pki = try TestPKI.shared()
        let server = try SandboxServerProcess(tlsArguments(pki.server), environment: cops.environment([:]))
        defer { server.stop() }
        XCTAssertTrue(server.url.hasPrefix("https://127.0.0.1:"), server.url)
        let outcome = try Curl.post(
            server.url + "/api/v1.1/campaigns/get_status", json: statusRequest, caFile: pki.caCertificatePath)
        XCTAssertEqual(outcome.exitStatus, 0, outcome.stderr)
        XCTAssertEqual(outcome.httpStatus, 200)
        XCTAssertEqual(
            outcome.body,
            #"{"data":{"is_active":true,"is_completed":false,"status":"Sending"},"error":0,"error_text":"Successful operation"}"#)
        let plain = try Curl.post(server.url.replacingOccurrences(of: "https:", with: "http:") + "/", json: statusRequest)
        XCTAssertNotEqual(plain.httpStatus, 200, "no plain http on the TLS port")
    }

    func testInjectedFaultsWorkOverHTTPS() throws {
        let pki = try TestPKI.shared()
        let server = try SandboxServerProcess(
            tlsArguments(pki.server) + ["--fail-rate", "1"], environment: cops.environment([:]))
        defer { server.stop() }
        for _ in 0..<3 {
            let outcome = try Curl.post(
                server.url + "/api/v1.1/campaigns/deactivate", json: statusRequest, caFile: pki.caCertificatePath)
            XCTAssertEqual(outcome.exitStatus, 0, outcome.stderr)
            XCTAssertEqual(outcome.httpStatus, 500)
        }
    }

    func testACertificateWithoutItsKeyIsAUsageError() throws {
        let pki = try TestPKI.shared()
        for arguments in [["--tls-cert", pki.server.certificatePath], ["--tls-key", pki.server.keyPath]] {
            let result = try cops.run(["sandbox", "serve", "--port", "0"] + arguments)
            XCTAssertEqual(result.status, 64, result.stderr)
            XCTAssertTrue(result.stderr.contains("--tls-cert and --tls-key go together"), result.stderr)
            XCTAssertEqual(result.stdout, "")
        }
    }

    func testMutualTLSFromTheCommandLine() throws {
        let pki = try TestPKI.shared()
        let server = try SandboxServerProcess(
            tlsArguments(pki.server) + ["--tls-client-ca", pki.caCertificatePath], environment: cops.environment([:]))
        defer { server.stop() }
        let path = server.url + "/api/v1.1/campaigns/get_status"
        XCTAssertNotEqual(try Curl.post(path, json: statusRequest, caFile: pki.caCertificatePath).exitStatus, 0)
        let with = try Curl.post(
            path, json: statusRequest, caFile: pki.caCertificatePath,
            extra: ["--cert", pki.client.certificatePath, "--key", pki.client.keyPath])
        XCTAssertEqual(with.httpStatus, 200, with.stderr)
        let alone = try cops.run(["sandbox", "serve", "--port", "0", "--tls-client-ca", pki.caCertificatePath])
        XCTAssertEqual(alone.status, 64, alone.stderr)
        XCTAssertTrue(alone.stderr.contains("--tls-client-ca needs --tls-cert and --tls-key"), alone.stderr)
    }

    func testUnusableFilesAreOnePlainLineAndSeventyEight() throws {
        let pki = try TestPKI.shared()
        let garbage = try cops.write("garbage.pem", "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n")
        let missing = cops.stateHome.path + "/missing.pem"
        let cases: [(arguments: [String], line: String)] = [
            (
                ["--tls-cert", missing, "--tls-key", pki.server.keyPath],
                "cops: --tls-cert \(missing): cannot read it (no such file or directory)"
            ),
            (
                ["--tls-cert", garbage, "--tls-key", pki.server.keyPath],
                "cops: --tls-cert \(garbage): no PEM certificate in it"
            ),
            (
                ["--tls-cert", pki.server.certificatePath, "--tls-key", pki.server.certificatePath],
                "cops: --tls-key \(pki.server.certificatePath): no unencrypted PEM private key in it"
            ),
            (
                ["--tls-cert", pki.server.certificatePath, "--tls-key", pki.client.keyPath],
                "cops: --tls-key \(pki.client.keyPath): this key does not belong to the certificate in \(pki.server.certificatePath)"
            ),
            (
                tlsArguments(pki.server) + ["--tls-client-ca", garbage],
                "cops: --tls-client-ca \(garbage): no PEM certificate in it"
            ),
        ]
        for (arguments, line) in cases {
            let result = try cops.run(["sandbox", "serve", "--port", "0"] + arguments)
            XCTAssertEqual(result.status, 78, result.stderr)
            XCTAssertEqual(result.stderr, line + "\n")
            XCTAssertEqual(result.stdout, "", "nothing listens, so no URL")
        }
    }

    func testHelpNamesTheTLSOptions() throws {
        let result = try cops.run(["sandbox", "serve", "--help"])
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(result.stdout.contains("--tls-cert <pem>"), result.stdout)
        XCTAssertTrue(result.stdout.contains("--tls-key <pem>"), result.stdout)
    }
}
