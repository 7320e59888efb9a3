/// A time as `log … since` takes it (docs/language.md): a date `YYYY-MM-DD`, optionally
/// followed by `T` (or a space), `hh:mm`, `:ss`, a fraction `.f…` and a zone, `Z` or `±hh:mm`
/// (or `±hhmm`); digits are ASCII. Parsed once, when the script is checked or, for a string
/// made at run time, when the statement runs; the adapter only sends `rfc3339`.
public struct Timestamp: Sendable, Equatable {
    /// The time in RFC 3339, as `log_v2`'s `from_time` takes it: a date alone is midnight
    /// UTC, a time without a zone is UTC, `hh:mm` gets `:00` seconds, an offset its colon; a
    /// fraction stays as written.
    public let rfc3339: String

    /// Parses a time; nil when `text` has none of the forms above.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        func isDigit(_ index: Int) -> Bool {
            index < bytes.count && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index])
        }
        // Whether the bytes from `start` have the shape of `pattern`, where `9` is any digit.
        func fits(_ pattern: String, at start: Int) -> Bool {
            guard start + pattern.utf8.count <= bytes.count else { return false }
            return zip(pattern.utf8, start...).allSatisfy { $0 == UInt8(ascii: "9") ? isDigit($1) : bytes[$1] == $0 }
        }
        func slice(_ start: Int, _ end: Int) -> String { String(decoding: bytes[start..<end], as: UTF8.self) }

        guard fits("9999-99-99", at: 0) else { return nil }
        let date = slice(0, 10)
        if bytes.count == 10 {
            rfc3339 = date + "T00:00:00Z"
            return
        }
        guard bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " "), fits("99:99", at: 11) else { return nil }
        var time = slice(11, 16)
        var index = 16
        if fits(":99", at: index) {
            index += 3
            if fits(".9", at: index) {
                index += 1
                while isDigit(index) { index += 1 }
            }
            time += slice(16, index)
        } else {
            time += ":00"
        }
        let zone: String
        switch bytes.count - index {
        case 0: zone = "Z"
        case 1 where bytes[index] == UInt8(ascii: "Z"): zone = "Z"
        case 5 where fits("+9999", at: index) || fits("-9999", at: index):
            zone = slice(index, index + 3) + ":" + slice(index + 3, index + 5)
        case 6 where fits("+99:99", at: index) || fits("-99:99", at: index): zone = slice(index, index + 6)
        default: return nil
        }
        rfc3339 = date + "T" + time + zone
    }
}
