#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

// Header names and media types compared byte by byte: these run for every request, and
// `lowercased()` plus Foundation's `contains` (NSString on Linux) cost more than the rest of
// reading a small answer.
extension String {
    /// Equal when ASCII letters are folded to lower case.
    package func equalsIgnoringASCIICase(_ other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        var first = self
        var second = other
        return first.withUTF8 { first in
            second.withUTF8 { second in
                for index in 0..<first.count where Self.fold(first[index]) != Self.fold(second[index]) { return false }
                return true
            }
        }
    }

    /// Whether `needle` occurs, ASCII letters folded to lower case.
    package func containsIgnoringASCIICase(_ needle: String) -> Bool { contains(needle, folding: true) }

    /// Whether `needle` occurs, compared byte by byte.
    package func containsExactly(_ needle: String) -> Bool { contains(needle, folding: false) }

    private func contains(_ needle: String, folding: Bool) -> Bool {
        var haystack = self
        var pattern = needle
        return haystack.withUTF8 { text in
            pattern.withUTF8 { pattern in
                guard pattern.count <= text.count else { return false }
                if pattern.isEmpty { return true }
                if !folding { return ByteSearch.contains(pattern, in: text) }
                for start in 0...(text.count - pattern.count) {
                    var index = 0
                    while index < pattern.count, Self.fold(text[start + index]) == Self.fold(pattern[index]) {
                        index += 1
                    }
                    if index == pattern.count { return true }
                }
                return false
            }
        }
    }

    /// Whether the UTF-8 bytes hold `byte`, by `memchr`: `utf8.contains` walks the view's
    /// iterator, ≈ 900 instructions for a request path, which every embedded call asked three
    /// times (docs/performance.md, "Ninth round").
    package func containsByte(_ byte: UInt8) -> Bool { utf8Offset(of: byte) != nil }

    /// The offset in the UTF-8 bytes of the first `byte`, by `memchr`.
    package func utf8Offset(of byte: UInt8) -> Int? {
        var text = self
        return text.withUTF8 { bytes in
            guard let base = bytes.baseAddress, let hit = memchr(base, Int32(byte), bytes.count) else { return nil }
            return UnsafePointer(hit.assumingMemoryBound(to: UInt8.self)) - base
        }
    }

    private static func fold(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }
}

extension [UInt8] {
    /// Whether `needle`'s UTF-8 bytes occur (a journal line searched for secrets before it
    /// is made a `String`).
    package func containsExactly(_ needle: String) -> Bool {
        var pattern = needle
        return withUnsafeBufferPointer { text in
            pattern.withUTF8 { pattern in
                pattern.isEmpty || (pattern.count <= text.count && ByteSearch.contains(pattern, in: text))
            }
        }
    }
}

/// Exact byte search: the C library's vectorised `memchr` finds each place the first byte
/// occurs and `memcmp` compares the rest. The secret scan of every output and journal line
/// runs it; a byte-by-byte loop was ≈ 10 % of writing a journal line (docs/performance.md,
/// "Eighth round"). (`memmem` would do both, but Swift's Glibc module leaves GNU
/// extensions out.)
private enum ByteSearch {
    /// `pattern` is not empty and not longer than `text`.
    static func contains(_ pattern: UnsafeBufferPointer<UInt8>, in text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = text.baseAddress, let wanted = pattern.baseAddress else { return false }
        // The last place the pattern can start, plus one.
        let end = base + (text.count - pattern.count + 1)
        var from = base
        while from < end, let hit = memchr(from, Int32(wanted.pointee), end - from) {
            let candidate = UnsafePointer(hit.assumingMemoryBound(to: UInt8.self))
            if memcmp(candidate, wanted, pattern.count) == 0 { return true }
            from = candidate + 1
        }
        return false
    }
}
