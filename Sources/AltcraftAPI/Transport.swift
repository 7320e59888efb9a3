import AltcraftWire

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
    /// Where tasks that send many requests at once had best run, if the transport has such a
    /// place: `SocketTransport`'s poller thread, which then resumes their exchanges without
    /// waking another thread.
    var preferredExecutor: (any TaskExecutor)? { get }
}

extension AltcraftTransport {
    public func shutdown() async {}
    public var preferredExecutor: (any TaskExecutor)? { nil }
}
