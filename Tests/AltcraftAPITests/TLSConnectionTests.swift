import AltcraftAPI
import AltcraftSandbox
import AltcraftWire
import CopsTestSupport
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization
import XCTest

/// `SocketTransport` over TLS (`TLSConnection`), over real loopback TLS: keep-alive, the
/// deadline, cancellation, servers that close, answers cut short, many exchanges at once, and
/// each trust setting. (The TLS failures' wording runs in HTTPSClientTests, the fault matrix
/// in RetryTests, both through the transport cops picks, which is this one.)
final class TLSConnectionTests: XCTestCase, ScriptedExchanges {
    func makeTransport(_ url: String, trust: ConnectionOptions.Trust? = nil) throws -> SocketTransport {
        let options = ConnectionOptions(trust: try trust ?? .file(TestPKI.shared().caCertificatePath))
        let picked = try SocketTransport.forEndpoint(url, connection: try PreparedConnection(options, endpoint: url))
        return try XCTUnwrap(picked as? SocketTransport, "a direct https endpoint goes over SocketTransport")
    }

    func testABulkOverTLSKeepsItsConnections() async throws {
        let sandbox = makeSandbox(fillTo: 400)
        try await TestSandboxServer.with(sandbox, tls: try TestPKI.shared().sandboxTLS()) { _, port in
            let counter = try ConnectionCounter(forwardingTo: port)
            defer { counter.stop() }
            let transport = try makeTransport(counter.url(scheme: "https"))
            let client = AltcraftClient(
                configuration: ClientConfiguration(token: SandboxEngine.defaultToken), transport: transport)
            for _ in 0..<25 { _ = try await client.status(id: 15) }
            XCTAssertEqual(transport.openedConnections, 1)
            // 300 gets from 6 tasks at once: each gets its own answer, over at most 6 connections.
            try await checkManyGetsInFlightGetTheirOwnAnswers(client, transport)
            XCTAssertEqual(counter.accepted, transport.openedConnections)
            XCTAssertEqual(sandbox.withEngine { $0.requestLog.count }, 325)
            await client.shutdown()
        }
    }

    /// A bulk statement's workers prefer the transport's executor: they run on the one event
    /// loop where their connections' answers arrive, before and after every exchange (a
    /// pool thread's name would show), and a silent server's deadline still holds meanwhile.
    func testWorkersPreferringTheTransportsExecutorRunOnItsEventLoop() async throws {
        let silent = try ScriptedTLSServer([.silence])
        defer { silent.stop() }
        let silentTransport = try makeTransport(silent.url)
        try await TestSandboxServer.with(makeSandbox(fillTo: 200), tls: try TestPKI.shared().sandboxTLS()) { url, _ in
            let transport = try makeTransport(url)
            let client = AltcraftClient(
                configuration: ClientConfiguration(token: SandboxEngine.defaultToken), transport: transport)
            let threads = try await threadsOfWorkersPreferringTheExecutor(of: transport, client, silent: silentTransport)
            XCTAssertEqual(Set(threads).count, 1, "\(Set(threads))")
            XCTAssertTrue(threads[0].hasPrefix("NIO-"), threads[0])
            await client.shutdown()
        }
        await silentTransport.shutdown()
    }

    func testTheDeadlineCoversAHandshakeThatNeverComes() async throws {
        // A TCP server that takes the ClientHello and says nothing.
        let silent = try RawHTTPServer(.silent)
        defer { silent.stop() }
        let transport = try makeTransport("https://127.0.0.1:\(silent.port)")
        let started = ContinuousClock.now
        do {
            _ = try await transport.send(request(timeout: .seconds(1)))
            XCTFail("answered")
        } catch {
            XCTAssertEqual(error, .timedOut(server: "https://127.0.0.1:\(silent.port)"))
        }
        let elapsed = ContinuousClock.now - started
        XCTAssertGreaterThanOrEqual(elapsed, .seconds(1))
        XCTAssertLessThan(elapsed, .seconds(2))
        await transport.shutdown()
    }

    func testTheDeadlineCoversAnAnswerThatNeverComes() async throws {
        let server = try ScriptedTLSServer([.silence])
        defer { server.stop() }
        await checkTheDeadlineEndsTheExchange(try makeTransport(server.url), timeout: .milliseconds(700))
    }

    func testACancelledExchangeEndsAtOnceAndItsConnectionIsNotReused() async throws {
        let server = try ScriptedTLSServer([.answer(okAnswer), .silence, .answer(okAnswer)])
        defer { server.stop() }
        try await checkACancelledExchangeEndsAtOnceWithoutReuse(server, try makeTransport(server.url))
    }

    func testAnIdleConnectionTheServerClosedIsNotReused() async throws {
        // Each answer is followed by the server's close_notify, as an idle timeout would send.
        let server = try ScriptedTLSServer(Array(repeating: .answerAndClose(okAnswer), count: 3))
        defer { server.stop() }
        let transport = try makeTransport(server.url)
        for _ in 0..<3 {
            let answer = try await transport.send(request(timeout: .seconds(5)))
            XCTAssertEqual(String(decoding: answer.body, as: UTF8.self), ok)
            try await Task.sleep(for: .milliseconds(50))  // the close arrives
        }
        XCTAssertEqual(transport.openedConnections, 3)
        XCTAssertEqual(server.accepted, 3)
        await transport.shutdown()
    }

    func testAnAnswerCutAtEveryByteIsALostConnection() async throws {
        let answer = okAnswer
        let server = try ScriptedTLSServer((0...answer.count).map { .answerAndClose(Array(answer.prefix($0))) })
        defer { server.stop() }
        let transport = try makeTransport(server.url)
        for cut in 0..<answer.count {
            do {
                let response = try await transport.send(request(timeout: .seconds(5)))
                XCTFail("cut at \(cut), yet answered: \(response.status)")
            } catch {
                guard case .connectionLost(let why) = error else { return XCTFail("cut at \(cut): \(error)") }
                XCTAssertTrue(why.hasSuffix("(\(server.url))"), why)
            }
        }
        let whole = try await transport.send(request(timeout: .seconds(5)))
        XCTAssertEqual(String(decoding: whole.body, as: UTF8.self), ok)
        XCTAssertEqual(server.accepted, answer.count + 1)
        await transport.shutdown()
    }

    func testAnAnswerArrivingInPiecesOverOneConnection() async throws {
        let chunked = Array(
            ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "\(String(ok.utf8.count, radix: 16))\r\n\(ok)\r\n0\r\n\r\n").utf8)
        let server = try ScriptedTLSServer([.inPieces(okAnswer), .inPieces(chunked)])
        defer { server.stop() }
        let transport = try makeTransport(server.url)
        for _ in 0..<2 {
            let answer = try await transport.send(request(timeout: .seconds(10)))
            XCTAssertEqual(answer.header("content-type"), "application/json")
            XCTAssertEqual(String(decoding: answer.body, as: UTF8.self), ok)
        }
        XCTAssertEqual(transport.openedConnections, 1)
        await transport.shutdown()
    }

    /// Each trust setting `PreparedConnection` can carry, against the TLS sandbox.
    func testEachTrustSetting() async throws {
        let pki = try TestPKI.shared()
        let directory = NSTemporaryDirectory() + "trust-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let settings: [(ConnectionOptions.Trust, trusted: Bool)] = [
            (.system, false),
            (.file(pki.caCertificatePath), true),  // ca_file, --cacert, SSL_CERT_FILE
            (.file(pki.otherCACertificatePath), false),
            (.directory(directory, file: nil), false),  // SSL_CERT_DIR without the CA
            (.directory(directory, file: pki.caCertificatePath), true),  // SSL_CERT_DIR with SSL_CERT_FILE
            (ConnectionOptions.environmentTrust(["SSL_CERT_FILE": pki.caCertificatePath]), true),
        ]
        try await TestSandboxServer.with(makeSandbox(), tls: try pki.sandboxTLS()) { url, _ in
            for (trust, trusted) in settings {
                let transport = try makeTransport(url, trust: trust)
                do {
                    let answer = try await transport.send(request(timeout: .seconds(5)))
                    XCTAssertTrue(trusted, "\(trust) trusted the test CA")
                    XCTAssertEqual(answer.status, 200)
                } catch {
                    XCTAssertFalse(trusted, "\(trust): \(error)")
                    guard case .tlsFailed(let why) = error as? TransportError else { return XCTFail("\(trust): \(error)") }
                    XCTAssertTrue(why.hasPrefix(url + ": the server's certificate is not trusted"), why)
                }
                await transport.shutdown()
            }
        }
    }

    /// A numeric host is connected to without the resolver; a closed port (by name or by
    /// number) is still the one plain reason, before anything is sent.
    func testAClosedPortIsRefusedByNumberAndByName() async throws {
        let (listener, port) = try listenOnLoopback()
        close(listener)
        for host in ["127.0.0.1", "localhost"] {
            let transport = try makeTransport("https://\(host):\(port)")
            do {
                _ = try await transport.send(request(timeout: .seconds(5)))
                XCTFail("\(host): answered")
            } catch {
                XCTAssertEqual(error, .connectFailed("connection refused (https://\(host):\(port))"), host)
            }
            XCTAssertEqual(transport.openedConnections, 1)
            await transport.shutdown()
        }
    }

    func testTLSToAPlainHTTPPortIsNamedAfterOneConnection() async throws {
        try await TestSandboxServer.with(makeSandbox()) { _, port in
            let counter = try ConnectionCounter(forwardingTo: port)
            defer { counter.stop() }
            let url = counter.url(scheme: "https")
            let client = AltcraftClient(
                configuration: ClientConfiguration(token: SandboxEngine.defaultToken, retries: 3),
                transport: try makeTransport(url), sleep: { _ in })
            if let error = await expectFailure({ () async throws(AltcraftError) in _ = try await client.status(id: 15) }) {
                XCTAssertEqual(error.kind, .tls("\(url): the server does not speak TLS on this port; is the endpoint http://?"))
                XCTAssertEqual(error.attempts, 1)
            }
            XCTAssertEqual(counter.accepted, 1)
            await client.shutdown()
        }
    }
}

/// A loopback TLS server (the test PKI's server certificate) that answers each request,
/// whichever connection it comes on, with the next step of a script: answers the sandbox
/// never gives, cut short or followed by a close.
final class ScriptedTLSServer: ScriptedServer {
    enum Step: Sendable {
        case answer([UInt8])
        /// The answer, then close_notify and the end of the connection.
        case answerAndClose([UInt8])
        /// The answer in three TLS records, 20 ms apart.
        case inPieces([UInt8])
        /// Never answer.
        case silence
    }

    private let script: Script
    private let channel: any Channel

    var url: String { "https://127.0.0.1:\(channel.localAddress?.port ?? 0)" }
    var accepted: Int { script.accepted.load(ordering: .relaxed) }

    init(_ steps: [Step]) throws {
        let pki = try TestPKI.shared()
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(pki.server.certificatePath).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: pki.server.keyPath, format: .pem)))
        let context = try NIOSSLContext(configuration: configuration)
        let script = Script(steps)
        self.script = script
        channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try child.pipeline.syncOperations.addHandler(ScriptedTLSHandler(script: script))
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
    }

    /// Waits until this many requests have been read.
    func waitForRequests(_ count: Int) async throws {
        while script.requests.load(ordering: .relaxed) < count { try await Task.sleep(for: .milliseconds(5)) }
    }

    func stop() { channel.close(promise: nil) }

    final class Script: Sendable {
        let steps: Mutex<[Step]>
        let accepted = Atomic<Int>(0)
        let requests = Atomic<Int>(0)

        init(_ steps: [Step]) { self.steps = Mutex(steps) }

        func next() -> Step {
            requests.add(1, ordering: .relaxed)
            return steps.withLock { $0.isEmpty ? .silence : $0.removeFirst() }
        }
    }
}

/// One connection of `ScriptedTLSServer`: reads requests (head and `Content-Length` body) and
/// plays the script's next step for each.
private final class ScriptedTLSHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let script: ScriptedTLSServer.Script
    private var received: [UInt8] = []

    init(script: ScriptedTLSServer.Script) { self.script = script }

    func channelActive(context: ChannelHandlerContext) {
        script.accepted.add(1, ordering: .relaxed)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received += unwrapInboundIn(data).readableBytesView
        guard let end = received.firstRange(of: Array("\r\n\r\n".utf8)) else { return }
        let head = String(decoding: received[..<end.lowerBound], as: UTF8.self).lowercased()
        let length =
            head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
            .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
        guard received.count - end.upperBound >= length else { return }
        received.removeFirst(end.upperBound + length)
        switch script.next() {
        case .answer(let bytes):
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
        case .answerAndClose(let bytes):
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
            context.close(promise: nil)
        case .inPieces(let bytes):
            let third = bytes.count / 3
            for (index, piece) in [bytes[..<third], bytes[third..<2 * third], bytes[(2 * third)...]].enumerated() {
                let buffer = context.channel.allocator.buffer(bytes: piece)
                let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                context.eventLoop.scheduleTask(in: .milliseconds(20 * Int64(index))) {
                    bound.value.writeAndFlush(NIOAny(buffer), promise: nil)
                }
            }
        case .silence:
            break
        }
    }
}
