import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
    import CSocketPoller
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One thread that waits for every non-blocking socket of the process at once, so that an
/// exchange waiting for its answer holds no thread: the waiting task is suspended on a
/// continuation, and this thread resumes it when its socket is ready, its deadline has
/// passed, or (through the task's cancellation handler, on the cancelling thread) at once
/// when the task is cancelled.
///
/// Before it, each connection had a serial dispatch queue whose worker blocked in `poll` for
/// each exchange: two thread wake-ups per request besides the wait for the answer itself
/// (docs/performance.md, "One poller for every connection").
///
/// On Linux the wait is `epoll` with one-shot registrations and an `eventfd` to be woken
/// early; elsewhere (Darwin) `poll` over the registered sockets and a pipe, the same
/// behaviour at a cost that grows with the number of waiting sockets, which stays small.
///
/// It is also a task executor: tasks that prefer it (a bulk statement's workers, through
/// `SocketTransport.preferredExecutor`) run on this thread between its waits, so an exchange
/// resumed here goes on here — building the next request, reading the answer — without
/// waking a thread of the concurrency pool for each answer (docs/performance.md, "One thread
/// for a bulk statement").
final class SocketPoller: TaskExecutor, Sendable {
    /// What a wait is for.
    enum Interest: Sendable { case readable, writable }
    /// How a wait ended.
    enum Readiness: Sendable { case ready, timedOut, cancelled }

    /// The process's poller: its thread starts with the first exchange and is never stopped
    /// (it sleeps in the kernel while nothing waits). A failure to make it (no descriptors
    /// left) fails the exchanges, before anything is sent.
    static let shared: Result<SocketPoller, TransportError> = {
        guard let poller = SocketPoller() else {
            return .failure(.connectFailed("cannot watch sockets: \(TransportError.words(forErrno: errno))"))
        }
        return .success(poller)
    }()

    private struct Waiter {
        let continuation: CheckedContinuation<Readiness, Never>
        let descriptor: Int32
        let interest: Interest
        /// `DispatchTime` nanoseconds.
        let deadline: UInt64
    }

    /// A wait from before its registration to its resumption. Every path that resumes takes
    /// the `.waiting` entry out under the lock, so each continuation is resumed exactly once.
    private enum Entry {
        /// The task is about to register.
        case starting
        /// Cancelled before it registered: the registration resumes it at once.
        case cancelled
        case waiting(Waiter)
    }

    private struct State {
        var entries: [UInt64: Entry] = [:]
        /// When the poller thread will next wake by itself (`UInt64.max`: only for an
        /// event); a wait with an earlier deadline must wake it to shorten its sleep.
        var plannedWake = UInt64.max
        /// Jobs of tasks that prefer this executor, run before the next wait.
        var jobs: [UnownedJob] = []
        /// The thread is in (or about to enter) its wait: a new job or an earlier deadline
        /// must wake it. While it runs, it looks at both again before it sleeps.
        var sleeping = false
    }

    /// The poller thread's name, as `pthread_getname_np` gives it.
    static let threadName = "cops.poller"

    private let state = Mutex(State())
    private let nextToken = Atomic<UInt64>(1)
    #if canImport(Glibc)
        private let epoll: Int32
        private let wakeEvent: Int32
    #else
        /// The pipe that wakes `poll`: read end, write end.
        private let wakePipe: (Int32, Int32)
    #endif

    private init?() {
        #if canImport(Glibc)
            var wakeEvent: Int32 = -1
            epoll = cops_poller_create(&wakeEvent)
            guard epoll >= 0 else { return nil }
            self.wakeEvent = wakeEvent
        #else
            var ends: [Int32] = [-1, -1]
            guard pipe(&ends) == 0 else { return nil }
            for end in ends {
                _ = fcntl(end, F_SETFD, FD_CLOEXEC)
                _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            }
            wakePipe = (ends[0], ends[1])
        #endif
        Thread { [self] in
            // Named in the kernel (`Thread.name` is not, here), so that `top -H`, perf and
            // the tests can tell this thread from the pool's: at most 15 bytes.
            #if canImport(Glibc)
                cops_poller_name_thread(Self.threadName)
            #else
                pthread_setname_np(Self.threadName)
            #endif
            run()
        }.start()
    }

    /// Suspends the task until `descriptor` is ready for `interest`, `deadline` (a
    /// `DispatchTime` in nanoseconds) passes, or the task is cancelled.
    func wait(_ descriptor: Int32, for interest: Interest, deadline: UInt64) async -> Readiness {
        if Task.isCancelled { return .cancelled }
        if DispatchTime.now().uptimeNanoseconds >= deadline { return .timedOut }
        let token = nextToken.add(1, ordering: .relaxed).newValue
        state.withLock { $0.entries[token] = .starting }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Readiness, Never>) in
                register(
                    token, Waiter(continuation: continuation, descriptor: descriptor, interest: interest, deadline: deadline))
            }
        } onCancel: {
            cancel(token)
        }
    }

    private func register(_ token: UInt64, _ waiter: Waiter) {
        let wakeNeeded = state.withLock { state -> Bool? in
            guard case .starting = state.entries[token] else {
                state.entries[token] = nil
                return nil
            }
            state.entries[token] = .waiting(waiter)
            guard state.sleeping, waiter.deadline < state.plannedWake else { return false }
            state.plannedWake = waiter.deadline
            return true
        }
        guard let wakeNeeded else { return waiter.continuation.resume(returning: .cancelled) }
        #if canImport(Glibc)
            // Armed after the entry is in place, so the poller finds it when the event comes.
            if cops_poller_arm(epoll, waiter.descriptor, waiter.interest == .writable ? 1 : 0, token) != 0 {
                // Not a socket epoll can watch: the caller's next call reports why.
                return finish([token], with: .ready)
            }
            if wakeNeeded { wake() }
        #else
            // `poll` reads the set each round: any new waiter must be taken in.
            _ = wakeNeeded
            wake()
        #endif
    }

    /// The task was cancelled: its wait ends now with `.cancelled`. The socket may stay armed
    /// until the caller closes it (a cancelled exchange never reuses its connection); an
    /// event for a finished token is ignored.
    private func cancel(_ token: UInt64) {
        let waiter = state.withLock { state -> Waiter? in
            switch state.entries[token] {
            case .starting:
                state.entries[token] = .cancelled
                return nil
            case .waiting(let waiter):
                state.entries[token] = nil
                return waiter
            case .cancelled, nil:
                return nil
            }
        }
        waiter?.continuation.resume(returning: .cancelled)
    }

    /// Resumes the waits of these tokens that are still waiting.
    private func finish(_ tokens: [UInt64], with readiness: Readiness) {
        let waiters = state.withLock { state in
            tokens.compactMap { token -> Waiter? in
                guard case .waiting(let waiter) = state.entries[token] else { return nil }
                state.entries[token] = nil
                return waiter
            }
        }
        for waiter in waiters { waiter.continuation.resume(returning: readiness) }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let wakeNeeded = state.withLock { state in
            state.jobs.append(job)
            defer { state.sleeping = false }
            return state.sleeping
        }
        if wakeNeeded { wake() }
    }

    private func wake() {
        #if canImport(Glibc)
            cops_poller_wake(wakeEvent)
        #else
            var byte: UInt8 = 1
            _ = write(wakePipe.1, &byte, 1)
        #endif
    }

    // MARK: - The poller thread

    private func run() {
        #if canImport(Glibc)
            var tokens = [UInt64](repeating: 0, count: 64)
        #endif
        let executor = asUnownedTaskExecutor()
        while true {
            let jobs = state.withLock { state -> [UnownedJob] in
                guard !state.jobs.isEmpty else { return [] }
                defer { state.jobs = [] }
                return state.jobs
            }
            for job in jobs { job.runSynchronously(on: executor) }
            // The nearest deadline of the registered waits: a scan, as they are few (one per
            // connection in use, `maximumConnections` at most per transport). No sleep if
            // the jobs just run queued more.
            let nearest = state.withLock { state -> UInt64 in
                guard state.jobs.isEmpty else { return 0 }
                var nearest = UInt64.max
                for case .waiting(let waiter) in state.entries.values { nearest = min(nearest, waiter.deadline) }
                state.plannedWake = nearest
                state.sleeping = true
                return nearest
            }
            let timeout = Self.milliseconds(until: nearest)
            #if canImport(Glibc)
                let count = cops_poller_wait(epoll, wakeEvent, &tokens, Int32(tokens.count), timeout)
                let ready = Array(tokens.prefix(Int(max(count, 0))))
            #else
                // A new waiter after this snapshot wakes the poll (`register`), and is taken in then.
                let waiting = state.withLock { state in
                    state.entries.compactMap { token, entry -> (token: UInt64, waiter: Waiter)? in
                        guard case .waiting(let waiter) = entry else { return nil }
                        return (token, waiter)
                    }
                }
                let ready = poll(waiting, timeout: timeout)
            #endif
            state.withLock { $0.sleeping = false }
            if !ready.isEmpty { finish(ready, with: .ready) }
            expire()
        }
    }

    #if !canImport(Glibc)
        /// The tokens of these waits whose sockets are ready (the wake-up is drained).
        private func poll(_ waiting: [(token: UInt64, waiter: Waiter)], timeout: Int32) -> [UInt64] {
            var entries = [pollfd(fd: wakePipe.0, events: Int16(POLLIN), revents: 0)]
            for (_, waiter) in waiting {
                let events = waiter.interest == .readable ? POLLIN : POLLOUT
                entries.append(pollfd(fd: waiter.descriptor, events: Int16(events), revents: 0))
            }
            guard Darwin.poll(&entries, nfds_t(entries.count), timeout) > 0 else { return [] }
            if entries[0].revents != 0 {
                var drained = [UInt8](repeating: 0, count: 64)
                while read(wakePipe.0, &drained, drained.count) > 0 {}
            }
            return waiting.indices.filter { entries[$0 + 1].revents != 0 }.map { waiting[$0].token }
        }
    #endif

    /// Ends every wait whose deadline has passed.
    private func expire() {
        let now = DispatchTime.now().uptimeNanoseconds
        let waiters = state.withLock { state -> [Waiter] in
            var expired: [Waiter] = []
            for (token, entry) in state.entries {
                guard case .waiting(let waiter) = entry, waiter.deadline <= now else { continue }
                state.entries[token] = nil
                expired.append(waiter)
            }
            return expired
        }
        for waiter in waiters { waiter.continuation.resume(returning: .timedOut) }
    }

    /// A sleep until `deadline` in whole milliseconds, rounded up so that the deadline is not
    /// missed by a hair; -1 (no limit) for none.
    private static func milliseconds(until deadline: UInt64) -> Int32 {
        guard deadline != .max else { return -1 }
        let now = DispatchTime.now().uptimeNanoseconds
        guard deadline > now else { return 0 }
        return Int32(min((deadline - now + 999_999) / 1_000_000, UInt64(Int32.max)))
    }
}
