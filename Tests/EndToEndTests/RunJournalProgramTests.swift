import Foundation
import XCTest

/// Run journals as the built binary keeps them (docs/changes.md, "Run journals"): one per run
/// that changes something, in files, `-c`, pipes and `--stream`; none for reads or dry runs;
/// `--journal FILE`; a `kill -9` mid-bulk leaves a journal `cops runs` lists as died.
final class RunJournalProgramTests: XCTestCase {
    var cops: CopsProcess!

    override func setUpWithError() throws { cops = try CopsProcess() }
    override func tearDown() { cops.cleanUp() }

    var runs: String { cops.stateHome.appendingPathComponent("cops/runs").path }

    func journals() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: runs)) ?? []).filter { $0.hasSuffix(".jsonl") }.sorted()
    }

    /// Each line of a journal as a JSON object.
    func lines(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    func sha256sum(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return String(text.prefix(64))
    }

    func testAScriptWithThreeChangesLeavesOneJournal() throws {
        let sourced = try cops.write("reads.cops", "status 118\n")
        let script = try cops.write(
            "three.cops",
            "source \"reads.cops\"\nshow 118\nlet a = clone 118 as \"j1\"\nlet b = clone 118\ndelete $a.id\nlist limit 2\n")
        let result = try cops.run(["-o", "json", script, "x"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let names = journals()
        XCTAssertEqual(names.count, 1)
        let path = runs + "/" + names[0]
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let entries = try lines(path)
        XCTAssertEqual(
            entries.map { $0["type"] as? String },
            ["header", "intent", "outcome", "intent", "outcome", "intent", "outcome", "end"])
        let header = entries[0]
        let runbook = try XCTUnwrap(header["runbook"] as? [String: Any])
        XCTAssertEqual(runbook["path"] as? String, script)
        XCTAssertEqual(runbook["sha256"] as? String, try sha256sum(script))
        let sourcedEntries = try XCTUnwrap(runbook["sourced"] as? [[String: Any]])
        XCTAssertEqual(sourcedEntries.map { $0["sha256"] as? String }, [try sha256sum(sourced)])
        XCTAssertEqual(header["arguments"] as? [String], ["x"])
        XCTAssertEqual((header["target"] as? [String: Any])?["name"] as? String, "sandbox")
        XCTAssertEqual(entries[1]["operation"] as? String, "clone")
        XCTAssertEqual((entries[1]["position"] as? [String: Any])?["line"] as? Int, 3)
        XCTAssertEqual(entries.compactMap { $0["result"] as? String }, ["done", "done", "done"])
        XCTAssertEqual(entries[7]["outcome"] as? String, "ok")
        XCTAssertEqual(entries[7]["done"] as? Int, 3)

        let listed = try cops.run(["runs", "-o", "json"])
        XCTAssertEqual(listed.status, 0)
        let row = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(row["op"] as? String, "runs")
        XCTAssertEqual(row["runbook"] as? String, script)
        XCTAssertEqual(row["target"] as? String, "sandbox")
        XCTAssertEqual(row["outcome"] as? String, "ok")
        XCTAssertEqual(row["done"] as? Int, 3)
        XCTAssertEqual(row["intended"] as? Int, 3)
        let table = try cops.run(["runs", "-o", "table"])
        XCTAssertTrue(table.stdout.hasPrefix("JOURNAL "), table.stdout)
        XCTAssertTrue(table.stdout.contains("  ok  "), table.stdout)
        XCTAssertTrue(table.stdout.contains(names[0]), table.stdout)
    }

    func testReadsAndDryRunsLeaveNoJournal() throws {
        XCTAssertEqual(try cops.run(["-c", "status 118\nshow 118\nlist limit 3"]).status, 0)
        XCTAssertEqual(try cops.run(["--dry-run", "-c", "delete 118\nclone 118"]).status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: runs), "\(journals())")
        let listed = try cops.run(["runs", "-o", "json"])
        XCTAssertEqual(listed.status, 0)
        XCTAssertEqual(listed.stdout, "")
    }

    func testCommandLinePipeAndStreamKeepJournals() throws {
        XCTAssertEqual(try cops.run(["-c", "clone 118"]).status, 0)
        XCTAssertEqual(try cops.run(["-"], stdin: "clone 118\n").status, 0)
        XCTAssertEqual(try cops.run(["--stream"], stdin: "status 118\nclone 118\n").status, 0)
        let names = journals()
        XCTAssertEqual(names.count, 3, "\(names)")
        let runbooks = try names.map { try (lines(runs + "/" + $0)[0]["runbook"] as? [String: Any])?["path"] as? String }
        XCTAssertEqual(runbooks, ["<command line>", "<stdin>", nil], "a stream has no runbook")
        for name in names { XCTAssertEqual(try lines(runs + "/" + name).last?["outcome"] as? String, "ok") }
    }

    func testFailedChangesAndTheExitStatusAreRecorded() throws {
        let result = try cops.run(["-c", "delete 999999"])
        XCTAssertNotEqual(result.status, 0)
        let entries = try lines(runs + "/" + (try XCTUnwrap(journals().first)))
        XCTAssertEqual(entries.compactMap { $0["result"] as? String }, ["failed"])
        XCTAssertEqual(entries.last?["outcome"] as? String, "failed")
        XCTAssertEqual(entries.last?["status"] as? Int, Int(result.status))
    }

    func testJournalOptionChoosesTheFileAndRefusesAnExistingOne() throws {
        let path = cops.stateHome.appendingPathComponent("mine.jsonl").path
        XCTAssertEqual(try cops.run(["--journal", path, "-c", "clone 118"]).status, 0)
        XCTAssertEqual(try lines(path).count, 4)
        XCTAssertFalse(FileManager.default.fileExists(atPath: runs))
        let again = try cops.run(["--journal", path, "-c", "clone 118"])
        XCTAssertNotEqual(again.status, 0)
        XCTAssertTrue(again.stderr.contains("cannot write the run journal '\(path)': it already exists"), again.stderr)
        XCTAssertEqual(try lines(path).count, 4, "the existing journal is left as it was")
    }

    func testRunsRejectsOtherArguments() throws {
        let result = try cops.run(["runs", "--bogus"])
        XCTAssertEqual(result.status, 64)
        XCTAssertEqual(result.stderr, "usage: cops runs [-o table|json]\n")
        let help = try cops.run(["runs", "--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.hasPrefix("usage: cops runs [-o table|json]\n\nThe recent runs that changed"), help.stdout)
    }

    func testKillNineMidBulkIsListedAsDied() throws {
        let (server, url) = try cops.serve(["--latency", "150ms", "--campaigns", "60"])
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        let (process, _, _) = try cops.start(
            ["--endpoint", url, "--concurrency", "1", "-c", "deactivate 1..60"], environment: ["ALTCRAFT_TOKEN": "sandbox-token"])
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let name = journals().first, let text = try? String(contentsOfFile: runs + "/" + name, encoding: .utf8),
                text.components(separatedBy: "\"outcome\"").count > 3
            {
                break
            }
            usleep(20_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let listed = try cops.run(["runs", "-o", "json"])
        let row = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(row["outcome"] as? String, "died")
        XCTAssertGreaterThanOrEqual(row["done"] as? Int ?? 0, 2)
        XCTAssertLessThan(row["done"] as? Int ?? 60, 60)
        XCTAssertEqual((row["target"] as? String).map { url.contains($0) }, true)
    }
}
