/// Time as the interpreter sees it: `wait` and `sleep` use it, so tests move time by hand.
public protocol ScriptClock: Sendable {
    /// Milliseconds since an arbitrary fixed point.
    func now() -> Int64
    /// Waits; throws when the task is cancelled.
    func sleep(milliseconds: Int64) async throws
    /// Waits, ending early (without throwing) once `stop` says so: the first Ctrl-C only flips
    /// a switch and must still end a long `sleep` or `wait` promptly.
    func sleep(milliseconds: Int64, stoppingWhen stop: @Sendable () -> Bool) async throws
}

extension ScriptClock {
    /// Clocks whose sleeps are instant (tests) need not look at `stop`.
    public func sleep(milliseconds: Int64, stoppingWhen stop: @Sendable () -> Bool) async throws {
        try await sleep(milliseconds: milliseconds)
    }
}

/// The real clock.
public struct SystemScriptClock: ScriptClock {
    private let start = ContinuousClock.now

    /// Creates a clock.
    public init() {}

    /// Milliseconds since the clock was created.
    public func now() -> Int64 {
        let elapsed = ContinuousClock.now - start
        return elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
    }

    /// Sleeps for real; cancellation ends it early.
    public func sleep(milliseconds: Int64) async throws {
        try await Task.sleep(for: .milliseconds(milliseconds))
    }

    /// Sleeps in slices of at most 100 ms, checking `stop` between them.
    public func sleep(milliseconds: Int64, stoppingWhen stop: @Sendable () -> Bool) async throws {
        var left = milliseconds
        while left > 0, !stop() {
            let slice = min(left, 100)
            try await Task.sleep(for: .milliseconds(slice))
            left -= slice
        }
    }
}
