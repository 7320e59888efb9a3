import Foundation
import JSONText

/// Reads and writes `WireValue` as JSON (RFC 8259), keeping object key order.
///
/// Hand-written rather than Foundation's decoder because we need key order, exact integers,
/// a depth limit against hostile input, and errors that say where the input went wrong.
public enum JSONWire {
    /// Nesting deeper than this is refused rather than risking the stack.
    public static let maximumDepth = 512

    public static func decode(_ bytes: [UInt8]) throws(WireFormatError) -> WireValue {
        var parser = JSONParser(bytes: bytes)
        return try parser.parseDocument()
    }

    public static func decode(_ text: String) throws(WireFormatError) -> WireValue {
        try decode(Array(text.utf8))
    }

    public static func encode(_ value: WireValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128)
        write(value, into: &out)
        return out
    }

    public static func encodeString(_ value: WireValue) -> String {
        String(decoding: encode(value), as: UTF8.self)
    }

    /// Appends `value` as `encode` writes it (for lines put together from parts written once).
    public static func append(_ value: WireValue, to out: inout [UInt8]) { write(value, into: &out) }

    static func write(_ value: WireValue, into out: inout [UInt8]) {
        switch value {
        case .null: JSONBytes.append("null", to: &out)
        case .bool(let flag): JSONBytes.append(flag ? "true" : "false", to: &out)
        case .int(let number): JSONBytes.append(number, to: &out)
        case .double(let number):
            if number.isFinite {
                out.append(contentsOf: String(number).utf8)
            } else {
                out.append(contentsOf: "null".utf8)
            }
        case .string(let text): JSONString.append(text, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                write(item, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            for (index, field) in object.fields.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONString.append(field.key, to: &out)
                out.append(UInt8(ascii: ":"))
                write(field.value, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }
}

/// Why a body could not be read as JSON or XML; `offset` is the byte where it went wrong.
public struct WireFormatError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var offset: Int?

    public init(_ message: String, offset: Int? = nil) {
        self.message = message
        self.offset = offset
    }

    public var description: String {
        if let offset { return "\(message) at byte \(offset)" }
        return message
    }
}

struct JSONParser {
    let bytes: [UInt8]
    var index = 0
    var depth = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func parseDocument() throws(WireFormatError) -> WireValue {
        // A UTF-8 byte order mark is tolerated; some servers send one.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        skipWhitespace()
        guard index < bytes.count else { throw WireFormatError("empty body") }
        let value = try parseValue()
        skipWhitespace()
        guard index == bytes.count else { throw WireFormatError("unexpected data after the JSON value", offset: index) }
        return value
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    mutating func parseValue() throws(WireFormatError) -> WireValue {
        guard index < bytes.count else { throw WireFormatError("unexpected end of JSON", offset: index) }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw WireFormatError("unexpected character in JSON", offset: index)
        }
    }

    mutating func expectLiteral(_ word: StaticString) throws(WireFormatError) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw WireFormatError("unexpected end of JSON", offset: index) }
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: count)
        for offset in 0..<count where bytes[index + offset] != expected[offset] {
            throw WireFormatError("invalid literal in JSON", offset: index)
        }
        index += count
    }

    mutating func enter() throws(WireFormatError) {
        depth += 1
        if depth > JSONWire.maximumDepth { throw WireFormatError("JSON nested too deeply", offset: index) }
    }

    mutating func parseObject() throws(WireFormatError) -> WireValue {
        try enter()
        defer { depth -= 1 }
        index += 1
        var object = WireObject()
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(object)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw WireFormatError("expected a string key in JSON object", offset: index)
            }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw WireFormatError("expected ':' in JSON object", offset: index)
            }
            index += 1
            skipWhitespace()
            let value = try parseValue()
            // A repeated key keeps the last value, as most JSON readers do.
            object[key] = value
            skipWhitespace()
            guard index < bytes.count else { throw WireFormatError("unterminated JSON object", offset: index) }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(object)
            }
            throw WireFormatError("expected ',' or '}' in JSON object", offset: index)
        }
    }

    mutating func parseArray() throws(WireFormatError) -> WireValue {
        try enter()
        defer { depth -= 1 }
        index += 1
        var items: [WireValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try parseValue())
            skipWhitespace()
            guard index < bytes.count else { throw WireFormatError("unterminated JSON array", offset: index) }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(items)
            }
            throw WireFormatError("expected ',' or ']' in JSON array", offset: index)
        }
    }

    mutating func parseNumber() throws(WireFormatError) -> WireValue {
        let start = index
        var isInteger = true
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        let digitsStart = index
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        guard index > digitsStart else { throw WireFormatError("invalid number in JSON", offset: start) }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            let fractionStart = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            guard index > fractionStart else { throw WireFormatError("invalid number in JSON", offset: start) }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            let exponentStart = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            guard index > exponentStart else { throw WireFormatError("invalid number in JSON", offset: start) }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if isInteger, let value = Int64(text) { return .int(value) }
        guard let value = Double(text) else { throw WireFormatError("invalid number in JSON", offset: start) }
        return .double(value)
    }

    mutating func parseString() throws(WireFormatError) -> String {
        let start = index
        index += 1
        // Most strings have no escape: made straight from their bytes. A buffer grown byte by
        // byte cost a bulk run a tenth of its instructions (docs/performance.md, "Ninth round").
        var end = index
        var ascii = true
        while end < bytes.count {
            let byte = bytes[end]
            if byte == UInt8(ascii: "\"") {
                let text = try Self.text(bytes[index..<end], ascii: ascii, start: start)
                index = end + 1
                return text
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            if byte >= 0x80 { ascii = false }
            end += 1
        }
        // An escape, a control character or the end of the input: the rest byte by byte.
        var out = Array(bytes[index..<end])
        index = end
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return try Self.text(out[...], ascii: !out.contains { $0 >= 0x80 }, start: start)
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { break }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): out.append(34)
                case UInt8(ascii: "\\"): out.append(92)
                case UInt8(ascii: "/"): out.append(47)
                case UInt8(ascii: "b"): out.append(8)
                case UInt8(ascii: "f"): out.append(12)
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "u"):
                    var scalar = try parseHex4()
                    if (0xD800...0xDBFF).contains(scalar) {
                        // A high surrogate must be followed by an escaped low one.
                        guard index + 1 < bytes.count, bytes[index] == 92, bytes[index + 1] == UInt8(ascii: "u") else {
                            throw WireFormatError("unpaired surrogate in JSON string", offset: index)
                        }
                        index += 2
                        let low = try parseHex4()
                        guard (0xDC00...0xDFFF).contains(low) else {
                            throw WireFormatError("unpaired surrogate in JSON string", offset: index)
                        }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw WireFormatError("unpaired surrogate in JSON string", offset: index)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else {
                        throw WireFormatError("invalid \\u escape in JSON string", offset: index)
                    }
                    out.append(contentsOf: String(Character(unicode)).utf8)
                default:
                    throw WireFormatError("invalid escape in JSON string", offset: index - 1)
                }
            case 0..<0x20:
                throw WireFormatError("control character in JSON string", offset: index)
            default:
                out.append(byte)
                index += 1
            }
        }
        throw WireFormatError("unterminated JSON string", offset: start)
    }

    /// A string's bytes as text. ASCII is valid UTF-8 as it is and is made directly;
    /// `String(validating:)` decodes through a generic encoding, ≈ 900 instructions for a short
    /// string, so it checks only text with other bytes.
    private static func text(_ run: ArraySlice<UInt8>, ascii: Bool, start: Int) throws(WireFormatError) -> String {
        if ascii { return String(decoding: run, as: UTF8.self) }
        guard let text = String(validating: run, as: UTF8.self) else {
            throw WireFormatError("invalid UTF-8 in JSON string", offset: start)
        }
        return text
    }

    mutating func parseHex4() throws(WireFormatError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw WireFormatError("truncated \\u escape in JSON string", offset: index) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - 48)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - 87)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - 55)
            default: throw WireFormatError("invalid \\u escape in JSON string", offset: index)
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }
}
