import AltcraftAPI
import AltcraftSandbox
import AltcraftWire
import CampaignScript
import Synchronization
import XCTest

@testable import CopsShell

/// A clock that moves only when the interpreter sleeps, and moves the sandbox's clock with it,
/// so `wait` sees queues drain without any real waiting.
final class TestClock: ScriptClock {
    private let state = Mutex<(now: Int64, sleeps: [Int64])>((0, []))
    let sandboxClock: ManualSandboxClock

    init(sandboxClock: ManualSandboxClock) {
        self.sandboxClock = sandboxClock
    }

    func now() -> Int64 { state.withLock { $0.now } }

    func sleep(milliseconds: Int64) async throws {
        try Task.checkCancellation()
        state.withLock {
            $0.now += milliseconds
            $0.sleeps.append(milliseconds)
        }
        sandboxClock.advance(by: Double(milliseconds) / 1000)
    }

    /// Every sleep so far, in milliseconds.
    var sleeps: [Int64] { state.withLock { $0.sleeps } }
}

/// Collects what the interpreter writes to each stream.
final class Captured: Sendable {
    private let text = Mutex<(out: String, err: String)>(("", ""))
    var stdout: String { text.withLock { $0.out } }
    var stderr: String { text.withLock { $0.err } }

    var sink: OutputSink {
        OutputSink(
            result: { line in self.text.withLock { $0.out += line } }, message: { line in self.text.withLock { $0.err += line } })
    }
}

/// A session over the in-process sandbox with a manual clock: each `run` goes the way a script
/// does in `cops` (checked whole, diagnostics shown, run), on a fresh session.
final class Harness {
    let sandboxClock = ManualSandboxClock()
    let sandbox: Sandbox
    let clock: TestClock
    let output = Captured()
    let cancellation = CancellationSwitch()
    private let parts: Session.Parts
    private let showsProgress: Bool
    /// The session of the last `run`: its settings and variables as the run left them.
    private var session: Session?

    /// - Parameters:
    ///   - files: what `source` can read, by path.
    ///   - showsProgress: as on a terminal's stderr.
    ///   - wrap: wraps the transport (to inject failures or cancellation).
    init(
        settings: ScriptSettings = ScriptSettings(), token: String = SandboxEngine.defaultToken, arguments: [String] = [],
        files: [String: String] = [:], showsProgress: Bool = false,
        wrap: (InProcessTransport, CancellationSwitch) -> any AltcraftTransport = { transport, _ in transport }
    ) {
        sandbox = Sandbox(engine: SandboxEngine(clock: sandboxClock))
        clock = TestClock(sandboxClock: sandboxClock)
        self.showsProgress = showsProgress
        let client = AltcraftClient(
            configuration: ClientConfiguration(token: token, retries: 0),
            transport: wrap(InProcessTransport(sandbox: sandbox), cancellation))
        // No secrets to mask: a test sees whatever the interpreter and the client would print.
        let target = SessionTarget(
            kind: .sandbox(path: "in-process"), label: "sandbox", confirmsEveryMutation: false, token: token, secrets: [],
            operations: AltcraftOperations(client: client))
        parts = Session.Parts(
            purpose: .run(connect: { _, _ in .success(target) }), sink: output.sink, settings: settings,
            arguments: arguments, clock: clock,
            readFile: { path in files[path].map { .success(Array($0.utf8)) } ?? .failure(FileReadError(why: "no such file")) },
            cancellation: cancellation)
    }

    /// Runs a script and returns its status.
    func run(_ text: String, name: String = "test.cops") async -> ExitStatus {
        await Session.with(parts) { session in
            self.session = session
            session.showsProgress = showsProgress
            return await session.submit(SourceFile(name: name, text: text), origin: .runbook)
        }
    }

    /// The settings as the last run left them.
    var settings: ScriptSettings { session?.settings ?? parts.settings }

    /// The endpoints the sandbox received, in order.
    var requests: [Endpoint] { sandbox.withEngine { $0.requestLog.map(\.endpoint) } }

    /// The sandbox's status word for a campaign (read directly, not through a request).
    func status(_ id: Int) -> String? { sandbox.withEngine { $0.campaign(id)?.status } }

    /// The JSON lines of standard output.
    var lines: [String] { output.stdout.split(separator: "\n").map(String.init) }

    func variable(_ name: String) -> Value? { session?.variables[name] }
}

extension ScriptSettings {
    /// Settings with one change, for table-driven tests.
    static func with(_ change: (inout ScriptSettings) -> Void) -> ScriptSettings {
        var settings = ScriptSettings()
        change(&settings)
        return settings
    }
}
