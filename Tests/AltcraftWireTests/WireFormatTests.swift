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
