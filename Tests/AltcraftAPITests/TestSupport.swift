import AltcraftAPI
import AltcraftSandbox
import AltcraftSandboxServer
import AltcraftWire
import CopsTestSupport
import Foundation
import Logging
import Synchronization
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// Runs `body` against a `cops sandbox serve`-equivalent server on a loopback port, over
/// https (signed by the test PKI's CA) when `kind` speaks TLS. A server that does not start
/// fails the test.
func withSandboxServer<T: Sendable>(
    _ sandbox: Sandbox, faults: FaultPlan = FaultPlan(), over kind: TransportKind = .sockets,
    _ body: (String) async throws -> T
) async throws -> T {
    try await TestSandboxServer.with(sandbox, faults: faults, tls: try kind.serverTLS()) { url, _ in try await body(url) }
}

func makeSandbox(token: String = SandboxEngine.defaultToken, clock: ManualSandboxClock = ManualSandboxClock(), fillTo: Int = 0)
    -> Sandbox
{
    Sandbox(engine: SandboxEngine(token: token, clock: clock, fillTo: fillTo))
}

/// Records the waits a client asks for instead of waiting.
final class RecordingSleeper: Sendable {
    private let waits = Mutex<[Duration]>([])
    var recorded: [Duration] { waits.withLock { $0 } }
    var sleep: @Sendable (Duration) async throws -> Void {
        { duration in self.waits.withLock { $0.append(duration) } }
    }
}

/// A transport that answers from a list of canned results, recording requests.
final class StubTransport: AltcraftTransport {
    private let state: Mutex<(answers: [Result<TransportResponse, TransportError>], requests: [TransportRequest])>

    init(_ answers: [Result<TransportResponse, TransportError>]) {
        state = Mutex((answers, []))
    }

    convenience init(status: Int = 200, contentType: String = "application/json", body: String) {
        self.init([.success(TransportResponse(status: status, headers: [("Content-Type", contentType)], body: Array(body.utf8)))])
    }

    var requests: [TransportRequest] { state.withLock { $0.requests } }

    func send(_ request: TransportRequest) async throws(TransportError) -> TransportResponse {
        let next: Result<TransportResponse, TransportError> = state.withLock { state in
            state.requests.append(request)
            return state.answers.count > 1 ? state.answers.removeFirst() : state.answers[0]
        }
        return try next.get()
    }
}

/// Collects every log line, so tests can scan them for secrets.
final class CapturingLogHandler: LogHandler, @unchecked Sendable {
    static let lines = Mutex<[String]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    let label: String

    init(label: String) { self.label = label }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let text = "\(event.level) \(event.message) \(event.metadata ?? [:]) \(metadata)"
        Self.lines.withLock { $0.append(text) }
    }
}

/// A loopback HTTP server that answers every request with the bytes a test chooses, to play
/// a broken or hostile Altcraft.
final class RawHTTPServer: @unchecked Sendable {
    enum Behaviour: Sendable {
        /// Send these bytes, then close.
        case bytes([UInt8])
        /// Read the request and never answer (until the server stops).
        case silent
        /// Send these bytes, then keep the connection open and say nothing more.
        case bytesThenSilence([UInt8])
    }

    let port: Int
    private let listener: Int32
    private let behaviour: Behaviour
    private let stopped = StopFlag()
    private let thread: Thread
    private let acceptedCount = AcceptCounter()
    /// Connections accepted so far.
    var accepted: Int { acceptedCount.value.withLock { $0 } }

    init(_ behaviour: Behaviour) throws {
        self.behaviour = behaviour
        let (fd, port) = try listenOnLoopback()
        self.port = port
        listener = fd
        let stopped = self.stopped
        let acceptedCount = self.acceptedCount
        thread = Thread {
            var open: [Int32] = []
            while !stopped.isSet {
                let client = accept(fd, nil, nil)
                if client < 0 { break }
                acceptedCount.value.withLock { $0 += 1 }
                RawHTTPServer.readRequest(client)
                switch behaviour {
                case .bytes(let bytes):
                    _ = bytes.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    close(client)
                case .silent:
                    open.append(client)
                case .bytesThenSilence(let bytes):
                    _ = bytes.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    open.append(client)
                }
            }
            for client in open { close(client) }
        }
        thread.start()
    }

    var url: String { "http://127.0.0.1:\(port)" }

    func stop() {
        stopped.set()
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    /// Reads headers and a Content-Length body, so the client sees its request taken.
    static func readRequest(_ fd: Int32) {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { return }
            data.append(contentsOf: buffer[0..<count])
            let text = String(decoding: data, as: UTF8.self)
            if let end = text.range(of: "\r\n\r\n") {
                let head = text[..<end.lowerBound].lowercased()
                var length = 0
                if let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }) {
                    length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
                }
                let bodyStart = text.utf8.distance(from: text.utf8.startIndex, to: end.upperBound)
                if data.count - bodyStart >= length { return }
            }
        }
    }

    static func response(
        status: String = "200 OK", contentType: String = "application/json", body: String, declaredLength: Int? = nil
    ) -> [UInt8] {
        let bytes = Array(body.utf8)
        let head =
            "HTTP/1.1 \(status)\r\nContent-Type: \(contentType)\r\nContent-Length: \(declaredLength ?? bytes.count)\r\nConnection: close\r\n\r\n"
        return Array(head.utf8) + bytes
    }
}

/// The fixture folder taken from the reference.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func files(_ folder: String) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: root.appendingPathComponent(folder), includingPropertiesForKeys: nil)
            .filter { ["json", "xml"].contains($0.pathExtension) }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    static func bytes(_ url: URL) throws -> [UInt8] { Array(try Data(contentsOf: url)) }
}

final class AcceptCounter: Sendable {
    let value = Mutex(0)
}

final class StopFlag: Sendable {
    private let value = Mutex(false)
    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
}

/// Runs an operation that must fail, and returns its typed error.
func expectFailure<T>(
    _ operation: () async throws(AltcraftError) -> T, file: StaticString = #filePath, line: UInt = #line
) async -> AltcraftError? {
    do {
        _ = try await operation()
        XCTFail("expected an AltcraftError", file: file, line: line)
        return nil
    } catch {
        return error
    }
}

/// The ways cops talks HTTP; tests of the HTTP path run against each: `SocketTransport` for
/// direct `http://` and `https://` endpoints, `HTTPTransport` for plain http through a proxy
/// and for https that may use HTTP/2.
enum TransportKind: CaseIterable, Sendable {
    case asyncHTTPClient
    case sockets
    /// `SocketTransport` over TLS, trusting the test PKI's CA (the path real accounts take).
    case https
    /// async-http-client over TLS with HTTP/2 allowed (the sandbox offers h2 over TLS).
    case https2

    /// The kinds that speak plain HTTP (for servers that only speak plain HTTP).
    static let plain: [TransportKind] = [.asyncHTTPClient, .sockets]

    var usesTLS: Bool { self == .https || self == .https2 }

    func serverTLS() throws -> SandboxTLS? { usesTLS ? try TestPKI.shared().sandboxTLS() : nil }

    func make(_ url: String) throws -> any AltcraftTransport {
        switch self {
        case .asyncHTTPClient: return try HTTPTransport(baseURL: url)
        case .sockets: return try SocketTransport(baseURL: url)
        case .https, .https2:
            let options = ConnectionOptions(
                trust: .file(try TestPKI.shared().caCertificatePath), allowsHTTP2: self == .https2)
            // The transport cops picks for these options: SocketTransport, or HTTPTransport for h2.
            return try SocketTransport.forEndpoint(url, connection: try PreparedConnection(options, endpoint: url))
        }
    }
}

/// A listening TCP socket on 127.0.0.1 at a port the system picks: its descriptor and port.
func listenOnLoopback() throws -> (descriptor: Int32, port: Int) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var one: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0, listen(fd, 16) == 0 else {
        close(fd)
        throw TestSupportError("cannot listen on 127.0.0.1")
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &length) }
    }
    return (fd, Int(UInt16(bigEndian: address.sin_port)))
}

/// A loopback server whose answers a test scripts, over plain http or TLS.
protocol ScriptedServer: Sendable {
    var url: String { get }
    /// Connections accepted so far.
    var accepted: Int { get }
    /// Returns once this many requests have arrived.
    func waitForRequests(_ count: Int) async throws
}

/// What the socket transport's tests send to a `ScriptedServer`, and the checks both
/// schemes share.
protocol ScriptedExchanges {}

extension ScriptedExchanges {
    var ok: String { #"{"error":0,"error_text":"Successful","data":{"is_active":true,"is_completed":false,"status":"Sending"}}"# }
    var okAnswer: [UInt8] {
        Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(ok.utf8.count)\r\n\r\n\(ok)".utf8)
    }

    func request(timeout: Duration) -> TransportRequest {
        TransportRequest(
            path: "/api/v1.1/campaigns/get_status", headers: [(name: "Content-Type", value: "application/json")],
            body: Array(#"{"id":15}"#.utf8), timeout: timeout, maximumResponseBytes: 1 << 20)
    }

    /// 300 gets (campaigns 101–400, which the sandbox must hold) from 6 tasks at once: each
    /// gets its own campaign, over at most 6 connections.
    func checkManyGetsInFlightGetTheirOwnAnswers(_ client: AltcraftClient, _ transport: SocketTransport) async throws {
        let ids = Array(Int64(101)...Int64(400))
        let answered = try await withThrowingTaskGroup(of: [(Int64, CampaignRecord)].self) { group in
            for worker in 0..<6 {
                group.addTask {
                    var answers: [(Int64, CampaignRecord)] = []
                    for id in ids where Int(id) % 6 == worker { answers.append((id, try await client.get(id: id))) }
                    return answers
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        XCTAssertEqual(answered.map(\.0).sorted(), ids)
        for (id, record) in answered { XCTAssertEqual(record.id, id) }
        XCTAssertLessThanOrEqual(transport.openedConnections, 6)
    }

    /// A bulk statement's shape, preferring `transport`'s executor: 100 gets (campaigns
    /// 101–200, which the sandbox must hold) from 4 workers and one request to `silent`, which
    /// never answers. Each get has its own answer, the silent one's 1 s deadline ends its wait
    /// while the others run, and the result is the kernel's names of the threads every task
    /// was on before and after each exchange (105 names).
    func threadsOfWorkersPreferringTheExecutor(
        of transport: SocketTransport, _ client: AltcraftClient, silent: SocketTransport
    ) async throws -> [String] {
        let executor = try XCTUnwrap(transport.preferredExecutor)
        let ids = Array(Int64(101)...Int64(200))
        let started = ContinuousClock.now
        let silentRequest = request(timeout: .seconds(1))
        let (answered, threads, timedOut) = try await withTaskExecutorPreference(executor) {
            try await withThrowingTaskGroup(of: ([Int64], [String], Bool).self) { group in
                group.addTask {
                    do {
                        _ = try await silent.send(silentRequest)
                        return ([], [currentThreadName()], false)
                    } catch {
                        guard case .timedOut = error as? TransportError else { return ([], [currentThreadName()], false) }
                        return ([], [currentThreadName()], true)
                    }
                }
                for worker in 0..<4 {
                    group.addTask {
                        var answered: [Int64] = []
                        var threads = [currentThreadName()]
                        for id in ids where Int(id) % 4 == worker {
                            let record = try await client.get(id: id)
                            threads.append(currentThreadName())
                            if record.id == id { answered.append(id) }
                        }
                        return (answered, threads, false)
                    }
                }
                return try await group.reduce(into: ([Int64](), [String](), false)) {
                    $0.0 += $1.0
                    $0.1 += $1.1
                    $0.2 = $0.2 || $1.2
                }
            }
        }
        XCTAssertEqual(answered.sorted(), ids)
        XCTAssertTrue(timedOut, "the silent server's deadline ended its wait")
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(2) + .milliseconds(500))
        XCTAssertEqual(threads.count, 105)
        return threads
    }

    /// An exchange whose answer does not come whole within `timeout` ends with `.timedOut`
    /// about then (within a second more), and the transport shuts down.
    func checkTheDeadlineEndsTheExchange(_ transport: SocketTransport, timeout: Duration) async {
        let started = ContinuousClock.now
        do {
            _ = try await transport.send(request(timeout: timeout))
            XCTFail("answered")
        } catch {
            guard case .timedOut = error else { return XCTFail("\(error)") }
        }
        XCTAssertLessThan(ContinuousClock.now - started, timeout + .seconds(1))
        await transport.shutdown()
    }

    /// `server` answers, stays silent, answers: the second exchange, cancelled while it
    /// waits, ends within a second with `.cancelled`, and the third goes over a new
    /// connection (a cancelled exchange's connection may still get its answer).
    func checkACancelledExchangeEndsAtOnceWithoutReuse(_ server: some ScriptedServer, _ transport: SocketTransport)
        async throws
    {
        _ = try await transport.send(request(timeout: .seconds(5)))
        XCTAssertEqual(transport.openedConnections, 1)
        let unanswered = request(timeout: .seconds(30))
        let waiting = Task { () async throws(TransportError) -> TransportResponse in try await transport.send(unanswered) }
        try await server.waitForRequests(2)
        let cancelled = ContinuousClock.now
        waiting.cancel()
        let result = await waiting.result
        XCTAssertLessThan(ContinuousClock.now - cancelled, .seconds(1))
        guard case .failure(let error) = result, error as? TransportError == .cancelled else { return XCTFail("\(result)") }
        let answer = try await transport.send(request(timeout: .seconds(5)))
        XCTAssertEqual(String(decoding: answer.body, as: UTF8.self), ok)
        XCTAssertEqual(transport.openedConnections, 2)
        XCTAssertEqual(server.accepted, 2)
        await transport.shutdown()
    }
}
