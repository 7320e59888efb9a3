import AltcraftWire

/// A failed API call: which stage failed, for which endpoint and campaign.
///
/// Never carries the token: messages are built from our own wording and from server text
/// that has been passed through the client's redactor.
public struct AltcraftError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Stage: String, Sendable, Equatable {
        case building, transport
        case httpStatus = "http-status"
        case api, decoding, cancelled
    }

    public enum Kind: Sendable, Equatable {
        /// The request could not be built (bad parameters, a bad endpoint URL).
        case invalidRequest(String)
        /// The connection could not be made: the request never reached the server.
        case unreachable(String)
        /// TLS could not be set up; the text names the endpoint and what to do. Not retried.
        case tls(String)
        /// The connection failed after the request may have been sent.
        case connectionLost(String)
        /// No complete answer within the per-request timeout; `server` is the endpoint origin
        /// (with the proxy, if any), as the other transport failures name it.
        case timedOut(seconds: Double, server: String?)
        /// The body was larger than the client accepts.
        case responseTooLarge(limit: Int)
        /// A non-2xx HTTP status; the envelope is kept when the body parsed.
        case httpStatus(Int, apiCode: Int?, apiText: String?)
        /// The envelope said `error != 0`.
        case api(code: Int, text: String)
        /// The body could not be read as the expected answer.
        case decoding(String)
        /// The caller cancelled the call.
        case cancelled
    }

    public var kind: Kind
    public var endpoint: Endpoint
    public var campaignID: Int64?
    /// How many times the request was sent in all.
    public var attempts: Int
    /// True when the server may have carried the request out although we report a failure
    /// (the connection broke after sending, or a 5xx came back).
    public var mayHaveBeenApplied: Bool

    public init(
        _ kind: Kind, endpoint: Endpoint, campaignID: Int64? = nil, attempts: Int = 1, mayHaveBeenApplied: Bool = false
    ) {
        self.kind = kind
        self.endpoint = endpoint
        self.campaignID = campaignID
        self.attempts = attempts
        self.mayHaveBeenApplied = mayHaveBeenApplied
    }

    public var stage: Stage {
        switch kind {
        case .invalidRequest: return .building
        case .unreachable, .tls, .connectionLost, .timedOut: return .transport
        case .httpStatus: return .httpStatus
        case .api: return .api
        case .decoding, .responseTooLarge: return .decoding
        case .cancelled: return .cancelled
        }
    }

    /// The API's own error code, when the server sent an envelope.
    public var apiCode: Int? {
        switch kind {
        case .api(let code, _): return code
        case .httpStatus(_, let code, _): return code
        default: return nil
        }
    }

    /// The server refused the token (API code or HTTP status 401/403).
    public var isAuthenticationFailure: Bool {
        if let apiCode, apiCode == 401 || apiCode == 403 { return true }
        if case .httpStatus(let status, _, _) = kind, status == 401 || status == 403 { return true }
        return false
    }

    /// The campaign does not exist (API code 404, or an error text saying so).
    public var isNotFound: Bool {
        switch kind {
        case .api(let code, let text), .httpStatus(_, .some(let code), .some(let text)):
            return code == APIErrorCode.notFound || text.lowercased().contains("not found")
        case .httpStatus(404, nil, _):
            return false  // a 404 without an envelope is a wrong URL, not a missing campaign
        default:
            return false
        }
    }

    /// The API could not be reached at all, even after retries.
    public var isUnreachable: Bool {
        switch kind {
        case .unreachable, .tls, .timedOut, .connectionLost: return true
        case .httpStatus(let status, _, _): return status == 429
        default: return false
        }
    }

    /// The server answered with a 5xx status: its own failure, not an unreachable API.
    public var isServerError: Bool {
        switch kind {
        case .httpStatus(let status, _, _): return status >= 500
        default: return false
        }
    }

    public var description: String {
        var text = "\(endpoint.name)"
        if let campaignID { text += " (id \(campaignID))" }
        text += ": " + summary
        if attempts > 1 { text += " after \(attempts) attempts" }
        if mayHaveBeenApplied { text += "; the server may have carried it out" }
        return text
    }

    /// The failure without the endpoint: what a table cell shows.
    public var summary: String {
        switch kind {
        case .invalidRequest(let why): return "invalid request: \(why)"
        case .unreachable(let why): return "cannot reach the API: \(why)"
        case .tls(let why): return "TLS: \(why)"
        case .connectionLost(let why): return "connection lost: \(why)"
        case .timedOut(let seconds, let server):
            return "no answer within \(formatSeconds(seconds))" + (server.map { " (\($0))" } ?? "")
        case .responseTooLarge(let limit): return "answer larger than \(limit) bytes"
        case .httpStatus(let status, let code, let text):
            if let code, let text { return "HTTP \(status), API error \(code) (\(text))" }
            return "HTTP \(status)"
        case .api(let code, let text): return "API error \(code) (\(text))"
        case .decoding(let why): return "unreadable answer: \(why)"
        case .cancelled: return "cancelled"
        }
    }

    private func formatSeconds(_ seconds: Double) -> String {
        seconds.rounded() == seconds ? "\(Int(seconds))s" : "\(seconds)s"
    }
}
