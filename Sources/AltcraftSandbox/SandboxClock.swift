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

enum SandboxTime {
    /// RFC 3339 with milliseconds and `Z`, the form the reference's examples use.
    static func format(_ seconds: Double) -> String {
        let millis = Int64((seconds * 1000).rounded(.down))
        let date = Date(timeIntervalSince1970: Double(millis / 1000))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let ms = Int(((millis % 1000) + 1000) % 1000)
        return
            "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))T\(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2)).\(pad(ms, 3))Z"
    }

    /// Parses the RFC 3339 forms the reference shows (`2018-08-10T00:00:00.000Z`, with or
    /// without fraction, `Z` or an offset).
    static func parse(_ text: String) -> Double? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date.timeIntervalSince1970 }
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date.timeIntervalSince1970 }
        return nil
    }
}
