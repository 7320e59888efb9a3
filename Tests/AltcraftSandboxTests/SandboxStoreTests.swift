import AltcraftSandbox
import AltcraftWire
import Foundation
import XCTest

/// The state database shared by `cops` processes.
final class SandboxStoreTests: XCTestCase {
    private func call(_ sandbox: Sandbox, _ path: String, _ body: String) throws -> WireObject {
        let response = sandbox.respond(
            path: "/api/v1.1/" + path, headers: [("Content-Type", "application/json")], body: Array(body.utf8))
        return try envelope(response)
    }

    private func clone(_ sandbox: Sandbox, name: String = "copy") -> Int? {
        let body = #"{"token": "sandbox-token", "id": 1, "name": "\#(name)"}"#
        return (try? call(sandbox, "campaigns/clone", body))?["data"]?["saved_id"]?.int
    }

    /// Two sandboxes over one state directory, as two processes would be (the first's store
    /// is returned too), on one manual clock.
    private func twoConnections() throws -> (ManualSandboxClock, SandboxStore, first: Sandbox, second: Sandbox) {
        let directory = try temporaryDirectory(for: self)
        let clock = ManualSandboxClock()
        let store = try SandboxStore(directory: directory)
        return (
            clock, store, try Sandbox(store: store, clock: clock),
            try Sandbox(store: SandboxStore(directory: directory), clock: clock)
        )
    }

    /// Sends a call that must succeed through `sandbox` and hands it to `engine` too, an
    /// engine in memory that the database must end up agreeing with.
    private func send(_ sandbox: Sandbox, mirroredIn engine: inout SandboxEngine, _ path: String, _ body: String) throws {
        XCTAssertEqual(try call(sandbox, path, body)["error"]?.int, 0, "\(path) \(body)")
        _ = engine.handle(path: "/api/v1.1/" + path, parameters: try parameters(body))
    }

    private func parameters(_ body: String) throws -> WireObject {
        try XCTUnwrap(try JSONWire.decode(Array(body.utf8)).objectValue)
    }

    private func mode(_ path: String) throws -> Int? {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue
    }

    func testAFreshStoreStartsWithTheSeed() throws {
        let directory = try temporaryDirectory(for: self)
        let clock = ManualSandboxClock()
        let store = try SandboxStore(directory: directory)
        _ = try Sandbox(store: store, clock: clock)
        XCTAssertEqual(try store.state(), SandboxState.seed(at: clock.now()))
        XCTAssertEqual(store.path, directory + "/sandbox.db")
    }

    func testAStoreCreatesMissingParentDirectories() throws {
        let directory = try temporaryDirectory(for: self) + "/a/b/cops"
        let store = try SandboxStore(directory: directory)
        _ = try Sandbox(store: store, clock: ManualSandboxClock())
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory + "/sandbox.db"))
    }

    func testAChangeMadeByOneProcessIsSeenByAnother() throws {
        let directory = try temporaryDirectory(for: self)
        let clock = ManualSandboxClock()
        let first = try Sandbox(store: SandboxStore(directory: directory), clock: clock)
        let second = try Sandbox(store: SandboxStore(directory: directory), clock: clock)

        let deactivated = try call(
            first, "campaigns/deactivate", #"{"token": "sandbox-token", "id": 15, "abort_if_running": true}"#)
        XCTAssertEqual(deactivated["error"]?.int, 0)
        let status = try call(second, "campaigns/get_status", #"{"token": "sandbox-token", "id": 15}"#)
        XCTAssertEqual(status["data"]?["is_active"], false)
        XCTAssertEqual(status["data"]?["status"], "Inactive")

        let id = try XCTUnwrap(clone(second, name: "from the second"))
        let record = try call(first, "campaigns/get", #"{"token": "sandbox-token", "id": \#(id)}"#)
        XCTAssertEqual(record["data"]?["name"], "from the second")
        XCTAssertEqual(clone(first), id + 1, "the first process continues the ID sequence of the second")

        let state = try SandboxStore(directory: directory).state()
        XCTAssertEqual(state.campaigns.first { $0.id == id }?.name, "from the second")
        XCTAssertEqual(state.campaigns.first { $0.id == 15 }?.isActive, false)
        XCTAssertEqual(state.nextID, id + 2)
    }

    func testADeleteByOneProcessIsSeenByAnother() throws {
        let directory = try temporaryDirectory(for: self)
        let first = try Sandbox(store: SandboxStore(directory: directory), clock: ManualSandboxClock())
        let second = try Sandbox(store: SandboxStore(directory: directory), clock: ManualSandboxClock())
        XCTAssertEqual(try call(second, "campaigns/get", #"{"token": "sandbox-token", "id": 82}"#)["error"]?.int, 0)
        XCTAssertEqual(try call(first, "campaigns/delete", #"{"token": "sandbox-token", "id": 82}"#)["error"]?.int, 0)
        XCTAssertEqual(try call(second, "campaigns/get", #"{"token": "sandbox-token", "id": 82}"#)["error"]?.int, 404)
        XCTAssertFalse(try SandboxStore(directory: directory).state().campaigns.contains { $0.id == 82 })
    }

    /// What the engine does to the rows a call hands it comes back whole: the queues drained
    /// on the way (every call drains them all), the log entries added, the clock's times.
    func testACallWritesBackEveryRowItChanged() throws {
        let directory = try temporaryDirectory(for: self)
        let clock = ManualSandboxClock()
        let store = try SandboxStore(directory: directory)
        let sandbox = try Sandbox(store: store, clock: clock)
        var engine = SandboxEngine(clock: clock)
        clock.advance(by: 30)
        let body = #"{"token": "sandbox-token", "id": 82, "run_now": true, "override_limit": 700}"#
        XCTAssertEqual(try call(sandbox, "campaigns/activate", body)["error"]?.int, 0)
        _ = engine.handle(path: "/api/v1.1/campaigns/activate", parameters: try parameters(body))
        clock.advance(by: 10)
        let stop = #"{"token": "sandbox-token", "id": 15, "abort_if_running": true}"#
        XCTAssertEqual(try call(sandbox, "campaigns/deactivate", stop)["error"]?.int, 0)
        _ = engine.handle(path: "/api/v1.1/campaigns/deactivate", parameters: try parameters(stop))
        XCTAssertEqual(try store.state(), engine.state, "the database holds what an engine in memory holds")
    }

    /// Calls that change campaigns are handed them without their logs and append what they
    /// add after the stored entries: read back through the database, every log is the one an
    /// engine in memory keeps, entry for entry, also where a queue finished during a call that
    /// named another campaign.
    func testLogsGrowAcrossCallsAsInAnEngineInMemory() throws {
        let directory = try temporaryDirectory(for: self)
        let clock = ManualSandboxClock()
        let store = try SandboxStore(directory: directory)
        let stored = try Sandbox(store: store, clock: clock)
        let memory = Sandbox(engine: SandboxEngine(clock: clock))
        @discardableResult
        func both(_ path: String, _ body: String) throws -> WireObject {
            let answers = [stored, memory].map {
                $0.respond(
                    path: "/api/v1.1/" + path, headers: [("Content-Type", "application/json")], body: Array(body.utf8))
            }
            XCTAssertEqual(answers[0].body, answers[1].body, "\(path) \(body)")
            return try envelope(answers[0])
        }
        try both("campaigns/activate", #"{"token": "sandbox-token", "id": 82, "run_now": true, "override_limit": 100}"#)
        clock.advance(by: 5)
        try both("campaigns/deactivate", #"{"token": "sandbox-token", "id": 15}"#)
        clock.advance(by: 3600)
        // Every queue finishes on the way through this call, which names none of them.
        try both("campaigns/deactivate", #"{"token": "sandbox-token", "id": 1}"#)
        try both("campaigns/activate", #"{"token": "sandbox-token", "id": 1}"#)
        for id in [1, 15, 82, 87, 11768] {
            try both("campaigns/log_v2", #"{"token": "sandbox-token", "id": \#(id)}"#)
        }
        let log = try both("campaigns/log_v2", #"{"token": "sandbox-token", "id": 15}"#)
        XCTAssertEqual(
            log["data"]?.arrayValue?.compactMap { $0["message"]?.stringValue },
            [
                "Campaign created", "Campaign activated", "Begin campaign", "Campaign deactivated", "Messages sent",
                "Campaign finished", "Total time spent",
            ])
        XCTAssertEqual(try store.state(), memory.withEngine { $0.state }, "the database holds what the engine in memory holds")
    }

    /// A store keeps the sending campaigns' rows between calls (`KnownRows`) only while no
    /// other connection commits: a queue another process aborted or started, or a reset
    /// through the same store, is what the next call sees and writes back — the database ends
    /// as an engine in memory that received every call ends.
    func testRowsKeptBetweenCallsGiveWayToChangesMadeElsewhere() throws {
        let (clock, store, first, second) = try twoConnections()
        var engine = SandboxEngine(clock: clock)
        try send(first, mirroredIn: &engine, "campaigns/deactivate", #"{"token": "sandbox-token", "id": 2}"#)
        clock.advance(by: 5)
        try send(
            second, mirroredIn: &engine, "campaigns/deactivate",
            #"{"token": "sandbox-token", "id": 15, "abort_if_running": true}"#)
        try send(
            second, mirroredIn: &engine, "campaigns/activate",
            #"{"token": "sandbox-token", "id": 82, "run_now": true, "override_limit": 700}"#)
        for id in [1, 12, 14] {
            clock.advance(by: 5)
            try send(first, mirroredIn: &engine, "campaigns/deactivate", #"{"token": "sandbox-token", "id": \#(id)}"#)
        }
        XCTAssertEqual(try store.state(), engine.state, "the first process saw the second's changes")

        try send(
            first, mirroredIn: &engine, "campaigns/deactivate", #"{"token": "sandbox-token", "id": 20, "abort_if_running": true}"#
        )
        try store.reset(clock: clock)
        engine = SandboxEngine(clock: clock)
        clock.advance(by: 5)
        try send(first, mirroredIn: &engine, "campaigns/deactivate", #"{"token": "sandbox-token", "id": 2}"#)
        XCTAssertEqual(try store.state(), engine.state, "a reset through the same store is seen too")
    }

    /// A store keeps each sending campaign's next log `seq` with its rows; log entries another
    /// connection appended to one of them in between come first, and the next call's entries
    /// are numbered after them (a kept `seq` would collide with theirs: the call would fail).
    func testLogEntriesAddedElsewhereAreNumberedAfterThem() throws {
        let (clock, store, first, second) = try twoConnections()
        var engine = SandboxEngine(clock: clock)
        try send(first, mirroredIn: &engine, "campaigns/deactivate", #"{"token": "sandbox-token", "id": 2}"#)
        clock.advance(by: 5)
        // 15 keeps sending after this ("Stopping"): the first still holds its row, and its log
        // grew by an entry the first did not write.
        try send(second, mirroredIn: &engine, "campaigns/deactivate", #"{"token": "sandbox-token", "id": 15}"#)
        clock.advance(by: 3600)
        // Every queue finishes on the way through: 15's last entries go after the second's.
        try send(first, mirroredIn: &engine, "campaigns/deactivate", #"{"token": "sandbox-token", "id": 1}"#)
        try send(first, mirroredIn: &engine, "campaigns/activate", #"{"token": "sandbox-token", "id": 15}"#)
        let log = try call(first, "campaigns/log_v2", #"{"token": "sandbox-token", "id": 15}"#)
        XCTAssertEqual(
            log["data"]?.arrayValue?.compactMap { $0["message"]?.stringValue },
            engine.campaign(15)?.log.map(\.message))
        XCTAssertEqual(try store.state(), engine.state, "the database holds what the engine in memory holds")
    }

    /// A call whose statement fails leaves nothing of itself: its row change is rolled back
    /// with the failed log entry, the rows kept from before are not trusted, and the next call
    /// goes through.
    func testACallWhoseStatementFailsIsRolledBackWhole() throws {
        let directory = try temporaryDirectory(for: self)
        let clock = ManualSandboxClock()
        let store = try SandboxStore(directory: directory)
        let sandbox = try Sandbox(store: store, clock: clock)
        var engine = SandboxEngine(clock: clock)
        let before = try store.state()
        try sqlite(
            directory,
            "CREATE TRIGGER refuse BEFORE INSERT ON log WHEN NEW.campaign_id = 1 BEGIN SELECT RAISE(ABORT, 'refused'); END")
        let deactivate = #"{"token": "sandbox-token", "id": 1}"#
        let response = sandbox.respond(
            path: "/api/v1.1/campaigns/deactivate", headers: [("Content-Type", "application/json")],
            body: Array(deactivate.utf8))
        XCTAssertEqual(response.status, 500)
        XCTAssertEqual(
            try envelope(response)["error_text"]?.stringValue, "Sandbox state: sandbox state \(directory)/sandbox.db: refused")
        XCTAssertEqual(try store.state(), before, "nothing of the failed call was kept")

        try sqlite(directory, "DROP TRIGGER refuse")
        XCTAssertEqual(try call(sandbox, "campaigns/deactivate", deactivate)["error"]?.int, 0)
        _ = engine.handle(path: "/api/v1.1/campaigns/deactivate", parameters: try parameters(deactivate))
        XCTAssertEqual(try store.state(), engine.state)
    }

    /// Runs `sql` with the sqlite3 shell on the state database (it must succeed); what it
    /// printed, trimmed.
    @discardableResult
    private func sqlite(_ directory: String, _ sql: String) throws -> String {
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        sqlite.arguments = [directory + "/sandbox.db", sql]
        let output = Pipe()
        sqlite.standardOutput = output
        try sqlite.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        sqlite.waitUntilExit()
        XCTAssertEqual(sqlite.terminationStatus, 0, sql)
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The store opens its connection with foreign keys off (GRDB's default turns them on
    /// through a path that costs every run a conformance scan): right only while the schema
    /// declares none, which sqlite3 reads here from the file.
    func testTheSchemaDeclaresNoForeignKeys() throws {
        let directory = try temporaryDirectory(for: self)
        _ = try Sandbox(store: SandboxStore(directory: directory), clock: ManualSandboxClock())
        let tables = try sqlite(directory, "SELECT count(*) FROM sqlite_master WHERE type = 'table'")
        XCTAssertGreaterThan(Int(tables) ?? 0, 1)
        XCTAssertEqual(
            try sqlite(
                directory,
                "SELECT count(*) FROM sqlite_master AS m, pragma_foreign_key_list(m.name) AS f WHERE m.type = 'table'"),
            "0")
    }

    /// Closing is what the last connection's deinit did: the WAL folded into the database and
    /// its files gone, the change kept. The store answers nothing afterwards.
    func testCloseFoldsTheWALIntoTheDatabaseAndLaterCallsFail() throws {
        let directory = try temporaryDirectory(for: self)
        let store = try SandboxStore(directory: directory)
        let sandbox = try Sandbox(store: store, clock: ManualSandboxClock())
        let id = try XCTUnwrap(clone(sandbox, name: "kept"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory + "/sandbox.db-wal"))
        try sandbox.close()
        for file in ["/sandbox.db-wal", "/sandbox.db-shm"] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: directory + file), file)
        }
        // Read by sqlite3 from the database file alone.
        XCTAssertEqual(try sqlite(directory, "SELECT name FROM campaigns WHERE id = \(id)"), "kept")
        XCTAssertThrowsError(try store.state()) { error in
            XCTAssertEqual(
                (error as? SandboxStoreError)?.description,
                "sandbox state \(directory)/sandbox.db: the connection is closed")
        }
        // Another store opens the same state as before.
        XCTAssertEqual(try SandboxStore(directory: directory).state().campaigns.last?.name, "kept")
    }

    /// A row that cops cannot read (written behind its back) is damage, named as such.
    func testAMalformedRowIsReportedAsDamage() throws {
        let directory = try temporaryDirectory(for: self)
        let sandbox = try Sandbox(store: SandboxStore(directory: directory), clock: ManualSandboxClock())
        try sqlite(directory, "UPDATE campaigns SET ui_tags = 'not a list' WHERE id = 15")
        let response = sandbox.respond(
            path: "/api/v1.1/campaigns/get", headers: [("Content-Type", "application/json")],
            body: Array(#"{"token": "sandbox-token", "id": 1}"#.utf8))
        XCTAssertEqual(response.status, 500, "campaign 15 is sending: every call reads it")
        XCTAssertEqual(
            try envelope(response)["error_text"]?.stringValue,
            "Sandbox state: sandbox state \(directory)/sandbox.db is damaged; run 'cops sandbox reset'")
    }

    func testReadsDoNotWrite() throws {
        let directory = try temporaryDirectory(for: self)
        let sandbox = try Sandbox(store: SandboxStore(directory: directory), clock: ManualSandboxClock())
        _ = clone(sandbox)
        let files = ["/sandbox.db", "/sandbox.db-wal"].map { directory + $0 }
        let before = try files.map { try FileManager.default.attributesOfItem(atPath: $0) }
        for _ in 0..<3 {
            _ = try call(sandbox, "campaigns/list", #"{"token": "sandbox-token"}"#)
            _ = try call(sandbox, "campaigns/get_status", #"{"token": "sandbox-token", "id": 15}"#)
        }
        let after = try files.map { try FileManager.default.attributesOfItem(atPath: $0) }
        XCTAssertEqual(before.map { $0[.size] as? Int }, after.map { $0[.size] as? Int })
        XCTAssertEqual(before.map { $0[.modificationDate] as? Date }, after.map { $0[.modificationDate] as? Date })
    }

    func testResetRestoresTheSeed() throws {
        let directory = try temporaryDirectory(for: self)
        let clock = ManualSandboxClock()
        let store = try SandboxStore(directory: directory)
        let sandbox = try Sandbox(store: store, clock: clock)
        let id = try XCTUnwrap(clone(sandbox))
        _ = try call(sandbox, "campaigns/delete", #"{"token": "sandbox-token", "id": 82}"#)

        try SandboxStore(directory: directory).reset(clock: clock)

        XCTAssertEqual(try store.state(), SandboxState.seed(at: clock.now()))
        XCTAssertEqual(try call(sandbox, "campaigns/get", #"{"token": "sandbox-token", "id": \#(id)}"#)["error"]?.int, 404)
        XCTAssertEqual(try call(sandbox, "campaigns/get", #"{"token": "sandbox-token", "id": 82}"#)["error"]?.int, 0)
        XCTAssertEqual(clone(sandbox), 11769, "IDs start again after a reset")
    }

    func testResetKeepsTheFillToOfTheStore() throws {
        let directory = try temporaryDirectory(for: self)
        let store = try SandboxStore(directory: directory, fillTo: 50)
        try store.reset(clock: ManualSandboxClock())
        XCTAssertTrue(Set(try store.state().campaigns.map(\.id)).isSuperset(of: 1...50))
        XCTAssertEqual(try store.state(), SandboxState.seed(at: ManualSandboxClock().now(), fillTo: 50))
    }

    func testADamagedDatabaseIsReportedAndResetRepairsIt() throws {
        let directory = try temporaryDirectory(for: self)
        let running = try Sandbox(store: SandboxStore(directory: directory), clock: ManualSandboxClock())
        let garbage = Data(repeating: 0x5A, count: 8192)
        for file in ["/sandbox.db", "/sandbox.db-wal", "/sandbox.db-shm"] {
            try garbage.write(to: URL(fileURLWithPath: directory + file))
        }
        let response = running.respond(
            path: "/api/v1.1/campaigns/get", headers: [("Content-Type", "application/json")],
            body: Array(#"{"token": "sandbox-token", "id": 1}"#.utf8))
        XCTAssertEqual(response.status, 500, "a running sandbox answers 500, and goes on")
        XCTAssertThrowsError(try Sandbox(store: SandboxStore(directory: directory), clock: ManualSandboxClock())) { error in
            XCTAssertEqual(
                "\(error)", "sandbox state \(directory)/sandbox.db is damaged; run 'cops sandbox reset'")
        }

        try SandboxStore.reset(directory: directory, clock: ManualSandboxClock())
        let fresh = try Sandbox(store: SandboxStore(directory: directory), clock: ManualSandboxClock())
        XCTAssertEqual(try call(fresh, "campaigns/get", #"{"token": "sandbox-token", "id": 1}"#)["error"]?.int, 0)
    }

    // MARK: - the state file of earlier versions

    /// A `sandbox.json` that the last version before the database wrote (`cops -c` on it:
    /// campaign 15 aborted, 1 cloned as 11769, 87 deactivated while draining).
    private static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/sandbox.json")

    func testAnEarlierVersionsStateFileIsImportedOnce() throws {
        let directory = try temporaryDirectory(for: self)
        try FileManager.default.copyItem(atPath: Self.fixture.path, toPath: directory + "/sandbox.json")
        let store = try SandboxStore(directory: directory)
        _ = try Sandbox(store: store, clock: ManualSandboxClock())

        // Foundation's decoder reads the file independently of the importer.
        let expected = try JSONDecoder().decode(SandboxState.self, from: Data(contentsOf: Self.fixture))
        XCTAssertEqual(try store.state(), expected)
        XCTAssertEqual(expected.campaigns.first { $0.id == 11769 }?.name, "Fixture — клон \"q\"")
        XCTAssertEqual(expected.campaigns.first { $0.id == 15 }?.isActive, false)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/sandbox.json"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory + "/sandbox.json.imported"))

        // Once: a change after the import survives the next start.
        let sandbox = try Sandbox(store: SandboxStore(directory: directory), clock: ManualSandboxClock())
        XCTAssertEqual(clone(sandbox), 11770)
        _ = try Sandbox(store: SandboxStore(directory: directory), clock: ManualSandboxClock())
        XCTAssertEqual(try store.state().campaigns.last?.id, 11770)
    }

    func testAStateFileWrittenByFoundationsEncoderIsImportedWhole() throws {
        // The first versions wrote the file with JSONEncoder (.sortedKeys); every field,
        // optionals set or not, comes through.
        let directory = try temporaryDirectory(for: self)
        let clock = ManualSandboxClock()
        var state = SandboxState.seed(at: clock.now(), fillTo: 30)
        state.campaigns[0].sentThisRun = 7
        state.campaigns[0].sendStarted = 12.5
        state.campaigns[1].name = "Ünïcode — тест\\tname \"quoted\""
        state.campaigns[1].uiTags = ["a", "b,c", "ключ"]
        state.nextID = 20_000
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(state).write(to: URL(fileURLWithPath: directory + "/sandbox.json"))
        let store = try SandboxStore(directory: directory)
        _ = try Sandbox(store: store, clock: clock)
        XCTAssertEqual(try store.state(), state)
    }

    func testAStateFileThatCannotBeImportedSaysToReset() throws {
        let directory = try temporaryDirectory(for: self)
        try Data(#"{"campaigns": [{"id": "1"}], "nextID": 2}"#.utf8).write(to: URL(fileURLWithPath: directory + "/sandbox.json"))
        XCTAssertThrowsError(try Sandbox(store: SandboxStore(directory: directory), clock: ManualSandboxClock())) { error in
            XCTAssertEqual(
                "\(error)",
                "sandbox state \(directory)/sandbox.json (from an earlier cops) cannot be imported; run 'cops sandbox reset'")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory + "/sandbox.json"), "nothing is lost before the reset")
        try SandboxStore.reset(directory: directory, clock: ManualSandboxClock())
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/sandbox.json"))
        let store = try SandboxStore(directory: directory)
        _ = try Sandbox(store: store, clock: ManualSandboxClock())
        XCTAssertEqual(try store.state(), SandboxState.seed(at: ManualSandboxClock().now()))
    }

    // MARK: - files

    func testTheDatabaseIsReadableByItsOwnerOnly() throws {
        let directory = try temporaryDirectory(for: self)
        let sandbox = try Sandbox(store: SandboxStore(directory: directory), clock: ManualSandboxClock())
        _ = clone(sandbox)
        XCTAssertEqual(try mode(directory + "/sandbox.db"), 0o600)
        XCTAssertEqual(try mode(directory + "/sandbox.db-wal"), 0o600)
        XCTAssertEqual(try mode(directory + "/sandbox.db-shm"), 0o600)
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: directory).sorted(),
            ["sandbox.db", "sandbox.db-shm", "sandbox.db-wal"], "no lock or temporary files")
    }

    func testANewStateDirectoryIsPrivate() throws {
        let directory = try temporaryDirectory(for: self) + "/cops"
        _ = try SandboxStore(directory: directory)
        XCTAssertEqual(try mode(directory), 0o700)
    }

    func testDefaultDirectoryFollowsXDGStateHome() {
        XCTAssertEqual(
            SandboxStore.defaultDirectory(environment: ["XDG_STATE_HOME": "/x/state", "HOME": "/home/u"]), "/x/state/cops")
        XCTAssertEqual(
            SandboxStore.defaultDirectory(environment: ["XDG_STATE_HOME": "relative", "HOME": "/home/u"]),
            "/home/u/.local/state/cops")
        XCTAssertEqual(SandboxStore.defaultDirectory(environment: ["HOME": "/home/u"]), "/home/u/.local/state/cops")
    }

    // MARK: - concurrency

    func testConcurrentWritersOfTwoProcessesDoNotLoseUpdates() async throws {
        let directory = try temporaryDirectory(for: self)
        let clock = ManualSandboxClock()
        // Two processes: each has its own store object (its own connection) and its own engine.
        let first = try Sandbox(store: SandboxStore(directory: directory), clock: clock)
        let second = try Sandbox(store: SandboxStore(directory: directory), clock: clock)
        try await assertNoLostChanges(first, second, directory: directory)
    }

    func testConcurrentWritersSharingOneStoreObjectDoNotLoseUpdates() async throws {
        let directory = try temporaryDirectory(for: self)
        let clock = ManualSandboxClock()
        let store = try SandboxStore(directory: directory)
        let first = try Sandbox(store: store, clock: clock)
        let second = try Sandbox(store: store, clock: clock)
        try await assertNoLostChanges(first, second, directory: directory)
    }

    /// Each side clones 82 fifty times and deactivates 25 campaigns of its own, interleaved
    /// with the other: every clone it was told of is there with its own ID, and every
    /// campaign it was told it deactivated is inactive.
    private func assertNoLostChanges(_ first: Sandbox, _ second: Sandbox, directory: String) async throws {
        try SandboxStore(directory: directory, fillTo: 200).reset(clock: ManualSandboxClock())
        @Sendable func work(_ sandbox: Sandbox, evens: Bool) -> (clones: [Int], deactivated: [Int]) {
            var clones: [Int] = []
            var deactivated: [Int] = []
            for step in 0..<50 {
                let response = sandbox.respond(
                    path: "/api/v1.1/campaigns/clone", headers: [], body: Array(#"{"token": "sandbox-token", "id": 82}"#.utf8))
                if let id = (try? JSONWire.decode(response.body))?["data"]?["saved_id"]?.int { clones.append(Int(id)) }
                guard step % 2 == 0 else { continue }
                // Generated campaigns with even IDs start active.
                let id = 100 + step * 2 + (evens ? 0 : 2)
                let answer = sandbox.respond(
                    path: "/api/v1.1/campaigns/deactivate", headers: [],
                    body: Array(#"{"token": "sandbox-token", "id": \#(id)}"#.utf8))
                if (try? JSONWire.decode(answer.body))?["error"]?.int == 0 { deactivated.append(id) }
            }
            return (clones, deactivated)
        }
        async let a = Task.detached { work(first, evens: true) }.value
        async let b = Task.detached { work(second, evens: false) }.value
        let (one, two) = await (a, b)
        let clones = one.clones + two.clones
        XCTAssertEqual(clones.count, 100, "every clone succeeded")
        XCTAssertEqual(Set(clones).count, 100, "every clone got its own ID")
        XCTAssertEqual(one.deactivated.count + two.deactivated.count, 50)
        let state = try SandboxStore(directory: directory).state()
        XCTAssertEqual(Set(state.campaigns.map(\.id).filter { $0 > 11768 }), Set(clones), "the database holds every clone")
        let active = Set(state.campaigns.filter(\.isActive).map(\.id))
        XCTAssertTrue(active.isDisjoint(with: one.deactivated + two.deactivated), "every deactivation is kept")
    }
}
