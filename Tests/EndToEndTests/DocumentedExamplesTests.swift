import Foundation
import XCTest

/// Every command example of README.md and docs/*.md, read from those files when the test runs
/// (never copied here), run through the built binary: the docs cannot promise a command line
/// that does not work (issue 14: examples had drifted from the program).
///
/// An example is a line of a fenced block that runs cops (`cops …`, `.build/debug/cops …`, or
/// a pipe into one), or a `$ ` line, whose following lines are its documented output. Inline
/// code spans are synopses (`cops FILE [ARGS…]`), not runnable, and are not read. Examples run
/// with `sh` in the package root (so `examples/…` paths work), `cops` on the PATH, and a fresh
/// built-in sandbox per document (the examples of one page follow on from each other). A
/// `cops sandbox serve` example is started on a free port, and the `curl` lines of its block are
/// sent to it.
final class DocumentedExamplesTests: XCTestCase {
    /// Examples that cannot run in a test, by a piece of their text; each says why.
    static let skipped: [(match: Match, why: String)] = [
        // The interactive prompt needs a terminal; PromptTerminalTests drive it through tmux.
        (.whole("cops"), "the interactive prompt"), (.whole(".build/debug/cops"), "the interactive prompt"),
        // The reader makes these certificate files first; SandboxServeTLSTests serve https.
        (.part("--tls-cert server.pem"), "needs the reader's certificate files"),
    ]

    enum Match {
        case whole(String)
        case part(String)
        func matches(_ command: String) -> Bool {
            switch self {
            case .whole(let text): return command == text
            case .part(let text): return command.contains(text)
            }
        }
    }

    struct Example {
        var file: String
        var line: Int
        var command: String
        /// The lines the docs show after a `$ ` command, if any.
        var output: [String]
        /// The block's other lines (the `curl`s sent to a served sandbox).
        var followers: [String]
    }

    /// The documents: README.md and every page of docs/.
    static func documents() throws -> [URL] {
        let root = CopsProcess.packageRoot
        let docs = root.appendingPathComponent("docs")
        let pages = try FileManager.default.contentsOfDirectory(atPath: docs.path).filter { $0.hasSuffix(".md") }.sorted()
        return [root.appendingPathComponent("README.md")] + pages.map { docs.appendingPathComponent($0) }
    }

    static func isCopsCommand(_ line: String) -> Bool {
        let runs = ["cops", ".build/debug/cops"]
        return runs.contains { line == $0 || line.hasPrefix($0 + " ") || line.contains("| \($0) ") }
    }

    /// The examples of one document, continuation lines (`\`) joined.
    static func examples(in text: String, file: String) -> [Example] {
        var examples: [Example] = []
        var block: [(line: Int, text: String)]?
        for (index, raw) in text.components(separatedBy: "\n").enumerated() {
            if raw.trimmingCharacters(in: .whitespaces).hasPrefix("```") {
                if let lines = block { examples += Self.examples(inBlock: lines, file: file) }
                block = block == nil ? [] : nil
                continue
            }
            guard block != nil else { continue }
            if let last = block!.last, last.text.hasSuffix("\\") {
                block![block!.count - 1].text = String(last.text.dropLast()) + " " + raw.trimmingCharacters(in: .whitespaces)
            } else {
                block!.append((index + 1, raw))
            }
        }
        return examples
    }

    static func examples(inBlock lines: [(line: Int, text: String)], file: String) -> [Example] {
        var examples: [Example] = []
        let prompted = lines.contains { $0.text.hasPrefix("$ ") }
        for (position, entry) in lines.enumerated() {
            if prompted {
                guard entry.text.hasPrefix("$ ") else { continue }
                let output = lines[(position + 1)...].prefix { !$0.text.hasPrefix("$ ") }.map(\.text)
                examples.append(
                    Example(
                        file: file, line: entry.line, command: String(entry.text.dropFirst(2)),
                        output: output.filter { !$0.isEmpty }, followers: []))
            } else if isCopsCommand(entry.text) {
                let rest = lines[(position + 1)...].map(\.text).filter { !isCopsCommand($0) }
                examples.append(Example(file: file, line: entry.line, command: entry.text, output: [], followers: rest))
            }
        }
        return examples
    }

    func testEveryDocumentedCommandRunsWithItsDocumentedStatus() throws {
        let bin = FileManager.default.temporaryDirectory.appendingPathComponent("cops-docs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: bin) }
        try FileManager.default.createSymbolicLink(
            at: bin.appendingPathComponent("cops"), withDestinationURL: CopsProcess.binary)
        var ran = 0
        for document in try Self.documents() {
            let name = document.lastPathComponent
            let text = try String(contentsOf: document, encoding: .utf8)
            let cops = try CopsProcess()
            defer { cops.cleanUp() }
            var environment = ["PATH": bin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")]
            environment["COPS_HISTFILE"] = "/dev/null"
            for example in Self.examples(in: text, file: name) {
                let place = "\(example.file):\(example.line): \(example.command)"
                if let skip = Self.skipped.first(where: { $0.match.matches(example.command) }) {
                    print("skipped (\(skip.why)): \(place)")
                    continue
                }
                // `.build/debug/cops` is the README's name for the built binary: the one on the PATH.
                var command = example.command
                if command.hasPrefix(".build/debug/cops") { command = "cops" + command.dropFirst(".build/debug/cops".count) }
                command = command.replacingOccurrences(of: "| .build/debug/cops", with: "| cops")
                ran += 1
                if command.hasPrefix("cops sandbox serve") {
                    try serve(command, followers: example.followers, cops: cops, at: place)
                    continue
                }
                let outcome = try shell(command, cops: cops, environment: environment)
                XCTAssertEqual(outcome.status, 0, "\(place)\n\(outcome.stderr)")
                if !example.output.isEmpty {
                    XCTAssertEqual(outcome.stdout.split(separator: "\n").map(String.init), example.output, place)
                }
            }
        }
        // The extraction itself must keep finding the examples (README's runbooks, the dry run
        // of language.md, the served sandbox of sandbox.md).
        XCTAssertGreaterThanOrEqual(ran, 7)
    }

    /// `cops sandbox serve …` on a free port (a documented fixed port may be taken on a test
    /// machine), then the block's `curl` lines against it: each must get an API answer.
    func serve(_ command: String, followers: [String], cops: CopsProcess, at place: String) throws {
        var arguments = command.split(separator: " ").map(String.init).dropFirst()
        if let comment = arguments.firstIndex(where: { $0.hasPrefix("#") }) { arguments = arguments[..<comment] }
        if let port = arguments.firstIndex(of: "--port") { arguments.removeSubrange(port...(port + 1)) }
        let (server, url) = try cops.serve(Array(arguments.dropFirst(2)))
        defer { server.terminate() }
        let curls = followers.filter { $0.hasPrefix("curl ") }
        XCTAssertFalse(curls.isEmpty, "\(place): its block shows how to call it")
        for curl in curls {
            let pointed = curl.replacingOccurrences(
                of: #"http://127\.0\.0\.1:[0-9]+"#, with: url, options: .regularExpression)
            let outcome = try shell(pointed, cops: cops, environment: [:])
            XCTAssertEqual(outcome.status, 0, "\(place)\n\(pointed)\n\(outcome.stderr)")
            let answer = try? JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any]
            XCTAssertEqual(answer?["error"] as? Int, 0, "\(place)\n\(pointed)\n\(outcome.stdout)")
        }
    }

    func shell(_ command: String, cops: CopsProcess, environment: [String: String]) throws -> CopsProcess.Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.environment = cops.environment(environment)
        process.currentDirectoryURL = CopsProcess.packageRoot
        process.standardInput = FileHandle.nullDevice
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        return CopsProcess.finish(process, out: out, err: err)
    }
}
