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

    /// Closes the database of a sandbox kept in one (`SandboxStore.close`); the sandbox
    /// answers no call afterwards. Nothing to do for one kept in memory.
    public func close() throws(SandboxStoreError) {
        try store?.close()
    }

    /// One request answered, with what the server's request log records of it.
    public struct Exchange: Sendable {
        public var response: TransportResponse
        /// The request's parameters (the token among them); empty when the body was unreadable.
        public var parameters: WireObject = WireObject()
        /// The API error code of the answer, 0 when it succeeded.
        public var error: Int64?
        /// The ID a clone created.
        public var created: Int64?
    }

    /// Answers one HTTP-shaped request.
    public func respond(path: String, headers: [(name: String, value: String)], body: [UInt8]) -> TransportResponse {
        exchange(path: path, headers: headers, body: body).response
    }

    /// Answers one HTTP-shaped request and tells what it asked and what came of it.
    public func exchange(path: String, headers: [(name: String, value: String)], body: [UInt8]) -> Exchange {
        let decoded: SandboxWire.Decoded
        switch SandboxWire.decode(path: path, headers: headers, body: body) {
        case .success(let value): decoded = value
        case .failure(let error):
            return Exchange(
                response: SandboxWire.errorResponse(status: error.status, text: error.text, path: path, headers: headers),
                error: Int64(error.status))
        }
        let cleanPath =
            path.containsByte(UInt8(ascii: "?")) ? path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path : path
        // Only below the API root, as on a real panel (issue 14: `/campaigns/get_status`
        // was answered, so a runbook rehearsed here could fail against the real API).
        guard cleanPath.hasPrefix(Endpoint.apiRoot) else {
            let reply = SandboxReply.unknownMethod(cleanPath)
            return Exchange(
                response: SandboxWire.encode(reply, decoded.format), parameters: decoded.parameters,
                error: reply.envelope["error"]?.intValue)
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
                return Exchange(
                    response: SandboxWire.errorResponse(
                        status: 500, text: "Sandbox state: \(error)", path: path, headers: headers),
                    parameters: decoded.parameters, error: 500)
            }
        } else {
            reply = engine.withLock { $0.handle(path: cleanPath, parameters: decoded.parameters, bearer: decoded.bearer) }
        }
        return Exchange(
            response: SandboxWire.encode(reply, decoded.format), parameters: decoded.parameters,
            error: reply.envelope["error"]?.intValue, created: reply.envelope["data"]?["saved_id"]?.intValue)
    }

    /// The parameters of a request the server answers without the engine (an injected
    /// fault), for its request log; nil when the body cannot be read.
    public static func parameters(path: String, headers: [(name: String, value: String)], body: [UInt8]) -> WireObject? {
        try? SandboxWire.decode(path: path, headers: headers, body: body).get().parameters
    }

    /// Reads or changes the engine directly (tests, `sandbox reset`).
    public func withEngine<T>(_ body: (inout SandboxEngine) throws -> T) rethrows -> T {
        try engine.withLock { try body(&$0) }
    }
}
