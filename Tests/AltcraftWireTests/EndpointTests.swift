import AltcraftWire
import XCTest

/// `Endpoint(path:)` reads a request path's bytes; it must find what a reading by characters
/// finds, for every method and for paths that only look like one.
final class EndpointTests: XCTestCase {
    /// The lookup by characters, as the method's documentation states it: the query dropped,
    /// then one of the prefixes, then every trailing slash, then the name compared.
    private func reference(_ path: String) -> Endpoint? {
        var trimmed = Substring(path)
        if let query = trimmed.firstIndex(of: "?") { trimmed = trimmed[..<query] }
        for prefix in ["/api/v1.1/", "api/v1.1/", "/"] where trimmed.hasPrefix(prefix) {
            trimmed = trimmed.dropFirst(prefix.count)
            break
        }
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        return Endpoint.allCases.first { $0.name == trimmed }
    }

    func testEveryPathIsReadAsByCharacters() {
        var paths = ["", "/", "?", "//", "/api/v1.1/", "api/v1.1", "/api/v1.1/?x", "campaigns", "/campaigns/"]
        for endpoint in Endpoint.allCases {
            let name = endpoint.name
            paths += [
                name, "/" + name, name + "/", name + "///", endpoint.path, endpoint.path + "?token=t&format=xml",
                "/api/v1.1/" + name + "/?", "api/v1.1/" + name, "//" + name, "/api/v1.1//" + name, "/API/v1.1/" + name,
                name + "?a/b", "?" + name, " " + name, name + " ", name.uppercased(), "/api/v1.1/" + name + "\u{301}",
                "/\u{301}" + name, "/api/v1.1/\u{301}" + name, "/api/v1.1/" + name + "/\u{301}", "/api/v1.1/ü/" + name,
                String(name.dropLast()), name + "x",
            ]
        }
        for path in paths {
            XCTAssertEqual(Endpoint(path: path), reference(path), path.debugDescription)
        }
        XCTAssertEqual(Endpoint(path: "/api/v1.1/campaigns/regulars/list?format=xml"), .regularsList)
        XCTAssertNil(Endpoint(path: "/api/v1.1/campaigns/deactivate\u{301}"))
    }
}
