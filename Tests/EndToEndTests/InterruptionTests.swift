import Foundation
import XCTest

/// Ctrl-C (SIGINT) during a bulk statement in a script, a pipe and a stream: requests stop
/// within a second, the report names what was done and what was not, the sandbox agrees with
/// the report, and the exit status is 130. A closed stdout ends the run quietly.
final class InterruptionTests: XCTestCase {
    var cops: CopsProcess!
    var server: Process!
    var url = ""

    override func setUpWithError() throws {
        cops = try CopsProcess()
        (server, url) = try cops.serve(["--latency", "150ms", "--campaigns", "120"])
    }

    override func tearDown() {
        server?.terminate()
        server?.waitUntilExit()
        cops.cleanUp()
    }

    var token = ["ALTCRAFT_TOKEN": "sandbox-token"]

    /// The same server over https, cops trusting its CA: what the tests below then run against.
    func switchToHTTPS() throws {
        server?.terminate()
        server?.waitUntilExit()
        (server, url) = try cops.serve(["--latency", "150ms", "--campaigns", "120"] + CopsProcess.tlsServeArguments())
        XCTAssertTrue(url.hasPrefix("https://"), url)
        token.merge(try CopsProcess.trustingTestCA()) { $1 }
    }

    /// `is_active` of campaigns 1…120, straight from the server.
    func activeStates() throws -> [Int: Bool] {
        let result = try cops.run(
            ["--endpoint", url, "-o", "json", "--concurrency", "16", "-c", "status 1..120"], environment: token)
        var states: [Int: Bool] = [:]
        for line in result.stdout.split(separator: "\n") {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let id = object["id"] as? Int, let active = object["is_active"] as? Bool
            else { continue }
            states[id] = active
        }
        XCTAssertEqual(states.count, 120, result.stderr)
        return states
    }

    /// The IDs after "done: " and "not done: " in a cancellation report ("none" is empty).
    func report(_ stderr: String) -> (done: [Int], notDone: [Int])? {
        guard let line = stderr.split(separator: "\n").first(where: { $0.contains("cancelled; done: ") }) else { return nil }
        func ids(after marker: String, before end: String?) -> [Int] {
            guard let start = line.range(of: marker) else { return [] }
            var rest = line[start.upperBound...]
            if let end, let stop = rest.range(of: end) { rest = rest[..<stop.lowerBound] }
            return rest.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        }
        return (ids(after: "; done: ", before: "; not done: "), ids(after: "; not done: ", before: " and "))
    }

    /// One `-o json` row of the bulk statement: its ID and whether it was done.
    struct Row: Equatable {
        var id: Int
        var ok: Bool
        var kind: String?
    }

    func rows(_ stdout: String) -> [Row] {
        stdout.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                object["op"] as? String == "deactivate", let id = object["id"] as? Int
            else { return nil }
            let error = object["error"] as? [String: Any]
            return Row(id: id, ok: object["ok"] as? Bool ?? false, kind: error?["kind"] as? String)
        }
    }

    /// Starts cops, waits until it is busy, sends SIGINT and checks the whole promise for every
    /// one of the 120 IDs: the JSON rows name each once, and the server agrees with each row
    /// (the stderr report lists only the first IDs of each kind).
    func interrupt(_ arguments: [String], stdin: String?, file: StaticString = #filePath, line: UInt = #line) throws {
        let before = try activeStates()
        XCTAssertEqual(before.count, 120, file: file, line: line)
        let (process, out, err) = try cops.start(
            ["--endpoint", url, "--concurrency", "2", "-o", "json"] + arguments, stdin: stdin, environment: token)
        Thread.sleep(forTimeInterval: 1.2)
        let signalled = Date()
        kill(process.processIdentifier, SIGINT)
        let outcome = CopsProcess.finish(process, out: out, err: err)
        let stopped = Date().timeIntervalSince(signalled)
        let stderr = outcome.stderr
        XCTAssertEqual(outcome.status, 130, stderr, file: file, line: line)
        XCTAssertLessThan(stopped, 1.0, "it took \(stopped) s to stop", file: file, line: line)
        let parsed = try XCTUnwrap(report(stderr), stderr, file: file, line: line)
        XCTAssertFalse(parsed.done.isEmpty, stderr, file: file, line: line)
        XCTAssertFalse(parsed.notDone.isEmpty, stderr, file: file, line: line)

        let rows = rows(outcome.stdout)
        XCTAssertEqual(rows.map(\.id), Array(1...120), "one row per ID, in order", file: file, line: line)
        // The first Ctrl-C lets the requests in flight finish: every row is done or cancelled.
        for row in rows where !row.ok {
            XCTAssertEqual(row.kind, "cancelled", "\(row)", file: file, line: line)
        }
        // The report on stderr agrees with the rows where it lists IDs.
        let done = rows.filter(\.ok).map(\.id)
        let notDone = rows.filter { !$0.ok }.map(\.id)
        XCTAssertEqual(Array(done.prefix(parsed.done.count)), parsed.done, file: file, line: line)
        XCTAssertEqual(Array(notDone.prefix(parsed.notDone.count)), parsed.notDone, file: file, line: line)

        let after = try activeStates()
        for row in rows {
            if row.ok {
                XCTAssertEqual(after[row.id], false, "campaign \(row.id) reported done", file: file, line: line)
            } else {
                XCTAssertEqual(
                    after[row.id], before[row.id], "campaign \(row.id) reported not done was changed", file: file,
                    line: line)
            }
        }
    }

    /// docs/reliability.md: `sleep` and `wait` end within 0.1 s of the first Ctrl-C. Timed from
    /// the signal to the process's exit (which adds the end of the run) on the built-in sandbox,
    /// so no request is in flight: a missed cancellation would take the whole sleep or at least
    /// one poll of `wait`.
    func testCtrlCEndsSleepAndWaitWithinATenthOfASecond() throws {
        for statement in ["sleep 30s", "wait 15 until inactive timeout 1m"] {
            let (process, out, err) = try cops.start(
                ["--sandbox", "-o", "json", "-c", "echo \"ready\"", "-c", statement], environment: token)
            XCTAssertNotNil(readLine(from: out.fileHandleForReading), statement)
            Thread.sleep(forTimeInterval: 0.3)  // well inside the statement
            let signalled = Date()
            kill(process.processIdentifier, SIGINT)
            let outcome = CopsProcess.finish(process, out: out, err: err)
            let stopped = Date().timeIntervalSince(signalled)
            print("Ctrl-C in '\(statement)': ended \(Int(stopped * 1000)) ms after the signal")
            XCTAssertEqual(outcome.status, 130, "\(statement): \(outcome.stderr)")
            XCTAssertLessThan(stopped, 0.1 + Self.exitAllowance, "\(statement): \(stopped) s after Ctrl-C")
        }
    }

    /// What ending the process may add to the documented 0.1 s on a busy 2-core machine.
    static let exitAllowance = 0.15

    func testCtrlCInAScript() throws {
        let script = try cops.write("stop.cops", "deactivate 1..120 abort\nstatus 1\n")
        try interrupt([script], stdin: nil)
    }

    func testCtrlCInAPipe() throws {
        try interrupt([], stdin: "deactivate 1..120 abort\nstatus 1\n")
    }

    func testCtrlCInAStream() throws {
        try interrupt(["--stream"], stdin: "deactivate 1..120 abort\nstatus 1\n")
    }

    func testCtrlCInAScriptOverHTTPS() throws {
        try switchToHTTPS()
        let script = try cops.write("stop.cops", "deactivate 1..120 abort\nstatus 1\n")
        try interrupt([script], stdin: nil)
    }

    func testCtrlCInAStreamOverHTTPS() throws {
        try switchToHTTPS()
        try interrupt(["--stream"], stdin: "deactivate 1..120 abort\nstatus 1\n")
    }

    /// docs/reliability.md: a second Ctrl-C abandons the requests in flight. Each request takes
    /// 5 s here, so the two in flight at the first Ctrl-C are still running at the second; the
    /// run must end well before they would have finished, and name them as abandoned.
    func testASecondCtrlCInAScriptAbandonsTheRequestsInFlight() throws {
        server?.terminate()
        server?.waitUntilExit()
        (server, url) = try cops.serve(["--latency", "5s", "--campaigns", "120"])
        let script = try cops.write("stop.cops", "deactivate 1..120 abort\n")
        let (process, out, err) = try cops.start(
            ["--endpoint", url, "--concurrency", "2", "-o", "json", script], environment: token)
        Thread.sleep(forTimeInterval: 1.0)
        kill(process.processIdentifier, SIGINT)
        Thread.sleep(forTimeInterval: 0.3)
        let signalled = Date()
        kill(process.processIdentifier, SIGINT)
        let outcome = CopsProcess.finish(process, out: out, err: err)
        let stopped = Date().timeIntervalSince(signalled)
        XCTAssertEqual(outcome.status, 130, outcome.stderr)
        XCTAssertLessThan(stopped, 2.0, "it took \(stopped) s to stop after the second Ctrl-C")
        XCTAssertTrue(
            outcome.stderr.contains("abandoned in flight, may have been applied: 1, 2"), outcome.stderr)
    }

    /// With a socket open SwiftNIO ignores SIGPIPE for the whole process; a write to the closed
    /// stdout then failed with EPIPE and Foundation trapped ("Broken pipe" fatal error).
    func testAClosedStdoutEndsQuietlyAlsoWhenSigpipeIsIgnored() throws {
        let process = Process()
        process.executableURL = CopsProcess.binary
        process.arguments = ["--endpoint", url, "-o", "text", "-c", "status 1; for i in 1..100000 { echo $i }"]
        process.environment = cops.environment(token)
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        XCTAssertNotNil(readLine(from: out.fileHandleForReading))
        try out.fileHandleForReading.close()
        process.waitUntilExit()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(process.terminationReason, .uncaughtSignal, stderr)
        XCTAssertEqual(process.terminationStatus, SIGPIPE, stderr)
        XCTAssertFalse(stderr.contains("Fatal error"), stderr)
    }

    func testAClosedStdoutEndsTheRunQuietly() throws {
        let process = Process()
        process.executableURL = CopsProcess.binary
        process.arguments = ["--sandbox", "-o", "text", "-c", "for i in 1..100000 { echo $i }"]
        process.environment = cops.environment([:])
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        XCTAssertEqual(readLine(from: out.fileHandleForReading), "1")
        try out.fileHandleForReading.close()
        process.waitUntilExit()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        // Like `yes | head -1`: ended by SIGPIPE, nothing said beyond the sandbox note.
        XCTAssertEqual(process.terminationReason, .uncaughtSignal)
        XCTAssertEqual(process.terminationStatus, SIGPIPE)
        XCTAssertEqual(stderr.split(separator: "\n").filter { !$0.contains("built-in sandbox") }, [], stderr)
    }
}
