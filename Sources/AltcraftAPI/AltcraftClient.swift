import AltcraftWire
import Foundation
import Logging

/// The client core: one typed async method per Campaigns endpoint of Altcraft v72.
///
/// Each call is built (pure), sent through the transport with retries where repeating is
/// safe, and decoded (pure). Errors are `AltcraftError` values that name the stage, the
/// endpoint and the campaign, never the token.
public final class AltcraftClient: Sendable {
    public let configuration: ClientConfiguration
    public let transport: any AltcraftTransport
    let logger: Logger
    let redactor: Redactor
    let sleep: @Sendable (Duration) async throws -> Void
    let jitter: @Sendable () -> Double

    /// - Parameters:
    ///   - sleep: waits between retries; tests inject one that records instead of waiting.
    ///   - jitter: a number in 0..<1 that spreads retries of many clients apart.
    public init(
        configuration: ClientConfiguration, transport: any AltcraftTransport,
        logger: Logger = Logger(label: "cops.api", factory: { _ in SwiftLogNoOpLogHandler() }),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.configuration = configuration
        self.transport = transport
        self.logger = logger
        self.redactor = Redactor(secrets: [configuration.token])
        self.sleep = sleep
        self.jitter = jitter
    }

    public func shutdown() async { await transport.shutdown() }

    // MARK: Campaigns

    /// Marks a campaign active; with `runNow` it is also launched at once (overrides apply
    /// only then).
    public func activate(id: Int64, runNow: Bool = false, options: LaunchOptions = LaunchOptions()) async throws(AltcraftError) {
        _ = try await perform(.activate(id: id, runNow: runNow, options: options))
    }

    /// Switches a campaign off; `abortIfRunning` drops the messages still queued.
    public func deactivate(id: Int64, abortIfRunning: Bool = false) async throws(AltcraftError) {
        _ = try await perform(.deactivate(id: id, abortIfRunning: abortIfRunning))
    }

    /// One page of `campaigns/list`.
    public func list(_ query: CampaignListQuery = CampaignListQuery()) async throws(AltcraftError) -> CampaignPage {
        try await page(.list(query))
    }

    /// Every campaign matching the query, page by page as the sequence is read.
    public func listAll(_ query: CampaignListQuery = CampaignListQuery()) -> CampaignListSequence {
        CampaignListSequence(client: self, endpoint: .list, query: query)
    }

    /// The campaign's whole record (`campaigns/get`).
    public func get(id: Int64) async throws(AltcraftError) -> CampaignRecord {
        let call = APICall.get(id: id)
        return try decode(call, try await perform(call).data) { data throws(WireDecodingError) in try CampaignRecord(wire: data) }
    }

    /// Log entries (`campaigns/log_v2`); `fromTime` is RFC 3339.
    public func log(id: Int64, fromTime: String? = nil, limit: Int64? = nil) async throws(AltcraftError) -> CampaignLog {
        let call = APICall.log(id: id, fromTime: fromTime, limit: limit)
        let answer = try await perform(call)
        return try decode(call, answer.data) { data throws(WireDecodingError) in
            var entries: [LogEntry] = []
            guard let items = data.arrayValue else { throw WireDecodingError("data should be a list, got \(data.kindName)") }
            for item in items { entries.append(try LogEntry(wire: item)) }
            return CampaignLog(
                entries: entries, totalCount: answer.envelope["total_count"]?.intValue.flatMap { Int(exactly: $0) })
        }
    }

    /// Copies a campaign; returns the new campaign's ID. Never retried once it may have been
    /// sent, so it cannot create two copies.
    public func clone(id: Int64, name: String? = nil) async throws(AltcraftError) -> Int64 {
        let call = APICall.clone(id: id, name: name)
        return try clonedID(in: try await perform(call), of: call)
    }

    /// The new campaign's ID in the answer to a `campaigns/clone` call.
    public func clonedID(in answer: Answer, of call: APICall) throws(AltcraftError) -> Int64 {
        try decode(call, answer.data) { data throws(WireDecodingError) in
            try WireReader(data, context: "clone answer").int("saved_id")
        }
    }

    /// Deletes a campaign. A retry that finds the campaign gone counts as success.
    public func delete(id: Int64) async throws(AltcraftError) {
        _ = try await perform(.delete(id: id))
    }

    /// `campaigns/get_status`.
    public func status(id: Int64) async throws(AltcraftError) -> CampaignStatus {
        let call = APICall.status(id: id)
        return try decode(call, try await perform(call).data) { data throws(WireDecodingError) in try CampaignStatus(wire: data) }
    }

    // MARK: Per-type sub-APIs (broadcasts, regulars, triggers)

    public var broadcasts: TypedCampaigns {
        TypedCampaigns(client: self, list: .broadcastsList, get: .broadcastsGet, start: .broadcastsStart)
    }
    public var regulars: TypedCampaigns {
        TypedCampaigns(client: self, list: .regularsList, get: .regularsGet, start: .regularsStart)
    }
    public var triggers: TypedCampaigns {
        TypedCampaigns(client: self, list: .triggersList, get: .triggersGet, start: nil)
    }

    // MARK: Building, sending, decoding

    /// The answer of a successful call: its `data` and the whole envelope.
    public struct Answer: Sendable {
        public var data: WireValue
        public var envelope: WireObject
    }

    func page(_ call: APICall) async throws(AltcraftError) -> CampaignPage {
        let answer = try await perform(call)
        return try decode(call, answer.data) { data throws(WireDecodingError) in
            guard let items = data.arrayValue else { throw WireDecodingError("data should be a list, got \(data.kindName)") }
            var campaigns: [CampaignSummary] = []
            campaigns.reserveCapacity(items.count)
            for item in items { campaigns.append(try CampaignSummary(wire: item)) }
            return CampaignPage(
                campaigns: campaigns, totalCount: answer.envelope["total_count"]?.intValue.flatMap { Int(exactly: $0) },
                nextFromID: answer.envelope["next_from_id"]?.intValue)
        }
    }

    func decode<T>(_ call: APICall, _ data: WireValue, _ body: (WireValue) throws(WireDecodingError) -> T) throws(AltcraftError)
        -> T
    {
        do {
            return try body(data)
        } catch {
            throw AltcraftError(.decoding(redactor.redact(error.message)), endpoint: call.endpoint, campaignID: call.campaignID)
        }
    }

    /// The request that `call` becomes on the wire.
    public func request(for call: APICall) -> TransportRequest {
        var headers: [(name: String, value: String)] = [
            ("Content-Type", configuration.format.contentType + "; charset=utf-8"),
            ("Accept", configuration.format.contentType),
            ("User-Agent", configuration.userAgent),
        ]
        if configuration.tokenPlacement == .bearerHeader { headers.append(("Authorization", "Bearer " + configuration.token)) }
        return TransportRequest(
            path: call.endpoint.path, headers: headers, body: body(for: call, token: configuration.token),
            timeout: configuration.timeout, maximumResponseBytes: configuration.maximumResponseBytes)
    }

    /// What a dry run prints: method, path and body, with the token replaced by a mask.
    public func plan(for call: APICall) -> String {
        let text = String(decoding: body(for: call, token: Redactor.mask), as: UTF8.self)
        return "POST \(call.endpoint.path) \(redactor.redact(text))"
    }

    /// The encoded body: the token first when it travels in the body, then the parameters,
    /// and `format` for XML so the answer comes back in XML too. One place, so a dry-run plan
    /// is exactly what would be sent.
    func body(for call: APICall, token: String) -> [UInt8] {
        var body = call.parameters
        if configuration.tokenPlacement == .body {
            body = WireObject([("token", .string(token))] + body.fields.map { ($0.key, $0.value) })
        }
        if configuration.format == .xml, body["format"] == nil { body["format"] = .string("xml") }
        return configuration.format.encode(.object(body))
    }

    /// Sends a call, retrying as its policy allows, and returns the decoded envelope.
    public func perform(_ call: APICall) async throws(AltcraftError) -> Answer {
        let request = request(for: call)
        var attempt = 0
        var mayHaveBeenApplied = false
        while true {
            attempt += 1
            func fail(_ kind: AltcraftError.Kind) -> AltcraftError {
                AltcraftError(
                    kind, endpoint: call.endpoint, campaignID: call.campaignID, attempts: attempt,
                    mayHaveBeenApplied: mayHaveBeenApplied && call.endpoint.isMutating)
            }
            if Task.isCancelled { throw fail(.cancelled) }
            // The trace (`cops -v`) shows what goes out as a dry-run plan does: token masked.
            logger.trace("→ \(plan(for: call))", metadata: ["attempt": "\(attempt)"])
            let started = ContinuousClock.now
            let retryDelay: Duration?
            let failure: AltcraftError
            var outcome: Result<TransportResponse, TransportError>
            do throws(TransportError) {
                outcome = .success(try await transport.send(request))
            } catch {
                outcome = .failure(error)
            }
            switch outcome {
            case .success(let response):
                logger.debug(
                    "\(call.endpoint.name) → HTTP \(response.status), \(response.body.count) bytes",
                    metadata: ["attempt": "\(attempt)", "ms": "\(Int((ContinuousClock.now - started).seconds * 1000))"])
                logger.trace("← \(traceText(response))")
                if response.status == 429 {
                    // The server says it did not process the request: safe to repeat anything.
                    retryDelay = retryAfter(response) ?? backoff(attempt)
                    failure = fail(.httpStatus(429, apiCode: nil, apiText: nil))
                } else if response.status >= 500 {
                    mayHaveBeenApplied = true
                    failure = fail(httpFailure(response))
                    retryDelay = call.retryPolicy == .idempotent ? (retryAfter(response) ?? backoff(attempt)) : nil
                } else {
                    do throws(AltcraftError) {
                        return try decodeAnswer(response, call)
                    } catch {
                        if error.isNotFound, call.notFoundAfterRetryIsSuccess, mayHaveBeenApplied {
                            logger.debug("\(call.endpoint.name): not found after an uncertain attempt; taking it as done")
                            return Answer(data: .null, envelope: WireObject())
                        }
                        throw AltcraftError(
                            error.kind, endpoint: call.endpoint, campaignID: call.campaignID, attempts: attempt,
                            mayHaveBeenApplied: false)
                    }
                }
            case .failure(let error):
                logger.debug("\(call.endpoint.name) → \(error)", metadata: ["attempt": "\(attempt)"])
                switch error {
                case .cancelled:
                    throw fail(.cancelled)
                case .connectFailed(let why):
                    failure = fail(.unreachable(redactor.redact(why)))
                    retryDelay = backoff(attempt)
                case .connectionLost(let why):
                    mayHaveBeenApplied = true
                    failure = fail(.connectionLost(redactor.redact(why)))
                    retryDelay = call.retryPolicy == .idempotent ? backoff(attempt) : nil
                case .timedOut(let server):
                    mayHaveBeenApplied = true
                    failure = fail(.timedOut(seconds: configuration.timeout.seconds, server: server.map(redactor.redact)))
                    retryDelay = call.retryPolicy == .idempotent ? backoff(attempt) : nil
                case .responseTooLarge(let limit):
                    throw fail(.responseTooLarge(limit: limit))
                case .tlsFailed(let why):
                    throw fail(.tls(redactor.redact(why)))
                case .proxyRefused(let why):
                    throw fail(.unreachable(redactor.redact(why)))
                }
            }
            guard let delay = retryDelay, attempt <= configuration.retries else { throw failure }
            logger.debug("\(call.endpoint.name): retrying in \(delay)", metadata: ["attempt": "\(attempt)"])
            do {
                try await sleep(delay)
            } catch {
                throw fail(.cancelled)
            }
        }
    }

    /// An answer for the trace: status and the start of the body, any echoed token masked.
    func traceText(_ response: TransportResponse) -> String {
        let limit = 2048
        var text = String(decoding: response.body.prefix(limit), as: UTF8.self)
        if response.body.count > limit { text += "… (\(response.body.count) bytes)" }
        return "HTTP \(response.status) " + redactor.redact(text)
    }

    func httpFailure(_ response: TransportResponse) -> AltcraftError.Kind {
        if let envelope = try? Self.parseBody(response, fallback: configuration.format).objectValue,
            let code = envelope["error"]?.intValue
        {
            return .httpStatus(
                response.status, apiCode: Int(clamping: code), apiText: redactor.redact(envelope["error_text"]?.stringValue ?? "")
            )
        }
        return .httpStatus(response.status, apiCode: nil, apiText: nil)
    }

    func decodeAnswer(_ response: TransportResponse, _ call: APICall) throws(AltcraftError) -> Answer {
        func fail(_ kind: AltcraftError.Kind) -> AltcraftError {
            AltcraftError(kind, endpoint: call.endpoint, campaignID: call.campaignID)
        }
        guard (200..<300).contains(response.status) else { throw fail(httpFailure(response)) }
        let value: WireValue
        do {
            value = try Self.parseBody(response, fallback: configuration.format)
        } catch {
            throw fail(.decoding(redactor.redact(error.description)))
        }
        guard case .object(let envelope) = value else {
            throw fail(.decoding("expected an envelope object, got \(value.kindName)"))
        }
        guard let codeValue = envelope["error"] else { throw fail(.decoding("the answer has no 'error' field")) }
        guard let code = codeValue.intValue else {
            throw fail(.decoding("field 'error' should be an integer, got \(codeValue.kindName)"))
        }
        if code != 0 {
            throw fail(.api(code: Int(clamping: code), text: redactor.redact(envelope["error_text"]?.stringValue ?? "")))
        }
        return Answer(data: envelope["data"] ?? .null, envelope: envelope)
    }

    /// Parses a body by its Content-Type, or by its first character when the type says
    /// nothing useful.
    static func parseBody(_ response: TransportResponse, fallback: WireFormat) throws(WireFormatError)
        -> WireValue
    {
        let type = response.header("Content-Type") ?? ""
        if type.containsIgnoringASCIICase("html") {
            throw WireFormatError("expected an API answer, got an HTML page")
        }
        let format = WireFormat(contentType: type, body: response.body, fallback: fallback)
        if format == .json, WireFormat.leadingByte(of: response.body) == UInt8(ascii: "<") {
            throw WireFormatError("expected JSON, got markup (an HTML or XML page)")
        }
        return try format.decode(response.body)
    }

    /// Exponential backoff with jitter: half the delay fixed, half random.
    func backoff(_ attempt: Int) -> Duration {
        let base = configuration.initialBackoff.seconds * pow(2, Double(min(attempt - 1, 20)))
        let capped = min(base, configuration.maximumBackoff.seconds)
        return .milliseconds(Int64((capped / 2 + capped / 2 * jitter()) * 1000))
    }

    /// `Retry-After` in seconds or as an HTTP date, capped at `maximumRetryAfter`.
    func retryAfter(_ response: TransportResponse) -> Duration? {
        guard let text = response.header("Retry-After")?.trimmingCharacters(in: .whitespaces) else { return nil }
        var seconds: Double?
        if let value = Double(text), value >= 0 {
            seconds = value
        } else {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
            if let date = formatter.date(from: text) { seconds = max(0, date.timeIntervalSinceNow) }
        }
        guard let seconds else { return nil }
        return .milliseconds(Int64(min(seconds, configuration.maximumRetryAfter.seconds) * 1000))
    }
}

/// The list/get/start methods of one campaign type (`broadcasts`, `regulars`, `triggers`).
public struct TypedCampaigns: Sendable {
    let client: AltcraftClient
    let listEndpoint: Endpoint
    let getEndpoint: Endpoint
    let startEndpoint: Endpoint?

    init(client: AltcraftClient, list: Endpoint, get: Endpoint, start: Endpoint?) {
        self.client = client
        self.listEndpoint = list
        self.getEndpoint = get
        self.startEndpoint = start
    }

    public func list(_ query: CampaignListQuery = CampaignListQuery()) async throws(AltcraftError) -> CampaignPage {
        try await client.page(.typedList(listEndpoint, query))
    }

    public func listAll(_ query: CampaignListQuery = CampaignListQuery()) -> CampaignListSequence {
        CampaignListSequence(client: client, endpoint: listEndpoint, query: query)
    }

    public func get(id: Int64) async throws(AltcraftError) -> CampaignRecord {
        let call = APICall.byID(getEndpoint, id)
        return try client.decode(call, try await client.perform(call).data) { data throws(WireDecodingError) in
            try CampaignRecord(wire: data)
        }
    }

    /// Launches an active campaign now (broadcasts and regulars only). Never retried once it
    /// may have been sent.
    public func start(id: Int64, options: LaunchOptions = LaunchOptions()) async throws(AltcraftError) {
        guard let startEndpoint else {
            throw AltcraftError(
                .invalidRequest("trigger campaigns are launched by their trigger"), endpoint: getEndpoint, campaignID: id)
        }
        _ = try await client.perform(.start(startEndpoint, id: id, options: options))
    }
}
