import AltcraftWire
import Foundation

/// One simulated campaign, with the sending queue that makes deactivate semantics visible.
public struct SandboxCampaign: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case broadcast, regular, trigger
    }

    public struct Group: Codable, Sendable, Equatable {
        public var id: Int
        public var name: String
    }

    public struct LogRecord: Codable, Sendable, Equatable {
        public var time: Double
        public var level: String
        public var message: String
        public var state: String
        public var value: String
    }

    public var id: Int
    public var name: String
    public var kind: Kind
    /// For trigger campaigns: `api_call`, `action`, …
    public var triggerType: String?
    public var channel: String
    public var isActive: Bool
    public var isCompleted: Bool
    public var uiTags: [String]
    public var groups: [Group]
    /// How many messages one launch sends.
    public var audienceSize: Int
    /// Messages waiting in the sending queue.
    public var queued: Int
    /// Messages sent so far, over all launches.
    public var sent: Int
    /// Messages the queue sends per second.
    public var sendRate: Double
    /// When the queue was last drained up to (seconds since 1970).
    public var drainedUntil: Double
    /// When the current send began, for the "Total time spent" log entry.
    public var sendStarted: Double?
    /// Messages sent by the current run so far (nil when none is running).
    public var sentThisRun: Int?
    public var updateTime: Double
    public var log: [LogRecord]

    /// The status word. The reference only shows `Inactive`; the others are the sandbox's
    /// choice (docs/sandbox.md).
    public var status: String {
        if queued > 0 { return isActive ? "Sending" : "Stopping" }
        if isCompleted { return "Completed" }
        return isActive ? "Active" : "Inactive"
    }

    mutating func addLog(_ time: Double, _ level: String, _ message: String, state: String = "", value: String = "") {
        log.append(LogRecord(time: time, level: level, message: message, state: state, value: value))
    }

    /// Sends what the queue would have sent up to `now`; completes the campaign when it empties.
    mutating func drain(until now: Double) {
        guard queued > 0 else {
            drainedUntil = max(drainedUntil, now)
            return
        }
        let elapsed = max(0, now - drainedUntil)
        let capacity = Int((elapsed * sendRate).rounded(.down))
        if capacity >= queued {
            let finishedAt = drainedUntil + Double(queued) / sendRate
            sent += queued
            sentThisRun = (sentThisRun ?? 0) + queued
            addLog(finishedAt, "INFO", "Messages sent", value: String(sentThisRun ?? queued))
            sentThisRun = nil
            queued = 0
            isCompleted = true
            addLog(finishedAt, "INFO", "Campaign finished", state: "end")
            if let started = sendStarted {
                addLog(finishedAt, "INFO", "Total time spent", value: Self.formatSpan(finishedAt - started))
            }
            sendStarted = nil
            drainedUntil = now
        } else if capacity > 0 {
            sentThisRun = (sentThisRun ?? 0) + capacity
            sent += capacity
            queued -= capacity
            drainedUntil += Double(capacity) / sendRate
        }
    }

    /// A span with three decimals, in milliseconds under a second: `%.3fms` or `%.3fs`.
    static func formatSpan(_ seconds: Double) -> String {
        seconds < 1 ? threeDecimals(seconds * 1000) + "ms" : threeDecimals(seconds) + "s"
    }

    /// `value` as `String(format: "%.3f")` writes it, from integers: `String(format:)` passes
    /// its arguments as `CVarArg`s, whose casts cost a one-shot three scans of every protocol
    /// conformance in the binary (docs/performance.md, "Tenth round"). Rounded as printf
    /// rounds: the exact binary value to the nearer thousandth, ties to even. The products are
    /// compared by fused multiply-adds, which round once, so a sign is never wrong.
    static func threeDecimals(_ value: Double) -> String {
        let magnitude = value.magnitude
        guard magnitude < 1e12 else { return String(format: "%.3f", value) }  // never a span; NaN too
        var thousandths = (magnitude * 1000).rounded(.down)
        // Exactly thousandths ≤ magnitude × 1000 < thousandths + 1.
        if (-thousandths).addingProduct(magnitude, 1000) < 0 {
            thousandths -= 1
        } else if (-(thousandths + 1)).addingProduct(magnitude, 1000) >= 0 {
            thousandths += 1
        }
        // Against the midpoint: magnitude × 2000 against 2 × thousandths + 1.
        let aboveHalf = (-(2 * thousandths + 1)).addingProduct(magnitude, 2000)
        let count = Int64(thousandths)
        let rounded = aboveHalf > 0 || (aboveHalf == 0 && count % 2 == 1) ? count + 1 : count
        let fraction = String(rounded % 1000)
        let sign = value.sign == .minus ? "-" : ""
        return sign + String(rounded / 1000) + "." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    /// The row of a list answer. Trigger lists show the trigger type in `type` (docs/sandbox.md); the
    /// general list shows the campaign type.
    func summary(triggerTypeAsType: Bool = false) -> WireValue {
        var object = WireObject([
            ("id", .int(Int64(id))),
            ("name", .string(name)),
            ("type", .string(triggerTypeAsType ? (triggerType ?? "api_call") : kind.rawValue)),
            ("is_active", .bool(isActive)),
            ("subid", .string("")),
            ("for_confirm", .bool(false)),
            ("ui_tags", .array(uiTags.map { .string($0) })),
            ("groups", .array(groups.map { .object(WireObject([("id", .int(Int64($0.id))), ("name", .string($0.name))])) })),
        ])
        if channel == "push" { object["providers"] = .array(Self.providers.map { .string($0) }) }
        return .object(object)
    }

    /// The record of a `get` answer, shaped like the reference's v72 examples.
    var record: WireValue {
        var object = WireObject([
            ("id", .int(Int64(id))),
            ("name", .string(name)),
            ("description", .string("")),
            ("type", .string(kind.rawValue)),
            ("updated_user", .string("sandbox")),
            ("update_time", .string(SandboxTime.format(updateTime))),
            ("is_active", .bool(isActive)),
            ("is_completed", .bool(isCompleted)),
            ("status", .string(status)),
        ])
        if kind == .trigger { object["trigger_type"] = .string(triggerType ?? "api_call") }
        object["data_id"] = .int(1)
        object["data_type"] = .string("list")
        object["content"] = .array([
            .object(
                WireObject([
                    ("subject", ""), ("from_email", ""), ("from_name", ""), ("replyto_email", ""), ("replyto_name", ""),
                    ("message_id", .int(Int64(id % 50 + 1))),
                ]))
        ])
        object["send_channel"] = .string(channel)
        object["channel"] = .string(channel)
        object["resource_id"] = .int(1)
        object["subid"] = ""
        object["for_confirm"] = false
        object["ui_tags"] = .array(uiTags.map { .string($0) })
        object["groups"] = summary()["groups"]
        if channel == "push" {
            object["providers"] = .array(Self.providers.map { .string($0) })
            object["push_sending_mode"] = "fanout"
        }
        object["virtual_sender_id"] = .int(1)
        return .object(object)
    }

    static let providers = [
        "google", "mozilla", "safari", "safari-native", "firefox-firebase", "chrome-firebase", "opera-firebase",
        "yandex-firebase", "samsung-firebase", "android-firebase", "ios-firebase", "ios-apns",
        "yandex-Appmetrica-device-id-ios", "yandex-Appmetrica-device-id-android", "yandex-Appmetrica-ios-ifa",
        "yandex-Appmetrica-google-aid", "yandex-Appmetrica-android-token", "yandex-Appmetrica-ios-token",
        "android-huawei", "ios-huawei", "android-rustore",
    ]
}
