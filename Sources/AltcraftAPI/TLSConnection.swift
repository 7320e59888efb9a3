import AltcraftWire
import Dispatch
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// One keep-alive https connection of `SocketTransport`: a NIO channel on the shared event
/// loops with swift-nio-ssl's handler and `TLSExchangeHandler`, which feeds the plaintext to
/// an `HTTPResponseReader` and resumes the waiting task once per answer.
///
/// Why a channel and not the plain path's socket: TLS must be done by swift-nio-ssl, whose
/// only interface is a channel handler. Driving it inside an `EmbeddedChannel` on our own
/// socket was the other candidate; its event loop insists (in release builds too) on being
/// used only from the thread that made it, while an exchange resumes on any pool thread, so
/// it would have needed a thread of its own and more hops than this (docs/performance.md,
/// "Seventh round: https on the socket transport"). What async-http-client added on top —
/// its pool's state machine, a task and a timer task per request, the HTTP codec — is gone:
/// the transport's idle list is the pool, the reader is the codec, and the deadline is one
/// timer on the channel's event loop.
///
/// Used by one exchange at a time, like `HTTPConnection`, which is why its own mutable state
/// needs no lock.
final class TLSConnection: PooledConnection, @unchecked Sendable {
    private let address: EndpointAddress
    private let context: NIOSSLContext
    private let loop: any EventLoop
    private let connectTimeout: Duration
    private var channel: (any Channel)?
    private var handler: TLSExchangeHandler?
    /// Numbers the exchanges, so that a late cancellation of one never ends the next.
    private var exchanges: UInt64 = 0

    /// `loop` is where the channel lives (`SocketTransport` puts all of its on one).
    init(address: EndpointAddress, context: NIOSSLContext, loop: any EventLoop, connectTimeout: Duration) {
        self.address = address
        self.context = context
        self.loop = loop
        self.connectTimeout = connectTimeout
    }

    deinit {
        channel?.close(promise: nil)
    }

    func close() {
        channel?.close(promise: nil)
        channel = nil
        handler = nil
    }

    /// False once the server closed the connection (a close_notify or the end of the
    /// stream) or sent something unasked.
    var isStillOpen: Bool {
        guard let channel, let handler else { return false }
        return channel.isActive && handler.isOpen
    }

    func exchange(_ message: [UInt8], deadline: UInt64, maximumBody: Int) async -> HTTPConnection.Outcome {
        // Cancelled before it started: nothing is sent.
        if Task.isCancelled { return .failed(.cancelled) }
        if channel == nil, let failure = await connect(deadline: deadline) { return .failed(failure) }
        guard let channel, let handler else { return .failed(.connectionLost("the server closed the connection")) }
        exchanges &+= 1
        let number = exchanges
        let timeout = TimeAmount.nanoseconds(Int64(clamping: deadline &- min(deadline, DispatchTime.now().uptimeNanoseconds)))
        let loop = channel.eventLoop
        let result: TLSExchangeHandler.Result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<TLSExchangeHandler.Result, Never>) in
                // A bulk worker runs on the loop itself (`EventLoopExecutor`): it writes now.
                if loop.inEventLoop {
                    handler.start(
                        number, message: message, timeout: timeout, maximumBody: maximumBody, continuation: continuation)
                } else {
                    loop.execute {
                        handler.start(
                            number, message: message, timeout: timeout, maximumBody: maximumBody,
                            continuation: continuation)
                    }
                }
            }
        } onCancel: {
            loop.execute { handler.cancel(number) }
        }
        switch result {
        case .answered(let response, let reusable): return .answered(response, reusable: reusable)
        case .failed(let error): return .failed(error)
        case .rejected(let failure): return .failed(.tlsFailed(await failure.explained(for: address)))
        }
    }

    /// Opens the TCP connection; the handshake starts at once and goes on while the first
    /// request waits in swift-nio-ssl's buffer. Every failure here means nothing was sent.
    private func connect(deadline: UInt64) async -> TransportError? {
        let now = DispatchTime.now().uptimeNanoseconds
        let remaining = deadline &- min(deadline, now)
        let limit = min(remaining, UInt64(max(connectTimeout.nanoseconds, 0)))
        // An IP address is verified against the certificate's addresses, and is no SNI name.
        let serverName = NoProxyList.addressBytes(address.host) == nil ? address.host : nil
        let context = self.context
        let handler = TLSExchangeHandler()
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(.nanoseconds(Int64(clamping: limit)))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let operations = channel.pipeline.syncOperations
                    try operations.addHandler(NIOSSLClientHandler(context: context, serverHostname: serverName))
                    try operations.addHandler(handler)
                }
            }
        // A numeric host is connected to as it is: NIO's resolver would hand it to
        // `getaddrinfo` on another thread and race the answers, a hop and timers for nothing.
        let connecting =
            if serverName == nil, let numeric = try? SocketAddress(ipAddress: address.host, port: address.port) {
                bootstrap.connect(to: numeric)
            } else {
                bootstrap.connect(host: address.host, port: address.port)
            }
        do {
            channel = try await connecting.get()
            self.handler = handler
            return nil
        } catch ChannelError.connectTimeout {
            return remaining <= limit ? .timedOut(server: nil) : .connectFailed("connect timed out")
        } catch let error as NIOConnectionError {
            if let refused = error.connectionErrors.lazy.compactMap({ $0.error as? IOError }).first {
                return .connectFailed(TransportError.words(forErrno: refused.errnoCode))
            }
            if error.connectionErrors.isEmpty { return .connectFailed("cannot resolve \(address.host)") }
            return .connectFailed("connection refused")
        } catch let error as IOError {
            return .connectFailed(TransportError.words(forErrno: error.errnoCode))
        } catch {
            if case .connectionLost(let why) = HTTPTransport.classify(error) { return .connectFailed(why) }
            return HTTPTransport.classify(error)
        }
    }
}

/// The HTTP/1.1 side of a `TLSConnection`'s pipeline, behind swift-nio-ssl's handler: one
/// exchange at a time, answered through a continuation. Every method runs on the channel's
/// event loop (channel events, and what `TLSConnection` hands it with `execute`), which is
/// what makes it safe to share; only `isOpen` is read from elsewhere.
final class TLSExchangeHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum Result: Sendable {
        case answered(TransportResponse, reusable: Bool)
        case failed(TransportError)
        /// The handshake failed: `TLSConnection` puts it into words (which may take a probe).
        case rejected(TLSFailure)
    }

    private struct Exchange {
        var number: UInt64
        var reader: HTTPResponseReader
        var continuation: CheckedContinuation<Result, Never>
        var timer: Scheduled<Void>
    }

    private let open = Atomic<Bool>(true)
    private var context: ChannelHandlerContext?
    private var current: Exchange?
    /// An exchange cancelled before it reached the event loop.
    private var cancelledEarly: UInt64 = 0
    /// What ended the connection while no exchange was waiting (a handshake refused before
    /// the request got here): the next exchange's answer.
    private var ending: Result?

    var isOpen: Bool { open.load(ordering: .relaxed) }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func start(
        _ number: UInt64, message: [UInt8], timeout: TimeAmount, maximumBody: Int,
        continuation: CheckedContinuation<Result, Never>
    ) {
        if cancelledEarly == number { return continuation.resume(returning: .failed(.cancelled)) }
        if let ending { return continuation.resume(returning: ending) }
        guard let context, isOpen else {
            return continuation.resume(returning: .failed(.connectionLost("the server closed the connection")))
        }
        let timer = context.eventLoop.scheduleTask(in: timeout) { [self] in
            if current?.number == number { finish(.failed(.timedOut(server: nil)), closing: true) }
        }
        current = Exchange(
            number: number, reader: HTTPResponseReader(maximumBody: maximumBody), continuation: continuation, timer: timer)
        var buffer = context.channel.allocator.buffer(capacity: message.count)
        buffer.writeBytes(message)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    func cancel(_ number: UInt64) {
        if current?.number == number {
            finish(.failed(.cancelled), closing: true)
        } else {
            cancelledEarly = number
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        guard current != nil else {
            // Nothing was asked: whatever this is, the connection cannot carry a request now.
            open.store(false, ordering: .relaxed)
            context.close(promise: nil)
            return
        }
        let progress = bytes.withUnsafeReadableBytes { current!.reader.receive($0) }
        switch progress {
        case .needsMore:
            break
        case .complete(let response, let reusable):
            // Bytes after the answer would be read as the next one's start: do not reuse then.
            let clean = reusable && current!.reader.leftover.isEmpty
            finish(.answered(response, reusable: clean), closing: !clean)
        case .failed(let error):
            finish(.failed(error), closing: true)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        open.store(false, ordering: .relaxed)
        if current != nil {
            switch current!.reader.receiveEnd() {
            case .complete(let response, _): finish(.answered(response, reusable: false), closing: false)
            case .failed(let error): finish(.failed(error), closing: false)
            case .needsMore: finish(.failed(.connectionLost("the server closed the connection")), closing: false)
            }
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A TCP close without close_notify: the end of the stream says whether the answer
        // was whole (the reader knows its framing), as for plain http.
        if let tlsError = error as? NIOSSLError, case .uncleanShutdown = tlsError { return }
        let result: Result = TLSFailure.classify(error).map(Result.rejected) ?? .failed(HTTPTransport.classify(error))
        if current != nil {
            finish(result, closing: true)
        } else {
            if ending == nil { ending = result }
            open.store(false, ordering: .relaxed)
            context.close(promise: nil)
        }
    }

    private func finish(_ result: Result, closing: Bool) {
        guard let exchange = current else { return }
        current = nil
        exchange.timer.cancel()
        if closing {
            open.store(false, ordering: .relaxed)
            context?.close(promise: nil)
        }
        exchange.continuation.resume(returning: result)
    }
}
