/// A loopback TCP port that counts the connections made to it, for "exactly one connection
/// attempt" tests. With a target port it relays each connection there unchanged, TLS
/// included, so a client's attempts to reach a real server (the TLS sandbox) can be counted;
/// without one it closes each connection at once.
public final class ConnectionCounter: Sendable {
    private let listener: LoopbackListener

    public init(forwardingTo targetPort: Int? = nil) throws {
        listener = try LoopbackListener { client, listener in
            guard let targetPort, let upstream = LoopbackSocket.connectToLoopback(port: targetPort) else {
                LoopbackSocket.close(client)
                return
            }
            LoopbackSocket.splice(client, upstream) { listener.isStopped }
        }
    }

    /// The port clients connect to.
    public var port: Int { listener.port }

    /// `scheme://127.0.0.1:PORT`, e.g. to give a client in place of the server's own URL.
    public func url(scheme: String = "https") -> String { "\(scheme)://127.0.0.1:\(port)" }

    /// Connections accepted so far.
    public var accepted: Int { listener.accepted }

    /// Stops accepting and ends the relayed connections; safe to call twice.
    public func stop() { listener.stop() }

    deinit { listener.stop() }
}
