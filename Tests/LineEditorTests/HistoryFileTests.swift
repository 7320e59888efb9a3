import Foundation
import XCTest

@testable import LineEditor

final class HistoryFileTests: XCTestCase {
    var directory: String!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "cops-history-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func testEntriesAreAppendedAndReloadedInOrderWithUnicodeAndNewlines() {
        let history = HistoryFile(path: directory + "/history-sandbox")
        let entries = ["status 15", "clone 118 as \"Погода, копия\"", "if $x {\n  echo \"hi\"\n}", "echo \"tab\there\""]
        for entry in entries { XCTAssertTrue(history.append(entry)) }
        XCTAssertEqual(HistoryFile(path: directory + "/history-sandbox").load(), entries)
    }

    func testTheFileIsPrivate() throws {
        let path = directory + "/history-prod"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(), attributes: [.posixPermissions: 0o644]))
        HistoryFile(path: path).append("status 15")
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)
    }

    func testLinesStartingWithASpaceAndSecretsAreNotRecorded() {
        let history = HistoryFile(path: directory + "/h", secrets: ["s3cr3t-token-value"])
        XCTAssertFalse(history.append(" deactivate 15 abort"))
        XCTAssertFalse(history.append("echo s3cr3t-token-value"))
        XCTAssertFalse(history.append("set token=abc"))
        XCTAssertFalse(history.append("curl -H 'Authorization: Bearer x'"))
        XCTAssertFalse(history.append("echo 5f4fa1a5ce9448665fef548e1234abcd"))
        XCTAssertFalse(history.append("   "))
        XCTAssertTrue(history.append("list active tag \"spring-2024\""))
        XCTAssertEqual(history.load(), ["list active tag \"spring-2024\""])
    }

    func testDevNullDisablesHistory() {
        let history = HistoryFile(path: "/dev/null")
        XCTAssertNil(history.path)
        XCTAssertFalse(history.append("status 15"))
        XCTAssertEqual(history.load(), [])
    }

    func testTwoSessionsAppendingAtOnceLoseNothing() async {
        let path = directory + "/shared"
        await withTaskGroup(of: Void.self) { group in
            for session in 0..<2 {
                group.addTask {
                    let history = HistoryFile(path: path)
                    for index in 0..<200 { history.append("status \(session * 1000 + index)") }
                }
            }
        }
        let loaded = HistoryFile(path: path, limit: 1000).load()
        XCTAssertEqual(Set(loaded).count, 400)
    }

    func testTheFileIsTrimmedToTheLimit() {
        let path = directory + "/long"
        let history = HistoryFile(path: path, limit: 10)
        for index in 0..<25 { history.append("status \(index + 1)") }
        XCTAssertEqual(history.load(), (16...25).map { "status \($0)" })
        // After trimming the file itself holds only the newest entries.
        let lines = (try? String(contentsOfFile: path, encoding: .utf8))?.split(separator: "\n") ?? []
        XCTAssertEqual(lines.count, 10)
    }

    func testDamagedLinesAreSkipped() throws {
        let path = directory + "/damaged"
        try Data("\"status 1\"\nnot json\n\"status 2\n\"status 3\"\n".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(HistoryFile(path: path).load(), ["status 1", "status 3"])
    }
}

final class PlainLineReaderTests: XCTestCase {
    func reader(_ text: [UInt8]) throws -> PlainLineReader {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        _ = text.withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) }
        close(fds[1])
        return PlainLineReader(fileDescriptor: fds[0])
    }

    func testReadsLinesUntilTheEnd() throws {
        let lines = try reader(Array("status 15\r\ndeactivate 15 abort\nlast without newline".utf8))
        XCTAssertEqual(lines.readLine(prompt: "> "), .line("status 15"))
        XCTAssertEqual(lines.readLine(prompt: "> "), .line("deactivate 15 abort"))
        XCTAssertEqual(lines.readLine(prompt: "> "), .line("last without newline"))
        XCTAssertEqual(lines.readLine(prompt: "> "), .endOfInput)
        XCTAssertFalse(lines.isInteractive)
    }

    func testInvalidUTF8IsReplacedNotDropped() throws {
        let lines = try reader([0x65, 0x63, 0x68, 0x6F, 0x20, 0xFF, 0x0A])
        XCTAssertEqual(lines.readLine(prompt: ""), .line("echo \u{FFFD}"))
    }

    func testCyrillicSurvives() throws {
        let lines = try reader(Array("clone 118 as \"Весна\"\n".utf8))
        XCTAssertEqual(lines.readLine(prompt: ""), .line("clone 118 as \"Весна\""))
    }
}
