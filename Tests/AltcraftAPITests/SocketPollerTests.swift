import AltcraftAPI
import AltcraftSandbox
import AltcraftWire
import CopsTestSupport
import Foundation
import Synchronization
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// The socket transport's waits through the one poller thread: deadlines, cancellation,
/// answers in pieces, and many exchanges in flight at once.
final class SocketPollerTests: XCTestCase {
    let ok = #"{"error":0,"error_text":"Successful","data":{"is_active":true,"is_completed":false,"status":"Sending"}}"#
    var okAnswer: [UInt8] {
        Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(ok.utf8.count)\r\n\r\n\(ok)".utf8)
    }

    func request(timeout: Duration) -> TransportRequest {
        TransportRequest(
            path: "/api/v1.1/campaigns/get_status", headers: [(name: "Content-Type", value: "application/json")],
            body: Array(#"{"id":15}"#.utf8), timeout: timeout, maximumResponseBytes: 1 << 20)
    }

    func testTheDeadlineEndsAWaitForAnAnswerAndOtherConnectionsGoOn() async throws {
        let silent = try ScriptedHTTPServer([.silence])
        defer { silent.stop() }
        let transport = try SocketTransport(baseURL: silent.url)
        let timeout = Duration.seconds(2)
        let started = ContinuousClock.now
        let silentRequest = request(timeout: timeout)
        let waiting = Task { () async throws(TransportError) -> TransportResponse in try await transport.send(silentRequest) }
        // Meanwhile other connections, through the same poller, are answered.
        let finishedFirst = try await withSandboxServer(makeSandbox()) { url in
            let client = AltcraftClient(
                configuration: ClientConfiguration(token: SandboxEngine.defaultToken),
                transport: try SocketTransport(baseURL: url))
            for _ in 0..<4 { _ = try await client.status(id: 15) }
            await client.shutdown()
            return ContinuousClock.now
        }
        let result = await waiting.result
        let elapsed = ContinuousClock.now - started
        guard case .failure(let error) = result, case .timedOut = error as? TransportError else { return XCTFail("\(result)") }
        XCTAssertLessThan(finishedFirst - started, elapsed)
        XCTAssertGreaterThanOrEqual(elapsed, timeout)
        XCTAssertLessThan(elapsed, timeout + .seconds(1))
        await transport.shutdown()
    }

    func testACancelledWaitEndsAtOnceAndItsConnectionIsNotReused() async throws {
        let server = try ScriptedHTTPServer([.answer(okAnswer), .silence, .answer(okAnswer)])
        defer { server.stop() }
        let transport = try SocketTransport(baseURL: server.url)
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

    func testAnAnswerArrivingByteByByte() async throws {
        let chunked = Array(
            ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "\(String(ok.utf8.count, radix: 16))\r\n\(ok)\r\n0\r\n\r\n").utf8)
        let server = try ScriptedHTTPServer([.byteByByte(okAnswer), .byteByByte(chunked)])
        defer { server.stop() }
        let transport = try SocketTransport(baseURL: server.url)
        for _ in 0..<2 {
            let answer = try await transport.send(request(timeout: .seconds(10)))
            XCTAssertEqual(answer.status, 200)
            XCTAssertEqual(answer.header("content-type"), "application/json")
            XCTAssertEqual(String(decoding: answer.body, as: UTF8.self), ok)
        }
        XCTAssertEqual(transport.openedConnections, 1)
        await transport.shutdown()
    }

    func testTheDeadlineCoversAnAnswerStillArriving() async throws {
        // Each byte comes well within the deadline, the whole answer does not.
        let server = try ScriptedHTTPServer([.byteByByte(okAnswer, pause: .milliseconds(20))])
        defer { server.stop() }
        let transport = try SocketTransport(baseURL: server.url)
        let started = ContinuousClock.now
        do {
            _ = try await transport.send(request(timeout: .milliseconds(500)))
            XCTFail("answered")
        } catch {
            guard case .timedOut = error else { return XCTFail("\(error)") }
        }
        XCTAssertLessThan(ContinuousClock.now - started, .milliseconds(1500))
        await transport.shutdown()
    }

    func testManyExchangesInFlightOverFewConnectionsGetTheirOwnAnswers() async throws {
        let sandbox = makeSandbox(fillTo: 400)
        try await withSandboxServer(sandbox) { url in
            let transport = try SocketTransport(baseURL: url)
            let client = AltcraftClient(
                configuration: ClientConfiguration(token: SandboxEngine.defaultToken), transport: transport)
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
            await client.shutdown()
        }
    }
}

/// A loopback HTTP server that answers each request, whichever connection it comes on, with
/// the next step of a script, keeping connections open.
final class ScriptedHTTPServer: @unchecked Sendable {
    enum Step: Sendable {
        case answer([UInt8])
        /// The answer one byte per `send`, with a pause between them.
        case byteByByte([UInt8], pause: Duration = .milliseconds(1))
        /// Never answer.
        case silence
    }

    private let listener: Int32
    private let port: Int
    private let state: Mutex<(steps: [Step], requests: Int, accepted: Int, connections: [Int32])>
    private let stopped = StopFlag()

    var url: String { "http://127.0.0.1:\(port)" }
    var accepted: Int { state.withLock { $0.accepted } }

    init(_ steps: [Step]) throws {
        state = Mutex((steps, 0, 0, []))
        let (fd, port) = try listenOnLoopback()
        self.port = port
        listener = fd
        Thread { [self] in
            while !stopped.isSet {
                let client = accept(fd, nil, nil)
                if client < 0 { break }
                state.withLock {
                    $0.accepted += 1
                    $0.connections.append(client)
                }
                Thread { [self] in serve(client) }.start()
            }
        }.start()
    }

    /// Answers the requests of one connection until it closes.
    private func serve(_ client: Int32) {
        defer {
            state.withLock { $0.connections.removeAll { $0 == client } }
            close(client)
        }
        while !stopped.isSet, Self.readRequest(client) {
            let step = state.withLock { state -> Step? in
                state.requests += 1
                return state.steps.isEmpty ? nil : state.steps.removeFirst()
            }
            switch step {
            case .answer(let bytes):
                _ = bytes.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            case .byteByByte(let bytes, let pause):
                var one: Int32 = 1
                setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                let seconds = Double(pause.components.seconds) + Double(pause.components.attoseconds) / 1e18
                for byte in bytes {
                    var byte = byte
                    guard send(client, &byte, 1, Int32(MSG_NOSIGNAL)) == 1 else { return }
                    Thread.sleep(forTimeInterval: seconds)
                }
            case .silence, nil:
                var scratch = [UInt8](repeating: 0, count: 1024)
                while recv(client, &scratch, scratch.count, 0) > 0 {}  // until the client closes
                return
            }
        }
    }

    /// Reads one request's head and `Content-Length` body; false when the connection ended.
    private static func readRequest(_ client: Int32) -> Bool {
        var data: [UInt8] = []
        var scratch = [UInt8](repeating: 0, count: 4096)
        let end = Array("\r\n\r\n".utf8)
        while true {
            let count = recv(client, &scratch, scratch.count, 0)
            guard count > 0 else { return false }
            data += scratch[0..<count]
            guard let headEnd = data.indices.first(where: { data[$0...].starts(with: end) }) else { continue }
            let head = String(decoding: data[..<headEnd], as: UTF8.self).lowercased()
            let length =
                head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
            if data.count - (headEnd + 4) >= length { return true }
        }
    }

    /// Waits until this many requests have been read.
    func waitForRequests(_ count: Int) async throws {
        while state.withLock({ $0.requests }) < count { try await Task.sleep(for: .milliseconds(5)) }
    }

    func stop() {
        stopped.set()
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for client in state.withLock({ $0.connections }) { shutdown(client, Int32(SHUT_RDWR)) }
    }
}
