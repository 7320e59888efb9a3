/// JSON's numbers and literals written straight into a byte buffer, for the two JSON writers
/// (the wire's and the `json` result format). Through `String` and its UTF-8 view they were
/// most of writing a journal line's or a result row's numbers and flags (docs/performance.md,
/// "Ninth round").
public enum JSONBytes {
    /// Appends `literal` (`null`, `true`, a punctuation run) as it is.
    public static func append(_ literal: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// Appends `number` in decimal, as `String(number)` spells it.
    public static func append(_ number: Int64, to out: inout [UInt8]) {
        if number < 0 { out.append(UInt8(ascii: "-")) }
        // The magnitude as unsigned: `Int64.min` has no positive counterpart.
        var rest = number.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: UInt64.max has 20 digits
        withUnsafeMutableBytes(of: &digits) { buffer in
            var start = buffer.count
            repeat {
                start -= 1
                buffer[start] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            } while rest > 0
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[start...]))
        }
    }
}
