import Foundation
import XCTest

/// `scripts/test` counts what XCTest reports: failed tests (not assertions), skipped tests
/// (Linux XCTest's "with N tests skipped and" form), and fails on a skip not in
/// Tests/allowed-skips. The logs below are Linux XCTest's own output (a failing test with two
/// assertions, a passing one and a skipped one), with names changed per case.
final class TestRunnerTests: XCTestCase {
    static let log = """
        Test Suite 'All tests' started at 2026-11-30 19:32:14.911
        Test Suite 'debug.xctest' started at 2026-11-30 19:32:14.933
        Test Suite 'ATests' started at 2026-11-30 19:32:14.933
        Test Case 'ATests.testFail' started at 2026-11-30 19:32:14.933
        /tmp/skippkg/Tests/LTests/T.swift:5: error: ATests.testFail : failed - a
        /tmp/skippkg/Tests/LTests/T.swift:5: error: ATests.testFail : failed - b
        Test Case 'ATests.testFail' failed (0.003 seconds)
        Test Case 'ATests.testPass' started at 2026-11-30 19:32:14.937
        Test Case 'ATests.testPass' passed (0.0 seconds)
        Test Case 'SKIPPED' started at 2026-11-30 19:32:14.937
        /tmp/skippkg/Tests/LTests/T.swift:4: SKIPPED : Test skipped - nope
        Test Case 'SKIPPED' skipped (0.0 seconds)
        Test Suite 'ATests' failed at 2026-11-30 19:32:14.937
        \t Executed 3 tests, with 1 test skipped and 2 failures (0 unexpected) in 0.004 (0.004) seconds
        Test Suite 'debug.xctest' failed at 2026-11-30 19:32:14.937
        \t Executed 3 tests, with 1 test skipped and 2 failures (0 unexpected) in 0.004 (0.004) seconds
        Test Suite 'All tests' failed at 2026-11-30 19:32:14.937
        \t Executed 3 tests, with 1 test skipped and 2 failures (0 unexpected) in 0.004 (0.004) seconds
        ◇ Test run started.
        ✔ Test run with 0 tests in 0 suites passed after 0.001 seconds.

        """

    func summarize(_ log: String) throws -> (status: Int32, output: String) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("cops-test-log-\(UUID().uuidString)")
        try Data(log.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = CopsProcess.packageRoot.appendingPathComponent("scripts/test")
        process.arguments = ["--summarize", file.path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    func testAFailedTestIsCountedOnceAndASkipNotAllowedFails() throws {
        let (status, output) = try summarize(Self.log.replacingOccurrences(of: "SKIPPED", with: "ATests.testSkip"))
        XCTAssertEqual(status, 1, output)
        XCTAssertTrue(output.hasSuffix("tests: 1 passed, 1 failed, 1 skipped\n"), output)
        XCTAssertTrue(output.contains("skipped: ATests.testSkip (not in Tests/allowed-skips"), output)
    }

    func testAnAllowedSkipDoesNotFailTheRun() throws {
        let log = Self.log.replacingOccurrences(of: "SKIPPED", with: "PromptTerminalTests.testTyping")
            .replacingOccurrences(of: "Test Case 'ATests.testFail' failed", with: "Test Case 'ATests.testFail' passed")
            .replacingOccurrences(of: "and 2 failures", with: "and 0 failures")
        let (status, output) = try summarize(log)
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.hasSuffix("tests: 2 passed, 0 failed, 1 skipped\n"), output)
        XCTAssertTrue(output.contains("skipped: PromptTerminalTests.testTyping (allowed"), output)
    }

    func testARunWithoutTestsFails() throws {
        let (status, output) = try summarize("✔ Test run with 0 tests in 0 suites passed after 0.001 seconds.\n")
        XCTAssertEqual(status, 1, output)
        XCTAssertTrue(output.contains("no tests were executed"), output)
    }
}
