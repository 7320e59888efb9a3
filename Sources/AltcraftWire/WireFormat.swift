/// The two body formats of the API: JSON (the documented default) and the reference's XML.
public enum WireFormat: String, Sendable, CaseIterable {
    case json, xml

    /// The media type a body in this format is sent with.
    public var contentType: String {
        switch self {
        case .json: return "application/json"
        case .xml: return "application/xml"
        }
    }

    /// The format a body is in: the one its Content-Type names; when the type names neither,
    /// the one its first byte shows (`<` XML, `{` or `[` JSON); otherwise `fallback`. One rule
    /// for both directions, so the client reads answers and the sandbox reads requests alike.
    public init(contentType: String, body: [UInt8], fallback: WireFormat) {
        let first = Self.leadingByte(of: body)
        if contentType.containsIgnoringASCIICase("json") {
            self = .json
        } else if contentType.containsIgnoringASCIICase("xml") {
            self = .xml
        } else if first == UInt8(ascii: "<") {
            self = .xml
        } else if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
            self = .json
        } else {
            self = fallback
        }
    }

    /// The first byte of a body that is not white space; nil for a blank body.
    public static func leadingByte(of body: [UInt8]) -> UInt8? {
        body.first { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D && $0 != 0x0A }
    }

    public func encode(_ value: WireValue) -> [UInt8] {
        switch self {
        case .json: return JSONWire.encode(value)
        case .xml: return XMLWire.encode(value)
        }
    }

    public func decode(_ body: [UInt8]) throws(WireFormatError) -> WireValue {
        switch self {
        case .json: return try JSONWire.decode(body)
        case .xml: return try XMLWire.decode(body)
        }
    }
}
