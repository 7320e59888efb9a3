/// What `XMLReader` reports, in document order: the events of Foundation's `XMLParser` that
/// `XMLWire` used (elements by qualified name, text with references resolved, CDATA as text).
protocol XMLEventHandler {
    mutating func startElement(_ name: String) throws(WireFormatError)
    mutating func characters(_ text: String)
    mutating func endElement()
}

/// A non-validating reader for well-formed XML 1.0 in UTF-8: elements, attributes (checked,
/// then dropped), text, the five predefined entities and character references, CDATA,
/// comments and processing instructions; a document type declaration only without an internal
/// subset. What follows the root element is not read.
///
/// It replaced Foundation's `XMLParser`, whose libxml2 brought ICU, liblzma and libz into
/// every start of `cops` (docs/performance.md, "Fifth round"); tests compare the two on the
/// fixtures and on malformed documents, and FuzzWire does so on arbitrary input.
struct XMLReader {
    private let bytes: [UInt8]
    private var index = 0

    /// `bytes` must be valid UTF-8 (`XMLWire.decode` checks that first).
    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    private func failure(_ what: String) -> WireFormatError {
        WireFormatError("invalid XML: \(what)", offset: index)
    }

    /// Reads the document up to the end of its root element; throws at the first error, after
    /// the events before it.
    mutating func read<Handler: XMLEventHandler>(into handler: inout Handler) throws(WireFormatError) {
        // A byte-order mark is allowed before anything else.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        let documentStart = index
        while true {
            skipWhitespace()
            guard index < bytes.count else { break }
            guard bytes[index] == UInt8(ascii: "<") else { throw failure("text before the root element") }
            if index == documentStart, starts(with: "<?xml"), index + 5 < bytes.count, Self.isWhitespace(bytes[index + 5]) {
                try skipXMLDeclaration()
            } else if starts(with: "<?") {
                try skipProcessingInstruction()
            } else if starts(with: "<!--") {
                try skipComment()
            } else if starts(with: "<!DOCTYPE") {
                try skipDocumentType()
            } else if starts(with: "<!") || starts(with: "</") {
                throw failure("markup outside the root element")
            } else {
                try readElement(into: &handler)
                try skipTrailingMisc()
                return
            }
        }
        throw failure("no root element")
    }

    /// Comments and processing instructions after the root element are read and checked;
    /// anything else there ends the reading without an error, as it did with libxml2 under
    /// Foundation's `XMLParser`, which this reader replaced.
    private mutating func skipTrailingMisc() throws(WireFormatError) {
        while true {
            skipWhitespace()
            if starts(with: "<!--") {
                try skipComment()
            } else if starts(with: "<?") {
                try skipProcessingInstruction()
            } else {
                return
            }
        }
    }

    /// `<!DOCTYPE name (SYSTEM "…" | PUBLIC "…" "…")? >`; one with an internal subset (`[…]`)
    /// is refused: answers have none, and its entities are what XML bombs are made of.
    private mutating func skipDocumentType() throws(WireFormatError) {
        index += 9
        guard skipWhitespace() else { throw failure("malformed document type declaration") }
        _ = try readName()
        var hadSpace = skipWhitespace()
        let externalIDs: [(keyword: StaticString, literals: Int)] = [("SYSTEM", 1), ("PUBLIC", 2)]
        for (keyword, literals) in externalIDs where hadSpace && starts(with: keyword) {
            index += 6
            for _ in 0..<literals {
                guard skipWhitespace(), index < bytes.count,
                    bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'"),
                    let end = bytes[(index + 1)...].firstIndex(of: bytes[index])
                else { throw failure("malformed document type declaration") }
                index = end + 1
            }
            hadSpace = skipWhitespace()
        }
        if starts(with: "[") { throw failure("a document type declaration with an internal subset is not accepted") }
        try expect(">")
    }

    // MARK: - Elements

    /// The root element and everything inside it, iteratively (an open-element stack of names).
    private mutating func readElement<Handler: XMLEventHandler>(into handler: inout Handler) throws(WireFormatError) {
        var open: [ArraySlice<UInt8>] = []
        repeat {
            if starts(with: "</") {
                index += 2
                let name = try readName()
                skipWhitespace()
                try expect(">")
                guard let last = open.popLast(), last.elementsEqual(name) else {
                    throw failure("end tag does not match its start tag")
                }
                handler.endElement()
            } else if starts(with: "<!--") {
                try skipComment()
            } else if starts(with: "<![CDATA[") {
                index += 9
                guard let end = find("]]>") else { throw failure("unterminated CDATA section") }
                try checkCharacters(index..<end)
                // Unlike text, CDATA keeps its CR LF, as libxml2 reported it.
                handler.characters(String(decoding: bytes[index..<end], as: UTF8.self))
                index = end + 3
            } else if starts(with: "<?") {
                try skipProcessingInstruction()
            } else if starts(with: "<!") {
                throw failure("markup declaration inside an element")
            } else if starts(with: "<") {
                index += 1
                let name = try readName()
                try skipAttributes()
                let empty = starts(with: "/>")
                index += empty ? 2 : 1
                try handler.startElement(String(decoding: name, as: UTF8.self))
                if empty { handler.endElement() } else { open.append(name) }
            } else if !open.isEmpty {
                handler.characters(try readText())
            }
            if open.isEmpty { return }
            guard index < bytes.count else { throw failure("unclosed element") }
        } while true
    }

    /// Attributes are checked for form and uniqueness, then dropped (the wire has none).
    /// Leaves `index` at `>` or `/>`.
    private mutating func skipAttributes() throws(WireFormatError) {
        var names: [ArraySlice<UInt8>] = []
        while true {
            let hadSpace = skipWhitespace()
            if starts(with: ">") || starts(with: "/>") { return }
            guard hadSpace, index < bytes.count else { throw failure("malformed start tag") }
            let name = try readName()
            if names.contains(where: { $0.elementsEqual(name) }) { throw failure("attribute given twice") }
            names.append(name)
            skipWhitespace()
            try expect("=")
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else {
                throw failure("attribute value without quotes")
            }
            let quote = bytes[index]
            index += 1
            while index < bytes.count, bytes[index] != quote {
                switch bytes[index] {
                case UInt8(ascii: "<"): throw failure("'<' in an attribute value")
                case UInt8(ascii: "&"): _ = try readReference()
                default: try advanceCharacter()
                }
            }
            guard index < bytes.count else { throw failure("unterminated attribute value") }
            index += 1
        }
    }

    // MARK: - Text

    /// Character data up to the next `<`, references resolved and line ends normalised.
    private mutating func readText() throws(WireFormatError) -> String {
        var text: [UInt8] = []
        while index < bytes.count, bytes[index] != UInt8(ascii: "<") {
            let byte = bytes[index]
            if byte == UInt8(ascii: "&") {
                text.append(contentsOf: try readReference().utf8)
            } else if byte == UInt8(ascii: "]"), starts(with: "]]>") {
                throw failure("']]>' in text")
            } else if byte == 0x0D {
                // XML reads CR LF and a lone CR as LF (section 2.11).
                text.append(0x0A)
                index += 1
                if index < bytes.count, bytes[index] == 0x0A { index += 1 }
            } else {
                let start = index
                try advanceCharacter()
                text.append(contentsOf: bytes[start..<index])
            }
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// `&name;` or `&#N;`/`&#xH;` at `index`; returns what it stands for.
    private mutating func readReference() throws(WireFormatError) -> String {
        index += 1
        if starts(with: "#") {
            index += 1
            var radix: UInt32 = 10
            if starts(with: "x") {
                radix = 16
                index += 1
            }
            let start = index
            var value: UInt32 = 0
            while index < bytes.count, let digit = Self.digitValue(bytes[index], radix: radix) {
                // Past the largest scalar it can only be refused; stop growing before overflow.
                value = min(value * radix + digit, 0x11_0000)
                index += 1
            }
            guard index > start, starts(with: ";") else { throw failure("malformed character reference") }
            index += 1
            guard Self.isXMLCharacter(value), let scalar = Unicode.Scalar(value) else {
                throw failure("character reference to a character XML does not allow")
            }
            return String(Character(scalar))
        }
        let name = try readName()
        guard starts(with: ";") else { throw failure("'&' that does not start a reference") }
        index += 1
        switch String(decoding: name, as: UTF8.self) {
        case "lt": return "<"
        case "gt": return ">"
        case "amp": return "&"
        case "apos": return "'"
        case "quot": return "\""
        default: throw failure("undefined entity")
        }
    }

    private static func digitValue(_ byte: UInt8, radix: UInt32) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f") where radix == 16: return UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F") where radix == 16: return UInt32(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    // MARK: - Comments and processing instructions

    private mutating func skipComment() throws(WireFormatError) {
        index += 4
        guard let end = find("--") else { throw failure("unterminated comment") }
        guard end + 2 < bytes.count, bytes[end + 2] == UInt8(ascii: ">") else { throw failure("'--' inside a comment") }
        try checkCharacters(index..<end)
        index = end + 3
    }

    /// `<?target …?>`; the target `xml` is reserved for the declaration at the start.
    private mutating func skipProcessingInstruction() throws(WireFormatError) {
        index += 2
        let target = try readName()
        if target.count == 3, String(decoding: target, as: UTF8.self).lowercased() == "xml" {
            throw failure("XML declaration not at the start")
        }
        guard let end = find("?>") else { throw failure("unterminated processing instruction") }
        guard end == index || Self.isWhitespace(bytes[index]) else { throw failure("malformed processing instruction") }
        try checkCharacters(index..<end)
        index = end + 2
    }

    /// `<?xml version="…" encoding="…" standalone="…"?>`: version first, the others optional,
    /// in that order.
    private mutating func skipXMLDeclaration() throws(WireFormatError) {
        index += 5
        var expected: [String] = ["version", "encoding", "standalone"]
        var first = true
        while true {
            let hadSpace = skipWhitespace()
            if starts(with: "?>") { break }
            guard hadSpace, !expected.isEmpty else { throw failure("malformed XML declaration") }
            let name = String(decoding: try readName(), as: UTF8.self)
            guard let position = expected.firstIndex(of: name), !first || name == "version" else {
                throw failure("malformed XML declaration")
            }
            expected.removeFirst(position + 1)
            first = false
            skipWhitespace()
            try expect("=")
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else {
                throw failure("malformed XML declaration")
            }
            let quote = bytes[index]
            index += 1
            let start = index
            while index < bytes.count, bytes[index] != quote, bytes[index] != UInt8(ascii: "<") { index += 1 }
            guard index < bytes.count, bytes[index] == quote, index > start else {
                throw failure("malformed XML declaration")
            }
            let value = String(decoding: bytes[start..<index], as: UTF8.self)
            if name == "standalone", value != "yes", value != "no" { throw failure("malformed XML declaration") }
            // The text is read as UTF-8 (XMLWire.decode has checked it is); a document that
            // says otherwise is refused rather than misread.
            if name == "encoding", !["utf-8", "utf8", "us-ascii", "ascii"].contains(value.lowercased()) {
                throw failure("encoding other than UTF-8")
            }
            if name == "version", !(value.hasPrefix("1.") && value.utf8.dropFirst(2).allSatisfy({ (0x30...0x39).contains($0) })) {
                throw failure("unsupported XML version")
            }
            index += 1
        }
        guard !first else { throw failure("XML declaration without a version") }
        index += 2
    }

    // MARK: - Lexical pieces

    /// A name (XML 1.0 fifth edition); its bytes.
    private mutating func readName() throws(WireFormatError) -> ArraySlice<UInt8> {
        let start = index
        while index < bytes.count {
            let (scalar, length) = decodeScalar(at: index)
            let allowed = index == start ? Self.isNameStart(scalar) : Self.isNameCharacter(scalar)
            if !allowed { break }
            index += length
        }
        guard index > start else { throw failure("a name was expected") }
        return bytes[start..<index]
    }

    @discardableResult
    private mutating func skipWhitespace() -> Bool {
        let start = index
        while index < bytes.count, Self.isWhitespace(bytes[index]) { index += 1 }
        return index > start
    }

    private mutating func expect(_ text: StaticString) throws(WireFormatError) {
        guard starts(with: text) else { throw failure("'\(text)' was expected") }
        index += text.utf8CodeUnitCount
    }

    private func starts(with text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        return text.withUTF8Buffer { bytes[index..<index + count].elementsEqual($0) }
    }

    /// The start of the next `text` at or after `index`.
    private func find(_ text: StaticString) -> Int? {
        text.withUTF8Buffer { needle in
            var position = index
            while position + needle.count <= bytes.count {
                if bytes[position] == needle[0], bytes[position..<position + needle.count].elementsEqual(needle) {
                    return position
                }
                position += 1
            }
            return nil
        }
    }

    /// Steps over one character, refusing those XML does not allow.
    private mutating func advanceCharacter() throws(WireFormatError) {
        let (scalar, length) = decodeScalar(at: index)
        guard Self.isXMLCharacter(scalar) else { throw failure("a character XML does not allow") }
        index += length
    }

    private func checkCharacters(_ range: Range<Int>) throws(WireFormatError) {
        var position = range.lowerBound
        while position < range.upperBound {
            let (scalar, length) = decodeScalar(at: position)
            guard Self.isXMLCharacter(scalar) else {
                throw WireFormatError("invalid XML: a character XML does not allow", offset: position)
            }
            position += length
        }
    }

    /// The scalar value at `position` of the (valid) UTF-8 and its length in bytes.
    private func decodeScalar(at position: Int) -> (UInt32, Int) {
        let lead = UInt32(bytes[position])
        if lead < 0x80 { return (lead, 1) }
        func continuation(_ offset: Int) -> UInt32 { UInt32(bytes[position + offset] & 0x3F) }
        if lead < 0xE0 { return ((lead & 0x1F) << 6 | continuation(1), 2) }
        if lead < 0xF0 { return ((lead & 0x0F) << 12 | continuation(1) << 6 | continuation(2), 3) }
        return ((lead & 0x07) << 18 | continuation(1) << 12 | continuation(2) << 6 | continuation(3), 4)
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// `Char` of XML 1.0.
    private static func isXMLCharacter(_ value: UInt32) -> Bool {
        switch value {
        case 0x09, 0x0A, 0x0D, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: return true
        default: return false
        }
    }

    /// `NameStartChar` of XML 1.0 (fifth edition).
    private static func isNameStart(_ value: UInt32) -> Bool {
        switch value {
        case UInt32(UInt8(ascii: ":")), UInt32(UInt8(ascii: "_")), 0x41...0x5A, 0x61...0x7A, 0xC0...0xD6, 0xD8...0xF6,
            0xF8...0x2FF, 0x370...0x37D, 0x37F...0x1FFF, 0x200C...0x200D, 0x2070...0x218F, 0x2C00...0x2FEF,
            0x3001...0xD7FF, 0xF900...0xFDCF, 0xFDF0...0xFFFD, 0x10000...0xEFFFF:
            return true
        default:
            return false
        }
    }

    /// `NameChar` of XML 1.0 (fifth edition).
    private static func isNameCharacter(_ value: UInt32) -> Bool {
        switch value {
        case UInt32(UInt8(ascii: "-")), UInt32(UInt8(ascii: ".")), 0x30...0x39, 0xB7, 0x300...0x36F, 0x203F...0x2040:
            return true
        default:
            return isNameStart(value)
        }
    }
}
