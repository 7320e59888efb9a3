import Foundation
import XCTest

@testable import CopsShell

final class CopsConfigTests: XCTestCase {
    func parse(_ text: String) throws -> CopsConfig { try CopsConfig.parse(text, path: "/cfg/config.toml") }

    func failure(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> ConfigError? {
        do {
            _ = try parse(text)
            XCTFail("expected a config error", file: file, line: line)
            return nil
        } catch let error as ConfigError {
            return error
        } catch {
            XCTFail("\(error)", file: file, line: line)
            return nil
        }
    }

    func testTheDesignsExampleParses() throws {
        let config = try parse(
            """
            default = "staging"
            [profiles.staging]
            endpoint = "https://staging.example.com"
            token_env = "ALTCRAFT_STAGING_TOKEN"     # or token_file
            [profiles.prod]
            endpoint = "https://ru.altkraft.com"
            token_file = "~/.config/cops/prod.token"
            format = "xml"
            token_placement = "bearer"
            confirm = true
            """)
        XCTAssertEqual(config.defaultProfile, "staging")
        XCTAssertEqual(config.profiles["staging"]?.tokenSource, .environment("ALTCRAFT_STAGING_TOKEN"))
        XCTAssertEqual(config.profiles["staging"]?.confirm, false)
        XCTAssertEqual(config.profiles["prod"]?.tokenSource, .file("~/.config/cops/prod.token"))
        XCTAssertEqual(config.profiles["prod"]?.format, .xml)
        XCTAssertEqual(config.profiles["prod"]?.tokenPlacement, .bearerHeader)
        XCTAssertEqual(config.profiles["prod"]?.confirm, true)
    }

    func testBrokenConfigsSayWhatAndWhere() {
        XCTAssertEqual(failure("default = \n")?.line, 1)
        XCTAssertEqual(failure("[profiles.a]\nendpoint = 'https://x.example'\ntoken_env = 'T'\n[profiles.a]\n")?.line, 4)
        XCTAssertEqual(
            failure("default = \"prod\"")?.message, "default profile 'prod' is not defined (none is defined)")
        XCTAssertEqual(failure("[profiles.a]\ntoken_env = 'T'")?.message, "profile 'a' has no endpoint")
        XCTAssertEqual(
            failure("[profiles.a]\nendpoint = 'ftp://x'\ntoken_env = 'T'")?.message,
            "profile 'a': endpoint 'ftp://x' is not an http(s) URL")
        XCTAssertEqual(
            failure("[profiles.a]\nendpoint = 'https://x.example'")?.message,
            "profile 'a' says nowhere where its token is: set token_env or token_file")
        XCTAssertEqual(
            failure("[profiles.a]\nendpoint = 'https://x.example'\ntoken_env = 'T'\ntoken_file = 'f'")?.message,
            "profile 'a' sets both token_env and token_file; keep one")
        XCTAssertEqual(
            failure("[profiles.a]\nendpoint = 'https://x.example'\ntoken_env = 'T'\ntoken = 'abc'")?.message,
            "unknown setting 'token' in profile 'a'")
        XCTAssertEqual(
            failure("[profiles.a]\nendpoint = 'https://x.example'\ntoken_env = 'T'\nconfirm = 'yes'")?.message,
            "'profiles.a.confirm' must be true or false")
        XCTAssertEqual(
            failure("[profiles.a]\nendpoint = 'https://x.example'\ntoken_env = 'T'\nformat = 'csv'")?.message,
            "'profiles.a.format' is 'csv'; expected 'json' or 'xml'")
        XCTAssertEqual(
            failure("colour = true")?.description,
            "/cfg/config.toml: error: unknown setting 'colour'; expected 'default' or [profiles.NAME] tables")
    }

    func testAMissingFileIsAnEmptyConfig() throws {
        XCTAssertEqual(try CopsConfig.load(path: "/nonexistent/cops/config.toml"), .empty)
    }

    func testThePathFollowsXDG() {
        XCTAssertEqual(CopsConfig.path(environment: ["XDG_CONFIG_HOME": "/x", "HOME": "/h"]), "/x/cops/config.toml")
        XCTAssertEqual(CopsConfig.path(environment: ["HOME": "/h"]), "/h/.config/cops/config.toml")
        XCTAssertEqual(
            CopsConfig.path(environment: ["XDG_CONFIG_HOME": "relative", "HOME": "/h"]), "/h/.config/cops/config.toml")
    }

    func testTokensComeFromTheEnvironmentOrAPrivateFile() throws {
        let directory = NSTemporaryDirectory() + "cops-token-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var warnings: [String] = []
        let environment = ["HOME": directory, "T": "env-token-1234"]
        XCTAssertEqual(
            try TokenLoader.load(
                .environment("T"), profile: "p", environment: environment, configPath: "c", warn: { warnings.append($0) }),
            "env-token-1234")
        XCTAssertThrowsError(
            try TokenLoader.load(.environment("UNSET"), profile: "p", environment: environment, configPath: "c", warn: { _ in }))

        let file = directory + "/prod.token"
        XCTAssertTrue(
            FileManager.default.createFile(
                atPath: file, contents: Data("file-token-5678\n".utf8), attributes: [.posixPermissions: 0o600]))
        XCTAssertEqual(
            try TokenLoader.load(
                .file("~/prod.token"), profile: "p", environment: environment, configPath: "c", warn: { warnings.append($0) }),
            "file-token-5678")
        XCTAssertEqual(warnings, [])

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
        _ = try TokenLoader.load(
            .file(file), profile: "p", environment: environment, configPath: "c", warn: { warnings.append($0) })
        XCTAssertEqual(warnings, ["warning: token file \(file) is readable by others; run: chmod 600 \(file)"])
        XCTAssertFalse(warnings.joined().contains("file-token-5678"), "the warning never shows the token")

        XCTAssertThrowsError(
            try TokenLoader.load(
                .file(directory + "/missing"), profile: "p", environment: environment, configPath: "c", warn: { _ in }))
    }
}

/// The https settings of a profile.
final class CopsConfigTLSTests: XCTestCase {
    func parse(_ text: String) throws -> CopsConfig { try CopsConfig.parse(text, path: "/cfg/config.toml") }

    func testTrustClientCertificateAndProxyKeys() throws {
        let config = try parse(
            """
            [profiles.corp]
            endpoint = "https://panel.corp"
            token_env = "T"
            ca_file = "~/.config/cops/corp-ca.pem"
            client_cert = "/etc/cops/client.pem"
            client_key = "/etc/cops/client.key"
            proxy = "http://proxy.corp:3128"
            [profiles.direct]
            endpoint = "https://panel.corp"
            token_env = "T"
            proxy = ""
            [profiles.plain]
            endpoint = "https://panel.corp"
            token_env = "T"
            """)
        let corp = try XCTUnwrap(config.profiles["corp"])
        XCTAssertEqual(corp.caFile, "~/.config/cops/corp-ca.pem")
        XCTAssertEqual(corp.clientCertificate, "/etc/cops/client.pem")
        XCTAssertEqual(corp.clientKey, "/etc/cops/client.key")
        XCTAssertEqual(corp.proxy, .url("http://proxy.corp:3128"))
        XCTAssertEqual(config.profiles["direct"]?.proxy, .direct)
        XCTAssertEqual(config.profiles["plain"]?.proxy, .environment)
        XCTAssertNil(config.profiles["plain"]?.caFile)
    }

    func testHalfAClientCertificateOrABadProxyIsAConfigError() {
        let base = "[profiles.p]\nendpoint = \"https://x\"\ntoken_env = \"T\"\n"
        for (extra, expected) in [
            ("client_cert = \"/a.pem\"", "sets only one of client_cert and client_key"),
            ("client_key = \"/a.key\"", "sets only one of client_cert and client_key"),
            ("proxy = \"socks5://p:1080\"", "only http:// proxies are supported"),
            ("proxy = \"http://user:hunter2@p:99999\"", "out of range"),
            ("ca_file = 5", "'profiles.p.ca_file' must be a string"),
        ] {
            do {
                _ = try parse(base + extra)
                XCTFail("accepted: \(extra)")
            } catch let error as ConfigError {
                XCTAssertTrue(error.description.contains(expected), error.description)
                XCTAssertFalse(error.description.contains("hunter2"), error.description)
            } catch {
                XCTFail("\(error)")
            }
        }
    }
}
