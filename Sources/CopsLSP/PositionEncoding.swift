import CampaignScript

/// How an LSP position counts characters within a line. LSP's default is UTF-16 code units;
/// a client may offer UTF-8 (`general.positionEncodings`), which is what the scripts' byte
/// offsets already are. The checker counts columns in Unicode scalars, so every range is
/// converted from its byte offsets, never from its column.
enum PositionEncoding: String, Sendable {
    case utf8 = "utf-8"
    case utf16 = "utf-16"

    /// The encoding to use for a client that offers `offered` (LSP 3.17's negotiation): UTF-8
    /// when offered, since it needs no conversion, otherwise the protocol's default.
    static func negotiated(offered: [String]) -> PositionEncoding {
        offered.contains(PositionEncoding.utf8.rawValue) ? .utf8 : .utf16
    }

    /// The code units a scalar takes in this encoding.
    func width(of scalar: Unicode.Scalar) -> Int {
        switch self {
        case .utf8: scalar.utf8.count
        case .utf16: scalar.utf16.count
        }
    }
}

/// A zero-based LSP position: a line and a character offset in the negotiated encoding.
struct LSPPosition: Equatable, Sendable {
    var line: Int
    var character: Int
}

/// A document's text with its line table, converting between LSP positions and byte offsets.
struct PositionMap: Sendable {
    let file: SourceFile
    let encoding: PositionEncoding

    /// The LSP position of a byte offset (clamped to the text).
    func position(ofOffset rawOffset: Int) -> LSPPosition {
        let location = file.location(atOffset: rawOffset)
        let lineStart = file.lineStarts[location.line - 1]
        var character = 0
        var index = lineStart
        while index < location.offset {
            let decoded = SourceFile.decodeScalar(file.bytes, at: index, end: file.bytes.count)
            // An invalid byte reaches a client as U+FFFD: one UTF-16 unit, three UTF-8 bytes.
            character += encoding.width(of: decoded.scalar ?? "\u{FFFD}")
            index += decoded.length
        }
        return LSPPosition(line: location.line - 1, character: character)
    }

    /// The byte offset of an LSP position; a character past the end of its line means the
    /// line's end, a line past the last means the end of the text (as the protocol asks).
    func offset(of position: LSPPosition) -> Int {
        guard position.line >= 0 else { return 0 }
        guard position.line < file.lineCount else { return file.bytes.count }
        let lineStart = file.lineStarts[position.line]
        let lineEnd = lineStart + file.lineBytes(position.line + 1).count
        var index = lineStart
        var character = 0
        while index < lineEnd, character < position.character {
            let decoded = SourceFile.decodeScalar(file.bytes, at: index, end: lineEnd)
            character += encoding.width(of: decoded.scalar ?? "\u{FFFD}")
            index += decoded.length
        }
        return index
    }

    /// An LSP range of a source range, from its byte offsets.
    func range(of range: SourceRange) -> (start: LSPPosition, end: LSPPosition) {
        (position(ofOffset: range.start.offset), position(ofOffset: range.end.offset))
    }

    /// The range of the whole text (a whole-document edit replaces it).
    var wholeText: (start: LSPPosition, end: LSPPosition) {
        (LSPPosition(line: 0, character: 0), position(ofOffset: file.bytes.count))
    }
}
