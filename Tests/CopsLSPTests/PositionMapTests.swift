import CampaignScript
import XCTest

@testable import CopsLSP

final class PositionMapTests: XCTestCase {
    // "Весна" is 5 UTF-16 units and 10 bytes; "🌸" is 2 UTF-16 units and 4 bytes.
    private let text = "echo \"Весна 🌸\" $x\nlet y = 1\n"

    func testUTF16CountsSurrogatePairsAsTwo() {
        let map = PositionMap(file: SourceFile(name: "t", text: text), encoding: .utf16)
        let dollar = Array(text.utf8).firstIndex(of: UInt8(ascii: "$"))!
        // echo␠"  = 6, Весна = 5, space = 1, 🌸 = 2, " = 1, space = 1: `$` at 16.
        XCTAssertEqual(map.position(ofOffset: dollar), LSPPosition(line: 0, character: 16))
        XCTAssertEqual(map.offset(of: LSPPosition(line: 0, character: 16)), dollar)
        XCTAssertEqual(
            map.position(ofOffset: Array(text.utf8).firstIndex(of: UInt8(ascii: "l"))!), LSPPosition(line: 1, character: 0))
    }

    func testUTF8CountsBytes() {
        let map = PositionMap(file: SourceFile(name: "t", text: text), encoding: .utf8)
        let dollar = Array(text.utf8).firstIndex(of: UInt8(ascii: "$"))!
        XCTAssertEqual(map.position(ofOffset: dollar), LSPPosition(line: 0, character: dollar))
        XCTAssertEqual(map.offset(of: LSPPosition(line: 0, character: dollar)), dollar)
    }

    func testPositionsOutsideTheTextAreClamped() {
        let map = PositionMap(file: SourceFile(name: "t", text: text), encoding: .utf16)
        // Past a line's end: that line's end (before the newline); past the last line: the end.
        XCTAssertEqual(map.offset(of: LSPPosition(line: 1, character: 99)), text.utf8.count - 1)
        XCTAssertEqual(map.offset(of: LSPPosition(line: 9, character: 0)), text.utf8.count)
        XCTAssertEqual(map.wholeText.end, LSPPosition(line: 2, character: 0))
    }

    func testEveryOffsetRoundTripsAtScalarBoundaries() {
        for encoding in [PositionEncoding.utf8, .utf16] {
            let file = SourceFile(name: "t", text: text)
            let map = PositionMap(file: file, encoding: encoding)
            var offset = 0
            for scalar in text.unicodeScalars {
                XCTAssertEqual(map.offset(of: map.position(ofOffset: offset)), offset, "\(encoding) at \(offset)")
                offset += scalar.utf8.count
            }
        }
    }

    func testTheClientsOfferDecidesTheEncoding() {
        XCTAssertEqual(PositionEncoding.negotiated(offered: ["utf-16", "utf-8"]), .utf8)
        XCTAssertEqual(PositionEncoding.negotiated(offered: ["utf-32"]), .utf16)
        XCTAssertEqual(PositionEncoding.negotiated(offered: []), .utf16)
    }
}
