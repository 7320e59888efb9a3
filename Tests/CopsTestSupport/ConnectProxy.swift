import Foundation
import Synchronization

/// An HTTP proxy on loopback for tests, like the corporate proxies cops must pass through:
///
/// - `CONNECT host:port HTTP/1.1` opens a TCP connection to the target and splices bytes both
///   ways: a tunnel, so it never sees the plaintext of a TLS session;
/// - an absolute-form request (`POST http://127.0.0.1:PORT/path HTTP/1.1`) is forwarded to
///   the target in origin form, one request per connection (`Connection: close` both ways);
/// - with `credentials`, a request without the matching `Proxy-Authorization: Basic …` is
///   answered 407;
/// - it never talks beyond loopback: other targets are answered 403 and recorded.
///
/// It records what a test asserts on: the connections accepted, each CONNECT target, each
/// request line, and the `Proxy-Authorization` each request carried.
public final class ConnectProxy: Sendable {
    public struct Credentials: Sendable, Equatable {
        public var user: String
        public var password: String

        public init(user: String, password: String) {
            self.user = user
            self.password = password
        }

        /// The `Proxy-Authorization` value that carries them.
        public var headerValue: String { "Basic " + Data("\(user):\(password)".utf8).base64EncodedString() }
    }

    /// What the proxy has seen so far.
    public struct Record: Sendable {
        /// Each CONNECT's `host:port`, as the client wrote it.
        public var connectTargets: [String] = []
        /// Each request line (CONNECT and forwarded requests alike), as received.
        public var requestLines: [String] = []
        /// Per request line, the `Proxy-Authorization` value received (nil: none).
        public var proxyAuthorizations: [String?] = []
        /// Targets refused because they are not loopback.
        public var refusedTargets: [String] = []
    }

    public let credentials: Credentials?
    private let record = Mutex(Record())
    private let listener = Mutex<LoopbackListener?>(nil)

    public init(credentials: Credentials? = nil) throws {
        self.credentials = credentials
        let started = try LoopbackListener { [weak self] client, listener in
            guard let self else { return LoopbackSocket.close(client) }
            self.serve(client, stopped: { listener.isStopped })
        }
        listener.withLock { $0 = started }
    }

    public var port: Int { listener.withLock { $0?.port ?? 0 } }

    /// `http://127.0.0.1:PORT`, the value of `https_proxy` for a client.
    public var url: String { "http://127.0.0.1:\(port)" }

    /// `http://USER:PASSWORD@127.0.0.1:PORT` (percent-encoded as a URL's user part).
    public func url(user: String, password: String) -> String {
        let allowed = CharacterSet.urlUserAllowed.subtracting(CharacterSet(charactersIn: ":@"))
        let user = user.addingPercentEncoding(withAllowedCharacters: allowed) ?? user
        let password = password.addingPercentEncoding(withAllowedCharacters: allowed) ?? password
        return "http://\(user):\(password)@127.0.0.1:\(port)"
    }

    /// Connections accepted so far.
    public var acceptedConnections: Int { listener.withLock { $0?.accepted ?? 0 } }
    public var recorded: Record { record.withLock { $0 } }
    public var connectTargets: [String] { recorded.connectTargets }
    public var requestLines: [String] { recorded.requestLines }
    public var proxyAuthorizations: [String?] { recorded.proxyAuthorizations }

    /// Stops accepting and ends every open tunnel; safe to call twice.
    public func stop() { listener.withLock { $0 }?.stop() }

    deinit { listener.withLock { $0 }?.stop() }

    // MARK: - One client connection

    private func serve(_ client: Int32, stopped: () -> Bool) {
        var pending: [UInt8] = []
        guard let headBytes = LoopbackSocket.readHead(client, pending: &pending, stopped: stopped) else {
            return LoopbackSocket.close(client)
        }
        let head = ProxyRequestHead(String(decoding: headBytes, as: UTF8.self))
        record.withLock {
            $0.requestLines.append(head.requestLine)
            $0.proxyAuthorizations.append(head.value(of: "proxy-authorization"))
        }
        if let credentials, head.value(of: "proxy-authorization") != credentials.headerValue {
            return refuse(client, "407 Proxy Authentication Required", extra: "Proxy-Authenticate: Basic realm=\"cops-test\"\r\n")
        }
        guard let target = head.target, target.isLoopback else {
            record.withLock { $0.refusedTargets.append(head.target?.authority ?? head.requestLine) }
            return refuse(client, head.target == nil ? "400 Bad Request" : "403 Forbidden")
        }
        guard let upstream = LoopbackSocket.connectToLoopback(port: target.port) else {
            return refuse(client, "502 Bad Gateway")
        }
        if head.method == "CONNECT" {
            record.withLock { $0.connectTargets.append(target.authority) }
            LoopbackSocket.sendAll(client, Array("HTTP/1.1 200 Connection established\r\n\r\n".utf8))
            if !pending.isEmpty { LoopbackSocket.sendAll(upstream, pending) }
            return LoopbackSocket.splice(client, upstream, stopped: stopped)
        }
        forward(head, target: target, body: &pending, client: client, upstream: upstream, stopped: stopped)
    }

    /// Sends the request in origin form with its Content-Length body, then relays the answer
    /// with `Connection: close`, so that the client opens a new connection (and a new request
    /// line is recorded) for its next request.
    private func forward(
        _ head: ProxyRequestHead, target: ProxyTarget, body pending: inout [UInt8], client: Int32, upstream: Int32,
        stopped: () -> Bool
    ) {
        let length = head.value(of: "content-length").flatMap { Int($0) } ?? 0
        guard LoopbackSocket.read(client, atLeast: length, into: &pending, stopped: stopped) else {
            LoopbackSocket.close(upstream)
            return LoopbackSocket.close(client)
        }
        var request = "\(head.method) \(target.path) HTTP/1.1\r\n"
        for (name, value) in head.fields
        where !["proxy-authorization", "proxy-connection", "connection"].contains(name.lowercased()) {
            request += "\(name): \(value)\r\n"
        }
        request += "Connection: close\r\n\r\n"
        LoopbackSocket.sendAll(upstream, Array(request.utf8) + pending.prefix(length))
        var answer: [UInt8] = []
        guard let answerHead = LoopbackSocket.readHead(upstream, pending: &answer, stopped: stopped) else {
            LoopbackSocket.close(upstream)
            return LoopbackSocket.close(client)
        }
        var lines = String(decoding: answerHead, as: UTF8.self).components(separatedBy: "\r\n")
        lines.removeAll { $0.lowercased().hasPrefix("connection:") }
        lines.append("Connection: close")
        LoopbackSocket.sendAll(client, Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8) + answer)
        LoopbackSocket.splice(client, upstream, stopped: stopped)
    }

    private func refuse(_ client: Int32, _ status: String, extra: String = "") {
        let answer = "HTTP/1.1 \(status)\r\n\(extra)Content-Length: 0\r\nConnection: close\r\n\r\n"
        LoopbackSocket.sendAll(client, Array(answer.utf8))
        LoopbackSocket.close(client)
    }
}

/// A proxy request's head: request line and header fields.
struct ProxyRequestHead {
    var requestLine: String
    var method: String
    var fields: [(name: String, value: String)] = []
    var target: ProxyTarget?

    init(_ text: String) {
        let lines = text.components(separatedBy: "\r\n")
        requestLine = lines.first ?? ""
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        method = parts.first ?? ""
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        if parts.count == 3 { target = method == "CONNECT" ? ProxyTarget(authority: parts[1]) : ProxyTarget(url: parts[1]) }
    }

    func value(of name: String) -> String? {
        fields.first { $0.name.lowercased() == name }?.value
    }
}

/// Where a proxy request goes.
struct ProxyTarget {
    var host: String
    var port: Int
    var path = "/"

    /// `host:port`, `[v6]:port`.
    var authority: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Only these are loopback; names other than `localhost` are not resolved, so no lookup
    /// can lead the proxy off the machine.
    var isLoopback: Bool { host == "localhost" || host == "::1" || host.hasPrefix("127.") }

    init?(authority: String) {
        let hostPart: Substring
        let portPart: Substring
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let rest = authority[authority.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portPart = rest.dropFirst()
        } else {
            guard let colon = authority.lastIndex(of: ":") else { return nil }
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        }
        guard let port = Int(portPart), (1...65535).contains(port), !hostPart.isEmpty else { return nil }
        host = String(hostPart)
        self.port = port
    }

    /// `http://host[:port]/path` (absolute form); https is CONNECT's job.
    init?(url: String) {
        guard url.hasPrefix("http://") else { return nil }
        let rest = url.dropFirst("http://".count)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = String(rest[..<slash])
        guard let parsed = ProxyTarget(authority: authority) ?? ProxyTarget(authority: authority + ":80") else { return nil }
        self = parsed
        path = slash == rest.endIndex ? "/" : String(rest[slash...])
    }
}
