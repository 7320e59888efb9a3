/// The one reader of durations (docs/language.md, "Lexical structure"): the lexer's duration
/// literals (`sleep 5s`, `set timeout 1m30s`) and the command line's (`--timeout`, `cops
/// sandbox serve --latency`) accept exactly the same text. `Value.durationText` writes them.
///
/// A duration is one or more amounts, each digits (with `_` separators, as integers have)
/// and a unit `h`, `m`, `s` or `ms`, each unit at most once and largest first: `250ms`, `5s`,
/// `1h30m`, `1m30s`. No fractions, signs or spaces.
public enum DurationText {
    /// Why a text is not a duration.
    enum Failure: Error, Equatable {
        /// Not a duration. `looksLikeDuration` when it has a unit or starts like one, so the
        /// lexer can say "malformed duration" for `5sec` and "malformed number" for `12abc`.
        case malformed(looksLikeDuration: Bool)
        /// More milliseconds than an `Int64` holds.
        case overflow
    }

    /// The milliseconds `text` stands for; nil when it is not exactly one duration.
    public static func milliseconds(_ text: String) -> Int64? {
        try? read(Array(text.utf8)[...]).get()
    }

    /// The same, in seconds, for the places that keep time as `Double`.
    public static func seconds(_ text: String) -> Double? {
        milliseconds(text).map { Double($0) / 1000 }
    }

    /// `50ms` as 0.05...0.05, or `20ms..200ms` (the language's `..`, both ends included) as a
    /// range, in seconds; nil unless both ends are durations and the first is not the larger.
    public static func range(_ text: String) -> ClosedRange<Double>? {
        guard let dots = text.firstRange(of: "..") else { return seconds(text).map { $0...$0 } }
        guard let low = seconds(String(text[..<dots.lowerBound])),
            let high = seconds(String(text[dots.upperBound...])), low <= high
        else { return nil }
        return low...high
    }

    /// Reads the bytes of one duration: the lexer's word, or a whole command-line value.
    static func read<Spelling: RandomAccessCollection<UInt8>>(_ spelling: Spelling) -> Result<Int64, Failure>
    where Spelling.Index == Int {
        var total: Int64 = 0
        var position = spelling.startIndex
        var previousRank = Int.max
        var sawUnit = false
        while position < spelling.endIndex {
            let digitStart = position
            while position < spelling.endIndex, isDigit(spelling[position]) || spelling[position] == underscore {
                position += 1
            }
            let unitStart = position
            while position < spelling.endIndex, isUnitLetter(spelling[position]) { position += 1 }
            let unit = String(decoding: spelling[unitStart..<position], as: UTF8.self)
            let rank: Int
            let factor: Int64
            switch unit {
            case "h": (rank, factor) = (3, 3_600_000)
            case "m": (rank, factor) = (2, 60_000)
            case "s": (rank, factor) = (1, 1_000)
            case "ms": (rank, factor) = (0, 1)
            default:
                let startsLikeUnit = unit.first.map { "hms".contains($0) } ?? sawUnit
                return .failure(.malformed(looksLikeDuration: sawUnit || startsLikeUnit))
            }
            guard digitStart < unitStart,
                let digits = digitsWithoutSeparators(spelling[digitStart..<unitStart]),
                rank < previousRank
            else { return .failure(.malformed(looksLikeDuration: true)) }
            guard let amount = Int64(digits) else { return .failure(.overflow) }
            let (scaled, overflow1) = amount.multipliedReportingOverflow(by: factor)
            let (sum, overflow2) = total.addingReportingOverflow(scaled)
            if overflow1 || overflow2 { return .failure(.overflow) }
            total = sum
            previousRank = rank
            sawUnit = true
        }
        // Only a command-line value can be empty; the lexer reads digits alone as an integer.
        return sawUnit ? .success(total) : .failure(.malformed(looksLikeDuration: false))
    }

    private static let underscore = UInt8(ascii: "_")

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// The bytes a unit is read from: letters and `_`, as in a word, so that `5sec` and `5s_`
    /// are one malformed unit rather than a unit followed by something else.
    private static func isUnitLetter(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || byte == underscore
    }

    /// Removes `_` separators; `nil` when one leads, trails or doubles (`1__0s`, `10_s`).
    private static func digitsWithoutSeparators(_ spelling: some Sequence<UInt8>) -> String? {
        var digits = ""
        var previousWasSeparator = true
        for byte in spelling {
            if byte == underscore {
                if previousWasSeparator { return nil }
                previousWasSeparator = true
            } else {
                digits.unicodeScalars.append(Unicode.Scalar(byte))
                previousWasSeparator = false
            }
        }
        return previousWasSeparator ? nil : digits
    }
}
