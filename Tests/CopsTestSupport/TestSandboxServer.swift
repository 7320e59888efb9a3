import AltcraftSandbox
import AltcraftSandboxServer

/// Runs an in-process `SandboxServer` on a free loopback port for tests, over http or https.
public enum TestSandboxServer {
    /// Runs `body` with the server's URL (`http://127.0.0.1:PORT`, or `https://…` with `tls`)
    /// and port, then stops the server. A server that does not start throws: the test fails.
    public static func with<T: Sendable>(
        _ sandbox: Sandbox, faults: FaultPlan = FaultPlan(), tls: SandboxTLS? = nil,
        _ body: (_ url: String, _ port: Int) async throws -> T
    ) async throws -> T {
        let server = SandboxServer(sandbox: sandbox, faults: faults, tls: tls)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let task = Task {
            // Finishing the stream on every way out, so that a failed start is seen, not awaited.
            defer { continuation.finish() }
            try await server.run(onListening: { continuation.yield($0) })
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            task.cancel()
            let why: String
            switch await task.result {
            case .failure(let error): why = String(describing: error)
            case .success: why = "it stopped at once"
            }
            throw TestSupportError("the \(server.scheme) sandbox server did not start: \(why)")
        }
        do {
            let result = try await body("\(server.scheme)://127.0.0.1:\(port)", port)
            task.cancel()
            _ = await task.result
            return result
        } catch {
            task.cancel()
            _ = await task.result
            throw error
        }
    }
}

extension TestPKI {
    /// The TLS setting that serves `identity` (by default the good server certificate).
    public func sandboxTLS(_ identity: Identity? = nil) throws -> SandboxTLS {
        let identity = identity ?? server
        return try SandboxTLS(certificateChainPath: identity.certificatePath, privateKeyPath: identity.keyPath)
    }
}
