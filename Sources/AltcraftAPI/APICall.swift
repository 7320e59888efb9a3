import AltcraftWire

/// One API call before it is sent: endpoint and parameters, without the token.
///
/// Building a call is pure, so a dry run can show exactly what would be sent.
public struct APICall: Sendable, Hashable {
    public var endpoint: Endpoint
    /// The body parameters other than `token`.
    public var parameters: WireObject
    /// The campaign the call is about, for error messages.
    public var campaignID: Int64?
    public var retryPolicy: RetryPolicy
    /// A `not found` after an attempt that may have been applied means our earlier attempt
    /// did the work (a retried delete).
    public var notFoundAfterRetryIsSuccess: Bool

    public init(
        _ endpoint: Endpoint, parameters: WireObject = WireObject(), campaignID: Int64? = nil,
        retryPolicy: RetryPolicy? = nil, notFoundAfterRetryIsSuccess: Bool = false
    ) {
        self.endpoint = endpoint
        self.parameters = parameters
        self.campaignID = campaignID
        self.retryPolicy = retryPolicy ?? endpoint.defaultRetryPolicy
        self.notFoundAfterRetryIsSuccess = notFoundAfterRetryIsSuccess
    }

    static func byID(_ endpoint: Endpoint, _ id: Int64, _ extra: [(String, WireValue)] = []) -> APICall {
        var parameters = WireObject([("id", .int(id))])
        for (key, value) in extra { parameters[key] = value }
        return APICall(endpoint, parameters: parameters, campaignID: id)
    }

    // MARK: The calls of the Altcraft v72 API (docs/client.md)

    public static func activate(id: Int64, runNow: Bool = false, options: LaunchOptions = LaunchOptions()) -> APICall {
        var call = byID(.activate, id)
        if runNow { call.parameters["run_now"] = .bool(true) }
        options.add(to: &call.parameters)
        // Activating twice is harmless; launching twice sends twice.
        call.retryPolicy = runNow ? .onlyIfNotSent : .idempotent
        return call
    }

    public static func deactivate(id: Int64, abortIfRunning: Bool = false) -> APICall {
        var call = byID(.deactivate, id)
        if abortIfRunning { call.parameters["abort_if_running"] = .bool(true) }
        return call
    }

    public static func list(_ query: CampaignListQuery = CampaignListQuery()) -> APICall {
        APICall(.list, parameters: query.parameters)
    }

    public static func get(id: Int64) -> APICall { byID(.get, id) }

    public static func log(id: Int64, fromTime: String? = nil, limit: Int64? = nil) -> APICall {
        var call = byID(.log, id)
        if let fromTime { call.parameters["from_time"] = .string(fromTime) }
        if let limit { call.parameters["limit"] = .int(limit) }
        return call
    }

    public static func clone(id: Int64, name: String? = nil) -> APICall {
        var call = byID(.clone, id)
        if let name { call.parameters["name"] = .string(name) }
        return call
    }

    public static func delete(id: Int64) -> APICall {
        var call = byID(.delete, id)
        call.notFoundAfterRetryIsSuccess = true
        return call
    }

    public static func status(id: Int64) -> APICall { byID(.status, id) }

    public static func typedList(_ endpoint: Endpoint, _ query: CampaignListQuery) -> APICall {
        APICall(endpoint, parameters: query.parameters)
    }

    public static func start(_ endpoint: Endpoint, id: Int64, options: LaunchOptions = LaunchOptions()) -> APICall {
        var call = byID(endpoint, id)
        options.add(to: &call.parameters)
        return call
    }
}
