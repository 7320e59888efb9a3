import XCTest

@testable import CopsLSP

final class FrameReaderTests: XCTestCase {
    private func frames(_ chunks: [String]) -> [FrameReader.Frame] {
        var reader = FrameReader()
        var result: [FrameReader.Frame] = []
        for chunk in chunks {
            reader.append(Array(chunk.utf8))
            while let frame = reader.next() { result.append(frame) }
        }
        return result
    }

    func testFramesSplitAnywhereAreReassembled() {
        let stream = "Content-Length: 2\r\n\r\n{}Content-Type: x\r\ncontent-length:  8 \r\n\r\n[1,\"ж\"]"
        let whole = frames([stream])
        XCTAssertEqual(whole, [.body(Array("{}".utf8)), .body(Array("[1,\"ж\"]".utf8))])
        // Byte by byte: the same frames.
        var reader = FrameReader()
        var split: [FrameReader.Frame] = []
        for byte in Array(stream.utf8) {
            reader.append([byte])
            while let frame = reader.next() { split.append(frame) }
        }
        XCTAssertEqual(split, whole)
    }

    func testAHeaderWithoutLengthIsSkippedAndTheNextFrameRead() {
        let result = frames(["Content-Type: json\r\n\r\nContent-Length: 2\r\n\r\n{}"])
        XCTAssertEqual(result.count, 2)
        guard case .malformed(let why) = result[0] else { return XCTFail("\(result)") }
        XCTAssertTrue(why.contains("Content-Length"), why)
        XCTAssertEqual(result[1], .body(Array("{}".utf8)))
    }

    func testAnOversizedBodyIsSkippedWithoutBeingKept() {
        var reader = FrameReader(maximumBody: 100)
        let huge = 101
        reader.append(Array("Content-Length: \(huge)\r\n\r\n".utf8))
        guard case .malformed? = reader.next() else { return XCTFail("an oversized frame was accepted") }
        reader.append([UInt8](repeating: 32, count: huge))
        XCTAssertNil(reader.next())
        reader.append(Array("Content-Length: 4\r\n\r\nnull".utf8))
        XCTAssertEqual(reader.next(), .body(Array("null".utf8)))
    }

    func testJunkWithoutAHeaderEndIsDropped() {
        var reader = FrameReader()
        reader.append([UInt8](repeating: 0xFF, count: FrameReader.maximumHeader + 1))
        guard case .malformed? = reader.next() else { return XCTFail("junk was kept") }
        reader.append(Array("Content-Length: 2\r\n\r\n{}".utf8))
        XCTAssertEqual(reader.next(), .body(Array("{}".utf8)))
    }

    func testTheServerFramesWithTheBodysByteCount() {
        XCTAssertEqual(String(decoding: FrameReader.frame(Array("\"é\"".utf8)), as: UTF8.self), "Content-Length: 4\r\n\r\n\"é\"")
    }
}
