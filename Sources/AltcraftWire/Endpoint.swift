/// One method of the Altcraft v72 Campaigns API: its path and whether it is safe to repeat.
public enum Endpoint: String, Sendable, CaseIterable, Hashable {
    case activate = "campaigns/activate/"
    case deactivate = "campaigns/deactivate"
    case list = "campaigns/list"
    case get = "campaigns/get"
    case log = "campaigns/log_v2"
    case clone = "campaigns/clone"
    /// INFERRED path: the Altcraft reference documents no delete page (docs/sandbox.md).
    case delete = "campaigns/delete"
    case status = "campaigns/get_status"
    case broadcastsList = "campaigns/broadcasts/list"
    case broadcastsGet = "campaigns/broadcasts/get"
    case broadcastsStart = "campaigns/broadcasts/start"
    case regularsList = "campaigns/regulars/list/"
    case regularsGet = "campaigns/regulars/get"
    case regularsStart = "campaigns/regulars/start"
    case triggersList = "campaigns/triggers/list/"
    case triggersGet = "campaigns/triggers/get"

    /// The root every request path starts with (the reference's base URL path).
    public static let apiRoot = "/api/v1.1/"

    /// The path below the API root, in the form the reference writes it.
    public var path: String { Self.apiRoot + rawValue }

    /// The method's name without the trailing slash, as used in messages: `campaigns/deactivate`.
    public var name: String {
        rawValue.hasSuffix("/") ? String(rawValue.dropLast()) : rawValue
    }

    /// Finds the endpoint for a method name or a request path, with or without the `/api/v1.1/`
    /// prefix and the trailing slash. (An HTTP request must have the prefix: the sandbox checks
    /// that before asking this, as the real API would answer 404.)
    public init?(path: String) {
        // On the UTF-8 bytes: every separator is ASCII, and comparing characters was most of
        // this lookup's cost, which every embedded call pays twice (docs/performance.md).
        var trimmed = Substring(path).utf8
        if let query = path.utf8Offset(of: UInt8(ascii: "?")) { trimmed = trimmed.prefix(query) }
        for prefix in Self.prefixes where trimmed.starts(with: prefix) {
            trimmed = trimmed.dropFirst(prefix.count)
            break
        }
        while trimmed.last == UInt8(ascii: "/") { trimmed = trimmed.dropLast() }
        guard let match = Endpoint.byName[Substring(trimmed)] else { return nil }
        self = match
    }

    private static let prefixes = ["/api/v1.1/", "api/v1.1/", "/"].map { Array($0.utf8) }

    // A table, not a scan of `allCases` comparing built names: every call of the embedded
    // sandbox looks its path up twice, and the scan was 5 % of a bulk run (docs/performance.md).
    private static let byName = Dictionary(uniqueKeysWithValues: allCases.map { (Substring($0.name), $0) })

    /// Whether the method changes campaign state (a dry run must not send it).
    public var isMutating: Bool {
        switch self {
        case .activate, .deactivate, .clone, .delete, .broadcastsStart, .regularsStart: return true
        default: return false
        }
    }

    /// The default retry policy; `activate` with `run_now` is decided per request.
    public var defaultRetryPolicy: RetryPolicy {
        switch self {
        case .clone, .broadcastsStart, .regularsStart: return .onlyIfNotSent
        default: return .idempotent
        }
    }
}

/// Whether a call may be sent again after a failure.
public enum RetryPolicy: Sendable, Hashable {
    /// Repeating it cannot do harm: retried on transport failures, 5xx and 429.
    case idempotent
    /// Repeating it could act twice (a second clone, a second send): retried only when the
    /// request certainly did not reach the server (the connection was never made) or the
    /// server said it did not process it (429).
    case onlyIfNotSent
}
