import AltcraftWire
import Synchronization

/// A sandbox shared by transports and servers: the engine behind a lock, and optionally a
/// database that other `cops` processes see too.
public final class Sandbox: Sendable {
    private let engine: Mutex<SandboxEngine>
    private let store: SandboxStore?

    /// A sandbox kept in memory only.
    public init(engine: SandboxEngine) {
        self.engine = Mutex(engine)
        self.store = nil
    }

    /// A sandbox whose state lives in `store`'s database: every call is one transaction that
    /// hands the engine the rows the call needs and writes back those it changed. The engine
    /// then holds only the rows of the last call; `SandboxStore.state()` reads the whole.
    public init(store: SandboxStore, token: String = SandboxEngine.defaultToken, clock: any SandboxClock = SystemSandboxClock())
        throws(SandboxStoreError)
    {
        try store.prepare(clock: clock)
        self.engine = Mutex(SandboxEngine(token: token, clock: clock, state: SandboxState(campaigns: [], nextID: 1)))
        self.store = store
    }

    /// Answers one HTTP-shaped request.
    public func respond(path: String, headers: [(name: String, value: String)], body: [UInt8]) -> TransportResponse {
        let decoded: SandboxWire.Decoded
        switch SandboxWire.decode(path: path, headers: headers, body: body) {
        case .success(let value): decoded = value
        case .failure(let error):
            return SandboxWire.errorResponse(status: error.status, text: error.text, path: path, headers: headers)
        }
        let cleanPath = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        // Only below the API root, as on a real panel (issue 14: `/campaigns/get_status`
        // was answered, so a runbook rehearsed here could fail against the real API).
        guard cleanPath.hasPrefix(Endpoint.apiRoot) else {
            return SandboxWire.encode(SandboxReply.unknownMethod(cleanPath), decoded.format)
        }
        let reply: SandboxReply
        if let store {
            do {
                reply = try store.operation(SandboxRows(path: cleanPath, parameters: decoded.parameters)) { rows in
                    engine.withLock { engine in
                        engine.replaceState(rows)
                        let reply = engine.handle(path: cleanPath, parameters: decoded.parameters, bearer: decoded.bearer)
                        return (reply, reply.mutated ? engine.state : nil)
                    }
                }
            } catch {
                return SandboxWire.errorResponse(status: 500, text: "Sandbox state: \(error)", path: path, headers: headers)
            }
        } else {
            reply = engine.withLock { $0.handle(path: cleanPath, parameters: decoded.parameters, bearer: decoded.bearer) }
        }
        return SandboxWire.encode(reply, decoded.format)
    }

    /// Reads or changes the engine directly (tests, `sandbox reset`).
    public func withEngine<T>(_ body: (inout SandboxEngine) throws -> T) rethrows -> T {
        try engine.withLock { try body(&$0) }
    }
}
