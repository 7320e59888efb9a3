import AltcraftWire
import Foundation
import Synchronization

/// The sandbox's notion of now, in seconds since 1970; injected so tests move time by hand.
public protocol SandboxClock: Sendable {
    func now() -> Double
}

/// Wall-clock time, for real use.
public struct SystemSandboxClock: SandboxClock {
    public init() {}
    public func now() -> Double { Date().timeIntervalSince1970 }
}

/// A clock that only moves when told to.
public final class ManualSandboxClock: SandboxClock {
    private let time: Mutex<Double>

    public init(_ start: Double = 1_717_236_000) {  // 2024-06-01T10:00:00Z
        time = Mutex(start)
    }

    public func now() -> Double { time.withLock { $0 } }

    public func advance(by seconds: Double) {
        time.withLock { $0 += seconds }
    }
}

/// The sandbox's times, seconds since 1970 as its clock counts them, as the API writes them.
enum SandboxTime {
    /// RFC 3339 with milliseconds and `Z`, the form the reference's examples use.
    static func format(_ seconds: Double) -> String {
        UTCTime.rfc3339(Date(timeIntervalSince1970: seconds))
    }

    /// Parses the RFC 3339 forms the reference shows (`2018-08-10T00:00:00.000Z`, with or
    /// without fraction, `Z` or an offset).
    static func parse(_ text: String) -> Double? {
        UTCTime.parse(text)?.timeIntervalSince1970
    }
}
