import AltcraftAPI
import AltcraftSandbox
import AltcraftWire
import CampaignScript
import Foundation
import LineEditor
import Synchronization
import XCTest

@testable import CopsShell

/// A reader that hands out prepared lines and records the prompts it was shown; what a test
/// marks as "pasted" sits in the type-ahead buffer until a confirmation drops it.
final class ScriptedReader: LineReader {
    var lines: [LineReadResult]
    var prompts: [String] = []
    var typeAhead = 0
    var recalled: [String] = []

    init(_ lines: [LineReadResult]) { self.lines = lines }

    func readLine(prompt: String) -> LineReadResult {
        prompts.append(prompt)
        return lines.isEmpty ? .endOfInput : lines.removeFirst()
    }

    func addToHistory(_ entry: String) { recalled.append(entry) }
    func replaceHistory(_ entries: [String]) { recalled = entries }
    var isInteractive: Bool { false }
    func discardTypeAhead() -> Int {
        defer { typeAhead = 0 }
        return typeAhead
    }
}

/// Slows every request down, so a statement is still running when a test presses Ctrl-C.
struct SlowTransport: AltcraftTransport {
    let inner: InProcessTransport
    let delay: Duration

    func send(_ request: TransportRequest) async throws(TransportError) -> TransportResponse {
        do { try await Task.sleep(for: delay) } catch { throw .cancelled }
        return try await inner.send(request)
    }

    func shutdown() async {}
}

final class Captured: Sendable {
    private let parts = Mutex<(results: String, messages: String)>(("", ""))
    var results: String { parts.withLock { $0.results } }
    var messages: String { parts.withLock { $0.messages } }
    var sink: OutputSink {
        OutputSink(
            result: { text in self.parts.withLock { $0.results += text } },
            message: { text in self.parts.withLock { $0.messages += text } })
    }
}

final class PromptSessionTests: XCTestCase {
    var directory = ""
    var sandbox: Sandbox!

    override func setUp() {
        directory = NSTemporaryDirectory() + "prompt-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        sandbox = Sandbox(engine: SandboxEngine(clock: SystemSandboxClock()))
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    func target(label: String = "sandbox", confirmAll: Bool = false, delay: Duration? = nil) -> SessionTarget {
        let inner = InProcessTransport(sandbox: sandbox)
        let transport: any AltcraftTransport = delay.map { SlowTransport(inner: inner, delay: $0) } ?? inner
        let client = AltcraftClient(
            configuration: ClientConfiguration(token: SandboxEngine.defaultToken, retries: 0), transport: transport)
        return SessionTarget(
            kind: label == "sandbox" ? .sandbox(path: directory + "/sandbox.db") : .profile(label), label: label,
            confirmsEveryMutation: confirmAll, token: SandboxEngine.defaultToken,
            secrets: [SandboxEngine.defaultToken], operations: AltcraftOperations(client: client))
    }

    /// Runs the prompt over `reader` as `cops` on a terminal does, minus the terminal: one
    /// session on the target, the prompt around it.
    @discardableResult
    func prompt(
        _ reader: any LineReader, output: Captured, options: ScriptRunner.Options = ScriptRunner.Options(),
        target: SessionTarget? = nil, interrupt: @escaping @Sendable () -> Bool = { false }, transcript: Transcript? = nil
    ) async -> (status: ExitStatus, prompt: PromptSession?) {
        let target = target ?? self.target()
        let parts = Session.Parts(
            purpose: .run(connect: { _, _ in .success(target) }), sink: output.sink, transcript: transcript,
            label: target.label, settings: PromptSession.initialSettings(options))
        var prompt: PromptSession?
        let status = await Session.with(parts) { session in
            if let stop = session.connect() { return stop }
            let running = PromptSession(
                session: session, options: options,
                parts: PromptSession.Parts(
                    reader: reader, takeInterrupt: interrupt,
                    environment: ["XDG_STATE_HOME": directory, "XDG_CONFIG_HOME": directory]))
            prompt = running
            return await running.run()
        }
        return (status, prompt)
    }

    func exists(_ id: Int) -> Bool { sandbox.withEngine { $0.campaign(id) != nil } }
    func isActive(_ id: Int) -> Bool { sandbox.withEngine { $0.campaign(id)?.isActive ?? false } }

    func testEntriesShareVariablesAndContinuationLinesMakeOneHistoryEntry() async {
        let reader = ScriptedReader([.line("let ids = ("), .line("  list active limit 2)"), .line("echo $ids[0].id")])
        let output = Captured()
        let status = await prompt(reader, output: output).status
        XCTAssertEqual(status, .success)
        XCTAssertEqual(reader.prompts[0], "cops(sandbox)> ")
        XCTAssertTrue(reader.prompts[1].hasSuffix("...> "), reader.prompts[1])
        XCTAssertEqual(reader.recalled, ["let ids = (\n  list active limit 2)", "echo $ids[0].id"])
        XCTAssertEqual(output.results.trimmingCharacters(in: .whitespacesAndNewlines), "1")
        let history = try? String(contentsOfFile: directory + "/cops/history-sandbox", encoding: .utf8)
        XCTAssertEqual(history?.split(separator: "\n").count, 2)
        XCTAssertTrue(output.messages.contains("built-in sandbox"), output.messages)
    }

    /// `\save FILE`: the statements that succeeded, in order, as typed, laid out by `cops fmt`,
    /// each under a comment with when it ran; never over an existing file.
    func testSaveWritesTheStatementsThatSucceededAsARunbook() async throws {
        let path = directory + "/session.cops"
        let reader = ScriptedReader([
            .line("\\save " + path),
            .line("let  id = 15"),
            .line("stauts $id"),
            .line("status $id; deactivate 999999"),
            .line("if $id > 0 {"), .line("  deactivate $id"), .line("}"),
            .line("\\save " + path),
            .line("\\save " + path),
            .line("\\save"),
        ])
        let output = Captured()
        await prompt(reader, output: output)
        XCTAssertTrue(output.messages.contains("cops: nothing to save: no statement has succeeded"), output.messages)
        XCTAssertTrue(
            output.messages.contains("cops: saved 3 statements to \(path); review it, then: cops --dry-run \(path)\n"),
            output.messages)
        XCTAssertTrue(output.messages.contains("cops: '\(path)' exists; \\save does not overwrite"), output.messages)
        XCTAssertTrue(output.messages.contains("cops: \\save FILE writes the statements"), output.messages)
        let saved = try String(contentsOfFile: path, encoding: .utf8)
        // The times vary; everything else is written out.
        let time = try Regex(#"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"#)
        XCTAssertEqual(
            saved.replacing(time, with: "TIME"),
            """
            # A cops prompt session on sandbox, saved at TIME.
            # The statements that succeeded, in order; each comment says when it ran.
            # Review it, then: cops --dry-run FILE, and cops FILE.
            # ok at TIME
            let id = 15
            # ok at TIME
            status $id
            # ok at TIME
            if $id > 0 {
              deactivate $id
            }

            """)
        // Ready to run: it checks clean, and the failed and misspelt statements are not in it.
        XCTAssertTrue(Checker.check(SourceFile(name: path, text: saved)).isRunnable)
        XCTAssertFalse(saved.contains("999999"))
        XCTAssertFalse(saved.contains("stauts"))
    }

    func testAnEntryWithErrorsRunsNothingAndTheSessionGoesOn() async {
        let reader = ScriptedReader([.line("deactivate 15; bogus 3"), .line("status 15")])
        let output = Captured()
        await prompt(reader, output: output)
        XCTAssertTrue(output.messages.contains("unknown command 'bogus'"), output.messages)
        XCTAssertTrue(isActive(15), "the valid half of a bad entry must not run")
        XCTAssertTrue(output.results.contains("15"), output.results)
    }

    /// `param` names a runbook's arguments; the prompt has none, and says what to write.
    /// An open block still asks for another line rather than reporting the end of the input.
    func testParamAtThePromptSaysToUseLetAndOpenBlocksContinue() async {
        let reader = ScriptedReader([.line("param ID"), .line("if true {"), .line("  echo \"in\""), .line("}")])
        let output = Captured()
        await prompt(reader, output: output)
        XCTAssertTrue(
            output.messages.contains("error: param declares a runbook's arguments; at the prompt use let"),
            output.messages)
        XCTAssertFalse(output.messages.contains("never closed"), output.messages)
        XCTAssertEqual(output.results.trimmingCharacters(in: .whitespacesAndNewlines), "in")
    }

    func testLinesStartingWithASpaceAndSecretsAreNotRecorded() async {
        let reader = ScriptedReader([.line(" status 15"), .line("echo \"token=abc\""), .line("status 1")])
        await prompt(reader, output: Captured())
        XCTAssertEqual(reader.recalled, ["status 1"])
    }

    /// A target's secrets are the token and the proxy's credentials: neither is echoed nor
    /// kept in history or the transcript.
    func testProxyCredentialsStayOutOfHistoryOutputAndTranscript() async throws {
        var target = self.target()
        target.secrets.append("pr0xy-pa55word")
        let path = directory + "/transcript.log"
        let transcript = try Transcript.open(path: path, secrets: target.secrets).get()
        let reader = ScriptedReader([.line("echo \"pr0xy-pa55word\""), .line("status 1")])
        let output = Captured()
        await prompt(reader, output: output, target: target, transcript: transcript)
        XCTAssertEqual(reader.recalled, ["status 1"])
        let history = (try? String(contentsOfFile: directory + "/cops/history-sandbox", encoding: .utf8)) ?? ""
        let written = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        for text in [history, written, output.results, output.messages] {
            XCTAssertFalse(text.contains("pr0xy-pa55word"), text)
        }
        XCTAssertTrue(output.results.contains("[redacted]"), output.results)
    }

    func testDeleteAsksAndNoSendsNothing() async {
        let reader = ScriptedReader([.line("delete 5"), .line("n"), .line("delete 7"), .line("yes")])
        let output = Captured()
        await prompt(reader, output: output)
        XCTAssertEqual(reader.prompts[1], "delete campaign 5 on sandbox? [y/N] ")
        XCTAssertTrue(exists(5))
        XCTAssertFalse(exists(7))
        XCTAssertTrue(output.messages.contains("not confirmed"), output.messages)
    }

    func testPastedInputCannotAnswerAConfirmation() async {
        // "delete 5\ny\n" pasted at once: the "y" was waiting before the question was asked.
        let pipe = Pipe()
        pipe.fileHandleForWriting.write(Data("delete 5\ny\nstatus 5\n".utf8))
        try? pipe.fileHandleForWriting.close()
        let reader = PlainLineReader(fileDescriptor: pipe.fileHandleForReading.fileDescriptor)
        let output = Captured()
        await prompt(reader, output: output)
        XCTAssertTrue(exists(5), "a pasted 'y' must not confirm")
        XCTAssertTrue(output.messages.contains("pasted or typed-ahead input dropped"), output.messages)
    }

    func testMoreThanTenCampaignsAsksTenDoNot() async {
        let reader = ScriptedReader([.line("deactivate 1..3"), .line("deactivate 2..14"), .line("n")])
        await prompt(reader, output: Captured())
        XCTAssertEqual(reader.prompts.filter { $0.contains("[y/N]") }.count, 1)
        XCTAssertTrue(reader.prompts.contains { $0.hasPrefix("deactivate 13 campaigns (2, 3,") }, "\(reader.prompts)")
        let sent = sandbox.withEngine { $0.requestLog.filter { $0.endpoint == .deactivate }.count }
        XCTAssertEqual(sent, 3, "declined: nothing of 2..14 was sent")
    }

    func testYesFlagAndConfirmOffSkipTheQuestion() async {
        var options = ScriptRunner.Options()
        options.yes = true
        let reader = ScriptedReader([.line("delete 5")])
        await prompt(reader, output: Captured(), options: options)
        XCTAssertFalse(exists(5))
        let second = ScriptedReader([.line("set confirm off"), .line("delete 7")])
        await prompt(second, output: Captured())
        XCTAssertFalse(exists(7))
        XCTAssertFalse(second.prompts.contains { $0.contains("[y/N]") })
    }

    func testAConfirmProfileAsksBeforeEveryChangeButNotReads() async {
        let reader = ScriptedReader([.line("status 15"), .line("deactivate 15"), .line("")])
        await prompt(reader, output: Captured(), target: target(label: "prod", confirmAll: true))
        XCTAssertEqual(reader.prompts.filter { $0.contains("[y/N]") }, ["deactivate campaign 15 on prod? [y/N] "])
        XCTAssertTrue(isActive(15))
    }

    func testDryRunDoesNotAsk() async {
        var options = ScriptRunner.Options()
        options.dryRun = true
        let reader = ScriptedReader([.line("delete 5")])
        await prompt(reader, output: Captured(), options: options)
        XCTAssertFalse(reader.prompts.contains { $0.contains("[y/N]") })
        XCTAssertTrue(exists(5))
    }

    func testExitEndsTheSessionWithItsStatusAndCtrlDWithZero() async {
        let reader = ScriptedReader([.line("exit 3"), .line("delete 5")])
        let status = await prompt(reader, output: Captured()).status
        XCTAssertEqual(status, ExitStatus(rawValue: 3))
        XCTAssertEqual(reader.prompts.count, 1)
        let quiet = await prompt(ScriptedReader([.interrupted, .endOfInput]), output: Captured()).status
        XCTAssertEqual(quiet, .success)
    }

    func testCtrlCAtThePromptDropsAHalfEnteredStatement() async {
        let reader = ScriptedReader([.line("deactivate ("), .interrupted, .line("status 15")])
        let output = Captured()
        await prompt(reader, output: output)
        XCTAssertEqual(reader.prompts[2], "cops(sandbox)> ", "after Ctrl-C the main prompt comes back")
        XCTAssertTrue(isActive(15))
    }

    func testCtrlCCancelsARunningBulkStatementAndReportsWhatWasDone() async {
        let pressed = Mutex(false)
        let started = ContinuousClock.now
        // Ctrl-C 300 ms into the statement.
        let interrupt: @Sendable () -> Bool = {
            guard ContinuousClock.now - started > .milliseconds(300) else { return false }
            return pressed.withLock { already in
                defer { already = true }
                return !already
            }
        }
        var options = ScriptRunner.Options()
        options.yes = true
        options.concurrency = 2
        let reader = ScriptedReader([.line("deactivate 1..40"), .line("status 15")])
        let output = Captured()
        let clock = ContinuousClock()
        let elapsed = await clock.measure {
            await prompt(
                reader, output: output, options: options, target: target(delay: .milliseconds(100)), interrupt: interrupt)
        }
        XCTAssertTrue(output.messages.contains("deactivate: cancelled; done: "), output.messages + output.results)
        XCTAssertTrue(output.messages.contains("not done: "), output.messages)
        XCTAssertLessThan(elapsed, .seconds(2), "40 requests at 100 ms, 2 at a time, would take 2 s")
        let sent = sandbox.withEngine { $0.requestLog.filter { $0.endpoint == .deactivate }.map(\.parameters["id"]?.intValue) }
        XCTAssertGreaterThan(sent.count, 0)
        XCTAssertLessThan(sent.count, 20, "no request starts after Ctrl-C")
        // Every request sent is reported done, in input order.
        let done = sent.compactMap { $0 }.sorted().map(String.init).joined(separator: ", ")
        XCTAssertTrue(output.messages.contains("done: \(done); not done: "), output.messages)
        XCTAssertEqual(reader.prompts.count, 3, "the session went on after the cancelled statement")
    }

    func testASecondCtrlCAbandonsRequestsInFlightAndSaysTheyMayHaveBeenApplied() async {
        let presses = Mutex(0)
        let started = ContinuousClock.now
        // Ctrl-C twice, 300 ms in, 50 ms apart; the requests take 400 ms each.
        let interrupt: @Sendable () -> Bool = {
            let elapsed = ContinuousClock.now - started
            return presses.withLock { count in
                guard (count == 0 && elapsed > .milliseconds(300)) || (count == 1 && elapsed > .milliseconds(350)) else {
                    return false
                }
                count += 1
                return true
            }
        }
        var options = ScriptRunner.Options()
        options.yes = true
        options.concurrency = 2
        let reader = ScriptedReader([.line("deactivate 1..20")])
        let output = Captured()
        await prompt(
            reader, output: output, options: options, target: target(delay: .milliseconds(400)), interrupt: interrupt)
        XCTAssertTrue(output.messages.contains("deactivate: cancelled; done: none; not done: 3, 4, 5"), output.messages)
        XCTAssertTrue(output.messages.contains("abandoned in flight, may have been applied: 1, 2"), output.messages)
    }

    func testTheTranscriptHoldsEntriesAnswersAndErrors() async throws {
        let path = directory + "/transcript.txt"
        let transcript = try Transcript.open(path: path, secrets: []).get()
        let output = Captured()
        let reader = ScriptedReader([.line("status 15"), .line("bogus"), .line("delete 5"), .line("n")])
        await prompt(reader, output: output, transcript: transcript)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.contains("cops(sandbox)> status 15\n"), text)
        XCTAssertTrue(text.contains("cops(sandbox)> bogus\n"), text)
        XCTAssertTrue(text.contains("delete campaign 5 on sandbox? [y/N] n\n"), text)
        var mode = stat()
        stat(path, &mode)
        XCTAssertEqual(mode.st_mode & 0o777, 0o600)
    }

    func testProfileSwitchChangesTargetAndHistory() async {
        let reader = ScriptedReader([
            .line("status 15"), .line("\\profile nosuch"), .line("\\profile sandbox"), .line("status 1"),
        ])
        let output = Captured()
        await prompt(reader, output: output, target: target(label: "staging"))
        XCTAssertTrue(output.messages.contains("no profile 'nosuch'"), output.messages)
        XCTAssertTrue(output.messages.contains("now on sandbox"), output.messages)
        XCTAssertEqual(reader.prompts.last, "cops(sandbox)> ")
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory + "/cops/history-staging"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory + "/cops/history-sandbox"))
    }

    func testCompletionOffersCampaignsSeenInAnswers() async {
        let reader = ScriptedReader([.line("list limit 2"), .line("let picked = 15")])
        let session = await prompt(reader, output: Captured()).prompt!
        let result = session.complete("show ")
        XCTAssertEqual(result.candidates.map(\.display), ["1 (New campaign1)", "2 (New campaign2)"])
        XCTAssertEqual(session.complete("echo $pi").candidates.map(\.text), ["$picked"])
    }
}
