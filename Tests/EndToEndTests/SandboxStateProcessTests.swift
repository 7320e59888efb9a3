import CopsTestSupport
import Foundation
import XCTest

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The embedded sandbox's database shared by real `cops` processes, and killed under them;
/// read back with the `sqlite3` tool, independently of cops.
final class SandboxStateProcessTests: XCTestCase {
    var cops: CopsProcess!

    override func setUpWithError() throws {
        try CopsProcess.requireBinary()
        cops = try CopsProcess()
    }

    override func tearDown() { cops?.cleanUp() }

    private var database: String { cops.stateHome.path + "/cops/sandbox.db" }

    /// `sqlite3 -batch DATABASE SQL`'s output lines.
    private func sqlite(_ sql: String) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = ["-batch", database, sql]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.standardError
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "sqlite3 \(sql)")
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// The IDs of the `{"op": OP, "id": N, …, "ok": true}` lines of cops's JSON output.
    private func reported(_ op: String, in output: String) -> [Int] {
        output.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                object["op"] as? String == op, object["ok"] as? Bool == true
            else { return nil }
            return object["id"] as? Int
        }
    }

    func testAKillDuringABulkRunLosesNothingReportedDone() throws {
        XCTAssertEqual(try cops.run(["sandbox", "reset", "--campaigns", "20000"]).status, 0)
        let (process, out, err) = try cops.start(["-o", "json", "-c", "deactivate 1..5000"])
        // Read what it reports (a line per change, as each is done) until a hundred lines
        // have come, then SIGKILL it mid-run. Lines are only counted here, so the reading
        // keeps up with the run.
        var output = Data()
        let reader = out.fileHandleForReading
        while output.count(where: { $0 == UInt8(ascii: "\n") }) < 100 {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            output.append(chunk)
        }
        kill(process.processIdentifier, SIGKILL)
        output.append(reader.readDataToEndOfFile())
        _ = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal, "killed, not finished")

        // Only whole lines count: the kill may cut the last one.
        let text = String(decoding: output, as: UTF8.self)
        let whole = text.hasSuffix("\n") ? text : String(text[..<(text.lastIndex(of: "\n") ?? text.startIndex)])
        let done = reported("deactivate", in: whole)
        XCTAssertGreaterThanOrEqual(done.count, 100)
        XCTAssertLessThan(done.count, 5000, "the kill came mid-run")
        XCTAssertEqual(try sqlite("PRAGMA integrity_check"), ["ok"])
        let active = Set(try sqlite("SELECT id FROM campaigns WHERE is_active = 1 AND id <= 5000").compactMap { Int($0) })
        XCTAssertEqual(active.intersection(done), [], "every campaign reported done is inactive")
        XCTAssertEqual(try sqlite("SELECT count(*) FROM campaigns"), ["20000"])
        // And the state opens for the next run.
        XCTAssertEqual(try cops.run(["-o", "json", "-c", "status 5000"]).status, 0)
    }

    /// A `cops sandbox serve --state DIR` and an embedded `cops` on the same directory, both
    /// cloning at once: every clone either reported is in the database, each with its own ID.
    /// A run closes the database before it exits, as sqlite3 does: the WAL is folded in and
    /// its files removed, so the next process reads the database file alone.
    func testAnEmbeddedRunLeavesTheDatabaseWithoutItsWAL() throws {
        let run = try cops.run(["-o", "json", "-c", "deactivate 15"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(reported("deactivate", in: run.stdout), [15])
        for file in ["-wal", "-shm"] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: database + file), "sandbox.db\(file) left behind")
        }
        XCTAssertEqual(try sqlite("SELECT is_active FROM campaigns WHERE id = 15"), ["0"])
    }

    func testAServerAndAnEmbeddedRunShareOneStateWithoutLosingChanges() throws {
        let directory = cops.stateHome.path + "/cops"
        XCTAssertEqual(try cops.run(["sandbox", "reset"]).status, 0)
        let server = try SandboxServerProcess(["--state", directory], environment: cops.environment([:]))
        defer { server.stop() }
        let script = "for i in 1..40 { clone 82 }"
        let (remote, remoteOut, remoteErr) = try cops.start(
            ["-o", "json", "--endpoint", server.url, "-c", script], environment: ["ALTCRAFT_TOKEN": "sandbox-token"])
        let embedded = try cops.run(["-o", "json", "-c", script])
        let overHTTP = CopsProcess.finish(remote, out: remoteOut, err: remoteErr)
        XCTAssertEqual(embedded.status, 0, embedded.stderr)
        XCTAssertEqual(overHTTP.status, 0, overHTTP.stderr)

        let clones = reported("clone", in: embedded.stdout) + reported("clone", in: overHTTP.stdout)
        XCTAssertEqual(clones.count, 80)
        XCTAssertEqual(Set(clones).count, 80, "every clone got its own ID")
        let saved = try sqlite("SELECT id FROM campaigns WHERE id > 11768").compactMap { Int($0) }
        XCTAssertEqual(Set(saved), Set(clones), "the database holds exactly the clones reported")
        XCTAssertEqual(try sqlite("PRAGMA integrity_check"), ["ok"])
    }
}
