import CopsTestSupport
import Foundation
import XCTest

/// `cops --resume` as the built binary does it against `cops sandbox serve` over loopback
/// (docs/changes.md, "Resume"), and the server's `--request-log` it is checked with
/// (docs/sandbox.md, "The request log").
final class ResumeProgramTests: XCTestCase {
    var cops: CopsProcess!

    override func setUpWithError() throws { cops = try CopsProcess() }
    override func tearDown() { cops.cleanUp() }

    var runs: String { cops.stateHome.appendingPathComponent("cops/runs").path }

    func journals() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: runs)) ?? []).filter { $0.hasSuffix(".jsonl") }.sorted()
    }

    /// Each complete line of a JSON-lines file as an object.
    func objects(_ path: String) -> [[String: Any]] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    let token = ["ALTCRAFT_TOKEN": "sandbox-token"]

    // MARK: The headline: kill -9 at random points, then resume until done

    /// The runbook of the headline test: two clones, 1 000 deactivations, a change of the
    /// first clone (its ID flows from the journal when resumed) and a delete of the second.
    static let runbook = """
        let a = clone 5 as "resume-copy-a"
        deactivate 1..1000
        deactivate $a.id
        let b = clone 7 as "resume-copy-b"
        delete $b.id

        """

    /// For many seeds: a run against a server with faults on, killed with SIGKILL at a
    /// seeded point, then `--resume` (itself killed at times, making chains) until it ends
    /// with 0, or with 75 before a clone whose outcome is unknown. The request log shows no
    /// clone made twice, no change sent again after the server answered it cleanly, and,
    /// for a run that completed, every campaign in its intended state (read afresh).
    /// `COPS_RESUME_SEEDS` sets how many seeds (default 20).
    func testKillNineThenResumeNeverRepeatsAChange() throws {
        let seeds = Int(ProcessInfo.processInfo.environment["COPS_RESUME_SEEDS"] ?? "") ?? 20
        let script = try cops.write("bulk.cops", Self.runbook)
        var completed = 0
        var stopped = 0
        for seed in 1...seeds {
            let outcome = try resumeScenario(seed: UInt64(seed), script: script)
            if outcome == 0 { completed += 1 } else { stopped += 1 }
        }
        XCTAssertGreaterThan(completed, 0, "some seeds ran to the end")
        print("resume scenario: \(completed) completed, \(stopped) stopped before an unknown clone")
    }

    /// One seed of the headline test; returns the final exit status (0 or 75).
    func resumeScenario(seed: UInt64, script: String) throws -> Int32 {
        var random = SplitMix(state: seed)
        let log = cops.stateHome.appendingPathComponent("requests-\(seed).jsonl").path
        let server = try SandboxServerProcess(
            [
                "--campaigns", "1010", "--request-log", log, "--fail-rate", "0.01", "--reset-rate", "0.01",
                "--close-rate", "0.01", "--seed", String(seed),
            ], environment: cops.environment([:]))
        defer { server.stop() }
        let base = ["--endpoint", server.url, "-o", "json"]
        // The first run, killed after a seeded number of outcomes (0-1 100: some runs end first).
        var status = try runKilled(base + [script], afterOutcomes: Int(random.next() % 1100))
        var kills = status == nil ? 1 : 0
        var attempts = 0
        var last: CopsProcess.Outcome?
        while status != 0 && status != 75 {
            attempts += 1
            XCTAssertLessThan(attempts, 12, "seed \(seed): resume does not converge")
            if attempts >= 12 { break }
            // A resume is itself killed now and then, so chains of journals are resumed too.
            if kills < 3, random.next() % 3 == 0 {
                kills += 1
                status = try runKilled(["--resume"] + base + [script], afterOutcomes: Int(random.next() % 1100))
                continue
            }
            let result = try cops.run(["--resume"] + base + [script], environment: token)
            XCTAssertTrue([0, 1, 69, 75].contains(result.status), "seed \(seed): \(result.status) \(result.stderr.suffix(800))")
            XCTAssertFalse(result.stderr.contains("nothing was sent"), "seed \(seed): refused: \(result.stderr)")
            status = result.status
            last = result
        }
        if status == 75 {
            // Resuming again stops at the same place; its message is what the operator reads.
            let again = try cops.run(["--resume"] + base + [script], environment: token)
            XCTAssertEqual(again.status, 75, "seed \(seed): \(again.stderr)")
            last = again
        }
        let requests = objects(log)
        XCTAssertFalse(requests.isEmpty, "seed \(seed): the request log has lines")
        assertNoChangeRepeated(requests, seed: seed)
        if status == 75 {
            try assertStopNamesTheCopies(try XCTUnwrap(last?.stderr), requests: requests, seed: seed)
        } else if status == 0 {
            try assertIntendedState(server.url, requests: requests, seed: seed)
        }
        assertChainLinked(seed: seed)
        return status ?? -1
    }

    /// Killed in the middle of a bulk statement, after its intents were all written ahead
    /// with one sync: the resume settles by reading exactly the changes with no outcome (one
    /// `get_status` each, in the server's request log), sends again only those still active —
    /// the requests never sent among them — repeats nothing answered, and ends with every
    /// campaign inactive.
    func testKilledMidBulkTheIntentsWrittenAheadAreSettledByReading() throws {
        let log = cops.stateHome.appendingPathComponent("requests.jsonl").path
        let server = try SandboxServerProcess(
            ["--campaigns", "1010", "--request-log", log], environment: cops.environment([:]))
        defer { server.stop() }
        let script = try cops.write("ahead.cops", "deactivate 1..1000\n")
        let base = ["--endpoint", server.url, "-o", "json"]
        XCTAssertNil(try runKilled(base + [script], afterOutcomes: 150), "killed mid-statement")
        let killed = runs + "/" + (try XCTUnwrap(journals().first))
        let entries = objects(killed)
        let intents = entries.filter { $0["type"] as? String == "intent" }
        XCTAssertEqual(intents.compactMap { $0["campaign"] as? Int }, Array(1...1000), "every intent written ahead")
        let answered = Set(entries.filter { $0["type"] as? String == "outcome" }.compactMap { $0["seq"] as? Int })
        XCTAssertLessThan(answered.count, 1000)
        let unsettled = Set(intents.filter { !answered.contains($0["seq"] as? Int ?? 0) }.compactMap { $0["campaign"] as? Int })
        let before = objects(log).count

        let result = try cops.run(["--resume"] + base + [script], environment: token)
        XCTAssertEqual(result.status, 0, result.stderr)
        let requests = objects(log)
        assertNoChangeRepeated(requests, seed: 0)
        let resumed = requests.dropFirst(before)
        let read = resumed.filter { ($0["path"] as? String)?.hasSuffix("/get_status") == true }.compactMap { $0["id"] as? Int }
        XCTAssertEqual(read.sorted(), unsettled.sorted(), "each change without an outcome read once, no other")
        let sent = resumed.filter { ($0["path"] as? String)?.hasSuffix("/deactivate") == true }.compactMap { $0["id"] as? Int }
        XCTAssertTrue(Set(sent).isSubset(of: unsettled), "only unsettled changes are sent again")
        XCTAssertFalse(sent.isEmpty, "the requests never sent went out now")
        let outcomes = objects(runs + "/" + (try XCTUnwrap(journals().last))).filter { $0["type"] as? String == "outcome" }
        XCTAssertEqual(outcomes.filter { $0["resumed"] as? String == "done" }.count, answered.count)
        XCTAssertEqual(outcomes.filter { $0["resumed"] as? String == "settled" }.count, unsettled.count - sent.count)
        XCTAssertEqual(outcomes.count, 1000)

        let listed = try cops.run(["--endpoint", server.url, "-o", "json", "-c", "list active"], environment: token)
        XCTAssertEqual(listed.status, 0, listed.stderr)
        let active = listed.stdout.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["id"] as? Int
        }
        XCTAssertEqual(active.filter { $0 <= 1000 }, [], "every campaign of the statement is inactive")
    }

    /// Starts cops and kills it with SIGKILL once its newest journal has `count` outcome
    /// lines; nil when it was killed, else its exit status (it ended first).
    func runKilled(_ arguments: [String], afterOutcomes count: Int) throws -> Int32? {
        let before = Set(journals())
        let (process, out, err) = try cops.start(arguments, environment: token)
        for handle in [out.fileHandleForReading, err.fileHandleForReading] {
            DispatchQueue.global().async { _ = handle.readDataToEndOfFile() }
        }
        let deadline = Date().addingTimeInterval(60)
        var journal: FileHandle?
        defer { try? journal?.close() }
        var seen = 0
        var tail = ""
        while process.isRunning, Date() < deadline {
            if journal == nil, let name = journals().first(where: { !before.contains($0) }) {
                journal = FileHandle(forReadingAtPath: runs + "/" + name)
            }
            // Only what was appended since the last look is read.
            if let data = try? journal?.readToEnd(), !data.isEmpty {
                let text = tail + String(decoding: data, as: UTF8.self)
                let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
                tail = String(lines.last ?? "")
                seen += lines.dropLast().filter { $0.contains("\"type\":\"outcome\"") }.count
            }
            if seen >= count, journal != nil {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                return process.terminationReason == .uncaughtSignal ? nil : process.terminationStatus
            }
            usleep(3_000)
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// The change a request log line is about: its path and, for a clone, the copy's name,
    /// else the campaign.
    func changeKey(_ line: [String: Any]) -> String? {
        guard let path = line["path"] as? String else { return nil }
        let mutating = ["campaigns/clone", "campaigns/deactivate", "campaigns/delete", "campaigns/activate/"]
        guard mutating.contains(where: { path.hasSuffix($0) }) else { return nil }
        if path.hasSuffix("clone") { return "clone " + ((line["name"] as? String) ?? "?") }
        return path + " " + String(describing: line["id"] ?? "null")
    }

    /// A clean answer: the change was made and the client was told so in full.
    func isClean(_ line: [String: Any]) -> Bool {
        line["status"] as? Int == 200 && line["error"] as? Int == 0 && line["fault"] is NSNull
    }

    /// No clone was created twice, and nothing was sent again once the server had answered
    /// it cleanly (the client then journaled it done, or a read settled it).
    func assertNoChangeRepeated(_ requests: [[String: Any]], seed: UInt64) {
        var cleanlyDone: Set<String> = []
        var created: [String: Int] = [:]
        for line in requests {
            guard let key = changeKey(line) else { continue }
            XCTAssertFalse(cleanlyDone.contains(key), "seed \(seed): \(key) sent again after it was done")
            if isClean(line) { cleanlyDone.insert(key) }
            if key.hasPrefix("clone "), line["created"] is Int { created[key, default: 0] += 1 }
        }
        for (key, count) in created { XCTAssertEqual(count, 1, "seed \(seed): \(key) created \(count) times") }
    }

    /// After a complete run: 1-1000 inactive, one copy named resume-copy-a (inactive), none
    /// named resume-copy-b (deleted), each clone made exactly once.
    func assertIntendedState(_ url: String, requests: [[String: Any]], seed: UInt64) throws {
        let listed = try cops.run(["--endpoint", url, "--retries", "10", "-o", "json", "-c", "list"], environment: token)
        XCTAssertEqual(listed.status, 0, "seed \(seed): \(listed.stderr)")
        let campaigns = listed.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let active = campaigns.filter { ($0["id"] as? Int ?? 0) <= 1000 && $0["is_active"] as? Bool == true }
        XCTAssertEqual(active.map { $0["id"] as? Int }, [], "seed \(seed): still active")
        let copiesA = campaigns.filter { $0["name"] as? String == "resume-copy-a" }
        XCTAssertEqual(copiesA.count, 1, "seed \(seed)")
        XCTAssertEqual(copiesA.first?["is_active"] as? Bool, false, "seed \(seed)")
        XCTAssertEqual(campaigns.filter { $0["name"] as? String == "resume-copy-b" }.count, 0, "seed \(seed)")
        for name in ["resume-copy-a", "resume-copy-b"] {
            let made = requests.filter { changeKey($0) == "clone " + name && $0["created"] is Int }.count
            XCTAssertEqual(made, 1, "seed \(seed): \(name)")
        }
    }

    /// A stop before an unknown clone names the clone and lists exactly the campaigns the
    /// server created under that name (read independently from the request log).
    func assertStopNamesTheCopies(_ stderr: String, requests: [[String: Any]], seed: UInt64) throws {
        XCTAssertTrue(stderr.contains("cops: resume stopped before `clone "), "seed \(seed): \(stderr)")
        let name = stderr.contains("resume-copy-a") ? "resume-copy-a" : "resume-copy-b"
        XCTAssertTrue(stderr.contains("clone \(name == "resume-copy-a" ? 5 : 7) as \"\(name)\""), "seed \(seed): \(stderr)")
        let made = requests.filter { changeKey($0) == "clone " + name }.compactMap { $0["created"] as? Int }
        if let id = made.first {
            XCTAssertTrue(stderr.contains("  \(id)  \(name)\n"), "seed \(seed): the copy \(id) is listed: \(stderr)")
        } else {
            XCTAssertTrue(stderr.contains("No campaign named \"\(name)\" exists now"), "seed \(seed): \(stderr)")
        }
    }

    /// Every journal but the first of the run resumes another, and all of them one chain.
    func assertChainLinked(seed: UInt64) {
        let headers = journals().map { objects(runs + "/" + $0).first ?? [:] }
        let resumed = headers.compactMap { $0["resumes"] as? String }
        XCTAssertEqual(Set(resumed).count, resumed.count, "seed \(seed): a journal resumed twice")
        for path in resumed { XCTAssertTrue(FileManager.default.fileExists(atPath: path), "seed \(seed): \(path)") }
        for name in journals() { try? FileManager.default.removeItem(atPath: runs + "/" + name) }
    }

    // MARK: Refusals and torn lines

    /// Runs `text` as a runbook on the in-process sandbox with a journal, then removes the
    /// journal's end line so that it looks like a run that died.
    func diedRun(_ name: String, _ text: String, arguments: [String] = []) throws -> (script: String, journal: String) {
        let script = try cops.write(name, text)
        let result = try cops.run(["--sandbox", "-o", "json", script] + arguments)
        XCTAssertEqual(result.status, 0, result.stderr)
        let journal = runs + "/" + (try XCTUnwrap(journals().last))
        var lines = try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.last?.contains("\"type\":\"end\"") == true)
        lines.removeLast()
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: journal))
        return (script, journal)
    }

    func testATornLastLineIsIgnoredAndDoneChangesAreSkipped() throws {
        let (script, journal) = try diedRun("two.cops", "deactivate 15\nlet c = clone 118 as \"torn copy\"\ndelete $c.id\n")
        // Half an intent line, as a process killed mid-write leaves it.
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: journal))
        handle.seekToEndOfFile()
        handle.write(Data(#"{"type":"intent","seq":4,"position":null,"operation":"clo"#.utf8))
        try handle.close()
        let result = try cops.run(["--resume", "--sandbox", "-o", "json", script])
        XCTAssertEqual(result.status, 0, result.stderr)
        let newest = try XCTUnwrap(journals().last)
        let entries = objects(runs + "/" + newest)
        XCTAssertEqual(entries.first?["resumes"] as? String, journal)
        let outcomes = entries.filter { $0["type"] as? String == "outcome" }
        XCTAssertEqual(outcomes.map { $0["resumed"] as? String }, ["done", "done", "done"], "nothing was sent again")
        // The clone's ID came from the journal: the delete named the copy the first run made.
        let intents = entries.filter { $0["type"] as? String == "intent" }
        let first = objects(journal).filter { $0["type"] as? String == "intent" }
        XCTAssertEqual(intents.map { $0["campaign"] as? Int }, first.map { $0["campaign"] as? Int })
    }

    /// An immediate start with no outcome is never sent again: the run stops before it with
    /// 75 and shows the campaign's status and last log entries.
    func testAnUnknownStartIsNeverSentAgain() throws {
        let script = try cops.write("start.cops", "deactivate 15 abort\nactivate 15 now\n")
        _ = try cops.run(["--sandbox", script])
        let journal = runs + "/" + (try XCTUnwrap(journals().first))
        // As if killed after the start's intent: its outcome and the end line are gone.
        let kept = try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n").filter {
            !$0.contains(#""type":"end""#) && !$0.contains(#""seq":2,"result""#)
        }
        try Data((kept.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: journal))
        let result = try cops.run(["--resume", "--sandbox", script])
        XCTAssertEqual(result.status, 75, result.stderr)
        XCTAssertTrue(
            result.stderr.contains("cops: resume stopped before `activate 15 now`: \(journal) records it sent"),
            result.stderr)
        XCTAssertTrue(result.stderr.contains("\n  status: {\"id\":15,"), result.stderr)
        XCTAssertTrue(result.stderr.contains("\n  last log entries:\n    {\"time\":"), result.stderr)
        let resumed = objects(runs + "/" + (try XCTUnwrap(journals().last)))
        XCTAssertEqual(resumed.filter { $0["type"] as? String == "intent" }.map { $0["operation"] as? String }, ["deactivate"])
        XCTAssertEqual(resumed.last?["status"] as? Int, 75)
    }

    /// Deactivations with no outcome are settled by reading: one already inactive is not sent
    /// again, one that is active again (as if the first request never arrived) is.
    func testUnknownDeactivationsAreSettledByReading() throws {
        let log = cops.stateHome.appendingPathComponent("requests.jsonl").path
        let server = try SandboxServerProcess(["--request-log", log], environment: cops.environment([:]))
        defer { server.stop() }
        let script = try cops.write("settle.cops", "deactivate 12, 14\n")
        let endpoint = ["--endpoint", server.url, "-o", "json"]
        XCTAssertEqual(try cops.run(endpoint + [script], environment: token).status, 0)
        let journal = runs + "/" + (try XCTUnwrap(journals().first))
        let kept = try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n").filter {
            !$0.contains(#""type":"end""#) && !$0.contains(#""type":"outcome""#)
        }
        try Data((kept.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: journal))
        XCTAssertEqual(try cops.run(endpoint + ["-c", "activate 14"], environment: token).status, 0)
        let before = objects(log).count
        let result = try cops.run(["--resume"] + endpoint + [script], environment: token)
        XCTAssertEqual(result.status, 0, result.stderr)
        let sent = objects(log).dropFirst(before).filter { ($0["path"] as? String)?.hasSuffix("/deactivate") == true }
        XCTAssertEqual(sent.map { $0["id"] as? Int }, [14], "only the campaign active again is sent")
        let outcomes = objects(runs + "/" + (try XCTUnwrap(journals().last))).filter { $0["type"] as? String == "outcome" }
        XCTAssertEqual(outcomes.compactMap { $0["resumed"] as? String }, ["settled"])
        XCTAssertEqual(outcomes.count, 2)
    }

    func testAChangedRunbookIsRefusedNamingIt() throws {
        let (script, journal) = try diedRun("changed.cops", "deactivate 15\n")
        try Data("deactivate 16\n".utf8).write(to: URL(fileURLWithPath: script))
        let result = try cops.run(["--resume", "--sandbox", script])
        XCTAssertEqual(result.status, 76)
        XCTAssertEqual(
            result.stderr.split(separator: "\n").last.map(String.init),
            "cops: --resume: cannot resume \(journal): the runbook \(script) changed since that run "
                + "(its SHA-256 differs); nothing was sent")
        XCTAssertEqual(journals().count, 1, "no new journal: nothing was sent")
    }

    func testAChangedSourcedFileIsRefusedNamingIt() throws {
        let sourced = try cops.write("part.cops", "status 15\n")
        let (script, _) = try diedRun("main.cops", "source \"part.cops\"\ndeactivate 15\n")
        try Data("status 16\n".utf8).write(to: URL(fileURLWithPath: sourced))
        let result = try cops.run(["--resume", "--sandbox", script])
        XCTAssertEqual(result.status, 76)
        XCTAssertTrue(result.stderr.contains("the sourced file \(sourced) changed since that run"), result.stderr)
    }

    func testOtherArgumentsAreRefused() throws {
        let (script, _) = try diedRun("args.cops", "param id\ndeactivate $id\n", arguments: ["15"])
        let result = try cops.run(["--resume", "--sandbox", script, "16"])
        XCTAssertEqual(result.status, 76)
        XCTAssertTrue(
            result.stderr.contains("the arguments differ (that run: \"15\"; this one: \"16\")"), result.stderr)
    }

    func testARunThatEndedCleanlyIsNotResumed() throws {
        let script = try cops.write("clean.cops", "deactivate 15\n")
        XCTAssertEqual(try cops.run(["--sandbox", script]).status, 0)
        let journal = runs + "/" + (try XCTUnwrap(journals().first))
        let named = try cops.run(["--resume", "--sandbox", journal, script])
        XCTAssertEqual(named.status, 76)
        XCTAssertEqual(
            named.stderr.split(separator: "\n").last.map(String.init),
            "cops: --resume: the run of \(journal) ended cleanly: there is nothing to resume; nothing was sent")
        let chosen = try cops.run(["--resume", "--sandbox", script])
        XCTAssertEqual(chosen.status, 76)
        XCTAssertTrue(chosen.stderr.contains("no journal of a run of \(script) on sandbox"), chosen.stderr)
    }

    func testResumeNeedsARunbookFile() throws {
        for arguments in [
            ["--resume", "-c", "status 15"], ["--resume"], ["--resume", "x.jsonl"], ["--resume", "--dry-run", "f"],
        ] {
            let result = try cops.run(arguments)
            XCTAssertEqual(result.status, 64, "\(arguments)")
            XCTAssertTrue(result.stderr.contains("--resume takes a runbook file"), "\(arguments): \(result.stderr)")
        }
    }

    /// A journal that another run already resumed is not resumed again (that would repeat
    /// what the later run did).
    func testAJournalAlreadyResumedIsRefused() throws {
        let (script, journal) = try diedRun("twice.cops", "deactivate 15\n")
        XCTAssertEqual(try cops.run(["--resume", "--sandbox", script]).status, 0)
        let again = try cops.run(["--resume", "--sandbox", (journal as NSString).lastPathComponent, script])
        XCTAssertEqual(again.status, 76)
        XCTAssertTrue(again.stderr.contains("\(journal) was already resumed by "), again.stderr)
    }

    // MARK: Machine-readable "may have been applied"

    /// A change whose connection dropped after the server made it: its row says so as a
    /// field, and `cops runs` counts it unknown.
    func testRowsSayMayHaveBeenAppliedAsAField() throws {
        let log = cops.stateHome.appendingPathComponent("requests.jsonl").path
        let server = try SandboxServerProcess(
            ["--reset-rate", "1", "--request-log", log], environment: cops.environment([:]))
        defer { server.stop() }
        let result = try cops.run(
            ["--endpoint", server.url, "--retries", "0", "-o", "json", "-c", "deactivate 15, 16"], environment: token)
        XCTAssertEqual(result.status, 69, result.stderr)
        let rows = result.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        XCTAssertEqual(rows.count, 2, result.stdout)
        XCTAssertEqual(rows.map { $0["may_have_been_applied"] as? Bool }, [true, true], result.stdout)
        let table = try cops.run(
            ["--endpoint", server.url, "--retries", "0", "-o", "table", "-c", "deactivate 17"], environment: token)
        XCTAssertTrue(table.stdout.contains("MAY_HAVE_BEEN_APPLIED"), table.stdout)
        let listed = try cops.run(["runs", "-o", "json"])
        let newest = try XCTUnwrap(
            listed.stdout.split(separator: "\n").last.flatMap {
                try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            })
        XCTAssertEqual(newest["unknown"] as? Int, 2, listed.stdout)
        XCTAssertEqual(newest["done"] as? Int, 0, listed.stdout)
        // The server did make the change: the request log says so, with the fault.
        let lines = objects(log).filter { ($0["path"] as? String)?.hasSuffix("campaigns/deactivate") == true }
        XCTAssertEqual(lines.map { $0["fault"] as? String }, ["reset", "reset", "reset"])
    }

    // MARK: The request log

    func testTheRequestLogHasOneLinePerAnsweredRequest() throws {
        let log = cops.stateHome.appendingPathComponent("requests.jsonl").path
        let server = try SandboxServerProcess(
            ["--request-log", log, "--token", "CANARY-log-4b1f9e"], environment: cops.environment([:]))
        defer { server.stop() }
        let canary = ["ALTCRAFT_TOKEN": "CANARY-log-4b1f9e"]
        let result = try cops.run(
            [
                "--endpoint", server.url, "-o", "json", "-c",
                "status 15; let c = clone 15 as \"logged\"; delete $c.id; status 99999",
            ],
            environment: canary)
        XCTAssertEqual(result.status, 1, result.stderr)
        let wrong = try cops.run(["--endpoint", server.url, "-c", "status 15"], environment: ["ALTCRAFT_TOKEN": "not-the-token"])
        XCTAssertEqual(wrong.status, 77)
        // Read while the server still runs: every line is there at once.
        let text = try String(contentsOfFile: log, encoding: .utf8)
        XCTAssertFalse(text.contains("CANARY-log-4b1f9e"), "never the token")
        let lines = objects(log)
        XCTAssertEqual(lines.count, 5, text)
        XCTAssertEqual(
            lines.map { $0["path"] as? String },
            [
                "/api/v1.1/campaigns/get_status", "/api/v1.1/campaigns/clone", "/api/v1.1/campaigns/delete",
                "/api/v1.1/campaigns/get_status", "/api/v1.1/campaigns/get_status",
            ])
        XCTAssertEqual(lines.map { $0["id"] as? Int }, [15, 15, lines[1]["created"] as? Int, 99999, 15])
        XCTAssertEqual(lines.map { $0["status"] as? Int }, [200, 200, 200, 200, 200])
        XCTAssertEqual(lines.map { $0["error"] as? Int }, [0, 0, 0, 404, 403])
        XCTAssertEqual(lines[1]["name"] as? String, "logged")
        XCTAssertNotNil(lines[1]["created"] as? Int)
        XCTAssertTrue(lines.allSatisfy { $0["fault"] is NSNull && ($0["time"] as? String)?.hasSuffix("Z") == true })
        let attributes = try FileManager.default.attributesOfItem(atPath: log)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
    }

    func testTheRequestLogNamesInjectedFailures() throws {
        let log = cops.stateHome.appendingPathComponent("requests.jsonl").path
        let server = try SandboxServerProcess(["--request-log", log, "--fail-rate", "1"], environment: cops.environment([:]))
        defer { server.stop() }
        let result = try cops.run(["--endpoint", server.url, "--retries", "0", "-c", "status 15"], environment: token)
        XCTAssertEqual(result.status, 69, result.stderr)
        let lines = objects(log)
        XCTAssertEqual(lines.count, 1)
        XCTAssertEqual(lines.first?["fault"] as? String, "fail")
        XCTAssertEqual(lines.first?["status"] as? Int, 500)
        XCTAssertEqual(lines.first?["id"] as? Int, 15)
    }

    func testAnUnwritableRequestLogEndsServeWith78() throws {
        let result = try cops.run(["sandbox", "serve", "--port", "0", "--request-log", "/nonexistent/dir/log.jsonl"])
        XCTAssertEqual(result.status, 78)
        XCTAssertTrue(result.stderr.hasPrefix("cops: --request-log /nonexistent/dir/log.jsonl: cannot write it ("), result.stderr)
    }
}
