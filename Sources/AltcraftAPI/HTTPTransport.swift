import AltcraftWire
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// Sends requests over HTTP(S) with async-http-client, reusing connections: the transport
/// for any endpoint reached through a proxy and for `https://` ones that may use HTTP/2
/// (`COPS_HTTP2=1`); direct endpoints otherwise use the lighter `SocketTransport`.
public final class HTTPTransport: AltcraftTransport {
    private let client: HTTPClient
    private let baseURL: String
    private let address: EndpointAddress
    /// `scheme://host[:port]` of the base URL (never its user info): what a failure names.
    private let origin: String
    private let proxy: ProxyServer?

    /// `baseURL` is the account's panel host, e.g. `https://ru.altkraft.com`; a path after
    /// the host is kept as a prefix. `connection` says whom to trust and which proxy to use.
    public init(
        baseURL: String, connection: PreparedConnection = .direct, connectTimeout: Duration = .seconds(10),
        maximumConnections: Int = 64
    ) throws(AltcraftError) {
        let address = try EndpointAddress(baseURL)
        self.address = address
        self.baseURL = address.trimmedURL
        origin = address.origin
        proxy = connection.options.proxy
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = connection.tls
        if let proxy {
            // An https endpoint goes through a CONNECT tunnel (async-http-client tunnels every
            // scheme): the proxy sees host and port, never the token.
            configuration.proxy = .server(
                host: proxy.host, port: proxy.port,
                authorization: proxy.basicCredentials.map { .basic(credentials: $0) })
        }
        configuration.httpVersion = connection.options.allowsHTTP2 ? .automatic : .http1Only
        // A redirect would carry the token in the body to another host: refuse them.
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .nanoseconds(connectTimeout.nanoseconds), read: nil)
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: maximumConnections)
        // We retry with our own policy and backoff; the pool's own retries would turn a refused
        // connection into a wait for the whole connect timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.decompression = .disabled
        // No tracing: cops installs no tracer, and with the default (no-op) one the client still
        // parsed the URL and filled span attributes for every request (6 % of a bulk run's CPU).
        configuration.tracing.tracer = nil
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func send(_ request: TransportRequest) async throws(TransportError) -> TransportResponse {
        var httpRequest = HTTPClientRequest(url: baseURL + request.path)
        httpRequest.method = .POST
        for header in request.headers { httpRequest.headers.add(name: header.name, value: header.value) }
        httpRequest.body = .bytes(ByteBuffer(bytes: request.body))
        // The client's deadline ends at the response head; a server that stalls in the middle
        // of the body would hang us, so one timer on the event loop cancels the whole exchange.
        // (It was a task group racing a sleeping child task: two tasks and a dispatch timer per
        // request cost more CPU than reading the answer; docs/performance.md.)
        let client = self.client
        let prepared = httpRequest
        let maximum = request.maximumResponseBytes
        let deadline = NIODeadline.now() + .nanoseconds(request.timeout.nanoseconds)
        let exchange = Task { () async throws -> TransportResponse in
            let response = try await client.execute(prepared, deadline: deadline)
            var body: ByteBuffer
            do {
                body = try await response.body.collect(upTo: maximum)
            } catch is NIOTooManyBytesError {
                throw TransportError.responseTooLarge(limit: maximum)
            }
            return TransportResponse(
                status: Int(response.status.code), headers: response.headers.map { (name: $0.name, value: $0.value) },
                body: body.readBytes(length: body.readableBytes) ?? [])
        }
        // Every failure names the server; through a proxy, a failure may be the proxy's: say so.
        let server = proxy.map { "\(origin) via proxy \($0.displayURL)" } ?? origin
        let expiry = Expiry()
        let timer = client.eventLoopGroup.next().scheduleTask(deadline: deadline) {
            expiry.expire()
            exchange.cancel()
        }
        defer { timer.cancel() }
        do {
            return try await withTaskCancellationHandler {
                try await exchange.value
            } onCancel: {
                exchange.cancel()
            }
        } catch let error as TransportError {
            throw expiry.hasExpired ? TransportError.timedOut(server: nil).naming(server) : error
        } catch {
            if expiry.hasExpired { throw TransportError.timedOut(server: nil).naming(server) }
            if let failure = TLSFailure.classify(error) {
                throw .tlsFailed(await failure.explained(for: address, readingCertificate: proxy == nil))
            }
            if let proxy, let refusal = Self.proxyRefusal(error, proxy, target: address.hostHeader) {
                throw .proxyRefused(refusal)
            }
            throw Self.classify(error).naming(server)
        }
    }

    /// Whether an exchange's timer went off (then its cancellation means "timed out").
    private final class Expiry: Sendable {
        private let expired = Atomic<Bool>(false)
        func expire() { expired.store(true, ordering: .relaxed) }
        var hasExpired: Bool { expired.load(ordering: .relaxed) }
    }

    public func shutdown() async {
        try? await client.shutdown()
    }

    /// The proxy's refusal in words, nil when the error is not one.
    static func proxyRefusal(_ error: any Error, _ proxy: ProxyServer, target: String) -> String? {
        guard let clientError = error as? HTTPClientError else { return nil }
        if clientError == .proxyAuthenticationRequired {
            return proxy.username == nil
                ? "the proxy \(proxy.displayURL) wants credentials (407); give them in the proxy URL: http://USER:PASSWORD@host:port"
                : "the proxy \(proxy.displayURL) refused the credentials (407)"
        }
        if clientError == .invalidProxyResponse { return "the proxy \(proxy.displayURL) refused the tunnel to \(target)" }
        return nil
    }

    /// Sorts a client error into "never sent" (safe to retry anything) and "maybe sent".
    static func classify(_ error: any Error) -> TransportError {
        if error is CancellationError { return .cancelled }
        if let clientError = error as? HTTPClientError {
            switch clientError {
            case .connectTimeout, .socksHandshakeTimeout, .tlsHandshakeTimeout:
                return .connectFailed(String(describing: clientError))
            case .deadlineExceeded, .readTimeout, .writeTimeout:
                return .timedOut(server: nil)
            case .cancelled:
                return .cancelled
            case .remoteConnectionClosed:
                return .connectionLost("the server closed the connection")
            default:
                return .connectionLost(String(describing: clientError))
            }
        }
        if error is NIOConnectionError { return .connectFailed("connection refused") }
        if let channelError = error as? ChannelError {
            switch channelError {
            case .connectTimeout: return .connectFailed("connect timed out")
            case .eof, .ioOnClosedChannel, .alreadyClosed, .outputClosed, .inputClosed:
                return .connectionLost("the server closed the connection")
            default: return .connectionLost(String(describing: channelError))
            }
        }
        if let ioError = error as? IOError {
            // NIO's description repeats itself ("connection reset (error set): …"); the
            // system's own words are clearer.
            let words = TransportError.words(forErrno: ioError.errnoCode)
            if [ECONNREFUSED, EHOSTUNREACH, ENETUNREACH].contains(ioError.errnoCode) {
                return .connectFailed(words)
            }
            return .connectionLost(words)
        }
        if error is HTTPParserError {
            return .connectionLost("malformed HTTP from the server")
        }
        let text = String(describing: error)
        if text.contains("connectionRefused") || text.contains("Connection refused") {
            return .connectFailed("connection refused")
        }
        if error is NIOSSLError || error is BoringSSLError {
            // Never a library dump (BoringSSL's queue names source files of the build machine).
            return .connectionLost("the TLS connection failed")
        }
        return .connectionLost(text)
    }
}

extension TransportError {
    /// The system's own words for an errno value ("connection refused").
    static func words(forErrno code: Int32) -> String {
        String(cString: strerror(code)).lowercased()
    }

    /// The same failure naming the server, so that a message says which endpoint failed.
    func naming(_ server: String) -> TransportError {
        switch self {
        case .connectFailed(let why): return .connectFailed("\(why) (\(server))")
        case .connectionLost(let why): return .connectionLost("\(why) (\(server))")
        case .tlsFailed(let why) where !why.hasPrefix(server): return .tlsFailed("\(server): \(why)")
        case .timedOut(server: nil): return .timedOut(server: server)
        default: return self
        }
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
