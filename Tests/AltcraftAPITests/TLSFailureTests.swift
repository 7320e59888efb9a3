import Foundation
import XCTest

@testable import AltcraftAPI

/// The TLS messages, from the facts a certificate holds; the live handshakes that produce
/// them run in HTTPSClientTests.
final class TLSFailureTests: XCTestCase {
    let origin = "https://panel.corp:8443"
    let now = Date(timeIntervalSince1970: 1_800_000_000)  // 2027-01-15

    func certificate(notBefore: TimeInterval = -86_400, notAfter: TimeInterval = 86_400) -> PeerCertificate {
        PeerCertificate(
            subject: #""CN=panel.corp""#, issuer: #""CN=Corp Root CA, O=Corp""#, names: ["panel.corp", "10.0.0.5"],
            notBefore: now.addingTimeInterval(notBefore), notAfter: now.addingTimeInterval(notAfter))
    }

    func testEachFailureIsOneLineNamingTheEndpointAndWhatToDo() {
        let untrusted = TLSFailure.certificateRejected.message(
            origin: origin, host: "panel.corp", certificate: certificate(), now: now)
        XCTAssertEqual(
            untrusted,
            #"https://panel.corp:8443: the server's certificate is not trusted: "CN=panel.corp", issued by "CN=Corp Root CA, O=Corp"; trust that CA with ca_file in the profile, --cacert FILE or SSL_CERT_FILE"#
        )
        let expired = TLSFailure.certificateRejected.message(
            origin: origin, host: "panel.corp", certificate: certificate(notBefore: -900_000, notAfter: -86_400 * 3), now: now)
        XCTAssertEqual(
            expired,
            #"https://panel.corp:8443: the server's certificate ("CN=panel.corp") expired on 2027-01-12; the panel's certificate must be renewed"#
        )
        let early = TLSFailure.certificateRejected.message(
            origin: origin, host: "panel.corp", certificate: certificate(notBefore: 86_400 * 2), now: now)
        XCTAssertTrue(early.contains("is not valid before 2027-01-17; check this machine's clock"), early)
        let mismatch = TLSFailure.hostnameMismatch.message(
            origin: "https://10.0.0.9:8443", host: "10.0.0.9", certificate: certificate(), now: now)
        XCTAssertEqual(
            mismatch,
            "https://10.0.0.9:8443: the server's certificate is not valid for 10.0.0.9 (it names panel.corp, 10.0.0.5);"
                + " use an endpoint with one of those names")
        let unread = TLSFailure.certificateRejected.message(origin: origin, host: "panel.corp", certificate: nil, now: now)
        XCTAssertTrue(unread.hasPrefix(origin + ": the server's certificate was not accepted"), unread)
        for message in [untrusted, expired, early, mismatch, unread] {
            XCTAssertFalse(message.contains("\n"), message)
            XCTAssertTrue(message.hasPrefix("https://"), message)
        }
    }

    func testTheAnswerOfATLSPortToPlainHTTPIsNamed() async throws {
        // A TLS alert record (21), version 3.1, length 2, "fatal, unexpected message": what a
        // TLS server sends back to a plain-text request.
        let server = try RawHTTPServer(.bytes([0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x0A]))
        defer { server.stop() }
        let client = AltcraftClient(
            configuration: ClientConfiguration(token: "t0ken-value", retries: 3),
            transport: try SocketTransport(baseURL: server.url), sleep: { _ in })
        defer { Task { await client.shutdown() } }
        do throws(AltcraftError) {
            _ = try await client.status(id: 15)
            XCTFail("a TLS answer was read as HTTP")
        } catch {
            guard case .tls(let why) = error.kind else { return XCTFail("\(error)") }
            XCTAssertEqual(why, "\(server.url): the server speaks TLS on this port; use https://")
            XCTAssertEqual(error.attempts, 1, "not retried")
        }
        XCTAssertEqual(server.accepted, 1)
    }
}
