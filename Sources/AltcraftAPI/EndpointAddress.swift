import Foundation

/// A panel URL taken apart once: what a transport connects to, sends as `Host`, puts before
/// every path, and names in a failure (never the user info).
struct EndpointAddress: Sendable {
    /// `http` or `https`.
    var scheme: String
    /// The host to resolve, without IPv6 brackets.
    var host: String
    /// The port, the scheme's default when the URL has none.
    var port: Int
    /// `host[:port]` as the `Host` header carries it (IPv6 in brackets).
    var hostHeader: String
    /// A path after the host, without a trailing slash ("" for none).
    var pathPrefix: String
    /// The URL without trailing slashes, for clients that take whole URLs.
    var trimmedURL: String
    /// `scheme://host[:port]`: what an error names.
    var origin: String

    /// Parses an `http(s)://host[:port][/prefix]` URL; anything else is a building error.
    init(_ baseURL: String) throws(AltcraftError) {
        guard let url = URL(string: baseURL), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let rawHost = url.host, !rawHost.isEmpty
        else {
            throw AltcraftError(.invalidRequest("endpoint '\(baseURL)' is not an http(s) URL"), endpoint: .status)
        }
        var trimmed = baseURL
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.scheme = scheme
        host = rawHost.hasPrefix("[") && rawHost.hasSuffix("]") ? String(rawHost.dropFirst().dropLast()) : rawHost
        port = url.port ?? (scheme == "https" ? 443 : 80)
        let bracketed = host.contains(":") ? "[\(host)]" : host
        hostHeader = bracketed + (url.port.map { ":\($0)" } ?? "")
        origin = scheme + "://" + hostHeader
        trimmedURL = trimmed
        // The prefix as written (still percent-encoded): everything after the authority.
        let afterScheme = trimmed.drop { $0 != "/" }.dropFirst(2)
        pathPrefix = afterScheme.firstIndex(of: "/").map { String(afterScheme[$0...]) } ?? ""
    }
}
