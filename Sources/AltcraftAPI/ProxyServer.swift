import Foundation

/// An HTTP proxy that requests go through: `http://[user:password@]host[:port]`.
///
/// The password (and the `Proxy-Authorization` value made from it) is a secret like the
/// token: `secrets` lists what every redactor must mask, and `displayURL` never carries it.
public struct ProxyServer: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?

    /// The port when a proxy URL names none: curl's default.
    public static let defaultPort = 1080

    public init(host: String, port: Int, username: String? = nil, password: String? = nil) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
    }

    /// Parses a proxy URL as curl and the `*_proxy` variables write it; a bare `host:port` is
    /// taken as `http://host:port`. Only http proxies: cops does not speak TLS or SOCKS to a
    /// proxy (the endpoint's own TLS runs inside the CONNECT tunnel).
    public init(url text: String) throws(ProxyURLError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let withScheme = trimmed.contains("://") ? trimmed : "http://" + trimmed
        guard let url = URLComponents(string: withScheme), let rawHost = url.host, !rawHost.isEmpty else {
            throw ProxyURLError(url: Self.masked(text), reason: "not a proxy URL (http://[user:password@]host[:port])")
        }
        guard url.scheme?.lowercased() == "http" else {
            throw ProxyURLError(url: Self.masked(text), reason: "only http:// proxies are supported")
        }
        if let port = url.port, !(1...65535).contains(port) {
            throw ProxyURLError(url: Self.masked(text), reason: "port \(port) is out of range")
        }
        host = rawHost.hasPrefix("[") && rawHost.hasSuffix("]") ? String(rawHost.dropFirst().dropLast()) : rawHost
        port = url.port ?? Self.defaultPort
        username = url.user?.removingPercentEncoding.flatMap { $0.isEmpty ? nil : $0 }
        password = url.password?.removingPercentEncoding.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `http://host:port`, never the credentials: what `-v` and messages show.
    public var displayURL: String {
        "http://" + (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
    }

    /// The `Proxy-Authorization: Basic …` credentials, when the URL has a user.
    var basicCredentials: String? {
        guard let username else { return nil }
        return Data("\(username):\(password ?? "")".utf8).base64EncodedString()
    }

    /// What must never be printed: the password and the header value built from it.
    public var secrets: [String] {
        [password, basicCredentials].compactMap { $0 }
    }

    /// The URL with its password replaced, for an error message about the URL itself.
    static func masked(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@") else { return text }
        let start = text.range(of: "://")?.upperBound ?? text.startIndex
        guard let colon = text[start..<at].firstIndex(of: ":") else { return text }
        return String(text[..<text.index(after: colon)]) + Redactor.mask + String(text[at...])
    }
}

/// A proxy setting that cannot be used; the message names the URL with its password masked.
public struct ProxyURLError: Error, Sendable, Equatable, CustomStringConvertible {
    public var url: String
    public var reason: String
    public var description: String { "proxy '\(url)': \(reason)" }
}
