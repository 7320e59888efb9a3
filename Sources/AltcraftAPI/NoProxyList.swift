import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `no_proxy` / `NO_PROXY` with curl's matching rules: a comma-separated list of `*`, host
/// names and domains (`example.com` and `.example.com` both match the domain and every
/// subdomain), IP addresses and CIDR ranges, each optionally with `:port` (then it matches
/// that port only). Names are never resolved to match addresses.
public struct NoProxyList: Sendable, Equatable {
    enum Pattern: Sendable, Equatable {
        case everything
        case domain(String)
        /// An address or range: its bytes and how many leading bits must match.
        case network([UInt8], prefix: Int)
    }

    struct Entry: Sendable, Equatable {
        var pattern: Pattern
        var port: Int?
    }

    var entries: [Entry]

    public init(_ text: String) {
        entries = text.split(separator: ",").compactMap { Self.entry(String($0).trimmingCharacters(in: .whitespaces)) }
    }

    public var isEmpty: Bool { entries.isEmpty }

    /// Whether a request to `host:port` goes direct. `host` is written as in a URL, without
    /// IPv6 brackets.
    public func matches(host rawHost: String, port: Int) -> Bool {
        let host = rawHost.lowercased().trimmingSuffix(".")
        let address = Self.addressBytes(host)
        return entries.contains { entry in
            if let wanted = entry.port, wanted != port { return false }
            switch entry.pattern {
            case .everything:
                return true
            case .domain(let domain):
                return address == nil && (host == domain || host.hasSuffix("." + domain))
            case .network(let network, let prefix):
                guard let address, address.count == network.count else { return false }
                return Self.samePrefix(address, network, bits: prefix)
            }
        }
    }

    static func entry(_ text: String) -> Entry? {
        guard !text.isEmpty else { return nil }
        if text == "*" { return Entry(pattern: .everything) }
        var body = text.lowercased()
        var port: Int?
        if body.hasPrefix("["), let close = body.firstIndex(of: "]") {
            // [v6]:port
            let after = body[body.index(after: close)...]
            if after.hasPrefix(":"), let number = Int(after.dropFirst()) { port = number }
            body = String(body[body.index(after: body.startIndex)..<close])
        } else if body.filter({ $0 == ":" }).count == 1, let colon = body.lastIndex(of: ":"),
            let number = Int(body[body.index(after: colon)...])
        {
            // name:port or v4:port (a bare IPv6 address has more than one colon)
            port = number
            body = String(body[..<colon])
        }
        var prefix: Int?
        if let slash = body.firstIndex(of: "/") {
            guard let bits = Int(body[body.index(after: slash)...]) else { return nil }
            prefix = bits
            body = String(body[..<slash])
        }
        if let bytes = addressBytes(body) {
            let bits = prefix ?? bytes.count * 8
            guard (0...bytes.count * 8).contains(bits) else { return nil }
            return Entry(pattern: .network(bytes, prefix: bits), port: port)
        }
        guard prefix == nil else { return nil }
        var domain = body.trimmingSuffix(".")
        while domain.hasPrefix(".") { domain.removeFirst() }
        if domain.hasPrefix("*.") { domain.removeFirst(2) }  // a common spelling of ".domain"
        return domain.isEmpty ? nil : Entry(pattern: .domain(domain), port: port)
    }

    /// The bytes of an IPv4 or IPv6 address written as text, nil for a name.
    static func addressBytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    static func samePrefix(_ a: [UInt8], _ b: [UInt8], bits: Int) -> Bool {
        var remaining = bits
        for index in a.indices where remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            if a[index] & mask != b[index] & mask { return false }
            remaining -= 8
        }
        return true
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        var text = self
        while text.hasSuffix(suffix) { text.removeLast(suffix.count) }
        return text
    }
}
