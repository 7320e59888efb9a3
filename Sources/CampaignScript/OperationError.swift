/// Why a campaign operation failed, sorted the way exit statuses and `wait` need it.
public struct OperationError: Error, Sendable, Equatable {
    /// The classes of failure.
    public enum Kind: Sendable, Equatable {
        /// The campaign does not exist.
        case notFound
        /// The server refused the token (401/403).
        case authentication
        /// The API could not be reached, even after retries.
        case unreachable
        /// A secure connection could not be made (certificate, host name, handshake).
        case tls
        /// The server answered with a 5xx status: its own failure.
        case serverError
        /// The API answered with an error code.
        case api
        /// The operation was cancelled.
        case cancelled
        /// Anything else (an unreadable answer, an invalid request).
        case other
        /// A `--stream` statement with errors, not run (nothing was sent).
        case invalid
    }

    /// The class of failure.
    public var kind: Kind
    /// The API's error code, when it sent one.
    public var code: Int?
    /// What went wrong, without the operation: `API error 401 (API token required)`.
    public var text: String
    /// True when the request may have reached the server and been carried out although it
    /// failed (a timeout or a connection lost after sending, a 5xx): the run journal records
    /// such a change as possibly applied.
    public var mayHaveBeenApplied: Bool

    /// Creates an error.
    public init(_ kind: Kind, code: Int? = nil, text: String, mayHaveBeenApplied: Bool = false) {
        self.kind = kind
        self.code = code
        self.text = text
        self.mayHaveBeenApplied = mayHaveBeenApplied
    }

    /// A cancelled operation.
    public static let cancelled = OperationError(.cancelled, text: "cancelled")

    /// The kind as JSON output names it.
    public var kindName: String {
        switch kind {
        case .notFound: "not-found"
        case .authentication: "authentication"
        case .unreachable: "unreachable"
        case .tls: "tls"
        case .serverError: "server-error"
        case .api: "api"
        case .cancelled: "cancelled"
        case .other: "other"
        case .invalid: "invalid"
        }
    }
}
