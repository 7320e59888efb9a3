/// One HTTP exchange as the client core sees it: no knowledge of Altcraft inside.
public struct TransportRequest: Sendable {
    /// The path below the base URL, e.g. `/api/v1.1/campaigns/get`.
    public var path: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// The whole exchange must finish within this time.
    public var timeout: Duration
    /// A larger answer is an error rather than a memory spike.
    public var maximumResponseBytes: Int

    public init(
        path: String, headers: [(name: String, value: String)], body: [UInt8], timeout: Duration,
        maximumResponseBytes: Int
    ) {
        self.path = path
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.maximumResponseBytes = maximumResponseBytes
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.equalsIgnoringASCIICase(name) }?.value
    }
}

public struct TransportResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.equalsIgnoringASCIICase(name) }?.value
    }
}

// Header names and media types compared byte by byte: these run for every request, and
// `lowercased()` plus Foundation's `contains` (NSString on Linux) cost more than the rest of
// reading a small answer.
extension String {
    /// Equal when ASCII letters are folded to lower case.
    package func equalsIgnoringASCIICase(_ other: String) -> Bool {
        utf8.count == other.utf8.count && zip(utf8, other.utf8).allSatisfy { Self.fold($0) == Self.fold($1) }
    }

    /// Whether `needle` occurs, ASCII letters folded to lower case.
    package func containsIgnoringASCIICase(_ needle: String) -> Bool { contains(needle, folding: true) }

    /// Whether `needle` occurs, compared byte by byte.
    package func containsExactly(_ needle: String) -> Bool { contains(needle, folding: false) }

    private func contains(_ needle: String, folding: Bool) -> Bool {
        var haystack = self
        var pattern = needle
        return haystack.withUTF8 { text in
            pattern.withUTF8 { pattern in
                guard pattern.count <= text.count else { return false }
                if pattern.isEmpty { return true }
                for start in 0...(text.count - pattern.count) {
                    var index = 0
                    while index < pattern.count,
                        folding
                            ? Self.fold(text[start + index]) == Self.fold(pattern[index])
                            : text[start + index] == pattern[index]
                    {
                        index += 1
                    }
                    if index == pattern.count { return true }
                }
                return false
            }
        }
    }

    private static func fold(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }
}

/// How an exchange failed below HTTP; decides whether a retry is safe.
public enum TransportError: Error, Sendable, Equatable {
    /// No connection was made, so the request was not sent.
    case connectFailed(String)
    /// The connection broke after the request may have been sent.
    case connectionLost(String)
    /// No complete answer in time; `server` names the endpoint once `naming` has been applied.
    case timedOut(server: String?)
    case responseTooLarge(limit: Int)
    case cancelled
    /// TLS could not be set up (untrusted certificate, wrong host, refused handshake, a TLS
    /// port spoken to in plain HTTP): the request was not sent, and asking again cannot help.
    /// The text names the endpoint and says what to do.
    case tlsFailed(String)
    /// The proxy refused the tunnel or the credentials: not sent, and not retried.
    case proxyRefused(String)
}

/// Sends requests somewhere: over HTTP, or straight into the in-process sandbox.
public protocol AltcraftTransport: Sendable {
    func send(_ request: TransportRequest) async throws(TransportError) -> TransportResponse
    /// Releases connections; the transport is not used afterwards.
    func shutdown() async
}

extension AltcraftTransport {
    public func shutdown() async {}
}
