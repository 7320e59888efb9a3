import Foundation

/// Reads durations written as `250ms`, `5s`, `2m`, `1h` or combinations like `1m30s`.
public enum DurationText {
    /// Seconds, or nil when the text is not a duration.
    public static func seconds(_ text: String) -> Double? {
        var total = 0.0
        var number = ""
        var sawUnit = false
        var chars = Array(text.trimmingCharacters(in: .whitespaces))
        guard !chars.isEmpty else { return nil }
        var index = 0
        while index < chars.count {
            let c = chars[index]
            if c.isASCII, c.isNumber || c == "." {
                number.append(c)
                index += 1
                continue
            }
            guard let value = Double(number) else { return nil }
            number = ""
            if c == "m", index + 1 < chars.count, chars[index + 1] == "s" {
                total += value / 1000
                index += 2
            } else if let scale = ["s": 1.0, "m": 60, "h": 3600][String(c)] {
                total += value * scale
                index += 1
            } else {
                return nil
            }
            sawUnit = true
        }
        chars = []
        guard number.isEmpty, sawUnit else { return nil }
        return total
    }

    /// `50ms` as 0.05...0.05, or `20ms..200ms` as a range.
    public static func range(_ text: String) -> ClosedRange<Double>? {
        let parts = text.components(separatedBy: "..")
        if parts.count == 1, let value = seconds(parts[0]) { return value...value }
        if parts.count == 2, let low = seconds(parts[0]), let high = seconds(parts[1]), low <= high { return low...high }
        return nil
    }
}
