import AltcraftAPI
import AltcraftSandbox
import CampaignScript
import CopsShell
import Synchronization
import XCTest

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

/// An interpreter over the in-process sandbox with a manual clock.
final class Harness {
    let sandboxClock = ManualSandboxClock()
    let sandbox: Sandbox
    let clock: TestClock
    let output = Captured()
    let cancellation = CancellationSwitch()
    let interpreter: Interpreter

    /// - Parameters:
    ///   - files: what `source` can read, by path.
    ///   - wrap: wraps the operations (to inject failures or cancellation).
    init(
        settings: ScriptSettings = ScriptSettings(), token: String = SandboxEngine.defaultToken, arguments: [String] = [],
        files: [String: String] = [:],
        wrap: (any CampaignOperations, CancellationSwitch) -> any CampaignOperations = { operations, _ in operations }
    ) {
        sandbox = Sandbox(engine: SandboxEngine(clock: sandboxClock))
        clock = TestClock(sandboxClock: sandboxClock)
        let client = AltcraftClient(
            configuration: ClientConfiguration(token: token, retries: 0), transport: InProcessTransport(sandbox: sandbox))
        let operations = wrap(AltcraftOperations(client: client), cancellation)
        interpreter = Interpreter(
            operations: operations, settings: settings, output: output.sink, clock: clock, cancellation: cancellation,
            arguments: arguments, readFile: { path in files[path].map { Array($0.utf8) } })
    }

    /// Runs a script (parsed and checked whole first) and returns its status.
    func run(_ text: String, name: String = "test.cops") async -> ExitStatus {
        await interpreter.run(SourceFile(name: name, text: text))
    }

    /// The endpoints the sandbox received, in order.
    var requests: [Endpoint] { sandbox.withEngine { $0.requestLog.map(\.endpoint) } }

    /// The sandbox's status word for a campaign (read directly, not through a request).
    func status(_ id: Int) -> String? { sandbox.withEngine { $0.campaign(id)?.status } }

    /// The JSON lines of standard output.
    var lines: [String] { output.stdout.split(separator: "\n").map(String.init) }

    func variable(_ name: String) -> Value? { interpreter.variables[name] }
}

extension ScriptSettings {
    /// Settings with one change, for table-driven tests.
    static func with(_ change: (inout ScriptSettings) -> Void) -> ScriptSettings {
        var settings = ScriptSettings()
        change(&settings)
        return settings
    }
}
