import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A listener on 127.0.0.1 with a free port that counts the connections it accepts and hands
/// each to `handle` on a thread of its own. `stop()` closes the listener and waits (up to a few
/// seconds) for the handlers, which see `isStopped` and close their sockets.
final class LoopbackListener: Sendable {
    let port: Int
    private let descriptor: Int32
    private let state = Mutex((stopped: false, accepted: 0))
    private let threads = DispatchGroup()

    init(handle: @escaping @Sendable (Int32, LoopbackListener) -> Void) throws {
        (descriptor, port) = try LoopbackSocket.makeListener()
        threads.enter()
        Thread { [self] in
            defer { threads.leave() }
            while !isStopped {
                guard let client = LoopbackSocket.nextConnection(descriptor) else { continue }
                state.withLock { $0.accepted += 1 }
                threads.enter()
                Thread { [self] in
                    defer { threads.leave() }
                    handle(client, self)
                }.start()
            }
        }.start()
    }

    var isStopped: Bool { state.withLock { $0.stopped } }

    /// Connections accepted so far.
    var accepted: Int { state.withLock { $0.accepted } }

    func stop() {
        let wasStopped = state.withLock { state in
            defer { state.stopped = true }
            return state.stopped
        }
        guard !wasStopped else { return }
        _ = threads.wait(timeout: .now() + 5)
        close(descriptor)
    }
}
