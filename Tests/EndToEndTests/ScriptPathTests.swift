import Foundation
import XCTest

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A runbook from wherever a shell can name one: process substitution, `/dev/stdin`, a named
/// pipe, for running, `--check` and `source`; and the system's own reason when a path cannot
/// be read (docs/program.md, "Scripts and pipes").
final class ScriptPathTests: XCTestCase {
    var cops: CopsProcess!

    override func setUpWithError() throws {
        try CopsProcess.requireBinary()
        cops = try CopsProcess()
    }
    override func tearDown() { cops.cleanUp() }

    /// Runs a bash command line with `$COPS` set to the built binary.
    func bash(_ command: String, stdin: String? = nil) throws -> CopsProcess.Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", command]
        process.environment = cops.environment(["COPS": CopsProcess.binary.path])
        process.currentDirectoryURL = cops.stateHome
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        return CopsProcess.finish(process, out: out, err: err)
    }

    func testProcessSubstitutionRunsAndChecks() throws {
        let run = try bash(#""$COPS" -o json <(echo 'status 15')"#)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains(#""id":15,"ok":true"#), run.stdout)
        let check = try bash(#""$COPS" --check <(echo 'status 15') <(echo 'statsu 15')"#)
        XCTAssertEqual(check.status, 65, check.stderr)
        XCTAssertTrue(check.stdout.hasPrefix("/dev/fd/"), check.stdout)
        XCTAssertTrue(check.stdout.hasSuffix(": ok\n"), check.stdout)
        XCTAssertTrue(check.stderr.contains("error: unknown command 'statsu'"), check.stderr)
    }

    func testDevStdinIsAScriptFile() throws {
        let run = try bash(#""$COPS" -o json /dev/stdin 20"#, stdin: "status $1\n")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains(#""id":20,"ok":true"#), run.stdout)
    }

    func testANamedPipeRunsAndCanBeSourced() throws {
        let fifo = cops.stateHome.appendingPathComponent("runbook.fifo").path
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let run = try bash(#"(echo 'status 15' > runbook.fifo &) ; "$COPS" -o json runbook.fifo"#)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains(#""id":15,"ok":true"#), run.stdout)
        // `source` reads the pipe too; it is read once, when the runbook is checked.
        let main = try cops.write("main.cops", "source \"runbook.fifo\"\nstatus $target\n")
        let sourced = try bash(#"(echo 'let target = 20' > runbook.fifo &) ; "$COPS" -o json "# + main)
        XCTAssertEqual(sourced.status, 0, sourced.stderr)
        XCTAssertTrue(sourced.stdout.contains(#""id":20,"ok":true"#), sourced.stdout)
    }

    func testUnreadablePathsSayWhy() throws {
        let directory = cops.stateHome.appendingPathComponent("a-directory")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var cases = [
            ("missing.cops", "no such file"),
            (directory.path, "it is a directory"),
            ("/dev/zero", "too large (more than 256 MiB)"),
        ]
        // Root reads any file, so the permission case is only meaningful for other users.
        if getuid() != 0 {
            let locked = try cops.write("locked.cops", "status 15\n")
            XCTAssertEqual(chmod(locked, 0), 0)
            cases.append((locked, "permission denied"))
        }
        for (path, why) in cases {
            let outcome = try cops.run([path])
            XCTAssertEqual(outcome.status, 66, "\(path): \(outcome.stderr)")
            XCTAssertEqual(outcome.stderr, "cops: cannot read '\(path)': \(why)\n", path)
            XCTAssertEqual(outcome.stdout, "", path)
        }
    }

    /// `--check` reads a regular file through a mapping (docs/performance.md, "Row 4b: checking
    /// a mapped file"): what it prints is what checking the same text from a pipe prints; a
    /// Markdown runbook, an empty file and a named pipe are still read.
    func testCheckOfAMappedFileSaysWhatCheckOfAPipeSays() throws {
        let text = "deactivate 15\nlet x = 1\nparam late\nstatus $y frobnicate\n"
        let path = try cops.write("mapped.cops", text)
        let fromFile = try cops.run(["--check", path])
        let fromPipe = try bash(#""$COPS" --check - < "# + path)
        XCTAssertEqual(fromFile.status, 65, fromFile.stderr)
        XCTAssertEqual(fromPipe.status, 65, fromPipe.stderr)
        XCTAssertTrue(fromFile.stderr.contains("  1 | deactivate 15\n"), fromFile.stderr)
        XCTAssertEqual(fromFile.stderr, fromPipe.stderr.replacingOccurrences(of: "<stdin>", with: path))

        let markdown = try cops.write("mapped.md", "# Title\n\n```cops\ndeactivate 15\nstatsu 15\n```\n")
        let checkedMarkdown = try cops.run(["--check", markdown])
        XCTAssertEqual(checkedMarkdown.status, 65, checkedMarkdown.stderr)
        XCTAssertTrue(
            checkedMarkdown.stderr.contains("mapped.md:5:1: error: unknown command 'statsu'"), checkedMarkdown.stderr)

        let empty = try cops.write("empty.cops", "")
        let checkedEmpty = try cops.run(["--check", empty])
        XCTAssertEqual(checkedEmpty.status, 0, checkedEmpty.stderr)
        XCTAssertEqual(checkedEmpty.stdout, "\(empty): ok\n")

        XCTAssertEqual(mkfifo(cops.stateHome.appendingPathComponent("check.fifo").path, 0o600), 0)
        let fifo = try bash(#"(echo 'statsu 15' > check.fifo &) ; "$COPS" --check check.fifo"#)
        XCTAssertEqual(fifo.status, 65, fifo.stderr)
        XCTAssertTrue(fifo.stderr.contains("check.fifo:1:1: error: unknown command 'statsu'"), fifo.stderr)
    }

    /// A runbook truncated while `--check` reads it through its mapping: one plain line and
    /// exit 66, not the shell's "Bus error".
    func testAFileTruncatedWhileCheckedIsReported() throws {
        let cycle = "let s = status 1\nif $s.is_active {\n    deactivate 1 abort\n} else {\n    echo \"off\"\n}\n"
        let path = cops.stateHome.appendingPathComponent("shrinks.cops").path
        try Data(String(repeating: cycle, count: 400_000).utf8).write(to: URL(fileURLWithPath: path))
        let (process, out, err) = try cops.start(["--check", path])
        // Truncated as soon as it is mapped: the check has then read at most the first pages.
        let maps = "/proc/\(process.processIdentifier)/maps"
        let deadline = Date().addingTimeInterval(30)
        while (try? String(contentsOfFile: maps, encoding: .utf8))?.contains(path) != true {
            guard process.isRunning, Date() < deadline else {
                process.terminate()
                return XCTFail("the check ended, or never mapped the file")
            }
            usleep(1_000)
        }
        XCTAssertEqual(truncate(path, 0), 0)
        let outcome = CopsProcess.finish(process, out: out, err: err)
        XCTAssertEqual(outcome.status, 66, outcome.stderr)
        XCTAssertEqual(outcome.stderr, "cops: cannot read '\(path)': it shrank while it was being read\n")
        XCTAssertEqual(outcome.stdout, "")
    }
}
