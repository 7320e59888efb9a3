import Synchronization

/// A flag a Ctrl-C handler (or a test) flips to cancel the running statement.
///
/// Task cancellation alone is not enough: a signal handler has no task to cancel, and a bulk
/// statement must stop starting requests while letting those in flight report.
public final class CancellationSwitch: Sendable {
    private let flag = Mutex(false)

    /// Creates a switch that is off.
    public init() {}

    /// Asks the running statement to stop.
    public func cancel() { flag.withLock { $0 = true } }

    /// Whether cancellation was asked for.
    public var isCancelled: Bool { flag.withLock { $0 } }

    /// Turns the switch off again (the prompt does after reporting a cancelled statement).
    public func reset() { flag.withLock { $0 = false } }
}
