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
final class SocketPollerTests: XCTestCase, ScriptedExchanges {
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
        try await checkACancelledExchangeEndsAtOnceWithoutReuse(server, try SocketTransport(baseURL: server.url))
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
        await checkTheDeadlineEndsTheExchange(try SocketTransport(baseURL: server.url), timeout: .milliseconds(500))
    }

    func testManyExchangesInFlightOverFewConnectionsGetTheirOwnAnswers() async throws {
        let sandbox = makeSandbox(fillTo: 400)
        try await withSandboxServer(sandbox) { url in
            let transport = try SocketTransport(baseURL: url)
            let client = AltcraftClient(
                configuration: ClientConfiguration(token: SandboxEngine.defaultToken), transport: transport)
            try await checkManyGetsInFlightGetTheirOwnAnswers(client, transport)
            await client.shutdown()
        }
    }

    /// Plain http names the poller for bulk work; https, whose answers arrive on a channel's
    /// event loop, names that loop (TLSConnectionTests runs workers there).
    func testOnlyPlainHTTPNamesThePollerForBulkWork() throws {
        let http = try XCTUnwrap(try SocketTransport(baseURL: "http://127.0.0.1:9").preferredExecutor)
        let https = try XCTUnwrap(try SocketTransport(baseURL: "https://127.0.0.1:9").preferredExecutor)
        XCTAssertNotIdentical(http, https)
        XCTAssertIdentical(https, try SocketTransport(baseURL: "https://127.0.0.2:9").preferredExecutor)
    }

    /// Tasks that prefer the poller (a bulk statement's workers) run on its thread before
    /// and after every exchange, get their own answers, and a silent server's deadline still
    /// ends its wait while the thread is busy running them.
    func testTasksPreferringThePollerRunOnItsThreadAndDeadlinesStillHold() async throws {
        let silent = try ScriptedHTTPServer([.silence])
        defer { silent.stop() }
        let silentTransport = try SocketTransport(baseURL: silent.url)
        try await withSandboxServer(makeSandbox(fillTo: 200)) { url in
            let transport = try SocketTransport(baseURL: url)
            let client = AltcraftClient(
                configuration: ClientConfiguration(token: SandboxEngine.defaultToken), transport: transport)
            let threads = try await threadsOfWorkersPreferringTheExecutor(of: transport, client, silent: silentTransport)
            XCTAssertEqual(Set(threads), ["cops.poller"])
            await client.shutdown()
        }
        await silentTransport.shutdown()
    }
}

/// A loopback HTTP server that answers each request, whichever connection it comes on, with
/// the next step of a script, keeping connections open.
final class ScriptedHTTPServer: ScriptedServer, @unchecked Sendable {
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
