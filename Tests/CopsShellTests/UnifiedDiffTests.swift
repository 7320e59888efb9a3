import Foundation
import XCTest

@testable import CopsShell

/// `cops fmt --diff`'s diff against GNU `diff -u` on the same two files (an independent
/// implementation), for edits at the start, middle and end, hunks merged and apart, empty
/// sides and missing final newlines.
final class UnifiedDiffTests: XCTestCase {
    private func gnuDiff(_ old: String, _ new: String, name: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cops-diff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let oldURL = directory.appendingPathComponent("old")
        let newURL = directory.appendingPathComponent("new")
        try Data(old.utf8).write(to: oldURL)
        try Data(new.utf8).write(to: newURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/diff")
        process.arguments = ["-u", "--label", "a/\(name)", "--label", "b/\(name)", oldURL.path, newURL.path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    func testMatchesDiffU() throws {
        let numbered = (1...30).map { "line \($0)\n" }
        var cases: [(String, String)] = [
            ("a\nb\nc\n", "a\nb\nc\n"),
            ("", "a\n"),
            ("a\n", ""),
            ("a\nb\n", "a\nB\n"),
            ("a\nb", "a\nb\n"),
            ("a\nb\n", "a\nb"),
            ("x\n", "y"),
        ]
        var middle = numbered
        middle[14] = "changed\n"
        cases.append((numbered.joined(), middle.joined()))
        var apart = numbered
        apart[1] = "first\n"
        apart.insert("inserted\n", at: 20)
        apart.remove(at: 28)
        cases.append((numbered.joined(), apart.joined()))
        var close = numbered
        close[10] = "one\n"
        close[16] = "two\n"  // six lines apart: one hunk
        close[24] = "three\n"  // seven lines after: another
        cases.append((numbered.joined(), close.joined()))
        cases.append((numbered.joined(), numbered.reversed().joined()))
        cases.append(("if true {\necho 1\n}\n", "if true {\n  echo 1\n}\n"))
        for (old, new) in cases {
            XCTAssertEqual(
                UnifiedDiff.diff(from: old, to: new, name: "x.cops"), try gnuDiff(old, new, name: "x.cops"),
                "\(old.debugDescription) -> \(new.debugDescription)")
        }
    }

    /// An absolute path is prefixed as git does (`a/tmp/x.cops`, not `a//tmp/x.cops`).
    func testAnAbsolutePathGetsOneSlash() throws {
        let diff = UnifiedDiff.diff(from: "a\n", to: "b\n", name: "/tmp/x.cops")
        XCTAssertEqual(diff, try gnuDiff("a\n", "b\n", name: "tmp/x.cops"))
        XCTAssertTrue(diff.hasPrefix("--- a/tmp/x.cops\n+++ b/tmp/x.cops\n"), diff)
    }
}
