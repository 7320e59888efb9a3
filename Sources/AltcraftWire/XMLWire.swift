import Foundation

/// Reads and writes `WireValue` in the reference's XML form: an `<xml>` root, one element per
/// field, arrays as repeated elements.
///
/// XML carries no types, so every leaf is read as a string and the typed accessors of
/// `WireValue` convert it; a repeated element becomes an array, an empty element is null.
/// We read with our own `XMLReader` into this tree rather than through XMLCoder, because
/// XMLCoder decodes into fixed Codable types and would drop the fields we do not model, which
/// `get` must keep; and not with Foundation's `XMLParser`, whose libxml2 and ICU cost every
/// start of `cops` (docs/performance.md, "Fifth round").
public enum XMLWire {
    public static func decode(_ bytes: [UInt8]) throws(WireFormatError) -> WireValue {
        guard bytes.contains(where: { !(" \t\r\n".utf8.contains($0)) }) else {
            throw WireFormatError("empty body")
        }
        // Answers are UTF-8; XMLReader relies on it (Foundation's XMLParser, used before it,
        // trapped on an element name that was not: found by fuzzing with `<\u{F3}`).
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw WireFormatError("invalid XML: not UTF-8")
        }
        var builder = XMLTreeBuilder()
        var reader = XMLReader(bytes)
        try reader.read(into: &builder)
        guard let root = builder.root else { throw WireFormatError("invalid XML") }
        return root
    }

    public static func decode(_ text: String) throws(WireFormatError) -> WireValue {
        try decode(Array(text.utf8))
    }

    /// Encodes an object as `<xml>…</xml>`; other values are wrapped as `<xml><value>…`.
    public static func encode(_ value: WireValue) -> [UInt8] {
        var out = Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xml>".utf8)
        switch value {
        case .object(let object):
            for field in object.fields { writeElement(field.key, field.value, into: &out) }
        default:
            writeElement("value", value, into: &out)
        }
        out.append(contentsOf: "</xml>".utf8)
        return out
    }

    static func writeElement(_ name: String, _ value: WireValue, into out: inout [UInt8]) {
        let tag = sanitizedName(name)
        switch value {
        case .array(let items):
            if items.isEmpty {
                out.append(contentsOf: "<\(tag)/>".utf8)
            }
            for item in items {
                if case .array = item {
                    // XML has no nested arrays; wrap the inner one so nothing is lost.
                    out.append(contentsOf: "<\(tag)>".utf8)
                    writeElement("item", item, into: &out)
                    out.append(contentsOf: "</\(tag)>".utf8)
                } else {
                    writeElement(name, item, into: &out)
                }
            }
        case .null:
            out.append(contentsOf: "<\(tag)/>".utf8)
        case .object(let object):
            out.append(contentsOf: "<\(tag)>".utf8)
            for field in object.fields { writeElement(field.key, field.value, into: &out) }
            out.append(contentsOf: "</\(tag)>".utf8)
        default:
            out.append(contentsOf: "<\(tag)>".utf8)
            appendEscaped(value.stringValue ?? "", into: &out)
            out.append(contentsOf: "</\(tag)>".utf8)
        }
    }

    static func appendEscaped(_ text: String, into out: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "<"): out.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): out.append(contentsOf: "&gt;".utf8)
            case UInt8(ascii: "&"): out.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "\""): out.append(contentsOf: "&quot;".utf8)
            default: out.append(byte)
            }
        }
    }

    // Keys come from servers and users; an element name must still be well formed.
    static func sanitizedName(_ name: String) -> String {
        var result = ""
        for scalar in name.unicodeScalars {
            if scalar.properties.isAlphabetic || scalar == "_"
                || (!result.isEmpty && (scalar == "-" || scalar == "." || ("0"..."9").contains(scalar)))
            {
                result.unicodeScalars.append(scalar)
            } else {
                result.append("_")
            }
        }
        return result.isEmpty ? "_" : result
    }
}

/// Builds the `WireValue` tree from the reader's events.
private struct XMLTreeBuilder: XMLEventHandler {
    private struct Frame {
        var name: String
        var children = WireObject()
        var hasChildren = false
        var text = ""
    }

    private var stack: [Frame] = []
    var root: WireValue?

    mutating func startElement(_ name: String) throws(WireFormatError) {
        if stack.count >= JSONWire.maximumDepth { throw WireFormatError("XML nested too deeply") }
        stack.append(Frame(name: name))
    }

    mutating func characters(_ text: String) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += text
    }

    mutating func endElement() {
        guard let frame = stack.popLast() else { return }
        let value: WireValue
        if frame.hasChildren {
            value = .object(frame.children)
        } else {
            let text = frame.text.trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty {
                value = .null
            } else if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") {
                // The docs' XML samples quote string values (`<status>"Inactive"</status>`).
                value = .string(String(text.dropFirst().dropLast()))
            } else {
                value = .string(frame.text)
            }
        }
        if stack.isEmpty {
            root = value
        } else {
            stack[stack.count - 1].hasChildren = true
            stack[stack.count - 1].children.appendRepeating(frame.name, value)
        }
    }
}
