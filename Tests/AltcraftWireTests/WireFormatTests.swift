import AltcraftWire
import XCTest

/// The one rule by which the client reads answers and the sandbox reads requests.
final class WireFormatTests: XCTestCase {
    func testTheContentTypeWinsThenTheFirstByteThenTheFallback() {
        let cases: [(type: String, body: String, fallback: WireFormat, expected: WireFormat)] = [
            ("application/json; charset=utf-8", "<xml/>", .xml, .json),
            ("APPLICATION/JSON", "", .xml, .json),
            ("application/xml", "{}", .json, .xml),
            ("text/xml; charset=utf-8", "", .json, .xml),
            ("", " \r\n\t<xml><id>1</id></xml>", .json, .xml),
            ("text/plain", "<xml/>", .json, .xml),
            ("", "\n{\"id\": 1}", .xml, .json),
            ("", "[1]", .xml, .json),
            ("", "id=1", .xml, .xml),
            ("", "id=1", .json, .json),
            ("", "  \n", .xml, .xml),
        ]
        for item in cases {
            XCTAssertEqual(
                WireFormat(contentType: item.type, body: Array(item.body.utf8), fallback: item.fallback), item.expected,
                "\(item.type) \(item.body.debugDescription)")
        }
    }

    func testLeadingByteSkipsWhiteSpaceOnly() {
        XCTAssertEqual(WireFormat.leadingByte(of: Array(" \t\r\n<".utf8)), UInt8(ascii: "<"))
        XCTAssertEqual(WireFormat.leadingByte(of: Array("\u{0B}{".utf8)), 0x0B)
        XCTAssertNil(WireFormat.leadingByte(of: Array(" \t\r\n".utf8)))
        XCTAssertNil(WireFormat.leadingByte(of: []))
    }

    /// `value` as the one field of an object, written and read back (a body is an object).
    private func roundTrip(_ value: WireValue) throws -> (text: String, back: WireValue?) {
        let bytes = WireFormat.json.encode(["v": value])
        return (String(decoding: bytes, as: UTF8.self), try WireFormat.json.decode(bytes)["v"])
    }

    /// `inner` (the bytes of a JSON value) as the one field of an object, read.
    private func read(_ inner: [UInt8]) throws -> WireValue? {
        try WireFormat.json.decode(Array(#"{"v":"#.utf8) + inner + [UInt8(ascii: "}")])["v"]
    }

    func testIntegersAndLiteralsAreWrittenAsSwiftSpellsThem() throws {
        var numbers: [Int64] = [0, 1, -1, 9, 10, -10, 99, 100, Int64.max, Int64.min, Int64.max - 1, Int64.min + 1]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            numbers.append(Int64.random(in: Int64.min...Int64.max, using: &generator) >> Int64.random(in: 0...62))
        }
        for number in numbers {
            let (text, back) = try roundTrip(.int(number))
            XCTAssertEqual(text, #"{"v":"# + String(number) + "}")
            XCTAssertEqual(back, .int(number))
        }
        XCTAssertEqual(try roundTrip([.null, .bool(true), .bool(false)]).text, #"{"v":[null,true,false]}"#)
    }

    func testStringsReadBackWithAndWithoutEscapesAndRefuseInvalidUTF8() throws {
        for text in ["", "plain", "Spring sale é ✓", "quote \" and \\ back", "tab\tnew\nline", "\u{1F600} high", "\u{7F}"] {
            XCTAssertEqual(try roundTrip(.string(text)).back, .string(text), text)
        }
        XCTAssertEqual(try read(Array(#""caf\u00e9 \ud83d\ude00 \"x\"""#.utf8)), .string("café 😀 \"x\""))
        // A lone lead byte, an invalid byte, and an invalid sequence after an escape.
        for bad in [[0x22, 0xC3, 0x22], [0x22, 0x61, 0xFF, 0x22], [0x22, 0x5C, 0x6E, 0xC3, 0x28, 0x22]] as [[UInt8]] {
            XCTAssertThrowsError(try read(bad), "\(bad)")
        }
        XCTAssertThrowsError(try read(Array("\"a\u{01}b\"".utf8)), "a control character")
        XCTAssertThrowsError(try read(Array("\"open".utf8)), "unterminated")
    }

    func testEachFormatReadsBackWhatItWrites() throws {
        let value: WireValue = ["id": 15, "name": "Spring", "tags": ["a", "b"]]
        XCTAssertEqual(
            String(decoding: WireFormat.json.encode(value), as: UTF8.self), #"{"id":15,"name":"Spring","tags":["a","b"]}"#)
        XCTAssertEqual(try WireFormat.json.decode(WireFormat.json.encode(value)), value)
        let xml = try WireFormat.xml.decode(WireFormat.xml.encode(value))
        XCTAssertEqual(xml["id"]?.intValue, 15)
        XCTAssertEqual(xml["tags"]?.arrayValue, ["a", "b"])
        XCTAssertEqual(WireFormat.json.contentType, "application/json")
        XCTAssertEqual(WireFormat.xml.contentType, "application/xml")
    }
}
