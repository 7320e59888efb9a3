import AltcraftAPI
import AltcraftWire
import XCTest

/// The proxy conventions as curl documents them (everything.curl.dev, "Proxy environment
/// variables"; CURLOPT_NOPROXY): the expectations below are curl's, written out by hand.
final class ProxyRulesTests: XCTestCase {
    func testNoProxyMatchesHostsAndDomainsLikeCurl() {
        let list = NoProxyList(" example.com , .corp.internal,localhost")
        XCTAssertTrue(list.matches(host: "example.com", port: 443))
        XCTAssertTrue(list.matches(host: "www.example.com", port: 443))
        XCTAssertTrue(list.matches(host: "WWW.Example.COM", port: 443))
        XCTAssertFalse(list.matches(host: "notexample.com", port: 443))
        XCTAssertFalse(list.matches(host: "example.com.org", port: 443))
        XCTAssertTrue(list.matches(host: "corp.internal", port: 80))
        XCTAssertTrue(list.matches(host: "panel.corp.internal", port: 80))
        XCTAssertTrue(list.matches(host: "localhost", port: 8080))
        XCTAssertFalse(list.matches(host: "127.0.0.1", port: 8080), "names are not resolved to match addresses")
    }

    func testStarAloneMatchesEverythingAndIsTheOnlyWildcard() {
        XCTAssertTrue(NoProxyList("*").matches(host: "anything.example", port: 1))
        XCTAssertTrue(NoProxyList("*").matches(host: "10.1.2.3", port: 1))
        XCTAssertFalse(NoProxyList("ex*.com").matches(host: "example.com", port: 1))
        XCTAssertTrue(NoProxyList("").isEmpty)
    }

    func testAddressesAndCIDRRanges() {
        let list = NoProxyList("10.0.0.0/8, 192.168.1.7, ::1, fd00::/8")
        XCTAssertTrue(list.matches(host: "10.200.3.4", port: 443))
        XCTAssertFalse(list.matches(host: "11.0.0.1", port: 443))
        XCTAssertTrue(list.matches(host: "192.168.1.7", port: 443))
        XCTAssertFalse(list.matches(host: "192.168.1.8", port: 443))
        XCTAssertTrue(list.matches(host: "::1", port: 443))
        XCTAssertTrue(list.matches(host: "fd12:3456::1", port: 443))
        XCTAssertFalse(list.matches(host: "fe80::1", port: 443))
        XCTAssertTrue(NoProxyList("127.0.0.0/30").matches(host: "127.0.0.3", port: 1))
        XCTAssertFalse(NoProxyList("127.0.0.0/30").matches(host: "127.0.0.4", port: 1))
    }

    func testAnEntryWithAPortMatchesThatPortOnly() {
        let list = NoProxyList("example.com:8443, 127.0.0.1:9000, [::1]:7000")
        XCTAssertTrue(list.matches(host: "api.example.com", port: 8443))
        XCTAssertFalse(list.matches(host: "api.example.com", port: 443))
        XCTAssertTrue(list.matches(host: "127.0.0.1", port: 9000))
        XCTAssertFalse(list.matches(host: "127.0.0.1", port: 9001))
        XCTAssertTrue(list.matches(host: "::1", port: 7000))
        XCTAssertFalse(list.matches(host: "::1", port: 7001))
    }

    func testProxyURLs() throws {
        let proxy = try ProxyServer(url: "http://alice:s3cr%40t@proxy.corp:3128")
        XCTAssertEqual(proxy.host, "proxy.corp")
        XCTAssertEqual(proxy.port, 3128)
        XCTAssertEqual(proxy.username, "alice")
        XCTAssertEqual(proxy.password, "s3cr@t")
        XCTAssertEqual(proxy.displayURL, "http://proxy.corp:3128")
        // The secrets: the password and the Basic value (base64 of "alice:s3cr@t", by hand).
        XCTAssertEqual(Set(proxy.secrets), ["s3cr@t", "YWxpY2U6czNjckB0"])
        XCTAssertEqual(try ProxyServer(url: "proxy.corp").port, 1080, "curl's default port")
        XCTAssertEqual(try ProxyServer(url: "http://[::1]:3128").displayURL, "http://[::1]:3128")
        XCTAssertThrowsError(try ProxyServer(url: "socks5://proxy:1080"))
        XCTAssertThrowsError(try ProxyServer(url: "https://proxy:443"))
        XCTAssertThrowsError(try ProxyServer(url: "http://proxy:99999"))
        do {
            _ = try ProxyServer(url: "ftp://bob:hunter2@proxy")
            XCTFail("an ftp proxy was accepted")
        } catch {
            XCTAssertFalse(error.description.contains("hunter2"), error.description)
        }
    }

    func testTheSchemesOwnVariableWinsAndUppercaseHTTPProxyIsIgnored() throws {
        func chosen(_ endpoint: String, _ environment: [String: String]) throws -> String? {
            try ProxyRules.choose(endpoint: endpoint, setting: .environment, environment: environment).proxy?.displayURL
        }
        XCTAssertEqual(try chosen("https://panel.example", ["https_proxy": "http://a:1"]), "http://a:1")
        XCTAssertEqual(try chosen("https://panel.example", ["HTTPS_PROXY": "http://b:2"]), "http://b:2")
        XCTAssertEqual(
            try chosen("https://panel.example", ["https_proxy": "http://a:1", "HTTPS_PROXY": "http://b:2"]), "http://a:1")
        XCTAssertEqual(try chosen("https://panel.example", ["http_proxy": "http://a:1"]), nil)
        XCTAssertEqual(try chosen("http://panel.example", ["http_proxy": "http://a:1"]), "http://a:1")
        XCTAssertEqual(try chosen("http://panel.example", ["HTTP_PROXY": "http://evil:1"]), nil, "httpoxy")
        XCTAssertEqual(try chosen("http://panel.example", ["all_proxy": "http://c:3"]), "http://c:3")
        XCTAssertEqual(try chosen("https://panel.example", ["ALL_PROXY": "http://c:3"]), "http://c:3")
        XCTAssertEqual(try chosen("https://panel.example", ["https_proxy": ""]), nil, "an empty value is unset")
        XCTAssertEqual(
            try chosen("https://panel.example", ["https_proxy": "http://a:1", "no_proxy": "example"]), nil)
        XCTAssertEqual(
            try chosen("https://panel.example", ["https_proxy": "http://a:1", "NO_PROXY": ".panel.example"]), nil)
        XCTAssertEqual(
            try chosen("https://panel.example", ["https_proxy": "http://a:1", "no_proxy": "other", "NO_PROXY": "*"]),
            "http://a:1", "lowercase no_proxy wins")
    }

    func testAProfilesSettingOverridesTheEnvironment() throws {
        let environment = ["https_proxy": "http://a:1", "no_proxy": "*"]
        XCTAssertEqual(
            try ProxyRules.choose(endpoint: "https://p.example", setting: .url("http://corp:3128"), environment: environment)
                .proxy?.displayURL, "http://corp:3128")
        XCTAssertNil(
            try ProxyRules.choose(endpoint: "https://p.example", setting: .direct, environment: ["https_proxy": "http://a:1"])
                .proxy)
    }

    func testEveryProxyVariablesCredentialsAreSecrets() {
        let secrets = ProxyRules.environmentSecrets(["HTTP_PROXY": "http://u:pw1234@x:1", "https_proxy": "http://v:zz9999@y:2"])
        XCTAssertTrue(secrets.contains("pw1234"))
        XCTAssertTrue(secrets.contains("zz9999"))
    }
}

/// The reference spells some keys two ways; the language sees one.
final class WireSpellingTests: XCTestCase {
    func testCapitalisedGroupsReachTheLanguageInLowercase() throws {
        let older = try JSONWire.decode(Array(#"{"id": 7, "Groups": [{"Id": 1, "Name": "subaccount"}], "Extra": 1}"#.utf8))
        let newer = try JSONWire.decode(Array(#"{"id": 7, "groups": [{"id": 1, "name": "subaccount"}], "Extra": 1}"#.utf8))
        let a = WireSchema.normalized(try XCTUnwrap(older.objectValue))
        let b = WireSchema.normalized(try XCTUnwrap(newer.objectValue))
        XCTAssertEqual(a["groups"], b["groups"])
        XCTAssertEqual(a["groups"], .array([.object(WireObject([("id", .int(1)), ("name", .string("subaccount"))]))]))
        XCTAssertFalse(a.keys.contains("Groups"))
        XCTAssertEqual(a.keys, ["id", "groups", "Extra"])
        XCTAssertEqual(a["Extra"], .int(1), "unknown fields keep the server's spelling")
        let both = WireSchema.normalized(
            try XCTUnwrap(try JSONWire.decode(Array(#"{"name": "a", "Name": "b"}"#.utf8)).objectValue))
        XCTAssertEqual(both["name"], .string("a"))
        XCTAssertEqual(both["Name"], .string("b"), "both spellings sent: both kept")
    }
}
