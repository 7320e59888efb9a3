import CopsTestSupport
import Foundation
import XCTest

/// The built `cops` against the TLS sandbox: each way of trusting a private CA, the TLS
/// failures as the user sees them, and proxies from the environment.
final class HTTPSProgramTests: XCTestCase {
    var cops: CopsProcess!
    var pki: TestPKI!

    override func setUpWithError() throws {
        cops = try CopsProcess()
        pki = try TestPKI.shared()
    }

    override func tearDown() { cops?.cleanUp() }

    func serve(_ identity: TestPKI.Identity? = nil) throws -> SandboxServerProcess {
        let identity = identity ?? pki.server
        return try SandboxServerProcess(
            ["--tls-cert", identity.certificatePath, "--tls-key", identity.keyPath], environment: cops.environment([:]))
    }

    func writeProfile(_ lines: String) throws -> [String: String] {
        let config = cops.stateHome.appendingPathComponent("config/cops")
        try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
        try Data(("[profiles.corp]\ntoken_env = \"CORP_TOKEN\"\n" + lines).utf8).write(
            to: config.appendingPathComponent("config.toml"))
        return ["XDG_CONFIG_HOME": cops.stateHome.appendingPathComponent("config").path, "CORP_TOKEN": "sandbox-token"]
    }

    func testEachWayOfTrustingThePrivateCAReachesTheSandbox() throws {
        let server = try serve()
        defer { server.stop() }
        XCTAssertTrue(server.url.hasPrefix("https://127.0.0.1:"), server.url)
        let token = ["ALTCRAFT_TOKEN": "sandbox-token"]
        let untrusted = try cops.run(["--endpoint", server.url, "-o", "json", "-c", "status 15"], environment: token)
        XCTAssertEqual(untrusted.status, 69, untrusted.stderr)
        XCTAssertTrue(untrusted.stderr.contains("the server's certificate is not trusted"), untrusted.stderr)

        let flag = try cops.run(
            ["--cacert", pki.caCertificatePath, "--endpoint", server.url, "-o", "json", "-c", "status 15"], environment: token)
        XCTAssertEqual(flag.status, 0, flag.stderr)
        XCTAssertTrue(flag.stdout.contains(#""status":"Sending""#), flag.stdout)

        let variable = try cops.run(
            ["--endpoint", server.url, "-o", "json", "-c", "status 15"],
            environment: token.merging(["SSL_CERT_FILE": pki.caCertificatePath]) { $1 })
        XCTAssertEqual(variable.status, 0, variable.stderr)

        let profile = try writeProfile("endpoint = \"\(server.url)\"\nca_file = \"\(pki.caCertificatePath)\"\n")
        let viaProfile = try cops.run(["-p", "corp", "-o", "json", "-c", "status 15"], environment: profile)
        XCTAssertEqual(viaProfile.status, 0, viaProfile.stderr)
        // The profile's CA file wins over SSL_CERT_FILE; --cacert wins over both.
        let wrongEnvironment = profile.merging(["SSL_CERT_FILE": pki.otherCACertificatePath]) { $1 }
        XCTAssertEqual(try cops.run(["-p", "corp", "-c", "status 15"], environment: wrongEnvironment).status, 0)
        let wrongFlag = try cops.run(
            ["--cacert", pki.otherCACertificatePath, "-p", "corp", "-c", "status 15"], environment: profile)
        XCTAssertEqual(wrongFlag.status, 69, wrongFlag.stderr)
    }

    func testTLSFailuresAreOneLineAndSixtyNine() throws {
        for (identity, words) in [
            (pki.expiredServer, "expired on 2020-01-02"), (pki.wrongHostServer, "is not valid for 127.0.0.1"),
            (pki.otherCAServer, "is not trusted"),
        ] {
            let server = try serve(identity)
            defer { server.stop() }
            let outcome = try cops.run(
                ["--endpoint", server.url, "-o", "json", "-c", "status 15"],
                environment: ["ALTCRAFT_TOKEN": "sandbox-token", "SSL_CERT_FILE": pki.caCertificatePath])
            XCTAssertEqual(outcome.status, 69, outcome.stderr)
            let errors = outcome.stderr.split(separator: "\n").filter { $0.contains("error:") }
            XCTAssertEqual(errors.count, 1, outcome.stderr)
            XCTAssertTrue(errors.first?.contains("status 15: TLS: \(server.url): ") == true, outcome.stderr)
            XCTAssertTrue(outcome.stderr.contains(words), outcome.stderr)
            XCTAssertTrue(outcome.stdout.contains(#""kind":"tls""#), outcome.stdout)
            for leak in ["NIOSSL", "BoringSSL", ".build/", "handshakeFailed"] {
                XCTAssertFalse(outcome.stderr.contains(leak) || outcome.stdout.contains(leak), outcome.stderr)
            }
        }
    }

    func testAnUnusableCAFileIsSeventyEightBeforeAnythingIsSent() throws {
        let server = try serve()
        defer { server.stop() }
        let outcome = try cops.run(
            ["--cacert", cops.stateHome.path + "/missing.pem", "--endpoint", server.url, "-c", "deactivate 15"],
            environment: ["ALTCRAFT_TOKEN": "sandbox-token"])
        XCTAssertEqual(outcome.status, 78, outcome.stderr)
        XCTAssertEqual(outcome.stderr, "cops: --cacert '\(cops.stateHome.path)/missing.pem': cannot be read\n")
    }

    func testProxiesFromTheEnvironmentAndNoProxy() throws {
        let server = try serve()
        defer { server.stop() }
        let proxy = try ConnectProxy(credentials: .init(user: "ops", password: "env-pr0xy-pw"))
        defer { proxy.stop() }
        let port = server.url.split(separator: ":").last.map(String.init) ?? ""
        var environment = [
            "ALTCRAFT_TOKEN": "sandbox-token", "SSL_CERT_FILE": pki.caCertificatePath,
            "https_proxy": proxy.url(user: "ops", password: "env-pr0xy-pw"),
        ]
        let through = try cops.run(["-v", "--endpoint", server.url, "-o", "json", "-c", "status 15"], environment: environment)
        XCTAssertEqual(through.status, 0, through.stderr)
        XCTAssertEqual(proxy.connectTargets, ["127.0.0.1:\(port)"])
        XCTAssertTrue(through.stderr.contains("cops: proxy: \(proxy.url) (from https_proxy)"), through.stderr)
        XCTAssertFalse((through.stdout + through.stderr).contains("env-pr0xy-pw"))
        // no_proxy with the address and port bypasses it; the uppercase HTTP_PROXY is ignored
        // for http endpoints.
        environment["no_proxy"] = "127.0.0.1:\(port)"
        let direct = try cops.run(["-v", "--endpoint", server.url, "-c", "status 15"], environment: environment)
        XCTAssertEqual(direct.status, 0, direct.stderr)
        XCTAssertTrue(direct.stderr.contains("cops: proxy: none (127.0.0.1 is in no_proxy)"), direct.stderr)
        XCTAssertEqual(proxy.connectTargets.count, 1, "no second tunnel")
        let plain = try SandboxServerProcess([], environment: cops.environment([:]))
        defer { plain.stop() }
        let ignored = try cops.run(
            ["--endpoint", plain.url, "-c", "status 15"],
            environment: ["ALTCRAFT_TOKEN": "sandbox-token", "HTTP_PROXY": proxy.url])
        XCTAssertEqual(ignored.status, 0, ignored.stderr)
        XCTAssertEqual(proxy.acceptedConnections, 1, "HTTP_PROXY was used")
    }
}
