import AltcraftWire
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `cops sandbox serve --request-log FILE`: one JSON object per line for every request the
/// server answered (docs/sandbox.md, "The request log"), so a person rehearsing a runbook, or
/// a test, can see exactly what reached the server and what came of it.
///
/// Each line is one `write` to a file opened for appending, never buffered: a reader sees it
/// as soon as the answer goes out, and a client killed mid-run loses nothing. The server's
/// token is masked wherever it would appear (a path is logged without its query, which may
/// carry it).
public final class SandboxRequestLog: Sendable {
    /// What the log records of one request.
    public struct Entry: Sendable {
        /// The request path without its query.
        public var path: String
        /// The request's parameters; only `id` and `name` are logged.
        public var parameters: WireObject?
        /// The HTTP status answered.
        public var status: Int
        /// The API error code of the answer (0: success); nil when no envelope was made.
        public var error: Int64?
        /// The ID a clone created.
        public var created: Int64?
        /// The injected fault: `fail`, `rate-limit`, `reset`, `close`; nil for none.
        public var fault: String?
    }

    private let descriptor: Mutex<Int32>
    private let token: String

    /// Opens (creating, 0600) `path` for appending; throws the reason when it cannot.
    public init(path: String, token: String) throws(SandboxRequestLogError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw SandboxRequestLogError(path: path, reason: String(cString: strerror(errno))) }
        self.descriptor = Mutex(descriptor)
        self.token = token
    }

    deinit {
        descriptor.withLock { _ = close($0) }
    }

    /// Appends the line of one answered request.
    public func record(_ entry: Entry) {
        let id = entry.parameters?["id"]
        var fields: [(String, WireValue)] = [
            ("time", .string(UTCTime.rfc3339(Date()))), ("path", .string(entry.path)),
            ("id", id?.intValue.map(WireValue.int) ?? id.map { .string($0.stringValue ?? "") } ?? .null),
        ]
        if let name = entry.parameters?["name"]?.stringValue { fields.append(("name", .string(name))) }
        fields += [
            ("status", .int(Int64(entry.status))), ("error", entry.error.map(WireValue.int) ?? .null),
            ("fault", entry.fault.map(WireValue.string) ?? .null),
        ]
        if let created = entry.created { fields.append(("created", .int(created))) }
        var line = JSONWire.encodeString(.object(WireObject(fields)))
        if !token.isEmpty { line = line.replacingOccurrences(of: token, with: "***") }
        let bytes = Array((line + "\n").utf8)
        descriptor.withLock { descriptor in
            var written = 0
            while written < bytes.count {
                let count = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                // A full disk loses the line, not the answer: the log serves the server.
                guard count > 0 else { return }
                written += count
            }
        }
    }

}

/// Why the request log cannot be opened.
public struct SandboxRequestLogError: Error, Sendable {
    public var path: String
    public var reason: String
}
