import AltcraftWire
import XCTest

@testable import AltcraftAPI

/// The reader fed as bytes arrive: wherever the stream is cut, the answer is the same.
final class HTTPResponseReaderTests: XCTestCase {
    let body = #"{"error":0,"data":{"id":15}}"#

    /// Feeds `bytes` cut at `cuts`, then (when `ends`) the end of the stream.
    func read(_ bytes: [UInt8], cutAt cuts: [Int], ends: Bool = false) -> HTTPResponseReader.Progress {
        var reader = HTTPResponseReader(maximumBody: 1 << 20)
        var start = 0
        for end in cuts + [bytes.count] where end > start {
            let progress = bytes[start..<end].withUnsafeBytes { reader.receive($0) }
            start = end
            if case .needsMore = progress { continue }
            return progress
        }
        return ends ? reader.receiveEnd() : .needsMore
    }

    func assertEveryCutGives(
        _ text: String, ends: Bool = false, status: Int, body expected: String, reusable: Bool, line: UInt = #line
    ) {
        let bytes = Array(text.utf8)
        for cut in [[]] + (1..<bytes.count).map({ [$0] }) + [Array(1..<bytes.count)] {
            guard case .complete(let response, let canReuse) = read(bytes, cutAt: cut, ends: ends) else {
                return XCTFail("cut at \(cut.prefix(3)): not complete", line: line)
            }
            XCTAssertEqual(response.status, status, line: line)
            XCTAssertEqual(String(decoding: response.body, as: UTF8.self), expected, line: line)
            XCTAssertEqual(response.header("x-one"), "1", line: line)
            XCTAssertEqual(canReuse, reusable, line: line)
        }
    }

    func testASizedAnswerInAnyPieces() {
        assertEveryCutGives(
            "HTTP/1.1 200 OK\r\nX-One: 1\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)", status: 200, body: body,
            reusable: true)
    }

    func testHeadLinesEndAtCRLFOnlyAndFoldedLinesJoin() {
        // A lone LF (and a lone CR) is part of its line; an obsolete folded line joins the one before.
        let text =
            "HTTP/1.1 200 OK\r\nX-One: 1\r\nX-Lone: a\nb\rc\r\nX-Folded: first\r\n  second\r\n"
            + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
        assertEveryCutGives(text, status: 200, body: body, reusable: true)
        guard case .complete(let response, _) = read(Array(text.utf8), cutAt: []) else { return XCTFail("not complete") }
        XCTAssertEqual(response.header("x-lone"), "a\nb\rc")
        XCTAssertEqual(response.header("x-folded"), "first second")
        XCTAssertEqual(response.headers.count, 4)
    }

    func testAChunkedAnswerAfterAnInterimOneInAnyPieces() {
        let text =
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nX-One: 1\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;x=y\r\n{\"err\r\n\(String(body.utf8.count - 5, radix: 16))\r\n\(body.dropFirst(5))\r\n0\r\nX-T: 1\r\n\r\n"
        assertEveryCutGives(text, status: 201, body: body, reusable: true)
    }

    func testAnAnswerEndedByTheCloseInAnyPieces() {
        assertEveryCutGives("HTTP/1.0 200 OK\r\nX-One: 1\r\n\r\n\(body)", ends: true, status: 200, body: body, reusable: false)
    }

    func testAnIncompleteAnswerWaitsAndItsEndIsALostConnection() {
        let bytes = Array("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345".utf8)
        guard case .needsMore = read(bytes, cutAt: [7]) else { return XCTFail("complete too early") }
        guard case .failed(let error) = read(bytes, cutAt: [7], ends: true) else { return XCTFail("not failed") }
        XCTAssertEqual(error, .connectionLost("the server closed the connection"))
        guard case .failed(let nothing) = read([], cutAt: [], ends: true) else { return XCTFail("not failed") }
        XCTAssertEqual(nothing, HTTPResponseReader.closedWithoutAnswer)
    }

    func testBytesAfterTheAnswerAreLeftOver() {
        var reader = HTTPResponseReader(maximumBody: 100)
        let bytes = Array("HTTP/1.1 204 No Content\r\n\r\nHTTP".utf8)
        guard case .complete = bytes.withUnsafeBytes({ reader.receive($0) }) else { return XCTFail("not complete") }
        XCTAssertEqual(Array(reader.leftover), Array("HTTP".utf8))
    }

    func testABodyOverTheLimitIsRefusedBeforeItArrives() {
        var reader = HTTPResponseReader(maximumBody: 10)
        let head = Array("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n".utf8)
        guard case .failed(let error) = head.withUnsafeBytes({ reader.receive($0) }) else { return XCTFail("accepted") }
        XCTAssertEqual(error, .responseTooLarge(limit: 10))
    }
}
