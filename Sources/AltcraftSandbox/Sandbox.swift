import AltcraftWire
import Synchronization

/// A sandbox shared by transports and servers: the engine behind a lock, and optionally a
/// state file that other `cops` processes see too.
public final class Sandbox: Sendable {
    private let engine: Mutex<SandboxEngine>
    private let store: SandboxStore?
    /// What this sandbox last saw of the store's file (held while a transaction runs).
    private let seen = Mutex<SandboxStore.FileSignature?>(nil)

    /// A sandbox kept in memory only.
    public init(engine: SandboxEngine) {
        self.engine = Mutex(engine)
        self.store = nil
    }

    /// A sandbox whose state lives in `store`'s file: every call reloads it if another process
    /// changed it and saves it after a change, under the file's lock.
    public init(store: SandboxStore, token: String = SandboxEngine.defaultToken, clock: any SandboxClock = SystemSandboxClock())
        throws(SandboxStoreError)
    {
        var signature: SandboxStore.FileSignature?
        let state = try store.load(clock: clock, seen: &signature)
        self.engine = Mutex(SandboxEngine(token: token, clock: clock, state: state))
        self.store = store
        self.seen.withLock { $0 = signature }
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
                reply = try seen.withLock { (seen: inout SandboxStore.FileSignature?) throws(SandboxStoreError) -> SandboxReply in
                    try store.transaction(seen: &seen) {
                        (state: SandboxState?) throws(SandboxStoreError) -> (SandboxReply, SandboxState?) in
                        engine.withLock { engine in
                            if let state { engine.replaceState(state) }
                            let reply = engine.handle(path: cleanPath, parameters: decoded.parameters, bearer: decoded.bearer)
                            return (reply, reply.mutated ? engine.state : nil)
                        }
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
