import AltcraftWire
import Dispatch
import Foundation
import NIOPosix
import NIOSSL
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Sends requests over HTTP/1.1 to direct `http://` endpoints on POSIX sockets and to direct
/// `https://` ones through swift-nio-ssl (`TLSConnection`), keeping connections alive for the
/// next request.
///
/// Why not async-http-client here: for a one-shot `cops -c 'status 15'` its event loops and
/// first connection cost ≈ 8 ms of a 23 ms run, and in bulk runs its channel pipeline spent
/// about as much CPU per request as the server answering it (docs/performance.md). A plain
/// exchange needs none of that: one `send`, a `poll` and a `recv` or two. An https exchange
/// needs TLS, which swift-nio-ssl does on a channel of its own; the pool, the framing, the
/// deadline and the failures stay this transport's. Proxies and HTTP/2 stay on `HTTPTransport`.
///
/// The calling task sends on a non-blocking socket and reads what is there; only while the
/// answer (or room to send) is not there yet does it suspend, on `SocketPoller`, which
/// resumes it when the socket is ready: no thread is blocked per exchange, and a cancelled
/// task is resumed at once. The semantics are `HTTPTransport`'s: the deadline covers the
/// whole exchange, body included; a failure before anything could be sent is
/// `connectFailed`, one after is `connectionLost`; redirects are answers like any other (the
/// client refuses them).
public final class SocketTransport: AltcraftTransport {
    private let address: EndpointAddress
    private let connectTimeout: Duration
    private let maximumIdle: Int
    /// What https connections handshake with (nil for http): made once, as loading the
    /// trusted roots costs more than a handshake.
    private let tls: NIOSSLContext?
    private let idle = Mutex<[any PooledConnection]>([])
    private let opened = Atomic<Int>(0)

    /// How many connections this transport has opened (kept-alive ones are reused).
    public var openedConnections: Int { opened.load(ordering: .relaxed) }

    /// `baseURL` is `http(s)://host[:port][/prefix]`; `connection` says whom an https
    /// endpoint's certificate must be issued by (its proxy, if any, is not this transport's).
    public init(
        baseURL: String, connection: PreparedConnection = .direct, connectTimeout: Duration = .seconds(10),
        maximumConnections: Int = 64
    ) throws(AltcraftError) {
        let address = try EndpointAddress(baseURL)
        if address.scheme == "https" {
            do {
                tls = try NIOSSLContext(configuration: connection.tls ?? TLSConfiguration.makeClientConfiguration())
            } catch {
                let why = "the client certificate and key may not belong together"
                throw AltcraftError(
                    .invalidRequest("the TLS settings for '\(address.origin)' cannot be used: \(why)"), endpoint: .status)
            }
        } else {
            tls = nil
        }
        self.address = address
        self.connectTimeout = connectTimeout
        maximumIdle = maximumConnections
    }

    /// The transport for a panel URL: this one for a direct endpoint, `HTTPTransport` for
    /// anything that goes through a proxy and for https that may use HTTP/2.
    public static func forEndpoint(_ baseURL: String, connection: PreparedConnection = .direct) throws(AltcraftError)
        -> any AltcraftTransport
    {
        let address = try EndpointAddress(baseURL)
        let http2 = address.scheme == "https" && connection.options.allowsHTTP2
        if connection.options.proxy == nil, !http2 { return try SocketTransport(baseURL: baseURL, connection: connection) }
        return try HTTPTransport(baseURL: baseURL, connection: connection)
    }

    public func send(_ request: TransportRequest) async throws(TransportError) -> TransportResponse {
        let message: [UInt8]
        switch Self.message(for: request, address: address) {
        case .success(let bytes): message = bytes
        case .failure(let error): throw error
        }
        let reused = takeIdleConnection()
        let connection = reused ?? newConnection()
        let deadline = DispatchTime.now().uptimeNanoseconds &+ UInt64(max(request.timeout.nanoseconds, 0))
        let outcome = await connection.exchange(message, deadline: deadline, maximumBody: request.maximumResponseBytes)
        switch outcome {
        case .answered(let response, let reusable):
            if reusable { giveBack(connection) } else { connection.close() }
            return response
        case .failed(let error):
            connection.close()
            if reused == nil, tls == nil, error == HTTPResponseReader.closedWithoutAnswer, await speaksTLS() {
                throw TransportError.tlsFailed("the server speaks TLS on this port; use https://").naming(address.origin)
            }
            throw error.naming(address.origin)
        }
    }

    /// Whether the server answers a TLS handshake: asked only after a new connection was
    /// closed without a byte of answer, which is what TLS servers that send no alert do with
    /// a plain request (one that sends an alert is recognised from its first bytes).
    private func speaksTLS() async -> Bool {
        await CertificateProbe.read(host: address.host, port: address.port, serverName: nil, timeout: .seconds(2)) != nil
    }

    /// Where a worker is resumed without a wake-up: the poller for plain http, whose
    /// exchanges wait there; for https the event loop its channels live on, where their
    /// answers arrive (the poller there only moved the wake-up and cost more CPU;
    /// docs/performance.md, "One thread for a bulk statement").
    public var preferredExecutor: (any TaskExecutor)? { tls == nil ? try? SocketPoller.shared.get() : Self.tlsLoop }

    /// The poller's thread as a task executor, for work that is best done on one thread of
    /// its own: the in-process sandbox's bulk statements, whose calls into one database run
    /// one at a time anyway (docs/performance.md, "Eighth round").
    public static var pollerThread: (any TaskExecutor)? { try? SocketPoller.shared.get() }

    /// The event loop every https connection of the process lives on, as an executor. One
    /// loop, so that one executor can be where all of a bulk statement's answers arrive.
    private static let tlsLoop = EventLoopExecutor(MultiThreadedEventLoopGroup.singleton.next())

    public func shutdown() async {
        let connections = idle.withLock { idle in
            defer { idle.removeAll() }
            return idle
        }
        for connection in connections { connection.close() }
    }

    /// An idle connection that the server has not closed meanwhile (a closed one would fail
    /// the request after it might have been read).
    private func takeIdleConnection() -> (any PooledConnection)? {
        while let connection = idle.withLock({ $0.popLast() }) {
            if connection.isStillOpen { return connection }
            connection.close()
        }
        return nil
    }

    private func newConnection() -> any PooledConnection {
        opened.add(1, ordering: .relaxed)
        if let tls {
            return TLSConnection(address: address, context: tls, loop: Self.tlsLoop.loop, connectTimeout: connectTimeout)
        }
        return HTTPConnection(address: address, connectTimeout: connectTimeout)
    }

    private func giveBack(_ connection: any PooledConnection) {
        let kept = idle.withLock { idle in
            guard idle.count < maximumIdle else { return false }
            idle.append(connection)
            return true
        }
        if !kept { connection.close() }
    }

    /// The bytes this transport sends for a request to `baseURL` (what a test can compare).
    public static func requestBytes(_ request: TransportRequest, baseURL: String) throws -> [UInt8] {
        try message(for: request, address: try EndpointAddress(baseURL)).get()
    }

    /// The request as bytes: request line, `Host`, `Content-Length`, the given headers, body.
    static func message(for request: TransportRequest, address: EndpointAddress) -> Result<[UInt8], TransportError> {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256 + request.body.count)
        // Each piece copied from its UTF-8 storage, and headers checked there: through the
        // strings' UTF-8 views, a byte at a time, building a request took ≈ 8 500 instructions
        // (docs/performance.md, "Ninth round"). Functions with `inout`, not closures over
        // `bytes`, which the runtime checks for exclusive access at every call.
        let lineEnd: [UInt8] = [13, 10]
        append("POST ", to: &bytes)
        append(address.pathPrefix, to: &bytes)
        append(request.path, to: &bytes)
        append(" HTTP/1.1", to: &bytes)
        bytes += lineEnd
        append("Host: ", to: &bytes)
        append(address.hostHeader, to: &bytes)
        bytes += lineEnd
        append("Content-Length: ", to: &bytes)
        append(String(request.body.count), to: &bytes)
        bytes += lineEnd
        for header in request.headers {
            // A line break would end the header early and let the rest pass as another one.
            if breaksHead(header.name, orHolds: UInt8(ascii: ":")) || breaksHead(header.value, orHolds: nil) {
                return .failure(.connectFailed("a request header holds a line break; nothing was sent"))
            }
            append(header.name, to: &bytes)
            append(": ", to: &bytes)
            append(header.value, to: &bytes)
            bytes += lineEnd
        }
        bytes += lineEnd
        bytes += request.body
        return .success(bytes)
    }

    private static func append(_ text: String, to bytes: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    /// Whether `text` holds a CR, an LF or `also`.
    private static func breaksHead(_ text: String, orHolds also: UInt8?) -> Bool {
        var text = text
        return text.withUTF8 { bytes in bytes.contains { $0 == 13 || $0 == 10 || $0 == also } }
    }
}

/// A keep-alive connection of `SocketTransport`: a plain socket (`HTTPConnection`) or TLS
/// over swift-nio-ssl (`TLSConnection`). Used by one exchange at a time: it is either in the
/// transport's idle list or held by the one task that took it out.
protocol PooledConnection: AnyObject, Sendable {
    /// False when the server closed the idle connection (or sent something unasked).
    var isStillOpen: Bool { get }
    /// Sends `message` and reads the answer; the deadline covers the whole exchange.
    func exchange(_ message: [UInt8], deadline: UInt64, maximumBody: Int) async -> HTTPConnection.Outcome
    func close()
}

/// One keep-alive plain-http connection. Used by one exchange at a time: a connection is either in the
/// transport's idle list (behind its lock) or held by the one task that took it out, which is
/// why its mutable state needs no lock of its own.
final class HTTPConnection: PooledConnection, @unchecked Sendable {
    enum Outcome: Sendable {
        case answered(TransportResponse, reusable: Bool)
        case failed(TransportError)
    }

    private let address: EndpointAddress
    private let connectTimeout: Duration
    /// The socket, or -1.
    private var descriptor: Int32 = -1
    /// Where `recv` writes; kept for the connection's life.
    private var scratch = [UInt8](repeating: 0, count: 16 * 1024)

    init(address: EndpointAddress, connectTimeout: Duration) {
        self.address = address
        self.connectTimeout = connectTimeout
    }

    deinit {
        if descriptor >= 0 { closeSocket(descriptor) }
    }

    func close() {
        if descriptor >= 0 { closeSocket(descriptor) }
        descriptor = -1
    }

    /// False when the server closed the idle connection (or sent something unasked).
    var isStillOpen: Bool {
        guard descriptor >= 0 else { return false }
        var byte: UInt8 = 0
        let peeked = recv(descriptor, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return peeked < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)
    }

    // MARK: - The exchange

    /// Sends `message` and reads the answer, suspending only while the socket is not ready.
    func exchange(_ message: [UInt8], deadline: UInt64, maximumBody: Int) async -> Outcome {
        // Cancelled before it started: nothing is sent.
        if Task.isCancelled { return .failed(.cancelled) }
        let poller: SocketPoller
        switch SocketPoller.shared {
        case .success(let shared): poller = shared
        case .failure(let error): return .failed(error)
        }
        if descriptor < 0 {
            if let failure = await connect(deadline: deadline, poller: poller) { return .failed(failure) }
        }
        if let failure = await write(message, deadline: deadline, poller: poller) { return .failed(failure) }
        var reader = HTTPResponseReader(maximumBody: maximumBody)
        while true {
            let count = scratch.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress!, $0.count, 0) }
            let progress: HTTPResponseReader.Progress
            if count > 0 {
                progress = scratch.withUnsafeBytes { reader.receive(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            } else if count == 0 {
                progress = reader.receiveEnd()
            } else if errno == EINTR {
                continue
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                switch await poller.wait(descriptor, for: .readable, deadline: deadline) {
                case .ready: continue
                case .timedOut: return .failed(.timedOut(server: nil))
                case .cancelled: return .failed(.cancelled)
                }
            } else {
                return .failed(.connectionLost(TransportError.words(forErrno: errno)))
            }
            switch progress {
            case .needsMore:
                // A server that keeps sending a little at a time is still held to the deadline.
                if DispatchTime.now().uptimeNanoseconds >= deadline { return .failed(.timedOut(server: nil)) }
            case .complete(let response, let reusable):
                // Bytes after the answer would be read as the next one's start: do not reuse then.
                return .answered(response, reusable: reusable && reader.leftover.isEmpty)
            case .failed(let error):
                return .failed(error)
            }
        }
    }

    /// Connects to the first address that answers; every failure here means nothing was sent.
    private func connect(deadline: UInt64, poller: SocketPoller) async -> TransportError? {
        let list: UnsafeMutablePointer<addrinfo>
        switch await resolve() {
        case .success(let first): list = first
        case .failure(let error): return error
        }
        defer { freeaddrinfo(list) }
        let connectDeadline = min(deadline, DispatchTime.now().uptimeNanoseconds &+ UInt64(max(connectTimeout.nanoseconds, 0)))
        var lastError = ECONNREFUSED
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let candidate = entry {
            entry = candidate.pointee.ai_next
            let socketDescriptor = openSocket(candidate.pointee)
            guard socketDescriptor >= 0 else {
                lastError = errno
                continue
            }
            _ = fcntl(socketDescriptor, F_SETFL, fcntl(socketDescriptor, F_GETFL) | O_NONBLOCK)
            var one: Int32 = 1
            setsockopt(socketDescriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            descriptor = socketDescriptor
            var result = connectSocket(socketDescriptor, candidate.pointee.ai_addr, candidate.pointee.ai_addrlen)
            if result != 0 && errno == EINPROGRESS {
                switch await poller.wait(socketDescriptor, for: .writable, deadline: connectDeadline) {
                case .ready:
                    var error: Int32 = 0
                    var length = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(socketDescriptor, SOL_SOCKET, SO_ERROR, &error, &length)
                    if error == 0 { result = 0 } else { errno = error }
                case .timedOut:
                    close()
                    if deadline <= connectDeadline { return .timedOut(server: nil) }
                    return .connectFailed("connect timed out")
                case .cancelled:
                    close()
                    return .cancelled
                }
            }
            if result == 0 { return nil }
            lastError = errno
            close()
            if Task.isCancelled { return .cancelled }
        }
        return .connectFailed(TransportError.words(forErrno: lastError))
    }

    /// The host's addresses. A numeric host is read at once; a name is looked up on a
    /// dispatch thread, as `getaddrinfo` may block for as long as DNS takes and the task runs
    /// on the cooperative pool.
    private func resolve() async -> Result<UnsafeMutablePointer<addrinfo>, TransportError> {
        let host = address.host
        let port = String(address.port)
        let lookUp = { @Sendable (flags: Int32) -> (Int32, SendableAddressList) in
            var hints = addrinfo()
            hints.ai_family = AF_UNSPEC
            hints.ai_socktype = streamSocketType
            hints.ai_flags = AI_NUMERICSERV | flags
            var list: UnsafeMutablePointer<addrinfo>?
            let resolved = getaddrinfo(host, port, &hints, &list)
            return (resolved, SendableAddressList(first: list))
        }
        var (resolved, list) = lookUp(AI_NUMERICHOST)
        if resolved != 0 {
            (resolved, list) = await withCheckedContinuation { continuation in
                DispatchQueue.global().async { continuation.resume(returning: lookUp(0)) }
            }
        }
        guard resolved == 0, let first = list.first else {
            return .failure(.connectFailed("cannot resolve \(host): \(String(cString: gai_strerror(resolved)).lowercased())"))
        }
        return .success(first)
    }

    private func write(_ message: [UInt8], deadline: UInt64, poller: SocketPoller) async -> TransportError? {
        var offset = 0
        while offset < message.count {
            let sent = message.withUnsafeBytes { bytes in
                send(descriptor, bytes.baseAddress! + offset, message.count - offset, sendFlags)
            }
            if sent > 0 {
                offset += sent
                continue
            }
            if sent < 0 && errno == EINTR { continue }
            if sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                switch await poller.wait(descriptor, for: .writable, deadline: deadline) {
                case .ready: continue
                case .timedOut: return .timedOut(server: nil)
                case .cancelled: return .cancelled
                }
            }
            return .connectionLost(TransportError.words(forErrno: errno))
        }
        return nil
    }
}

/// A `getaddrinfo` list handed from the dispatch thread that made it to the task that frees it.
private struct SendableAddressList: @unchecked Sendable {
    let first: UnsafeMutablePointer<addrinfo>?
}

// The C calls that differ between the C libraries, or that `HTTPConnection`'s own `close()`
// and `connect(deadline:)` would hide inside it. Darwin has no `SOCK_CLOEXEC` and no
// `MSG_NOSIGNAL`: there the socket gets `FD_CLOEXEC` and `SO_NOSIGPIPE` once it is made.

#if canImport(Glibc)
    private let streamSocketType = Int32(SOCK_STREAM.rawValue)
    /// Flags of every `send`: a peer that has gone is an error, not SIGPIPE.
    private let sendFlags = Int32(MSG_NOSIGNAL)
#elseif canImport(Darwin)
    private let streamSocketType = SOCK_STREAM
    private let sendFlags: Int32 = 0
#endif

/// A non-inheritable socket for one `getaddrinfo` result; -1 and `errno` on failure.
private func openSocket(_ address: addrinfo) -> Int32 {
    #if canImport(Glibc)
        return socket(address.ai_family, address.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), address.ai_protocol)
    #elseif canImport(Darwin)
        let descriptor = socket(address.ai_family, address.ai_socktype, address.ai_protocol)
        guard descriptor >= 0 else { return descriptor }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        var one: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        return descriptor
    #endif
}

private func connectSocket(_ descriptor: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    #if canImport(Glibc)
        return Glibc.connect(descriptor, address, length)
    #elseif canImport(Darwin)
        return Darwin.connect(descriptor, address, length)
    #endif
}

private func closeSocket(_ descriptor: Int32) {
    #if canImport(Glibc)
        _ = Glibc.close(descriptor)
    #elseif canImport(Darwin)
        _ = Darwin.close(descriptor)
    #endif
}
