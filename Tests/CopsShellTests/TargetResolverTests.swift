import Foundation
import XCTest

@testable import CopsShell

final class TargetResolverTests: XCTestCase {
    var directory = ""
    var warnings: [String] = []

    override func setUp() {
        directory = NSTemporaryDirectory() + "targets-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: directory + "/cops", withIntermediateDirectories: true)
        warnings = []
    }

    func writeConfig(_ text: String) {
        _ = FileManager.default.createFile(atPath: directory + "/cops/config.toml", contents: Data(text.utf8))
    }

    var environment: [String: String] { ["XDG_CONFIG_HOME": directory, "XDG_STATE_HOME": directory, "HOME": directory] }

    func resolve(_ request: TargetResolver.Request, _ extra: [String: String] = [:]) -> Result<SessionTarget, TargetFailure> {
        TargetResolver.resolve(request, environment: environment.merging(extra) { $1 }, warn: { self.warnings.append($0) })
    }

    func request(profile: String? = nil, endpoint: String? = nil, sandbox: Bool = false) -> TargetResolver.Request {
        TargetResolver.Request(
            sandbox: sandbox, endpoint: endpoint, profile: profile, format: nil, timeoutMilliseconds: 1000, retries: 0)
    }

    /// Resolved targets own HTTP clients, which must be shut down.
    var made: [SessionTarget] = []

    override func tearDown() async throws {
        for target in made { await target.operations.shutdown() }
        try? FileManager.default.removeItem(atPath: directory)
    }

    func label(_ result: Result<SessionTarget, TargetFailure>) -> String {
        switch result {
        case .success(let target):
            made.append(target)
            return target.label
        case .failure(let failure): return "failed \(failure.status.rawValue): \(failure.message)"
        }
    }

    func keep(_ target: SessionTarget) -> SessionTarget {
        made.append(target)
        return target
    }

    let config = """
        default = "staging"
        [profiles.staging]
        endpoint = "http://127.0.0.1:9"
        token_env = "STAGING_TOKEN"
        [profiles.prod]
        endpoint = "https://ru.altkraft.com"
        token_file = "~/prod.token"
        confirm = true
        format = "xml"
        """

    func testNothingConfiguredMeansTheSandbox() {
        let result = resolve(request())
        XCTAssertEqual(label(result), "sandbox")
        guard case .success(let target) = result else { return }
        XCTAssertEqual(target.kind, .sandbox(path: directory + "/cops/sandbox.db"))
        XCTAssertFalse(target.confirmsEveryMutation)
    }

    func testTheDefaultProfileTakesItsTokenFromTheEnvironment() throws {
        writeConfig(config)
        XCTAssertEqual(label(resolve(request(), ["STAGING_TOKEN": "staging-secret-1"])), "staging")
        let target = try keep(resolve(request(), ["STAGING_TOKEN": "staging-secret-1"]).get())
        XCTAssertEqual(target.token, "staging-secret-1")
        XCTAssertEqual(target.kind, .profile("staging"))
        let missing = label(resolve(request()))
        XCTAssertTrue(missing.hasPrefix("failed 78"), missing)
        XCTAssertTrue(missing.contains("STAGING_TOKEN"), missing)
    }

    func testFlagBeatsCopsProfileBeatsDefault() throws {
        writeConfig(config)
        _ = FileManager.default.createFile(
            atPath: directory + "/prod.token", contents: Data("prod-secret-22\n".utf8), attributes: [.posixPermissions: 0o600])
        let viaEnvironment = try keep(resolve(request(), ["COPS_PROFILE": "prod"]).get())
        XCTAssertEqual(viaEnvironment.label, "prod")
        XCTAssertEqual(viaEnvironment.token, "prod-secret-22")
        XCTAssertTrue(viaEnvironment.confirmsEveryMutation)
        XCTAssertTrue(warnings.isEmpty, "\(warnings)")
        XCTAssertEqual(label(resolve(request(profile: "sandbox"), ["COPS_PROFILE": "prod"])), "sandbox")
        XCTAssertEqual(
            label(resolve(request(profile: "staging"), ["COPS_PROFILE": "prod", "STAGING_TOKEN": "staging-token-abcd"])),
            "staging")
    }

    func testATokenFileReadableByOthersWarnsLikeSsh() throws {
        writeConfig(config)
        _ = FileManager.default.createFile(
            atPath: directory + "/prod.token", contents: Data("prod-secret-22".utf8), attributes: [.posixPermissions: 0o644])
        _ = try keep(resolve(request(profile: "prod")).get())
        XCTAssertEqual(warnings.count, 1)
        XCTAssertTrue(warnings[0].contains("chmod 600"), warnings[0])
        XCTAssertFalse(warnings[0].contains("prod-secret-22"))
    }

    func testUnknownProfileAndBrokenConfigExit78NamingTheFile() {
        writeConfig(config)
        let unknown = label(resolve(request(profile: "prdo")))
        XCTAssertTrue(unknown.hasPrefix("failed 78"), unknown)
        XCTAssertTrue(unknown.contains("defined: prod, staging"), unknown)
        writeConfig("default = \n[profiles.x")
        let broken = label(resolve(request()))
        XCTAssertTrue(broken.hasPrefix("failed 78"), broken)
        XCTAssertTrue(broken.contains(directory + "/cops/config.toml"), broken)
    }

    func testEndpointAndSandboxFlagsDoNotNeedTheConfig() {
        writeConfig("this is not toml")
        XCTAssertEqual(label(resolve(request(sandbox: true))), "sandbox")
        XCTAssertEqual(label(resolve(request(endpoint: "http://127.0.0.1:9"), ["ALTCRAFT_TOKEN": "tok-12345"])), "127.0.0.1")
        let noToken = label(resolve(request(endpoint: "http://127.0.0.1:9")))
        XCTAssertTrue(noToken.hasPrefix("failed 78"), noToken)
    }

    // MARK: https: trust and proxies

    func choice(_ request: TargetResolver.Request, _ extra: [String: String]) throws -> TargetResolver.Choice {
        try TargetResolver.choose(request, environment: environment.merging(extra) { $1 }).get()
    }

    func testTrustComesFromTheFlagThenTheProfileThenSSLCertFileThenTheSystem() throws {
        writeConfig(
            """
            [profiles.corp]
            endpoint = "https://panel.corp"
            token_env = "T"
            ca_file = "~/corp-ca.pem"
            [profiles.plain]
            endpoint = "https://panel.corp"
            token_env = "T"
            """)
        let env = ["T": "tok-12345", "SSL_CERT_FILE": "/env/bundle.pem"]
        var flagged = request(profile: "corp")
        flagged.caFile = "/flag/ca.pem"
        XCTAssertEqual(try choice(flagged, env).connection.trust, .file("/flag/ca.pem"))
        XCTAssertEqual(try choice(request(profile: "corp"), env).connection.trust, .file(directory + "/corp-ca.pem"))
        XCTAssertEqual(try choice(request(profile: "plain"), env).connection.trust, .file("/env/bundle.pem"))
        XCTAssertEqual(
            try choice(request(profile: "plain"), ["T": "tok-12345", "SSL_CERT_DIR": "/etc/corp-certs:/other"]).connection.trust,
            .directory("/etc/corp-certs", file: nil))
        XCTAssertEqual(try choice(request(profile: "plain"), ["T": "tok-12345"]).connection.trust, .system)
        XCTAssertEqual(
            try choice(request(endpoint: "https://x.example"), ["ALTCRAFT_TOKEN": "tok-12345", "SSL_CERT_FILE": "/e.pem"])
                .connection.trust, .file("/e.pem"))
    }

    func testAnUnusableCAFileStopsTheRunNamingIt() throws {
        writeConfig(
            """
            [profiles.corp]
            endpoint = "https://panel.corp"
            token_env = "T"
            ca_file = "~/missing-ca.pem"
            """)
        let missing = label(resolve(request(profile: "corp"), ["T": "tok-12345"]))
        XCTAssertTrue(missing.hasPrefix("failed 78"), missing)
        XCTAssertTrue(missing.contains("profile 'corp' ca_file '\(directory)/missing-ca.pem': cannot be read"), missing)
        _ = FileManager.default.createFile(atPath: directory + "/not-pem.txt", contents: Data("hello".utf8))
        var flagged = request(endpoint: "https://x.example")
        flagged.caFile = directory + "/not-pem.txt"
        let notPEM = label(resolve(flagged, ["ALTCRAFT_TOKEN": "tok-12345"]))
        XCTAssertTrue(notPEM.contains("--cacert '\(directory)/not-pem.txt': holds no PEM certificate"), notPEM)
        // Over plain http the files are not needed, so they are not read.
        flagged.endpoint = "http://127.0.0.1:9"
        XCTAssertEqual(label(resolve(flagged, ["ALTCRAFT_TOKEN": "tok-12345"])), "127.0.0.1")
    }

    func testAClientKeyReadableByOthersWarnsLikeATokenFile() throws {
        writeConfig(
            """
            [profiles.mtls]
            endpoint = "https://panel.corp"
            token_env = "T"
            client_cert = "~/client.pem"
            client_key = "~/client.key"
            """)
        _ = FileManager.default.createFile(
            atPath: directory + "/client.key", contents: Data("key".utf8), attributes: [.posixPermissions: 0o644])
        _ = try choice(request(profile: "mtls"), ["T": "tok-12345"])
        // Warnings are said when the target is built; `choose` keeps them.
        let kept = try TargetResolver.choose(
            request(profile: "mtls"), environment: environment.merging(["T": "tok-12345"]) { $1 }
        )
        .get().warnings
        XCTAssertEqual(kept.count, 1, "\(kept)")
        XCTAssertTrue(kept.first?.contains("client key file \(directory)/client.key is readable by others") == true, "\(kept)")
        chmod(directory + "/client.key", 0o600)
        XCTAssertEqual(
            try TargetResolver.choose(request(profile: "mtls"), environment: environment.merging(["T": "tok-12345"]) { $1 }).get()
                .warnings, [])
    }

    func testTheProxyIsChosenAndItsCredentialsAreSecrets() throws {
        writeConfig(
            """
            [profiles.corp]
            endpoint = "https://panel.corp"
            token_env = "T"
            proxy = "http://ops:pr0xy-pass@proxy.corp:3128"
            [profiles.env]
            endpoint = "https://panel.corp"
            token_env = "T"
            """)
        let env = ["T": "tok-12345", "https_proxy": "http://other:9", "no_proxy": "corp"]
        let corp = try choice(request(profile: "corp"), env)
        XCTAssertEqual(corp.connection.proxy?.displayURL, "http://proxy.corp:3128")
        XCTAssertTrue(corp.secrets.contains("pr0xy-pass"))
        XCTAssertTrue(corp.secrets.contains("tok-12345"))
        XCTAssertNil(try choice(request(profile: "env"), env).connection.proxy, "no_proxy exempts panel.corp")
        XCTAssertEqual(
            try choice(request(profile: "env"), ["T": "tok-12345", "https_proxy": "http://other:9"]).connection.proxy?
                .displayURL, "http://other:9")
        let bad = label(resolve(request(profile: "env"), ["T": "tok-12345", "https_proxy": "socks5://a:b@c:1"]))
        XCTAssertTrue(bad.hasPrefix("failed 78"), bad)
        XCTAssertTrue(bad.contains("only http:// proxies"), bad)
    }
}
