import Foundation
import XCTest

@testable import CampaignScript
@testable import CopsShell

#if canImport(Glibc)
    import Glibc
#endif

/// `cops --check` reads a regular file through a mapping and releases the pages it has checked
/// (docs/performance.md, "Row 4b: checking a mapped file"): the bytes must be the file's, and
/// diagnostics must be those of the same text held in an array, released pages or not.
final class FileMappingTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mapping-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func write(_ bytes: [UInt8], to name: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    private func map(_ path: String, releaseStep: Int = 4 << 20) throws -> FileMapping {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        XCTAssertGreaterThanOrEqual(descriptor, 0)
        return try XCTUnwrap(FileMapping(descriptor: descriptor, releaseStep: releaseStep))
    }

    func testMappedBytesAreTheFilesBytes() throws {
        // Several pages, every byte value (invalid UTF-8 included), a length that is no
        // multiple of the page size.
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<(3 * 4096 + 123)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let path = try write(bytes, to: "random.bin")
        let mapping = try map(path)
        let read = try Data(contentsOf: URL(fileURLWithPath: path))
        XCTAssertEqual(mapping.count, read.count)
        XCTAssertEqual(Array(mapping.buffer), Array(read))
        let file = SourceFile(name: path, mapping: mapping)
        XCTAssertEqual(file.bytes, Array(read))
        XCTAssertEqual(file.byteCount, read.count)
    }

    func testEmptyFileMapsToNoBytesAndChecksCleanly() throws {
        let path = try write([], to: "empty.cops")
        let mapping = try map(path)
        XCTAssertEqual(mapping.count, 0)
        XCTAssertTrue(mapping.buffer.isEmpty)
        let file = SourceFile(name: path, mapping: mapping)
        XCTAssertEqual(file.bytes, [])
        XCTAssertTrue(Checker.validate(file).diagnostics.isEmpty)
        XCTAssertEqual(Checker.check(file).program.statements.count, 0)
    }

    func testAPipeIsNotMapped() throws {
        let path = directory.appendingPathComponent("pipe").path
        XCTAssertEqual(mkfifo(path, 0o600), 0)
        // Non-blocking: opening a pipe's read end with no writer would wait.
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        XCTAssertGreaterThanOrEqual(descriptor, 0)
        defer { close(descriptor) }
        XCTAssertNil(FileMapping(descriptor: descriptor))
    }

    #if os(Linux)
        /// Released pages leave this process's memory, as the kernel counts it.
        func testReleasedPagesAreNotResident() throws {
            let bytes = [UInt8](repeating: UInt8(ascii: "#"), count: 64 * 4096)
            let mapping = try map(try write(bytes, to: "resident.cops"), releaseStep: 4096)
            XCTAssertEqual(mapping.buffer.reduce(0) { $0 &+ Int($1) }, 64 * 4096 * Int(UInt8(ascii: "#")))
            XCTAssertGreaterThan(try residentBytes(of: mapping), bytes.count / 2)
            mapping.releasePages(before: 60 * 4096)
            XCTAssertLessThanOrEqual(try residentBytes(of: mapping), 4 * 4096)
            // And read again, they are the file's bytes.
            XCTAssertEqual(Array(mapping.buffer), bytes)
        }
    #endif

    /// A large runbook with an error near its end whose note quotes line 1: the pages of line 1
    /// were released long before, and come back for the quote. Everything rendered is what the
    /// same text held in an array gives, and a program run from the mapping re-parses its
    /// statements from it.
    func testReleasedPagesKeepDiagnosticsIdentical() throws {
        let cycle = """
            let s = status 1
            if $s.is_active {
                deactivate 1 abort
            } else {
                echo "already off — ещё"
            }
            deactivate 12, 20..22

            """
        let body = String(repeating: cycle, count: 4_000)
        let text = "deactivate 15\n" + body + "param late\nstatus $undefined frobnicate\n" + body
        let bytes = Array(text.utf8)
        let path = try write(bytes, to: "large.cops")
        let mapping = try map(path, releaseStep: 64 << 10)
        let mapped = SourceFile(name: "large.cops", mapping: mapping)
        let array = SourceFile(name: "large.cops", bytes: bytes)

        let fromMapping = Checker.validate(mapped)
        let fromArray = Checker.validate(array)
        XCTAssertEqual(fromMapping.diagnostics, fromArray.diagnostics)
        XCTAssertEqual(fromMapping.diagnostics.count, 3)
        let rendered = DiagnosticRenderer().render(fromMapping.diagnostics, in: mapped)
        XCTAssertEqual(rendered, DiagnosticRenderer().render(fromArray.diagnostics, in: array))
        XCTAssertTrue(rendered.contains("  1 | deactivate 15\n"), rendered)
        XCTAssertTrue(rendered.contains("| param late\n"), rendered)

        // A clean program checked from the mapping keeps the mapping to parse statements again.
        let cleanPath = try write(Array(("deactivate 15\n" + body).utf8), to: "clean.cops")
        let clean = SourceFile(name: "clean.cops", mapping: try map(cleanPath, releaseStep: 64 << 10))
        let checked = Checker.check(clean)
        XCTAssertTrue(checked.diagnostics.isEmpty)
        let reference = Parser.parse(SourceFile(name: "clean.cops", text: "deactivate 15\n" + body)).0
        XCTAssertEqual(Array(checked.program.statements), Array(reference.statements))
    }

    #if os(Linux)
        /// The resident size of the mapping, as the kernel reports it in /proc/self/smaps.
        private func residentBytes(of mapping: FileMapping) throws -> Int {
            let start = String(UInt(bitPattern: mapping.buffer.baseAddress), radix: 16)
            // Read to the end: /proc files report a size of 0.
            let smaps = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/self/smaps")).readToEnd() ?? Data()
            let lines = String(decoding: smaps, as: UTF8.self).split(separator: "\n")
            let header = try XCTUnwrap(lines.firstIndex { $0.hasPrefix(start + "-") })
            let rss = try XCTUnwrap(lines[header...].first { $0.hasPrefix("Rss:") })
            let kilobytes = try XCTUnwrap(Int(rss.split(separator: " ", omittingEmptySubsequences: true)[1]))
            return kilobytes * 1024
        }
    #endif
}
