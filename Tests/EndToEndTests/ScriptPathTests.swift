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
}
