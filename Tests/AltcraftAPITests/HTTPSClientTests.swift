import AltcraftAPI
import AltcraftSandbox
import AltcraftSandboxServer
import CopsTestSupport
import XCTest

/// The client against the TLS sandbox over real loopback connections: trust, each TLS
/// failure with its message and its connection count, mutual TLS, and CONNECT proxies.
final class HTTPSClientTests: XCTestCase {
    var pki: TestPKI!

    override func setUpWithError() throws { pki = try TestPKI.shared() }

    /// One `status 15` through `connection` to a sandbox serving `identity` (reached through a
    /// connection counter), with retries allowed so that a retry would show.
    func status(
        serving identity: TestPKI.Identity? = nil, trust: ConnectionOptions.Trust? = nil,
        clientCertificate: ConnectionOptions.ClientCertificate? = nil, clientCA: String? = nil
    ) async throws -> (result: Result<CampaignStatus, AltcraftError>, accepted: Int, received: Int) {
        let identity = identity ?? pki.server
        let tls = try SandboxTLS(
            certificateChainPath: identity.certificatePath, privateKeyPath: identity.keyPath, clientCAPath: clientCA)
        let sandbox = makeSandbox()
        return try await TestSandboxServer.with(sandbox, tls: tls) { _, port in
            let counter = try ConnectionCounter(forwardingTo: port)
            defer { counter.stop() }
            let url = counter.url(scheme: "https")
            let options = ConnectionOptions(
                trust: trust ?? .file(pki.caCertificatePath), clientCertificate: clientCertificate)
            let result = try await statusOnce(url, options, retries: 3)
            return (result, counter.accepted, sandbox.withEngine { $0.requestLog.count })
        }
    }

    /// `status 15` once through the transport cops would pick for `url` and `options`.
    func statusOnce(_ url: String, _ options: ConnectionOptions, retries: Int) async throws -> Result<
        CampaignStatus, AltcraftError
    > {
        let client = AltcraftClient(
            configuration: ClientConfiguration(token: SandboxEngine.defaultToken, retries: retries),
            transport: try SocketTransport.forEndpoint(url, connection: try PreparedConnection(options, endpoint: url)),
            sleep: { _ in })
        let result: Result<CampaignStatus, AltcraftError>
        do throws(AltcraftError) {
            result = .success(try await client.status(id: 15))
        } catch {
            result = .failure(error)
        }
        await client.shutdown()
        return result
    }

    func tlsFailure(_ outcome: (result: Result<CampaignStatus, AltcraftError>, accepted: Int, received: Int)) -> String? {
        guard case .failure(let error) = outcome.result else {
            XCTFail("the call succeeded")
            return nil
        }
        guard case .tls(let why) = error.kind else {
            XCTFail("not a TLS failure: \(error)")
            return nil
        }
        XCTAssertEqual(error.attempts, 1, "a TLS failure is not retried")
        XCTAssertEqual(outcome.received, 0, "nothing reached the API")
        XCTAssertFalse(why.contains("NIOSSL") || why.contains(".build") || why.contains("\n"), why)
        XCTAssertTrue(error.isUnreachable)
        return why
    }

    func testTheRightCAIsTrusted() async throws {
        let outcome = try await status()
        XCTAssertEqual(try outcome.result.get().status, "Sending")
        XCTAssertEqual(outcome.received, 1)
    }

    /// `SSL_CERT_DIR`: an OpenSSL hashed directory (made with `openssl rehash`, as
    /// `update-ca-certificates` does) holding the CA is trusted; the same directory without it
    /// is not.
    func testAHashedCADirectoryIsTrusted() async throws {
        let directory = NSTemporaryDirectory() + "ca-dir-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let empty = try await status(trust: .directory(directory, file: nil))
        XCTAssertTrue(try XCTUnwrap(tlsFailure(empty)).contains("is not trusted"))
        try FileManager.default.copyItem(atPath: pki.caCertificatePath, toPath: directory + "/corp-ca.pem")
        let rehash = Process()
        rehash.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        rehash.arguments = ["rehash", directory]
        try rehash.run()
        rehash.waitUntilExit()
        XCTAssertEqual(rehash.terminationStatus, 0)
        let trusted = try await status(trust: .directory(directory, file: nil))
        XCTAssertEqual(try trusted.result.get().status, "Sending")
    }

    func testACertificateOfAnotherCAIsNamedAndNotRetried() async throws {
        let outcome = try await status(serving: pki.otherCAServer)
        let why = try XCTUnwrap(tlsFailure(outcome))
        XCTAssertTrue(why.contains("the server's certificate is not trusted"), why)
        XCTAssertTrue(why.contains("issued by \"CN="), why)
        XCTAssertTrue(why.contains("ca_file") && why.contains("--cacert") && why.contains("SSL_CERT_FILE"), why)
        // The one attempt, and the one handshake that reads the certificate to name it.
        XCTAssertEqual(outcome.accepted, 2)
    }

    func testTrustingOnlyAnotherCARejectsTheServer() async throws {
        let outcome = try await status(trust: .file(pki.otherCACertificatePath))
        let why = try XCTUnwrap(tlsFailure(outcome))
        XCTAssertTrue(why.contains("is not trusted"), why)
        XCTAssertEqual(outcome.accepted, 2)
    }

    func testAHostnameMismatchNamesTheCertificatesNames() async throws {
        let outcome = try await status(serving: pki.wrongHostServer)
        let why = try XCTUnwrap(tlsFailure(outcome))
        XCTAssertTrue(why.contains("is not valid for 127.0.0.1 (it names wrong.example)"), why)
        XCTAssertEqual(outcome.accepted, 2)
    }

    func testAnExpiredCertificateSaysWhen() async throws {
        let outcome = try await status(serving: pki.expiredServer)
        let why = try XCTUnwrap(tlsFailure(outcome))
        XCTAssertTrue(why.contains("expired on 2020-01-02"), why)
        XCTAssertEqual(outcome.accepted, 2)
    }

    func testTLSToAPlainHTTPPortIsNamedAfterOneConnection() async throws {
        let sandbox = makeSandbox()
        try await TestSandboxServer.with(sandbox) { _, port in
            let counter = try ConnectionCounter(forwardingTo: port)
            defer { counter.stop() }
            let url = counter.url(scheme: "https")
            let client = AltcraftClient(
                configuration: ClientConfiguration(token: SandboxEngine.defaultToken, retries: 3),
                transport: try HTTPTransport(baseURL: url), sleep: { _ in })
            defer { Task { await client.shutdown() } }
            if let error = await expectFailure({ () async throws(AltcraftError) in _ = try await client.status(id: 15) }) {
                XCTAssertEqual(error.kind, .tls("\(url): the server does not speak TLS on this port; is the endpoint http://?"))
                XCTAssertEqual(error.attempts, 1)
            }
            XCTAssertEqual(counter.accepted, 1)
        }
    }

    func testPlainHTTPToATLSPortIsNamed() async throws {
        let sandbox = makeSandbox()
        try await TestSandboxServer.with(sandbox, tls: try pki.sandboxTLS()) { _, port in
            let counter = try ConnectionCounter(forwardingTo: port)
            defer { counter.stop() }
            let url = counter.url(scheme: "http")
            let client = AltcraftClient(
                configuration: ClientConfiguration(token: SandboxEngine.defaultToken, retries: 3),
                transport: try SocketTransport(baseURL: url), sleep: { _ in })
            defer { Task { await client.shutdown() } }
            if let error = await expectFailure({ () async throws(AltcraftError) in try await client.deactivate(id: 15) }) {
                XCTAssertEqual(error.kind, .tls("\(url): the server speaks TLS on this port; use https://"))
                XCTAssertEqual(error.attempts, 1)
                XCTAssertFalse(error.mayHaveBeenApplied)
            }
            // The attempt, and the handshake that found TLS there.
            XCTAssertEqual(counter.accepted, 2)
            XCTAssertEqual(sandbox.withEngine { $0.requestLog.count }, 0)
        }
    }

    func testMutualTLS() async throws {
        let refused = try await status(clientCA: pki.caCertificatePath)
        let why = try XCTUnwrap(tlsFailure(refused))
        XCTAssertTrue(why.contains("refused the TLS handshake") && why.contains("client_cert"), why)
        XCTAssertEqual(refused.accepted, 1, "a refused handshake is not read again")
        let accepted = try await status(
            clientCertificate: .init(certificateFile: pki.client.certificatePath, keyFile: pki.client.keyPath),
            clientCA: pki.caCertificatePath)
        XCTAssertEqual(try accepted.result.get().status, "Sending")
    }

    func testUnusableTrustFilesFailBeforeConnecting() throws {
        let directory = NSTemporaryDirectory() + "trust-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data("not a certificate".utf8).write(to: URL(fileURLWithPath: directory + "/junk.pem"))
        func failure(_ options: ConnectionOptions) -> ConnectionSetupError? {
            do {
                _ = try PreparedConnection(options, endpoint: "https://127.0.0.1:1")
                return nil
            } catch {
                return error
            }
        }
        XCTAssertEqual(failure(.init(trust: .file(directory + "/none.pem")))?.reason, "cannot be read")
        XCTAssertEqual(failure(.init(trust: .file(directory + "/junk.pem")))?.reason, "holds no PEM certificate")
        XCTAssertEqual(failure(.init(trust: .directory(directory + "/none", file: nil)))?.path, directory + "/none")
        XCTAssertNotNil(
            failure(
                .init(clientCertificate: .init(certificateFile: pki.client.certificatePath, keyFile: directory + "/junk.pem"))))
        XCTAssertNil(failure(.init(trust: .file(pki.caCertificatePath))))
        XCTAssertNil(failure(.init(trust: .directory(directory, file: pki.caCertificatePath))))
    }

    // MARK: Through a CONNECT proxy

    func viaProxy(_ proxy: ConnectProxy, proxyURL: String, https: Bool = true) async throws -> (
        Result<CampaignStatus, AltcraftError>, port: Int, received: [String]
    ) {
        let sandbox = makeSandbox()
        return try await TestSandboxServer.with(sandbox, tls: https ? try pki.sandboxTLS() : nil) { url, port in
            let options = ConnectionOptions(trust: .file(pki.caCertificatePath), proxy: try ProxyServer(url: proxyURL))
            let result = try await statusOnce(url, options, retries: 2)
            return (result, port, sandbox.withEngine { $0.requestLog.map(\.endpoint.name) })
        }
    }

    func testHTTPSGoesThroughACONNECTTunnelWithCredentials() async throws {
        let proxy = try ConnectProxy(credentials: .init(user: "ops", password: "pr0xy-s3cret"))
        defer { proxy.stop() }
        let (result, port, received) = try await viaProxy(proxy, proxyURL: proxy.url(user: "ops", password: "pr0xy-s3cret"))
        XCTAssertEqual(try result.get().status, "Sending")
        XCTAssertEqual(received.count, 1)
        XCTAssertEqual(proxy.connectTargets, ["127.0.0.1:\(port)"])
        XCTAssertTrue(proxy.requestLines.allSatisfy { $0.hasPrefix("CONNECT ") }, "\(proxy.requestLines)")
        XCTAssertEqual(proxy.proxyAuthorizations, [ConnectProxy.Credentials(user: "ops", password: "pr0xy-s3cret").headerValue])
    }

    func testPlainHTTPGoesThroughTheProxyToo() async throws {
        let proxy = try ConnectProxy()
        defer { proxy.stop() }
        let (result, port, _) = try await viaProxy(proxy, proxyURL: proxy.url, https: false)
        XCTAssertEqual(try result.get().status, "Sending")
        XCTAssertEqual(proxy.connectTargets, ["127.0.0.1:\(port)"])
    }

    func testAProxyThatWantsCredentialsSaysSoOnce() async throws {
        let proxy = try ConnectProxy(credentials: .init(user: "ops", password: "right"))
        defer { proxy.stop() }
        let (missing, _, received) = try await viaProxy(proxy, proxyURL: proxy.url)
        guard case .failure(let error) = missing else { return XCTFail("no credentials, yet it worked") }
        XCTAssertTrue(error.summary.contains("wants credentials (407)"), error.summary)
        XCTAssertEqual(error.attempts, 1)
        XCTAssertEqual(received, [])
        let (wrong, _, _) = try await viaProxy(proxy, proxyURL: proxy.url(user: "ops", password: "wrong-pass"))
        guard case .failure(let refused) = wrong else { return XCTFail("wrong credentials, yet it worked") }
        XCTAssertTrue(refused.summary.contains("refused the credentials (407)"), refused.summary)
        XCTAssertFalse(refused.description.contains("wrong-pass"), refused.description)
    }
}
