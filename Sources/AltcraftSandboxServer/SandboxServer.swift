import AltcraftSandbox
import AltcraftWire
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdHTTP2
import HummingbirdTLS
import Logging
import NIOCore

/// The sandbox over HTTP (or https) on loopback, speaking the reference's wire protocol,
/// with faults.
public struct SandboxServer: Sendable {
    public let sandbox: Sandbox
    public let host: String
    public let port: Int
    public let faults: FaultPlan
    /// Serve https with this certificate and key instead of plain http. Every fault, the
    /// request log and the POST-only rule are the same either way: TLS only wraps the
    /// connection the responder answers on.
    public let tls: SandboxTLS?
    /// Where every answered request is logged (`--request-log`), if anywhere.
    public var requestLog: SandboxRequestLog?
    /// Request bodies larger than this are refused (the reference's 10 Mb body limit).
    public var maximumBodyBytes = 10 << 20

    public init(
        sandbox: Sandbox, host: String = "127.0.0.1", port: Int = 0, faults: FaultPlan = FaultPlan(), tls: SandboxTLS? = nil
    ) {
        self.sandbox = sandbox
        self.host = host
        self.port = port
        self.faults = faults
        self.tls = tls
    }

    /// `http` or `https`, for the URL a client is given.
    public var scheme: String { tls == nil ? "http" : "https" }

    /// Serves until the calling task is cancelled; `onListening` receives the bound port
    /// (useful with port 0).
    public func run(logger: Logger? = nil, onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let injector = FaultInjector(plan: faults)
        let sandbox = self.sandbox
        let maximumBodyBytes = self.maximumBodyBytes
        let requestLog = self.requestLog
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            try await Self.respond(
                request, sandbox: sandbox, injector: injector, maximumBodyBytes: maximumBodyBytes, log: requestLog)
        }
        var quiet = logger ?? Logger(label: "cops.sandbox")
        if logger == nil { quiet.logLevel = .critical }
        let server: HTTPServerBuilder
        switch tls {
        case nil: server = .http1()
        case let tls? where tls.offersHTTP2: server = try .http2Upgrade(tlsConfiguration: tls.configuration)
        case let tls?: server = try .tls(.http1(), tlsConfiguration: tls.configuration)
        }
        let app = Application(
            responder: responder,
            server: server,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "cops-sandbox"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: quiet)
        try await app.runService(gracefulShutdownSignals: [])
    }

    static func respond(
        _ request: Request, sandbox: Sandbox, injector: FaultInjector, maximumBodyBytes: Int, log: SandboxRequestLog?
    ) async throws -> Response {
        var headers: [(name: String, value: String)] = []
        for field in request.headers { headers.append((field.name.rawName, field.value)) }
        let path = request.uri.description
        let logPath = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        func failure(_ status: Int, _ text: String) -> TransportResponse {
            SandboxWire.errorResponse(status: status, text: text, path: path, headers: headers)
        }
        guard request.method == .post else {
            log?.record(.init(path: logPath, status: 405, error: 405))
            return response(
                failure(405, "Method not allowed: the API takes POST only"),
                extraHeaders: [.allow: "POST"])
        }
        let decision = injector.decide()
        if decision.delay > 0 { try await Task.sleep(for: .milliseconds(Int64(decision.delay * 1000))) }
        /// A request refused by a fault before the engine: its body is read only for the log.
        func logRefused(_ status: Int, fault: String) async {
            guard let log else { return }
            let body = try? await request.body.collect(upTo: maximumBodyBytes)
            let parameters = body.flatMap {
                Sandbox.parameters(path: path, headers: headers, body: Array($0.readableBytesView))
            }
            log.record(.init(path: logPath, parameters: parameters, status: status, error: Int64(status), fault: fault))
        }
        switch decision.action {
        case .rateLimited(let retryAfter):
            await logRefused(429, fault: "rate-limit")
            let reply = failure(429, "Too many requests")
            return response(reply, extraHeaders: [.retryAfter: String(retryAfter)])
        case .fail:
            await logRefused(500, fault: "fail")
            return response(failure(500, "Internal error (injected fault)"))
        case .stall:
            // Never answers (so never logged); the client's timeout must end it. Ends when the
            // server stops.
            try await Task.sleep(for: .seconds(3600))
            return Response(status: .gatewayTimeout)
        default:
            break
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maximumBodyBytes)
        } catch {
            log?.record(.init(path: logPath, status: 413, error: 413))
            return response(failure(413, "Request body too large"))
        }
        let exchange = sandbox.exchange(path: path, headers: headers, body: Array(buffer.readableBytesView))
        let answer = exchange.response
        let fault: String? =
            switch decision.action {
            case .reset: "reset"
            case .closeAfterHeaders: "close"
            default: nil
            }
        log?.record(
            .init(
                path: logPath, parameters: exchange.parameters, status: answer.status, error: exchange.error,
                created: exchange.created, fault: fault))
        switch decision.action {
        case .reset:
            // Promise the whole body, send part of it, then drop the connection.
            let partial = ByteBuffer(bytes: answer.body.prefix(max(1, answer.body.count / 2)))
            return Response(
                status: .init(code: answer.status), headers: fields(answer.headers),
                body: ResponseBody(contentLength: answer.body.count) { writer in
                    try await writer.write(partial)
                    throw InjectedFault()
                })
        case .closeAfterHeaders:
            return Response(
                status: .init(code: answer.status), headers: fields(answer.headers),
                body: ResponseBody(contentLength: answer.body.count) { _ in throw InjectedFault() })
        default:
            return response(answer)
        }
    }

    static func response(_ answer: TransportResponse, extraHeaders: HTTPFields = [:]) -> Response {
        var headers = fields(answer.headers)
        headers.append(contentsOf: extraHeaders)
        return Response(
            status: .init(code: answer.status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
    }

    static func fields(_ headers: [(name: String, value: String)]) -> HTTPFields {
        var fields = HTTPFields()
        for header in headers {
            if let name = HTTPField.Name(header.name) { fields.append(HTTPField(name: name, value: header.value)) }
        }
        return fields
    }
}

struct InjectedFault: Error {}
