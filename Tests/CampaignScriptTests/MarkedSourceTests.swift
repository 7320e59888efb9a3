import CampaignScript
import XCTest

final class MarkedSourceTests: XCTestCase {
    func testMarkersAreStrippedAndLocated() {
        let source = MarkedSource("1️⃣let x = \"Вес2️⃣на\"\n  3️⃣echo")
        XCTAssertEqual(source.text, "let x = \"Весна\"\n  echo")
        XCTAssertEqual(source.location(1), SourceLocation(line: 1, column: 1, offset: 0))
        XCTAssertEqual(source.location(2), SourceLocation(line: 1, column: 13, offset: 15))
        XCTAssertEqual(source.location(3), SourceLocation(line: 2, column: 3, offset: 23))
    }

    func testSourceFileLines() {
        let file = SourceFile(name: "f", bytes: Array("a\r\nб\n".utf8) + [0xFF])
        XCTAssertEqual(file.lineCount, 3)
        XCTAssertEqual(Array(file.lineBytes(1)), Array("a".utf8))
        XCTAssertEqual(Array(file.lineBytes(2)), Array("б".utf8))
        XCTAssertEqual(Array(file.lineBytes(3)), [0xFF])
        XCTAssertEqual(SourceFile.scalars(of: file.lineBytes(3)), [nil])
        XCTAssertEqual(Array(file.lineBytes(9)), [])
    }
}
