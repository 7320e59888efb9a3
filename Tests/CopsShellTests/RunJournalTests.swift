import AltcraftWire
import CampaignScript
import Foundation
import Synchronization
import XCTest

@testable import CopsShell

/// The run journal: what `RunJournal` writes read back by `RunJournalContents` and by
/// `cops runs`' rows, the file's mode, pruning, the decorator's write-ahead order and outcome
/// kinds, and SHA-256 against `sha256sum`.
final class RunJournalTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cops-journal-\(UUID().uuidString)").path
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    private func journal(secrets: [String] = []) -> RunJournal {
        RunJournal(place: .directory(directory), arguments: ["a", "b"], secrets: secrets)
    }

    private func onlyFile() throws -> String {
        let names = RunJournal.journalNames(in: directory)
        XCTAssertEqual(names.count, 1, "\(names)")
        return directory + "/" + (try XCTUnwrap(names.first))
    }

    private func lines(_ path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    func testNothingIsWrittenBeforeTheFirstChange() {
        let journal = journal()
        journal.end(.success)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory), "no directory, no file")
    }

    /// Intents from a bulk statement's concurrent requests share syncs (group commit): every
    /// one is written whole, once, with its own sequence number, and each `intend` returns
    /// only after its line is in the file.
    func testConcurrentIntentsAreAllWrittenOnce() throws {
        let journal = journal()
        let count = 400
        let sequences = Mutex<[Int]>([])
        let path = Mutex<String?>(nil)
        let directory = self.directory
        DispatchQueue.concurrentPerform(iterations: count) { index in
            guard let sequence = try? journal.intend(.deactivate(id: Int64(index), abort: false), at: nil).get() else {
                return XCTFail("intent \(index) refused")
            }
            let file = path.withLock { path in
                if path == nil { path = RunJournal.journalNames(in: directory).first.map { directory + "/" + $0 } }
                return path!
            }
            let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
            XCTAssertTrue(text.contains(#""seq":\#(sequence),"#), "intent \(sequence) is in the file when intend returns")
            sequences.withLock { $0.append(sequence) }
        }
        journal.end(.success)
        XCTAssertEqual(sequences.withLock { $0.sorted() }, Array(1...count))
        let intents = try lines(try onlyFile()).filter { $0.hasPrefix(#"{"type":"intent""#) }
        XCTAssertEqual(intents.count, count)
        let campaigns = intents.compactMap { line in
            line.range(of: #""campaign":"#).map { Int(line[$0.upperBound...].prefix { $0.isNumber })! }
        }
        XCTAssertEqual(campaigns.sorted(), Array(0..<count), "every change once, none torn")
    }

    func testLinesAreWrittenAsDocumented() throws {
        let journal = journal()
        journal.describe(runbook: SourceFile(name: "r.cops", text: "abc"), sourced: [])
        let first = try journal.intend(.clone(id: 7, name: "x"), at: StatementPosition(file: "r.cops", line: 3, column: 1)).get()
        journal.record(first, .done, newID: 900)
        let second = try journal.intend(.deactivate(id: 8, abort: true), at: nil).get()
        journal.record(second, .unknown, error: OperationError(.unreachable, text: "connection lost"))
        journal.end(.interrupted)
        let written = try lines(try onlyFile())
        XCTAssertEqual(written.count, 6)
        XCTAssertTrue(
            written[0].hasPrefix(
                #"{"type":"header","format":1,"cops":"\#(CopsVersion.current)","runbook":{"path":"r.cops","#
                    + #""sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad","sourced":[]},"#
                    + #""arguments":["a","b"],"target":null,"started":""#), written[0])
        XCTAssertEqual(
            written[1],
            #"{"type":"intent","seq":1,"position":{"file":"r.cops","line":3,"column":1},"operation":"clone","campaign":7,"parameters":{"name":"x"}}"#
        )
        XCTAssertEqual(written[2], #"{"type":"outcome","seq":1,"result":"done","id":900}"#)
        XCTAssertEqual(
            written[3],
            #"{"type":"intent","seq":2,"position":null,"operation":"deactivate","campaign":8,"parameters":{"abort":true}}"#)
        XCTAssertEqual(
            written[4], #"{"type":"outcome","seq":2,"result":"unknown","error":"unreachable","text":"connection lost"}"#)
        XCTAssertTrue(
            written[5].hasPrefix(#"{"type":"end","outcome":"interrupted","status":130,"done":1,"intended":2,"ended":""#),
            written[5])
    }

    func testRoundTripAndRow() throws {
        let journal = journal()
        for id in [1, 2, 3] as [Int64] {
            let sequence = try journal.intend(.delete(id: id), at: nil).get()
            journal.record(sequence, id == 2 ? .failed : .done, error: id == 2 ? OperationError(.notFound, text: "no") : nil)
        }
        journal.end(.failure)
        let bytes = Array(try XCTUnwrap(FileManager.default.contents(atPath: try onlyFile())))
        let contents = try RunJournalContents.parse(bytes)
        XCTAssertEqual(contents.intents.map { $0["campaign"]?.intValue }, [1, 2, 3])
        XCTAssertEqual(contents.outcomes.map { $0["result"]?.stringValue }, ["done", "failed", "done"])
        XCTAssertEqual(contents.end?["outcome"]?.stringValue, "failed")
        let row = RunsCommand.row(name: "n.jsonl", bytes: bytes)
        XCTAssertEqual(row["outcome"], .string("failed"))
        XCTAssertEqual(row["done"], .int(2))
        XCTAssertEqual(row["intended"], .int(3))
    }

    func testTornLastLineIsIgnoredAndNoEndMeansDied() throws {
        let text = #"{"type":"header","format":1}"# + "\n" + #"{"type":"intent","seq":1}"# + "\n" + #"{"type":"outco"#
        let contents = try RunJournalContents.parse(Array(text.utf8))
        XCTAssertEqual(contents.intents.count, 1)
        XCTAssertEqual(contents.outcomes.count, 0)
        XCTAssertNil(contents.end)
        // A complete last object without its newline was still being written: ignored too.
        let unterminated = #"{"type":"header","format":1}"# + "\n" + #"{"type":"end","outcome":"ok"}"#
        XCTAssertNil(try RunJournalContents.parse(Array(unterminated.utf8)).end)
        XCTAssertEqual(RunsCommand.row(name: "n", bytes: Array(text.utf8))["outcome"], .string("died"))
        // Only an unreadable journal's row has a reason (a table then shows no empty column).
        XCTAssertNil(RunsCommand.row(name: "n", bytes: Array(text.utf8))["reason"])
    }

    func testABadLineInTheMiddleOrNoHeaderIsUnreadable() {
        let middle = #"{"type":"header"}"# + "\nnot json\n" + #"{"type":"end","outcome":"ok"}"# + "\n"
        XCTAssertThrowsError(try RunJournalContents.parse(Array(middle.utf8))) {
            XCTAssertEqual($0 as? RunJournalContents.Unreadable, .init(reason: "line 2 is not a journal entry"))
        }
        let row = RunsCommand.row(name: "n", bytes: Array((#"{"type":"intent"}"# + "\n").utf8))
        XCTAssertEqual(row["outcome"], .string("unreadable"))
        XCTAssertEqual(row["reason"], .string("no header line"))
        XCTAssertEqual(RunsCommand.row(name: "n", bytes: nil)["reason"], .string("cannot be read"))
    }

    func testFileIs0600InA0700Directory() throws {
        _ = try journal().intend(.delete(id: 1), at: nil).get()
        let file = try FileManager.default.attributesOfItem(atPath: try onlyFile())
        XCTAssertEqual((file[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let folder = try FileManager.default.attributesOfItem(atPath: directory)
        XCTAssertEqual((folder[.posixPermissions] as? NSNumber)?.intValue, 0o700)
    }

    func testMissingParentsAreMade0700AndAFileInTheWayIsReported() throws {
        let nested = directory + "/runs/deeper"
        let deep = RunJournal(place: .directory(nested), arguments: [], secrets: [])
        _ = try deep.intend(.delete(id: 1), at: nil).get()
        for path in [directory, directory + "/runs", nested] {
            let folder = try FileManager.default.attributesOfItem(atPath: path)
            XCTAssertEqual((folder[.posixPermissions] as? NSNumber)?.intValue, 0o700, path)
        }
        XCTAssertEqual(RunJournal.journalNames(in: nested).count, 1)

        let blocked = directory + "/runs/deeper/" + RunJournal.journalNames(in: nested)[0]
        let journal = RunJournal(place: .directory(blocked + "/inside"), arguments: [], secrets: [])
        switch journal.intend(.delete(id: 2), at: nil) {
        case .success: XCTFail("a journal was written under a file")
        case .failure(let failure):
            XCTAssertTrue(failure.reason.contains("'\(blocked)/inside'"), failure.reason)
            XCTAssertTrue(failure.reason.contains("not a directory"), failure.reason)
        }
    }

    func testIntentLinesAreTheEncodingOfTheirObjects() {
        let operations: [MutatingOperation] = [
            .activate(id: 1, now: false, audience: nil, limit: nil),
            .activate(id: 2, now: true, audience: AudienceOverride(source: "segment", id: 9), limit: 50),
            .deactivate(id: 3, abort: false), .deactivate(id: Int64.max, abort: true),
            .clone(id: 5, name: nil), .clone(id: 6, name: "Spring \"copy\" é\n"), .delete(id: 7), .launch(id: 8),
        ]
        for position in [nil, StatementPosition(file: "dir/a \"b\".cops", line: 12, column: 3)] {
            let lines = RunJournal.intentLines(first: 41, position: position, operations)
            XCTAssertEqual(lines.count, operations.count)
            for (index, (line, operation)) in zip(lines, operations).enumerated() {
                // The reference: the line as an object, encoded whole.
                let place: WireValue =
                    position.map {
                        .object(
                            WireObject([
                                ("file", .string($0.file)), ("line", .int(Int64($0.line))), ("column", .int(Int64($0.column))),
                            ]))
                    } ?? .null
                let object = WireObject(
                    [("type", "intent"), ("seq", .int(Int64(41 + index))), ("position", place)]
                        + RunJournal.fields(of: operation))
                XCTAssertEqual(
                    String(decoding: line, as: UTF8.self),
                    String(decoding: JSONWire.encode(.object(object)), as: UTF8.self) + "\n")
            }
        }
    }

    func testOutcomeLinesAreTheEncodingOfTheirObjects() {
        for result in [RunJournal.Result.done, .failed, .unknown] {
            for newID in [nil, 900, Int64.min] as [Int64?] {
                for error in [nil, ("not-sent", "never sent: \"quoted\"\ttab é")] as [(kind: String, text: String)?] {
                    for resumed in [nil, "journal", "read \"state\""] as [String?] {
                        var fields: [(String, WireValue)] = [
                            ("type", "outcome"), ("seq", .int(17)), ("result", .string(result.rawValue)),
                        ]
                        if let newID { fields.append(("id", .int(newID))) }
                        if let error { fields += [("error", .string(error.kind)), ("text", .string(error.text))] }
                        if let resumed { fields.append(("resumed", .string(resumed))) }
                        let line = RunJournal.outcomeLine(17, result, newID: newID, error: error, resumed: resumed)
                        XCTAssertEqual(
                            String(decoding: line, as: UTF8.self),
                            String(decoding: JSONWire.encode(.object(WireObject(fields))), as: UTF8.self) + "\n")
                    }
                }
            }
        }
    }

    func testSecretsAreMaskedInEveryLine() throws {
        let journal = RunJournal(place: .directory(directory), arguments: ["SECRET-token-1234"], secrets: ["SECRET-token-1234"])
        _ = try journal.intend(.clone(id: 1, name: "SECRET-token-1234"), at: nil).get()
        let text = try String(contentsOfFile: try onlyFile(), encoding: .utf8)
        XCTAssertFalse(text.contains("SECRET-token-1234"))
        XCTAssertTrue(text.contains("[redacted]"))
    }

    func testAnExistingJournalFileIsRefusedAndNothingIsSent() async throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/mine.jsonl"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data("keep\n".utf8)))
        let journal = RunJournal(place: .file(path), arguments: [], secrets: [])
        let base = RecordingOperations(journalPath: nil)
        let operations = JournaledOperations(base, journal: journal)
        do throws(OperationError) {
            _ = try await operations.perform(.delete(id: 1))
            XCTFail("sent without a journal")
        } catch {
            XCTAssertTrue(error.text.hasPrefix("cannot write the run journal '\(path)': it already exists"), error.text)
        }
        XCTAssertEqual(base.performed.withLock { $0 }, [])
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "keep\n")
    }

    /// The listing is read with readdir: names of every length, only `.jsonl` files, newest
    /// first; a missing directory has none. Compared with what FileManager lists.
    func testJournalNamesAreTheJsonlFilesNewestFirst() throws {
        XCTAssertEqual(RunJournal.journalNames(in: directory + "/missing"), [])
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let long = String(repeating: "9", count: 249) + ".jsonl"
        for name in ["20261130T000000.000Z-1.jsonl", "20261201T000000.000Z-7.jsonl", long, "notes.txt", "é.jsonl"] {
            XCTAssertTrue(FileManager.default.createFile(atPath: directory + "/" + name, contents: Data()))
        }
        let listed = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".jsonl") }
        XCTAssertEqual(listed.count, 4)
        XCTAssertEqual(RunJournal.journalNames(in: directory), listed.sorted(by: >))
    }

    func testPruningKeepsTheNewestHundredAndRecentOnes() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let now = Date()
        let old = now.addingTimeInterval(-31 * 24 * 3600)
        var names: [String] = []
        for index in 0..<103 {
            let name = RunJournal.fileName(old.addingTimeInterval(Double(index)), pid: 1)
            names.append(name)
            XCTAssertTrue(FileManager.default.createFile(atPath: directory + "/" + name, contents: Data()))
            try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: directory + "/" + name)
        }
        // Beyond the newest hundred but recent: kept.
        let recent = "19990101T000000.000Z-1.jsonl"
        XCTAssertTrue(FileManager.default.createFile(atPath: directory + "/" + recent, contents: Data()))
        XCTAssertTrue(FileManager.default.createFile(atPath: directory + "/notes.txt", contents: Data()))
        RunJournal.prune(directory, now: now)
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: directory))
        XCTAssertEqual(left, Set(names.suffix(100) + [recent, "notes.txt", ".pruned"]))
    }

    /// A directory pruned is not listed again for an hour (each run's cost stays flat however
    /// many journals a cron job piles up), and one that needed no pruning is not marked.
    func testPruningRunsAtMostOnceAnHourOnAFullDirectory() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let now = Date()
        let old = now.addingTimeInterval(-31 * 24 * 3600)
        func addOld(_ count: Int, from first: Int) throws {
            for index in first..<(first + count) {
                let path = directory + "/" + RunJournal.fileName(old.addingTimeInterval(Double(index)), pid: 1)
                XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data()))
                try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: path)
            }
        }
        try addOld(100, from: 0)
        RunJournal.prune(directory, now: now)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/.pruned"), "nothing to prune: no mark")
        try addOld(3, from: 100)
        RunJournal.prune(directory, now: now)
        XCTAssertEqual(RunJournal.journalNames(in: directory).count, 100)
        try addOld(3, from: 103)
        RunJournal.prune(directory, now: now.addingTimeInterval(3599))
        XCTAssertEqual(RunJournal.journalNames(in: directory).count, 103, "within the hour: not listed")
        RunJournal.prune(directory, now: now.addingTimeInterval(3601))
        XCTAssertEqual(RunJournal.journalNames(in: directory).count, 100)
        XCTAssertEqual(
            RunJournal.journalNames(in: directory).last, RunJournal.fileName(old.addingTimeInterval(6), pid: 1),
            "the oldest went first")
    }

    func testTheIntentIsOnDiskBeforeTheChangeIsSent() async throws {
        let journal = journal()
        let directory = self.directory
        let base = RecordingOperations(journalPath: { RunJournal.journalNames(in: directory).first.map { directory + "/" + $0 } })
        let operations = JournaledOperations(base, journal: journal)
        let position = StatementPosition(file: "f", line: 2, column: 5)
        let newID = try await operations.perform(.clone(id: 4, name: nil), at: position)
        XCTAssertEqual(newID, 1004)
        XCTAssertEqual(base.intentSeen.withLock { $0 }, [#""position":{"file":"f","line":2,"column":5},"operation":"clone""#])
        base.failure.withLock { $0 = OperationError(.unreachable, text: "timed out", mayHaveBeenApplied: true) }
        _ = try? await operations.perform(.delete(id: 5))
        base.failure.withLock { $0 = OperationError(.notFound, text: "no such campaign") }
        _ = try? await operations.perform(.delete(id: 6))
        _ = try await operations.plan(.delete(id: 7))
        _ = try await operations.status(id: 7)
        journal.end(.failure)
        let contents = try RunJournalContents.parse(Array(try XCTUnwrap(FileManager.default.contents(atPath: try onlyFile()))))
        XCTAssertEqual(contents.intents.count, 3, "plans and reads are not journaled")
        XCTAssertEqual(contents.outcomes.map { $0["result"]?.stringValue }, ["done", "unknown", "failed"])
        XCTAssertEqual(contents.outcomes[0]["id"]?.intValue, 1004)
        XCTAssertEqual(contents.outcomes[2]["error"]?.stringValue, "not-found")
        XCTAssertEqual(contents.end?["done"]?.intValue, 1)
    }

    /// Runs `text` through the interpreter over the journaled `base`, as a plain run does.
    private func run(
        _ text: String, over base: RecordingOperations, journal: RunJournal, concurrency: Int = 8,
        cancellation: CancellationSwitch = CancellationSwitch()
    ) async -> ExitStatus {
        var settings = ScriptSettings()
        settings.concurrency = concurrency
        let file = SourceFile(name: "bulk.cops", text: text)
        let checked = Checker.check(file)
        XCTAssertTrue(checked.isRunnable, text)
        let interpreter = Interpreter(
            operations: JournaledOperations(base, journal: journal), settings: settings,
            output: OutputSink(result: { _ in }, message: { _ in }), cancellation: cancellation)
        return await interpreter.run(checked, in: file)
    }

    /// A bulk statement of changes that resume settles by reading writes all its intents with
    /// one sync before its first request; a clone, a launch and an `activate … now` still cost
    /// one sync each (even one at a time, where no group commit can share them).
    func testABulkStatementCostsOneSyncAndEachStartItsOwn() async throws {
        let journal = journal()
        let directory = self.directory
        let base = RecordingOperations(journalPath: { RunJournal.journalNames(in: directory).first.map { directory + "/" + $0 } })
        let bulk = await run("deactivate 1..200\ndelete 300, 301\nactivate 5..9", over: base, journal: journal)
        XCTAssertEqual(bulk, .success)
        XCTAssertEqual(journal.syncs, 3, "one sync per statement")
        let seen = base.intentsSeen.withLock { $0 }
        XCTAssertEqual(
            seen.prefix(200).filter { $0 != 200 }, [], "every intent of the statement was in the file before the first request")
        XCTAssertEqual(seen.count, 207)
        let starts = await run(
            "clone 1\nclone 2 as \"x\"\nlaunch 3\nlaunch 4\nlaunch 5\nactivate 6..7 now", over: base, journal: journal,
            concurrency: 1)
        XCTAssertEqual(starts, .success)
        XCTAssertEqual(journal.syncs, 10, "one sync per clone and per start")
        journal.end(.success)
        let contents = try RunJournalContents.parse(Array(try XCTUnwrap(FileManager.default.contents(atPath: try onlyFile()))))
        XCTAssertEqual(contents.intents.count, 214)
        XCTAssertEqual(contents.intents.map { $0["seq"]?.intValue }, (1...214).map { Int64($0) })
        XCTAssertEqual(contents.intents[0]["position"], .object(WireObject([("file", "bulk.cops"), ("line", 1), ("column", 1)])))
        XCTAssertEqual(contents.outcomes.count, 214)
        XCTAssertEqual(Set(contents.outcomes.map { $0["result"]?.stringValue }), ["done"])
        XCTAssertEqual(contents.end?["done"]?.intValue, 214)
    }

    /// A statement cancelled part way: the intents written ahead whose requests never went out
    /// get a `failed` outcome saying so, and resume sends exactly those again.
    func testIntentsOfChangesNeverSentAreRecordedSo() async throws {
        let journal = journal()
        let cancellation = CancellationSwitch()
        let base = RecordingOperations(journalPath: nil)
        base.onPerform.withLock { $0 = { count in if count == 3 { cancellation.cancel() } } }
        let status = await run("deactivate 1..10", over: base, journal: journal, concurrency: 1, cancellation: cancellation)
        XCTAssertEqual(status, .interrupted)
        journal.end(status)
        XCTAssertEqual(base.performed.withLock { $0 }, [1, 2, 3].map { .deactivate(id: $0, abort: false) })
        let path = try onlyFile()
        let contents = try RunJournalContents.parse(Array(try XCTUnwrap(FileManager.default.contents(atPath: path))))
        XCTAssertEqual(contents.intents.count, 10)
        let results = Dictionary(
            uniqueKeysWithValues: contents.outcomes.map { ($0["seq"]?.intValue ?? 0, $0["result"]?.stringValue ?? "") })
        XCTAssertEqual(results, Dictionary(uniqueKeysWithValues: (1...10).map { (Int64($0), $0 <= 3 ? "done" : "failed") }))
        XCTAssertEqual(Set(contents.outcomes.dropFirst(3).map { $0["error"]?.stringValue }), ["not-sent"])
        let ledger = ResumeLedger(chain: [(path, contents)])
        XCTAssertEqual(ledger.take(.deactivate(id: 3, abort: false))?.outcome, .done(newID: nil))
        XCTAssertEqual(ledger.take(.deactivate(id: 4, abort: false))?.outcome, .failed)
    }

    func testReadsAndPlansAloneLeaveNoJournal() async throws {
        let operations = JournaledOperations(RecordingOperations(journalPath: nil), journal: journal())
        _ = try await operations.plan(.delete(id: 1))
        _ = try await operations.show(id: 1)
        _ = try await operations.list(ListFilter())
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory))
    }

    /// Against `sha256sum` (another implementation) and FIPS 180-4's examples.
    func testSHA256MatchesSha256sum() throws {
        XCTAssertEqual(RunJournal.sha256([]), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(
            RunJournal.sha256(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        for input in ["abc", String(repeating: "x", count: 1000), "журнал\n"] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
            let stdin = Pipe()
            let stdout = Pipe()
            process.standardInput = stdin
            process.standardOutput = stdout
            try process.run()
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try stdin.fileHandleForWriting.close()
            let output = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            XCTAssertEqual(RunJournal.sha256(Array(input.utf8)), String(output.prefix(64)))
        }
    }
}

/// Operations that record what they were asked, and, for each change, what the journal file
/// held at that moment.
private final class RecordingOperations: CampaignOperations {
    let journalPath: (@Sendable () -> String?)?
    let performed = Mutex<[MutatingOperation]>([])
    let intentSeen = Mutex<[String]>([])
    let failure = Mutex<OperationError?>(nil)
    /// How many intent lines the journal file held at each change.
    let intentsSeen = Mutex<[Int]>([])
    /// Called with the number of changes performed so far, this one included.
    let onPerform = Mutex<(@Sendable (Int) -> Void)?>(nil)

    init(journalPath: (@Sendable () -> String?)?) { self.journalPath = journalPath }

    func perform(_ operation: MutatingOperation) async throws(OperationError) -> Int64? {
        let count = performed.withLock {
            $0.append(operation)
            return $0.count
        }
        onPerform.withLock { $0 }?(count)
        if let path = journalPath?(), let text = try? String(contentsOfFile: path, encoding: .utf8),
            let last = text.split(separator: "\n").last, last.hasSuffix("}")
        {
            intentsSeen.withLock { $0.append(text.components(separatedBy: #"{"type":"intent""#).count - 1) }
            if case .clone = operation,
                let range = last.range(of: #""position":{"file":"f","line":2,"column":5},"operation":"clone""#)
            {
                intentSeen.withLock { $0.append(String(last[range])) }
            }
        }
        if let failure = failure.withLock({ $0 }) { throw failure }
        if case .clone(let id, _) = operation { return id + 1000 }
        return nil
    }

    func plan(_ operation: MutatingOperation) async throws(OperationError) -> String { "plan" }
    func status(id: Int64) async throws(OperationError) -> Value { .null }
    func show(id: Int64) async throws(OperationError) -> Value { .null }
    func list(_ filter: ListFilter) async throws(OperationError) -> [Value] { [] }
    func log(id: Int64, since: LogSince?, limit: Int64?) async throws(OperationError) -> [Value] { [] }
}
