/// A JSON string literal (RFC 8259 §7): the one escaper of the project, used by the wire's JSON
/// writer and by the `json` and `text` result formats, so that they cannot disagree.
///
/// Escaped: `"` and `\`; line feed, carriage return and tab as `\n`, `\r`, `\t`; every other
/// control character U+0000–U+001F and DEL (U+007F) as `\u00xx`; and U+2028 and U+2029 as
/// `\u2028` and `\u2029`. RFC 8259 requires only the quote, the backslash and U+0000–U+001F;
/// DEL is escaped so that no control character reaches a terminal or a log raw, and the two
/// separators because JavaScript before ES2019 ends a string literal at them. Everything else,
/// non-ASCII included, stays UTF-8. docs/client.md, "Wire formats", records the decision.
public enum JSONString {
    /// Appends `text` as a quoted JSON string.
    public static func append(_ text: String, to out: inout [UInt8]) {
        out.append(quote)
        var text = text
        text.withUTF8 { bytes in
            // Bytes that need no escape are copied a run at a time.
            var runStart = 0
            var index = 0
            while index < bytes.count {
                // Most bytes need no escape; only those that may are looked up.
                let byte = bytes[index]
                if byte >= 0x20, byte != quote, byte != backslash, byte != 0x7F, byte != 0xE2 {
                    index += 1
                    continue
                }
                guard let (escape, length) = escape(at: index, in: bytes) else {
                    index += 1
                    continue
                }
                // Runs appended as buffers (a copy), not as slices (an element at a time).
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                out.append(contentsOf: escape)
                index += length
                runStart = index
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
        }
        out.append(quote)
    }

    /// `text` as a quoted JSON string.
    public static func literal(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 2)
        append(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether any character of `text` is written as an escape.
    public static func needsEscapes(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in bytes.indices.contains { escape(at: $0, in: bytes) != nil } }
    }

    private static let quote = UInt8(ascii: "\"")
    private static let backslash = UInt8(ascii: "\\")

    /// The escape for the character starting at `index` and how many bytes it replaces, or nil
    /// when the character is written as it is.
    private static func escape(at index: Int, in bytes: UnsafeBufferPointer<UInt8>) -> ([UInt8], Int)? {
        switch bytes[index] {
        case quote: return ([backslash, quote], 1)
        case backslash: return ([backslash, backslash], 1)
        case 0x0A: return ([backslash, UInt8(ascii: "n")], 1)
        case 0x0D: return ([backslash, UInt8(ascii: "r")], 1)
        case 0x09: return ([backslash, UInt8(ascii: "t")], 1)
        case 0..<0x20, 0x7F: return (unicodeEscape(UInt16(bytes[index])), 1)
        // U+2028 and U+2029 are E2 80 A8 and E2 80 A9 in UTF-8.
        case 0xE2
        where index + 2 < bytes.count && bytes[index + 1] == 0x80
            && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9):
            return (unicodeEscape(bytes[index + 2] == 0xA8 ? 0x2028 : 0x2029), 3)
        default: return nil
        }
    }

    /// `\uXXXX` with lowercase hex digits.
    private static func unicodeEscape(_ value: UInt16) -> [UInt8] {
        let hex = Array("0123456789abcdef".utf8)
        return [backslash, UInt8(ascii: "u")] + [12, 8, 4, 0].map { hex[Int(value >> $0 & 0xF)] }
    }
}
