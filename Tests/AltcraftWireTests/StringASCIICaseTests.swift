import AltcraftWire
import XCTest

/// The byte searches and comparisons of String+ASCIICase against plain loops over the UTF-8
/// bytes, on every short text and pattern over an alphabet with the cases that matter: ASCII
/// letters in both cases, a two-byte letter (whose second byte is not a letter's), a quote,
/// a newline.
final class StringASCIICaseTests: XCTestCase {
    private static let alphabet = ["a", "b", "A", "B", "é", "\"", "\n"]

    /// Every string of `alphabet` up to `length` characters.
    private static func strings(upTo length: Int) -> [String] {
        var all = [""]
        var last = [""]
        for _ in 0..<length {
            last = last.flatMap { prefix in alphabet.map { prefix + $0 } }
            all += last
        }
        return all
    }

    private static func fold(_ byte: UInt8) -> UInt8 { (65...90).contains(byte) ? byte + 32 : byte }

    /// Whether `pattern` occurs in `text`, byte by byte, folded or not: the reference.
    private static func occurs(_ pattern: [UInt8], in text: [UInt8], folding: Bool) -> Bool {
        guard pattern.count <= text.count else { return false }
        let key = folding ? { fold($0) } : { $0 }
        return (0...(text.count - pattern.count)).contains { start in
            pattern.indices.allSatisfy { key(text[start + $0]) == key(pattern[$0]) }
        }
    }

    func testSearchesFindWhatALoopOverTheBytesFinds() {
        let texts = Self.strings(upTo: 4) + ["aaaaaaaaab", String(repeating: "bA", count: 40) + "\"é"]
        let patterns = Self.strings(upTo: 2) + ["aab", "Bab", "\"é", "abé\n"]
        var found = 0
        for text in texts {
            let bytes = Array(text.utf8)
            for pattern in patterns {
                let exactly = Self.occurs(Array(pattern.utf8), in: bytes, folding: false)
                XCTAssertEqual(text.containsExactly(pattern), exactly, "\(text.debugDescription) \(pattern.debugDescription)")
                XCTAssertEqual(bytes.containsExactly(pattern), exactly, "\(text.debugDescription) \(pattern.debugDescription)")
                XCTAssertEqual(
                    text.containsIgnoringASCIICase(pattern), Self.occurs(Array(pattern.utf8), in: bytes, folding: true),
                    "\(text.debugDescription) \(pattern.debugDescription)")
                if exactly { found += 1 }
            }
        }
        // Both answers came up often (the check would pass on a search that never finds).
        XCTAssertGreaterThan(found, 10_000)
        XCTAssertLessThan(found, texts.count * patterns.count / 2)
    }

    func testByteLookupsFindWhatTheUTF8ViewFinds() {
        for text in Self.strings(upTo: 3) + ["/api/v1.1/campaigns/get_status?token=t&format=xml"] {
            for byte in Set(Array("aAé\"\n?".utf8) + [0]) {
                let offset = text.utf8.firstIndex(of: byte).map { text.utf8.distance(from: text.utf8.startIndex, to: $0) }
                XCTAssertEqual(text.utf8Offset(of: byte), offset, "\(text.debugDescription) \(byte)")
                XCTAssertEqual(text.containsByte(byte), offset != nil, "\(text.debugDescription) \(byte)")
            }
        }
    }

    func testEqualityIgnoringCaseIsAByteLoopsEquality() {
        let texts = Self.strings(upTo: 3)
        for first in texts {
            for second in texts {
                let a = Array(first.utf8)
                let b = Array(second.utf8)
                let expected = a.count == b.count && zip(a, b).allSatisfy { Self.fold($0) == Self.fold($1) }
                XCTAssertEqual(
                    first.equalsIgnoringASCIICase(second), expected, "\(first.debugDescription) \(second.debugDescription)")
            }
        }
    }
}
