import AltcraftAPI
import AltcraftSandbox
import AltcraftWire

/// Sends requests straight into a `Sandbox` in this process: no sockets, same bytes.
///
/// It lives here, where the program puts the client and the sandbox together, so that the
/// engine does not depend on the client nor the client on the engine.
public struct InProcessTransport: AltcraftTransport {
    public let sandbox: Sandbox

    public init(sandbox: Sandbox) {
        self.sandbox = sandbox
    }

    /// One thread for a bulk statement's workers, the poller's: their calls into the sandbox's
    /// one database run one at a time whatever the concurrency, and on the pool each finished
    /// call woke another thread for the next (docs/performance.md, "Eighth round: the
    /// embedded bulk on one thread").
    public var preferredExecutor: (any TaskExecutor)? { SocketTransport.pollerThread }

    /// Closes the sandbox's database now, while the session ends, rather than when the last
    /// reference goes (`SandboxStore.close`). A failure leaves the connection to be closed
    /// then, which is all it would change, so there is nothing to report.
    public func shutdown() async {
        try? sandbox.close()
    }

    public func send(_ request: TransportRequest) async throws(TransportError) -> TransportResponse {
        if Task.isCancelled { throw .cancelled }
        let response = sandbox.respond(path: request.path, headers: request.headers, body: request.body)
        guard response.body.count <= request.maximumResponseBytes else {
            throw .responseTooLarge(limit: request.maximumResponseBytes)
        }
        return response
    }
}
