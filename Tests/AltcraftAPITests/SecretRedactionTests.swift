import AltcraftAPI
import AltcraftSandbox
import CopsTestSupport
import Logging
import XCTest

/// A canary token must never appear in an error description, a log line or a dry-run plan.
final class SecretRedactionTests: XCTestCase {
    static let canary = "CANARY-5e1f0c9a-d0-not-print"

    func testCanaryNeverLeaksFromErrorsLogsOrPlans() async throws {
        var texts: [String] = []
        let logger = Logger(label: "canary", factory: { CapturingLogHandler(label: $0) })
        let canary = Self.canary
        func client(
            _ url: String, placement: ClientConfiguration.TokenPlacement = .body, format: ClientConfiguration.WireFormat = .json
        )
            throws -> AltcraftClient
        {
            AltcraftClient(
                configuration: ClientConfiguration(
                    token: canary, tokenPlacement: placement, format: format, timeout: .milliseconds(300), retries: 1,
                    initialBackoff: .milliseconds(1)),
                transport: try HTTPTransport(baseURL: url), logger: logger)
        }

        // A hostile server that echoes the token back in every way it can.
        let echoes = [
            RawHTTPServer.response(body: #"{"error":403,"error_text":"token \#(canary) refused","data":null}"#),
            RawHTTPServer.response(status: "500 Internal Server Error", body: #"{"error":500,"error_text":"\#(canary)"}"#),
            RawHTTPServer.response(contentType: "text/plain", body: "bad token \(canary)"),
            RawHTTPServer.response(body: #"{"error":0,"data":{"is_active":"\#(canary)"}}"#),
            RawHTTPServer.response(
                contentType: "application/xml", body: "<xml><error>401</error><error_text>\(canary)</error_text></xml>"),
        ]
        for bytes in echoes {
            let server = try RawHTTPServer(.bytes(bytes))
            for placement in [ClientConfiguration.TokenPlacement.body, .bearerHeader] {
                let client = try client(server.url, placement: placement)
                if let error = await expectFailure({ () async throws(AltcraftError) in try await client.status(id: 15) }) {
                    texts.append(error.description)
                    texts.append(String(describing: error))
                    texts.append(String(reflecting: error.kind))
                }
                await client.shutdown()
            }
            server.stop()
        }

        // The sandbox refusing the canary, timeouts, unreachable servers.
        let sandbox = makeSandbox()
        try await withSandboxServer(sandbox) { url in
            for format in ClientConfiguration.WireFormat.allCases {
                let client = try client(url, format: format)
                if let error = await expectFailure({ () async throws(AltcraftError) in
                    try await client.deactivate(id: 15, abortIfRunning: true)
                }) {
                    texts.append(error.description)
                }
                texts.append(client.plan(for: .deactivate(id: 15, abortIfRunning: true)))
                texts.append(client.plan(for: .clone(id: 15, name: canary)))
                await client.shutdown()
            }
        }
        let silent = try RawHTTPServer(.silent)
        let slow = try client(silent.url)
        if let error = await expectFailure({ () async throws(AltcraftError) in try await slow.status(id: 1) }) {
            texts.append(error.description)
        }
        await slow.shutdown()
        silent.stop()

        // The echoes over TLS, through SocketTransport's TLS connections, and a certificate it
        // does not trust.
        let pki = try TestPKI.shared()
        let overTLS = echoes.map { ($0, ConnectionOptions.Trust.file(pki.caCertificatePath)) } + [(echoes[0], .system)]
        for (bytes, trust) in overTLS {
            let server = try ScriptedTLSServer([.answerAndClose(bytes), .answerAndClose(bytes)])
            let connection = try PreparedConnection(ConnectionOptions(trust: trust), endpoint: server.url)
            let client = AltcraftClient(
                configuration: ClientConfiguration(
                    token: canary, timeout: .milliseconds(300), retries: 1, initialBackoff: .milliseconds(1)),
                transport: try SocketTransport.forEndpoint(server.url, connection: connection), logger: logger)
            if let error = await expectFailure({ () async throws(AltcraftError) in try await client.status(id: 15) }) {
                texts.append(error.description)
                texts.append(String(reflecting: error.kind))
            }
            await client.shutdown()
            server.stop()
        }

        texts.append(contentsOf: CapturingLogHandler.lines.withLock { $0 })
        XCTAssertGreaterThan(texts.count, 20)
        for text in texts {
            XCTAssertFalse(text.contains(canary), "token leaked: \(text)")
        }
        XCTAssertTrue(texts.contains { $0.contains(Redactor.mask) }, "the echoed token shows as the mask")
    }

    /// A journal line is redacted as bytes: the same as its text's redaction, whether it
    /// holds no secret, one, several, or a secret cut short.
    func testBytesAreRedactedAsTheirTextIs() {
        let redactor = Redactor(secrets: ["s3cr3t-token", "proxy:pa55"])
        let lines = [
            #"{"type":"outcome","seq":1,"result":"done"}"#, #"{"text":"bad s3cr3t-token here"}"#,
            "s3cr3t-token", "proxy:pa55 and s3cr3t-token and s3cr3t-token", "s3cr3t-toke", "é s3cr3t-token é", "",
        ]
        for line in lines {
            let masked = redactor.redact(Array(line.utf8))
            XCTAssertEqual(String(decoding: masked, as: UTF8.self), redactor.redact(line))
            XCTAssertFalse(String(decoding: masked, as: UTF8.self).contains("s3cr3t-token"))
        }
        XCTAssertEqual(redactor.redact(Array("s3cr3t-token".utf8)), Array(Redactor.mask.utf8))
    }

    func testDryRunPlanShowsTheRequestWithTheTokenMasked() throws {
        let client = AltcraftClient(
            configuration: ClientConfiguration(token: Self.canary), transport: StubTransport(body: "{}"))
        XCTAssertEqual(
            client.plan(for: .deactivate(id: 15, abortIfRunning: true)),
            #"POST /api/v1.1/campaigns/deactivate {"token":"[redacted]","id":15,"abort_if_running":true}"#)
        let xml = AltcraftClient(
            configuration: ClientConfiguration(token: Self.canary, format: .xml), transport: StubTransport(body: "{}"))
        XCTAssertEqual(
            xml.plan(for: .activate(id: 82, runNow: true)),
            #"POST /api/v1.1/campaigns/activate/ <?xml version="1.0" encoding="UTF-8"?>"# + "\n"
                + "<xml><token>[redacted]</token><id>82</id><run_now>true</run_now><format>xml</format></xml>")
    }
}
