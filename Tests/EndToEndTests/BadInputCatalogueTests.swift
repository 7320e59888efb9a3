import AltcraftSandboxServer
import Foundation
import XCTest

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Every malformed or hostile runbook of `Tests/BadInputCatalogue` through the built `cops`:
/// once with `--check` and once as a dry run against a loopback listener that only counts
/// connections. Each must end within a time limit, with a documented exit status and no
/// signal, send nothing (no connection, an empty state directory) and match its golden
/// `expected/NAME.txt`. `COPS_RECORD_GOLDEN=1` rewrites the goldens (and fails, so a
/// recorded run is never taken for a passing one); `COPS_CATALOGUE_KEEP=DIR` leaves the
/// generated cases in DIR to look at.
final class BadInputCatalogueTests: XCTestCase {
    static let catalogue = CopsProcess.packageRoot.appendingPathComponent("Tests/BadInputCatalogue")
    static let token = "catalogue-token-5f2e"
    /// Generous for a debug build on a busy machine; a hang is far beyond it.
    static let timeLimit: TimeInterval = 60

    /// The committed and the generated cases together.
    static let caseCount = 120

    /// Outputs longer than this are kept in the golden as their start, length and hash.
    static let goldenLimit = 4_000

    private var isRecording: Bool { ProcessInfo.processInfo.environment["COPS_RECORD_GOLDEN"] == "1" }

    override func setUpWithError() throws {
        try CopsProcess.requireBinary()
    }

    func testEveryCaseIsRejectedOrRunsWithoutSendingAnything() throws {
        let keep = ProcessInfo.processInfo.environment["COPS_CATALOGUE_KEEP"]
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cops-catalogue-\(UUID().uuidString)")
        let work = keep.map { URL(fileURLWithPath: $0) } ?? root.appendingPathComponent("cases")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }

        // The committed cases (and the files they source), then the generated ones.
        let committed = Self.catalogue.appendingPathComponent("cases")
        for name in try FileManager.default.contentsOfDirectory(atPath: committed.path) {
            let target = work.appendingPathComponent(name)
            try? FileManager.default.removeItem(at: target)
            try FileManager.default.copyItem(at: committed.appendingPathComponent(name), to: target)
        }
        try GeneratedCases.write(into: work)
        let names = try FileManager.default.contentsOfDirectory(atPath: work.path).filter { $0.hasSuffix(".cops") }.sorted()
        // Pinned: a case lost (a generator dropped, a file deleted) fails here, as does a golden
        // left behind by a case that no longer exists. Change the number with the cases.
        XCTAssertEqual(names.count, Self.caseCount, "cases in the catalogue")
        let goldens = try FileManager.default.contentsOfDirectory(
            atPath: Self.catalogue.appendingPathComponent("expected").path
        ).filter { $0.hasSuffix(".txt") }.map { String($0.dropLast(4)) }
        XCTAssertEqual(
            Set(goldens).subtracting(names.map { String($0.dropLast(5)) }).sorted(), [], "goldens without a case")

        // Cases run in parallel, each worker with its own listener and state directory, so a
        // connection or a state file is pinned on the case that made it.
        let workers = max(2, min(4, ProcessInfo.processInfo.activeProcessorCount))
        let results = CaseResults()
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            do {
                let listener = try CountingListener()
                defer { listener.stop() }
                let stateHome = root.appendingPathComponent("state-\(worker)")
                try FileManager.default.createDirectory(at: stateHome, withIntermediateDirectories: true)
                var environment = ProcessInfo.processInfo.environment
                environment["ALTCRAFT_TOKEN"] = Self.token
                environment["XDG_STATE_HOME"] = stateHome.path
                environment["NO_COLOR"] = "1"
                environment["SWIFT_BACKTRACE"] = "enable=no"
                for name in names.enumerated().filter({ $0.offset % workers == worker }).map(\.element) {
                    try results.add(
                        name, Self.run(name, in: work, environment: environment, listener: listener, stateHome: stateHome))
                }
            } catch {
                results.fail("worker \(worker): \(error)")
            }
        }
        for problem in results.problems { XCTFail(problem) }
        var slowest: [(String, Double)] = []
        for name in names {
            guard let result = results.byName[name] else {
                XCTFail("\(name) did not run")
                continue
            }
            for problem in result.problems { XCTFail(problem) }
            slowest += result.seconds
            try compare(
                result.golden, with: Self.catalogue.appendingPathComponent("expected/\(name.dropLast(5)).txt"), case: name)
        }
        let top = slowest.sorted { $0.1 > $1.1 }.prefix(5).map { "\($0.0) \(String(format: "%.1f", $0.1))s" }
        print("bad-input catalogue: \(names.count) cases; slowest: \(top.joined(separator: ", "))")
    }

    /// What one case did: its golden text, what went wrong, how long each run took.
    struct CaseResult {
        var golden = ""
        var problems: [String] = []
        var seconds: [(String, Double)] = []
    }

    /// Runs one case twice (`--check`, then a dry run against the counting listener).
    static func run(
        _ name: String, in work: URL, environment: [String: String], listener: CountingListener, stateHome: URL
    ) throws -> CaseResult {
        var result = CaseResult()
        let runs: [[String]] = [
            ["--check", name],
            ["--dry-run", "--endpoint", listener.url, "-o", "json", "--timeout", "2s", "--retries", "0", name],
        ]
        for arguments in runs {
            let outcome = try runWithTimeLimit(
                CopsProcess.binary, arguments, environment: environment, directory: work, limit: timeLimit)
            let command = arguments.map { $0 == listener.url ? "http://127.0.0.1:PORT" : $0 }.joined(separator: " ")
            result.seconds.append(("\(name) \(arguments[0])", outcome.seconds))
            func check(_ condition: Bool, _ message: String) {
                if !condition { result.problems.append("\(name): cops \(command): \(message)") }
            }
            check(!outcome.timedOut, "did not end within \(timeLimit)s (a hang)")
            check(!outcome.signalled, "killed by signal \(outcome.status) (a crash)")
            // `exit N` ends a script with N: the `exit-*` cases may end with any status.
            check(
                TimedOutcome.documentedStatuses.contains(outcome.status) || name.hasPrefix("exit-"),
                "exited \(outcome.status), not a documented status")
            check(listener.connections == 0, "opened a connection: a request was sent")
            check(filesBelow(stateHome).isEmpty, "wrote state: \(filesBelow(stateHome))")
            check(!(outcome.stdoutText + outcome.stderrText).contains(token), "printed the token")
            result.golden += "$ cops \(command)\nexit \(outcome.status)\n"
            result.golden += "--- stdout\n" + shown(outcome.stdout, replacing: listener.url)
            result.golden += "--- stderr\n" + shown(outcome.stderr, replacing: listener.url)
        }
        return result
    }

    /// Results gathered from the workers.
    final class CaseResults: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var byName: [String: CaseResult] = [:]
        private(set) var problems: [String] = []

        func add(_ name: String, _ result: CaseResult) { lock.withLock { byName[name] = result } }
        func fail(_ problem: String) { lock.withLock { problems.append(problem) } }
    }

    /// An output as the golden keeps it: whole when short, else its start, length and hash.
    static func shown(_ data: Data, replacing url: String) -> String {
        var text = String(decoding: data, as: UTF8.self).replacingOccurrences(of: url, with: "http://127.0.0.1:PORT")
        let bytes = Array(text.utf8)
        if bytes.count > goldenLimit {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            text = String(decoding: bytes.prefix(goldenLimit / 2), as: UTF8.self)
            let lines = bytes.reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
            text += "\n[… \(bytes.count) bytes in all, \(lines) newlines,"
            text += " FNV-1a \(String(hash, radix: 16))]\n"
        }
        return text.hasSuffix("\n") || text.isEmpty ? text : text + "\n[no newline at end]\n"
    }

    private func compare(_ actual: String, with url: URL, case name: String) throws {
        if isRecording {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(actual.utf8).write(to: url)
            XCTFail("recorded \(url.lastPathComponent); unset COPS_RECORD_GOLDEN to compare")
            return
        }
        guard let expected = try? Data(contentsOf: url) else {
            XCTFail("\(name): missing expected/\(url.lastPathComponent); run with COPS_RECORD_GOLDEN=1 to create it")
            return
        }
        XCTAssertEqual(
            Data(actual.utf8), expected,
            "\(name): outcome differs from expected/\(url.lastPathComponent):\n\(actual.prefix(3_000))")
    }
}

/// The cases too large (or too binary) to commit, made the same way on every run.
enum GeneratedCases {
    static let megabyte = 1 << 20

    static var all: [(name: String, bytes: [UInt8])] {
        var cases: [(String, [UInt8])] = []
        func add(_ name: String, _ text: String) { cases.append((name, Array(text.utf8))) }
        var random = SplitMix64(seed: 0x0C0B_5BAD)  // the sandbox server's fault generator
        cases.append(("gen-binary-garbage", (0..<4_096).map { _ in UInt8(truncatingIfNeeded: random.next()) }))
        cases.append(
            (
                "gen-binary-garbage-with-statements",
                Array("status 15\n".utf8) + (0..<2_048).map { _ in UInt8(truncatingIfNeeded: random.next() | 0x80) }
                    + Array("\ndeactivate 15 abort\n".utf8)
            ))
        add("gen-long-line-comment-1mb", "# " + String(repeating: "x", count: megabyte) + "\necho \"after\"\n")
        add("gen-long-line-string-1mb", "echo \"" + String(repeating: "a", count: megabyte) + "\"\n")
        add("gen-long-line-word-1mb", String(repeating: "w", count: megabyte) + " 15\n")
        add("gen-long-line-error-at-end-1mb", "status 15" + String(repeating: " ", count: megabyte) + "abrot\n")
        add(
            "gen-long-line-unicode-1mb",
            "echo \"" + String(repeating: "а\u{200B}", count: megabyte / 5) + "\" " + String(repeating: "ѕ", count: 1_000)
                + "\n")
        add("gen-huge-number-1mb-digits", "status " + String(repeating: "9", count: megabyte) + "\n")
        add(
            "gen-deep-parentheses-100000",
            "status " + String(repeating: "(", count: 100_000) + "15"
                + String(repeating: ")", count: 100_000) + "\n")
        add("gen-unclosed-parentheses-100000", "status " + String(repeating: "(", count: 100_000) + "\n")
        add(
            "gen-deep-brackets-100000",
            "echo " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "\n")
        add("gen-deep-blocks-100000", String(repeating: "if true {\n", count: 100_000) + String(repeating: "}\n", count: 100_000))
        add("gen-unclosed-blocks-100000", String(repeating: "for i in 1 {\n", count: 100_000))
        add("gen-deep-not-100000", "assert " + String(repeating: "not ", count: 100_000) + "false\n")
        add("gen-deep-try-100000", String(repeating: "try ", count: 100_000) + "echo \"x\"\n")
        add("gen-deep-index-100000", "let x = [1]\necho $x" + String(repeating: "[0]", count: 100_000) + "\n")
        add("gen-range-list-100001-ids", "deactivate " + (1...100_001).map(String.init).joined(separator: ",") + " abort\n")
        add("gen-range-list-100000-ids", "deactivate " + (1...100_000).map(String.init).joined(separator: ",") + "\n")
        add("gen-many-statements-100000", String(repeating: "let x = 1\n", count: 100_000) + "echo $x\n")
        add("gen-many-errors-10000", String(repeating: "statsu 15\n", count: 10_000))
        add("gen-many-strings-interpolated", "let a = \"x\"\necho \"" + String(repeating: "$a", count: 100_000) + "\"\n")
        add("gen-only-newlines-1mb", String(repeating: "\n", count: megabyte) + "echo \"end\"\n")
        add("gen-only-crs-1mb", String(repeating: "\r", count: megabyte) + "echo \"end\"\n")
        add("gen-continuations-100000", "deactivate 15" + String(repeating: " \\\n", count: 100_000) + " abort\n")
        return cases
    }

    /// Writes every generated case (and what they need: files they source, a symlink loop).
    static func write(into directory: URL) throws {
        for (name, bytes) in all {
            try Data(bytes).write(to: directory.appendingPathComponent(name + ".cops"))
        }
        // `source` through a symlink to its own directory: the path grows on every level.
        let loop = directory.appendingPathComponent("loop")
        try? FileManager.default.removeItem(at: loop)
        try FileManager.default.createSymbolicLink(atPath: loop.path, withDestinationPath: ".")
        try Data("echo \"level\"\nsource \"loop/gen-source-symlink-loop.cops\"\n".utf8).write(
            to: directory.appendingPathComponent("gen-source-symlink-loop.cops"))
        // A chain of 200 sourced files, each sourcing the next.
        let chain = directory.appendingPathComponent("chain")
        try FileManager.default.createDirectory(at: chain, withIntermediateDirectories: true)
        for level in 0..<200 {
            let next = level == 199 ? "echo \"bottom\"\n" : "source \"\(level + 1).lib\"\n"
            try Data(("let level\(level) = \(level)\n" + next).utf8).write(to: chain.appendingPathComponent("\(level).lib"))
        }
        try Data("source \"chain/0.lib\"\necho $level199\n".utf8).write(
            to: directory.appendingPathComponent("gen-source-chain-200.cops"))
    }
}
