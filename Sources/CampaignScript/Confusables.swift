/// Non-ASCII characters that look like ASCII ones, for helpful lexer notes.
public enum Confusables {
    /// Maps a look-alike scalar to the ASCII text it resembles.
    public static let table: [Unicode.Scalar: String] = [
        // Cyrillic lowercase
        "\u{0430}": "a", "\u{0435}": "e", "\u{043E}": "o", "\u{0440}": "p", "\u{0441}": "c",
        "\u{0443}": "y", "\u{0445}": "x", "\u{0456}": "i", "\u{0458}": "j", "\u{0455}": "s",
        "\u{04BB}": "h", "\u{0501}": "d", "\u{051B}": "q", "\u{051D}": "w",
        // Cyrillic uppercase
        "\u{0410}": "A", "\u{0412}": "B", "\u{0415}": "E", "\u{041A}": "K", "\u{041C}": "M",
        "\u{041D}": "H", "\u{041E}": "O", "\u{0420}": "P", "\u{0421}": "C", "\u{0422}": "T",
        "\u{0425}": "X", "\u{0406}": "I", "\u{0408}": "J", "\u{0405}": "S",
        // Greek
        "\u{03BF}": "o", "\u{03B1}": "a", "\u{03BD}": "v", "\u{0391}": "A", "\u{0392}": "B",
        "\u{0395}": "E", "\u{0396}": "Z", "\u{0397}": "H", "\u{0399}": "I", "\u{039A}": "K",
        "\u{039C}": "M", "\u{039D}": "N", "\u{039F}": "O", "\u{03A1}": "P", "\u{03A4}": "T",
        "\u{03A5}": "Y", "\u{03A7}": "X",
        // Punctuation that word processors and chat apps substitute
        "\u{201C}": "\"", "\u{201D}": "\"", "\u{201E}": "\"", "\u{00AB}": "\"", "\u{00BB}": "\"",
        "\u{2018}": "'", "\u{2019}": "'", "\u{2010}": "-", "\u{2011}": "-", "\u{2012}": "-",
        "\u{2013}": "-", "\u{2014}": "-", "\u{2212}": "-", "\u{00A0}": " ", "\u{2009}": " ",
        "\u{202F}": " ", "\u{200B}": "", "\u{FEFF}": "", "\u{FF1D}": "=", "\u{FF0C}": ",",
        "\u{FF1B}": ";", "\u{2024}": ".", "\u{2025}": "..", "\u{FF08}": "(", "\u{FF09}": ")",
    ]

    /// The ASCII text a scalar resembles, if it is a known look-alike.
    public static func lookalike(for scalar: Unicode.Scalar) -> String? {
        if let ascii = table[scalar] { return ascii }
        // Fullwidth ASCII (U+FF01…U+FF5E) mirrors U+0021…U+007E.
        if (0xFF01...0xFF5E).contains(scalar.value), let ascii = Unicode.Scalar(scalar.value - 0xFEE0) {
            return String(Character(ascii))
        }
        return nil
    }
}
