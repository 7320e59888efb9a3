// Header names and media types compared byte by byte: these run for every request, and
// `lowercased()` plus Foundation's `contains` (NSString on Linux) cost more than the rest of
// reading a small answer.
extension String {
    /// Equal when ASCII letters are folded to lower case.
    package func equalsIgnoringASCIICase(_ other: String) -> Bool {
        utf8.count == other.utf8.count && zip(utf8, other.utf8).allSatisfy { Self.fold($0) == Self.fold($1) }
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
                for start in 0...(text.count - pattern.count) {
                    var index = 0
                    while index < pattern.count,
                        folding
                            ? Self.fold(text[start + index]) == Self.fold(pattern[index])
                            : text[start + index] == pattern[index]
                    {
                        index += 1
                    }
                    if index == pattern.count { return true }
                }
                return false
            }
        }
    }

    private static func fold(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }
}
