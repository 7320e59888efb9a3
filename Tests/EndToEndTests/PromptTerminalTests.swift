import Foundation
import XCTest

/// The prompt on a real terminal (tmux): completion, history, Unicode, Ctrl-C, Ctrl-D,
/// confirmation, and the prompt kept on the terminal while stdout is piped.
final class PromptTerminalTests: XCTestCase {
    var cops: CopsProcess!
    var sessions: [TmuxSession] = []

    override func setUpWithError() throws {
        try XCTSkipUnless(TmuxSession.isAvailable, "tmux is not installed (.ci/run installs it)")
        cops = try CopsProcess()
    }

    override func tearDown() {
        for session in sessions { session.close() }
        cops?.cleanUp()
    }

    var historyPath: String { cops.stateHome.appendingPathComponent("cops/history-sandbox").path }

    func start(_ arguments: String = "", environment: [String: String] = [:], shell: String? = nil) throws -> TmuxSession {
        var variables = [
            "XDG_STATE_HOME": cops.stateHome.path, "XDG_CONFIG_HOME": cops.stateHome.path, "NO_COLOR": "1",
            "HOME": cops.stateHome.path,
        ]
        for (key, value) in environment { variables[key] = value }
        let command = shell ?? (TmuxSession.quote(CopsProcess.binary.path) + " " + arguments)
        let session = try TmuxSession(command, environment: variables, directory: cops.stateHome)
        sessions.append(session)
        session.wait(for: "cops(")
        return session
    }

    /// The last line of the screen that holds text.
    func lastLine(_ session: TmuxSession) -> String {
        session.screen().split(separator: "\n").last.map(String.init) ?? ""
    }

    func testTabCompletesAVerbAndAnOptionOfThatVerb() throws {
        let session = try start()
        try session.type("deac")
        try session.press("Tab")
        session.wait(for: "cops(sandbox)> deactivate ")
        try session.type("15 a")
        try session.press("Tab")
        session.wait(for: "cops(sandbox)> deactivate 15 abort ")
        try session.press("Enter")
        session.wait(for: "1 ok, 0 failed")
    }

    func testUpArrowRecallsEntriesAcrossARestartAndTheFileIsPrivate() throws {
        let first = try start()
        try first.type("status 15")
        try first.press("Enter")
        first.wait(for: "1 ok, 0 failed")
        first.waitForPrompt()
        try first.press("C-d")
        XCTAssertEqual(first.waitForExit(), 0)
        var info = stat()
        XCTAssertEqual(stat(historyPath, &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o600)

        let second = try start()
        try second.press("Up")
        second.wait(for: "cops(sandbox)> status 15")
        try second.press("Enter")
        second.wait(for: "1 ok, 0 failed")
    }

    func testCyrillicSurvivesACampaignNameAndTheHistory() throws {
        let first = try start()
        try first.type("let c = (clone 3 as \"Кампания весна\")")
        try first.press("Enter")
        try first.type("echo (show $c.id).name")
        try first.press("Enter")
        first.wait(for: "\nКампания весна")
        first.waitForPrompt()
        try first.press("C-d")
        _ = first.waitForExit()
        let history = try String(contentsOfFile: historyPath, encoding: .utf8)
        XCTAssertTrue(history.contains("Кампания весна"), history)

        let second = try start()
        try second.press("Up", "Up")
        second.wait(for: "cops(sandbox)> let c = (clone 3 as \"Кампания весна\")")
    }

    func testCtrlCClearsAHalfTypedLine() throws {
        let session = try start()
        try session.type("deactivate 15 half-typed")
        try session.press("C-c")
        session.wait(for: "half-typed^C")
        try session.type("status 15")
        try session.press("Enter")
        session.wait(for: "1 ok, 0 failed")
        XCTAssertFalse(session.screen().contains("half-typedstatus"), session.screen())
        // The half-typed deactivate was never sent: 15 is still sending.
        try session.type("echo (status 15).is_active")
        try session.press("Enter")
        session.wait(for: "\ntrue")
    }

    func testCtrlCCancelsASlowBulkStatementAndReportsIt() throws {
        let (server, url) = try cops.serve(["--latency", "200ms", "--campaigns", "100"])
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        let session = try start("--endpoint \(url) --yes --concurrency 2", environment: ["ALTCRAFT_TOKEN": "sandbox-token"])
        try session.type("deactivate 1..100")
        try session.press("Enter")
        Thread.sleep(forTimeInterval: 1)
        let pressed = Date()
        try session.press("C-c")
        session.wait(for: "deactivate: cancelled; done: ")
        XCTAssertLessThan(Date().timeIntervalSince(pressed), 3)
        XCTAssertTrue(session.screen().contains("not done: "), session.screen())
        session.wait(for: "the prompt to come back") {
            $0.split(separator: "\n").last.map { $0.hasPrefix("cops(127.0.0.1)>") } ?? false
        }
        try session.type("echo \"still here\"")
        try session.press("Enter")
        session.wait(for: "\nstill here")
    }

    func testCtrlDExitsWithZero() throws {
        let session = try start()
        try session.press("C-d")
        XCTAssertEqual(session.waitForExit(), 0)
    }

    func testDeleteAsksAndATypedNoKeepsTheCampaign() throws {
        let session = try start()
        try session.type("delete 5")
        try session.press("Enter")
        session.wait(for: "delete campaign 5 on sandbox? [y/N] ")
        try session.type("n")
        try session.press("Enter")
        session.wait(for: "not confirmed")
        try session.type("echo (show 5).id")
        try session.press("Enter")
        session.wait(for: "\n5\n")
    }

    func testAPastedYesDoesNotAnswerTheQuestion() throws {
        let session = try start()
        // One write to the terminal: the statement and an answer, as a paste delivers them.
        try session.press("delete 7", "Enter", "y", "Enter")
        session.wait(for: "delete campaign 7 on sandbox? [y/N] ")
        session.wait(for: "input dropped")
        try session.press("Enter")
        session.wait(for: "not confirmed")
    }

    func testThePromptStaysOnTheTerminalWhileStdoutIsPiped() throws {
        let output = cops.stateHome.appendingPathComponent("piped.txt").path
        let session = try start(
            shell: "sh -c " + TmuxSession.quote(TmuxSession.quote(CopsProcess.binary.path) + " -o json | cat > " + output))
        try session.type("status 15")
        try session.press("Enter")
        session.wait(for: "a second prompt") { $0.components(separatedBy: "cops(sandbox)>").count >= 3 }
        session.waitForPrompt()
        try session.press("C-d")
        _ = session.waitForExit()
        let piped = try String(contentsOfFile: output, encoding: .utf8)
        XCTAssertTrue(piped.contains("\"id\":15"), piped)
        XCTAssertFalse(piped.contains("cops(sandbox)>"), piped)
        XCTAssertTrue(session.screen().contains("cops(sandbox)> status 15"), session.screen())
    }

    func testHistorySurvivesKillDashNine() throws {
        let session = try start()
        try session.type("status 1")
        try session.press("Enter")
        session.wait(for: "1 ok, 0 failed")
        let pid = session.copsPID
        XCTAssertGreaterThan(pid, 1)
        guard pid > 1 else { return }
        kill(pid, SIGKILL)
        _ = session.waitForExit()
        let history = try String(contentsOfFile: historyPath, encoding: .utf8)
        XCTAssertEqual(history, "\"status 1\"\n")
    }

    func testTwoSessionsAtOnceKeepBothHistories() throws {
        let one = try start()
        let two = try start()
        for round in 1...3 {
            try one.type("echo \(round)1")
            try one.press("Enter")
            try two.type("echo \(round)2")
            try two.press("Enter")
            one.wait(for: "\n\(round)1\n")
            two.wait(for: "\n\(round)2\n")
        }
        one.waitForPrompt()
        two.waitForPrompt()
        try one.press("C-d")
        try two.press("C-d")
        _ = one.waitForExit()
        _ = two.waitForExit()
        let entries = try String(contentsOfFile: historyPath, encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(Set(entries), Set((1...3).flatMap { ["\"echo \($0)1\"", "\"echo \($0)2\""] }))
        XCTAssertEqual(entries.count, 6)
    }
}

extension PromptTerminalTests {
    /// The token at the prompt: typed into a statement, echoed by a hostile answer, traced with
    /// `-v`, written to a transcript: it appears nowhere, and its entry is not in history.
    func testTheTokenAppearsNowhereAPromptSessionWrites() throws {
        let canary = "CANARY-prompt-4b1d9e77a2c3"
        let (server, url) = try cops.serve(["--token", canary])
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        let transcript = cops.stateHome.appendingPathComponent("prompt.log").path
        let history = cops.stateHome.appendingPathComponent("history").path
        let session = try start(
            "-v --transcript \(transcript) --endpoint \(url)",
            environment: ["ALTCRAFT_TOKEN": canary, "COPS_HISTFILE": history])
        for entry in ["status 15", "echo \"\(canary)\"", "show 424242", "deactivate 15 abort"] {
            try session.type(entry)
            try session.press("Enter")
            session.wait(for: "the answer to \(entry)") { $0.components(separatedBy: "cops(127.0.0.1)>").count >= 3 }
            session.waitForPrompt("cops(127.0.0.1)>")
        }
        try session.press("C-d")
        _ = session.waitForExit()
        let screen = session.screen()
        XCTAssertTrue(screen.contains("{\"token\":\"[redacted]\",\"id\":15}"), screen)
        XCTAssertTrue(screen.contains("\n[redacted]\n"), screen)
        let written = try String(contentsOfFile: transcript, encoding: .utf8)
        let recorded = try String(contentsOfFile: history, encoding: .utf8)
        XCTAssertTrue(written.contains("cops(127.0.0.1)> deactivate 15 abort"), written)
        XCTAssertTrue(recorded.contains("deactivate 15 abort"), recorded)
        // The terminal echoes what was typed; cops itself wrote the token nowhere.
        XCTAssertEqual(screen.components(separatedBy: canary).count, 2, screen)
        XCTAssertTrue(screen.contains("cops(127.0.0.1)> echo \"\(canary)\""), screen)
        for (place, text) in [("transcript", written), ("history", recorded)] {
            XCTAssertFalse(text.contains(canary), "\(place) holds the token:\n\(text)")
        }
    }
}

extension PromptTerminalTests {
    /// libedit follows a resized terminal: a long line wraps at the new width and still runs.
    func testEditingGoesOnAfterTheTerminalIsResized() throws {
        let session = try start()
        try session.tmux(["resize-window", "-t", session.name, "-x", "40", "-y", "20"])
        Thread.sleep(forTimeInterval: 0.3)
        try session.type("echo \"a line longer than forty columns, wrapped\"")
        try session.press("Enter")
        session.wait(for: "\na line longer than forty columns, wrapped")
        try session.tmux(["resize-window", "-t", session.name, "-x", "120", "-y", "40"])
        try session.type("deac")
        try session.press("Tab")
        session.wait(for: "cops(sandbox)> deactivate ")
    }
}
