import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Times as UTC text — the one place they are written and read: RFC 3339 as the API, run
/// journals, plans, transcripts and logs carry them, the compact form of journal file names,
/// and the day of a certificate's dates.
///
/// Written from `gmtime_r`'s fields and read with `timegm`, not by Foundation's date
/// formatters: the first use of one loads ICU's calendar, locale and time-zone data, 13 % of
/// an embedded one-shot run's CPU (docs/performance.md, "Sixth round: start-up").
public enum UTCTime {
    /// `2026-11-30T23:46:33.120Z`, or `2026-11-30T23:46:33Z` without `milliseconds` (cut, as
    /// Foundation's formatter does).
    public static func rfc3339(_ date: Date, milliseconds: Bool = true) -> String {
        let (fields, millis) = split(date)
        var text = digits(fields.year, 4) + "-" + digits(fields.month, 2) + "-" + digits(fields.day, 2)
        text += "T" + digits(fields.hour, 2) + ":" + digits(fields.minute, 2) + ":" + digits(fields.second, 2)
        return text + (milliseconds ? "." + digits(millis, 3) + "Z" : "Z")
    }

    /// `20261130T234633.120Z`: sorts as the time does, and has no `:` for file systems that
    /// refuse one.
    public static func compact(_ date: Date) -> String {
        let (fields, millis) = split(date)
        return digits(fields.year, 4) + digits(fields.month, 2) + digits(fields.day, 2) + "T" + digits(fields.hour, 2)
            + digits(fields.minute, 2) + digits(fields.second, 2) + "." + digits(millis, 3) + "Z"
    }

    /// `2026-11-30`.
    public static func day(_ date: Date) -> String {
        let (fields, _) = split(date)
        return digits(fields.year, 4) + "-" + digits(fields.month, 2) + "-" + digits(fields.day, 2)
    }

    /// Reads RFC 3339's date-time: `YYYY-MM-DDThh:mm:ss`, an optional fraction of any length,
    /// then `Z` or `±hh:mm` (`T`, `Z` in either case, as the RFC allows); nil otherwise, or
    /// when a field is out of range.
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ count: Int) -> Int? {
            guard index + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + count] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            index += count
            return value
        }
        func expect(_ characters: String) -> Bool {
            guard index < bytes.count, characters.utf8.contains(bytes[index]) else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
            expect("Tt"), let hour = number(2), expect(":"), let minute = number(2), expect(":"),
            let second = number(2)
        else { return nil }
        var fraction = 0.0
        if expect(".") {
            var scale = 0.1
            let start = index
            while let digit = number(1) {
                fraction += Double(digit) * scale
                scale /= 10
            }
            guard index > start else { return nil }
        }
        var offset = 0
        if !expect("Zz") {
            guard index < bytes.count else { return nil }
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            guard expect("+-"), let hours = number(2), expect(":"), let minutes = number(2), hours < 24, minutes < 60
            else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
        }
        guard index == bytes.count, (1...12).contains(month), (1...daysIn(month, of: year)).contains(day), hour < 24,
            minute < 60, second < 61
        else { return nil }
        var fields = tm()
        fields.tm_year = Int32(year - 1900)
        fields.tm_mon = Int32(month - 1)
        fields.tm_mday = Int32(day)
        fields.tm_hour = Int32(hour)
        fields.tm_min = Int32(minute)
        fields.tm_sec = Int32(second)
        let seconds = timegm(&fields)
        return Date(timeIntervalSince1970: Double(seconds - offset) + fraction)
    }

    // MARK: - fields

    private struct Fields {
        var year, month, day, hour, minute, second: Int
    }

    /// The calendar fields of `date` in UTC and its milliseconds, rounded to the nearest: a time
    /// of whole milliseconds is seldom exact in binary (`0.208` is `0.20799…`).
    private static func split(_ date: Date) -> (Fields, Int) {
        let totalMillis = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let millis = Int(((totalMillis % 1000) + 1000) % 1000)
        var seconds = time_t((totalMillis - Int64(millis)) / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let fields = Fields(
            year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday),
            hour: Int(parts.tm_hour), minute: Int(parts.tm_min), second: Int(parts.tm_sec))
        return (fields, millis)
    }

    private static func daysIn(_ month: Int, of year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// `value` in decimal, zero-padded to `width`.
    private static func digits(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
