import AltcraftSandbox
import AltcraftWire
import Foundation
import XCTest

/// The state file shared by `cops` processes.
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

    func testAFreshStoreStartsWithTheSeed() throws {
        let directory = try temporaryDirectory(for: self)
        let clock = ManualSandboxClock()
        let sandbox = try Sandbox(store: SandboxStore(directory: directory), clock: clock)
        XCTAssertEqual(sandbox.withEngine { $0.state }, SandboxState.seed(at: clock.now()))
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory + "/sandbox.json"))
    }

    func testAStoreCreatesMissingParentDirectories() throws {
        let directory = try temporaryDirectory(for: self) + "/a/b/cops"
        let store = try SandboxStore(directory: directory)
        XCTAssertEqual(store.path, directory + "/sandbox.json")
        _ = try Sandbox(store: store, clock: ManualSandboxClock())
        XCTAssertTrue(FileManager.default.fileExists(atPath: store.path))
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

        let third = try Sandbox(store: SandboxStore(directory: directory), clock: clock)
        XCTAssertEqual(third.withEngine { $0.campaign(id)?.name }, "from the second")
        XCTAssertEqual(third.withEngine { $0.campaign(15)?.isActive }, false)
    }

    func testADeleteByOneProcessIsSeenByAnother() throws {
        let directory = try temporaryDirectory(for: self)
        let first = try Sandbox(store: SandboxStore(directory: directory), clock: ManualSandboxClock())
        let second = try Sandbox(store: SandboxStore(directory: directory), clock: ManualSandboxClock())
        XCTAssertEqual(try call(second, "campaigns/get", #"{"token": "sandbox-token", "id": 82}"#)["error"]?.int, 0)
        XCTAssertEqual(try call(first, "campaigns/delete", #"{"token": "sandbox-token", "id": 82}"#)["error"]?.int, 0)
        XCTAssertEqual(try call(second, "campaigns/get", #"{"token": "sandbox-token", "id": 82}"#)["error"]?.int, 404)
    }

    func testReadsDoNotRewriteTheFile() throws {
        let directory = try temporaryDirectory(for: self)
        let sandbox = try Sandbox(store: SandboxStore(directory: directory), clock: ManualSandboxClock())
        let before = try FileManager.default.attributesOfItem(atPath: directory + "/sandbox.json")
        for _ in 0..<3 { _ = try call(sandbox, "campaigns/list", #"{"token": "sandbox-token"}"#) }
        let after = try FileManager.default.attributesOfItem(atPath: directory + "/sandbox.json")
        XCTAssertEqual(before[.systemFileNumber] as? Int, after[.systemFileNumber] as? Int)
        XCTAssertEqual(before[.modificationDate] as? Date, after[.modificationDate] as? Date)
    }

    func testResetRestoresTheSeed() throws {
        let directory = try temporaryDirectory(for: self)
        let clock = ManualSandboxClock()
        let store = try SandboxStore(directory: directory)
        let sandbox = try Sandbox(store: store, clock: clock)
        let id = try XCTUnwrap(clone(sandbox))
        _ = try call(sandbox, "campaigns/delete", #"{"token": "sandbox-token", "id": 82}"#)

        try SandboxStore(directory: directory).reset(clock: clock)

        let fresh = try Sandbox(store: SandboxStore(directory: directory), clock: clock)
        XCTAssertEqual(fresh.withEngine { $0.state }, SandboxState.seed(at: clock.now()))
        XCTAssertEqual(try call(sandbox, "campaigns/get", #"{"token": "sandbox-token", "id": \#(id)}"#)["error"]?.int, 404)
        XCTAssertEqual(try call(sandbox, "campaigns/get", #"{"token": "sandbox-token", "id": 82}"#)["error"]?.int, 0)
        XCTAssertEqual(clone(sandbox), 11769, "IDs start again after a reset")
    }

    func testResetKeepsTheFillToOfTheStore() throws {
        let directory = try temporaryDirectory(for: self)
        let store = try SandboxStore(directory: directory, fillTo: 50)
        try store.reset(clock: ManualSandboxClock())
        let sandbox = try Sandbox(store: store, clock: ManualSandboxClock())
        XCTAssertTrue(Set(sandbox.withEngine { $0.campaignIDs }).isSuperset(of: 1...50))
    }

    func testADamagedStateFileIsReported() throws {
        let directory = try temporaryDirectory(for: self)
        _ = try Sandbox(store: SandboxStore(directory: directory), clock: ManualSandboxClock())
        try Data("{\"campaigns\": [".utf8).write(to: URL(fileURLWithPath: directory + "/sandbox.json"))
        XCTAssertThrowsError(try Sandbox(store: SandboxStore(directory: directory), clock: ManualSandboxClock())) { error in
            guard case SandboxStoreError.damaged(let path)? = error as? SandboxStoreError else {
                return XCTFail("expected .damaged, got \(error)")
            }
            XCTAssertEqual(path, directory + "/sandbox.json")
            XCTAssertTrue("\(error)".contains("cops sandbox reset"))
        }
    }

    func testADamagedStateFileMakesARunningSandboxAnswer500() throws {
        let directory = try temporaryDirectory(for: self)
        let sandbox = try Sandbox(store: SandboxStore(directory: directory), clock: ManualSandboxClock())
        try Data("not json".utf8).write(to: URL(fileURLWithPath: directory + "/sandbox.json"))
        let response = sandbox.respond(
            path: "/api/v1.1/campaigns/get", headers: [("Content-Type", "application/json")],
            body: Array(#"{"token": "sandbox-token", "id": 1}"#.utf8))
        XCTAssertEqual(response.status, 500)
        XCTAssertEqual(try envelope(response)["error"]?.int, 500)
        try SandboxStore(directory: directory).reset(clock: ManualSandboxClock())
        XCTAssertEqual(
            try call(sandbox, "campaigns/get", #"{"token": "sandbox-token", "id": 1}"#)["error"]?.int, 0, "reset repairs it")
    }

    func testAStateFileWrittenByFoundationsEncoderIsReadTheSame() throws {
        // Earlier versions wrote the file with JSONEncoder (.sortedKeys); those files still load.
        let directory = try temporaryDirectory(for: self)
        let clock = ManualSandboxClock()
        var state = SandboxState.seed(at: clock.now(), fillTo: 30)
        state.campaigns[0].sentThisRun = 7
        state.campaigns[0].sendStarted = 12.5
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(state).write(to: URL(fileURLWithPath: directory + "/sandbox.json"))
        let sandbox = try Sandbox(store: SandboxStore(directory: directory), clock: clock)
        XCTAssertEqual(sandbox.withEngine { $0.state }, state)
    }

    func testTheStateFileKeepsFoundationsShape() throws {
        // What the store writes decodes with JSONDecoder to the same state (same keys, types).
        let directory = try temporaryDirectory(for: self)
        let clock = ManualSandboxClock()
        let sandbox = try Sandbox(store: SandboxStore(directory: directory), clock: clock)
        XCTAssertNotNil(clone(sandbox, name: "Ünïcode — тест\\tname"))
        _ = try call(sandbox, "campaigns/deactivate", #"{"token": "sandbox-token", "id": 15}"#)
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/sandbox.json"))
        XCTAssertEqual(try JSONDecoder().decode(SandboxState.self, from: data), sandbox.withEngine { $0.state })
    }

    func testAStateFileOfTheWrongShapeIsDamaged() throws {
        let directory = try temporaryDirectory(for: self)
        _ = try Sandbox(store: SandboxStore(directory: directory), clock: ManualSandboxClock())
        try Data(#"{"campaigns": [{"id": "1"}], "nextID": 2}"#.utf8).write(to: URL(fileURLWithPath: directory + "/sandbox.json"))
        XCTAssertThrowsError(try Sandbox(store: SandboxStore(directory: directory), clock: ManualSandboxClock()))
    }

    func testTheStateFileIsReadableByItsOwnerOnly() throws {
        let directory = try temporaryDirectory(for: self)
        let sandbox = try Sandbox(store: SandboxStore(directory: directory), clock: ManualSandboxClock())
        _ = clone(sandbox)
        let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/sandbox.json")
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let lock = try FileManager.default.attributesOfItem(atPath: directory + "/sandbox.lock")
        XCTAssertEqual((lock[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.contains(".tmp") }
        XCTAssertEqual(leftovers, [], "no temporary files are left behind")
    }

    func testANewStateDirectoryIsPrivate() throws {
        let directory = try temporaryDirectory(for: self) + "/cops"
        _ = try SandboxStore(directory: directory)
        let attributes = try FileManager.default.attributesOfItem(atPath: directory)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o700)
    }

    func testDefaultDirectoryFollowsXDGStateHome() {
        XCTAssertEqual(
            SandboxStore.defaultDirectory(environment: ["XDG_STATE_HOME": "/x/state", "HOME": "/home/u"]), "/x/state/cops")
        XCTAssertEqual(
            SandboxStore.defaultDirectory(environment: ["XDG_STATE_HOME": "relative", "HOME": "/home/u"]),
            "/home/u/.local/state/cops")
        XCTAssertEqual(SandboxStore.defaultDirectory(environment: ["HOME": "/home/u"]), "/home/u/.local/state/cops")
    }

    func testConcurrentWritersOfTwoProcessesDoNotLoseUpdates() async throws {
        let directory = try temporaryDirectory(for: self)
        let clock = ManualSandboxClock()
        // Two processes: each has its own store object and its own engine.
        let first = try Sandbox(store: SandboxStore(directory: directory), clock: clock)
        let second = try Sandbox(store: SandboxStore(directory: directory), clock: clock)
        try await assertNoLostClones(first, second, directory: directory, clock: clock)
    }

    /// `Sandbox.init(store:)` takes any store; two sandboxes on one store object must not
    /// lose each other's changes either. They do: the store remembers one "last seen"
    /// signature for both, so the second sandbox thinks the file unchanged and writes its
    /// stale engine state over the first one's clones.
    func testConcurrentWritersSharingOneStoreObjectDoNotLoseUpdates() async throws {
        let directory = try temporaryDirectory(for: self)
        let clock = ManualSandboxClock()
        let store = try SandboxStore(directory: directory)
        let first = try Sandbox(store: store, clock: clock)
        let second = try Sandbox(store: store, clock: clock)
        try await assertNoLostClones(first, second, directory: directory, clock: clock)
    }

    private func assertNoLostClones(_ first: Sandbox, _ second: Sandbox, directory: String, clock: ManualSandboxClock)
        async throws
    {
        let body = Array(#"{"token": "sandbox-token", "id": 82}"#.utf8)
        @Sendable func cloneFifty(_ sandbox: Sandbox) -> [Int?] {
            (0..<50).map { _ in
                let response = sandbox.respond(path: "/api/v1.1/campaigns/clone", headers: [], body: body)
                return (try? JSONWire.decode(response.body))?["data"]?["saved_id"]?.int
            }
        }
        async let a = Task.detached { cloneFifty(first) }.value
        async let b = Task.detached { cloneFifty(second) }.value
        let ids = await a + b
        XCTAssertEqual(ids.compactMap { $0 }.count, 100, "every clone succeeded")
        XCTAssertEqual(Set(ids.compactMap { $0 }).count, 100, "every clone got its own ID")
        let reader = try Sandbox(store: SandboxStore(directory: directory), clock: clock)
        let saved = reader.withEngine { engine in engine.campaignIDs.filter { $0 > 11768 } }
        XCTAssertEqual(saved.count, 100, "the file holds every clone")
        XCTAssertEqual(Set(saved), Set(ids.compactMap { $0 }))
    }
}
