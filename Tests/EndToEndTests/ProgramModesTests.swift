import Foundation
import XCTest

/// `--stream`, `--transcript`, `-v`, `--color`, profiles and completion scripts, through the
/// built binary.
final class ProgramModesTests: XCTestCase {
    var cops: CopsProcess!

    override func setUpWithError() throws { cops = try CopsProcess() }
    override func tearDown() { cops.cleanUp() }

    /// A program that writes one statement, reads its result, and only then decides the next.
    func testStreamAnswersEachStatementBeforeTheNextIsWritten() throws {
        let process = Process()
        process.executableURL = CopsProcess.binary
        process.arguments = ["--stream", "-o", "json"]
        process.environment = cops.environment([:])
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        let errors = cops.stateHome.appendingPathComponent("stream.err")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        defer {
            if process.terminationStatus != 0 {
                print(String(decoding: (try? Data(contentsOf: errors)) ?? Data(), as: UTF8.self))
            }
        }
        func ask(_ statement: String) -> String? {
            input.fileHandleForWriting.write(Data((statement + "\n").utf8))
            return readLine(from: output.fileHandleForReading)
        }
        let before = try XCTUnwrap(ask("status 15"))
        XCTAssertTrue(before.contains("\"is_active\":true"), before)
        // The next statement depends on the answer, as a driving program's would.
        XCTAssertTrue(try XCTUnwrap(ask("deactivate 15 abort")).contains("\"ok\":true"))
        let after = try XCTUnwrap(ask("status 15"))
        XCTAssertTrue(after.contains("\"is_active\":false"), after)
        // A statement split over lines runs when it is complete.
        input.fileHandleForWriting.write(Data("let x = (\n".utf8))
        XCTAssertTrue(try XCTUnwrap(ask("status 1)\necho $x.id")).contains("1"))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
    }

    func testStreamStopsAtABadStatementWithItsLineNumber() throws {
        let result = try cops.run(["--stream", "-o", "text"], stdin: "status 15\n\nbogus 1\nstatus 1\n")
        XCTAssertEqual(result.status, 65)
        XCTAssertTrue(result.stderr.contains("<stdin>:3:1: error: unknown command 'bogus'"), result.stderr)
        XCTAssertTrue(result.stderr.contains("  3 | bogus 1"), result.stderr)
        let answers = result.stdout.split(separator: "\n")
        XCTAssertEqual(answers.count, 2, "the bad statement answers, the one after it did not run: \(result.stdout)")
        XCTAssertTrue(answers.last?.hasPrefix("op=check ok=false error.kind=invalid") == true, result.stdout)
        let going = try cops.run(["--stream", "--continue-on-error", "-o", "text"], stdin: "bogus 1\nstatus 1\n")
        XCTAssertEqual(going.status, 65)
        XCTAssertEqual(
            going.stdout.split(separator: "\n").map(String.init),
            [
                #"op=check ok=false error.kind=invalid error.text="<stdin>:1:1: unknown command 'bogus'""#,
                "op=status id=1 ok=true status=Active is_active=true is_completed=false",
            ], going.stdout)
    }

    /// Issue 14: a failed `show` wrote nothing on stdout, so a program reading one answer per
    /// statement waited forever. Driven as such a program would: one statement, one read.
    func testStreamAnswersEveryStatementEvenWhenItFails() throws {
        let piped = try cops.run(["--stream", "--continue-on-error", "-o", "json"], stdin: "show 99999\nstatus 15\n")
        XCTAssertEqual(piped.status, 1, piped.stderr)
        let lines = piped.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2, piped.stdout)
        XCTAssertEqual(
            lines.first,
            #"{"op":"show","ok":false,"error":{"kind":"not-found","code":404,"text":"show 99999: API error 404 (Campaign not found)"}}"#
        )
        XCTAssertTrue(lines.last?.hasPrefix(#"{"op":"status","id":15,"ok":true"#) == true, piped.stdout)

        let process = Process()
        process.executableURL = CopsProcess.binary
        process.arguments = ["--stream", "--continue-on-error", "-o", "json"]
        process.environment = cops.environment([:])
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // A statement that does not answer would block the read below for ever: end the child
        // after a while, so the read sees end of file and the test fails instead of hanging.
        DispatchQueue.global().asyncAfter(deadline: .now() + 60) { if process.isRunning { process.terminate() } }
        func ask(_ statement: String) -> String? {
            input.fileHandleForWriting.write(Data((statement + "\n").utf8))
            return readLine(from: output.fileHandleForReading)
        }
        // Each kind of failure answers before the next statement is written.
        for statement in ["show 99999", "log 99999", "clone 99999", "assert false", "bogus 1", "status 0"] {
            let answer = try XCTUnwrap(ask(statement), statement)
            XCTAssertTrue(answer.contains(#""ok":false"#), "\(statement): \(answer)")
        }
        XCTAssertTrue(try XCTUnwrap(ask("status 15")).contains(#""ok":true"#))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        XCTAssertNotEqual(process.terminationStatus, 0, "the failures are still in the exit status")
    }

    func testTranscriptAndTraceNeverHoldTheToken() throws {
        let canary = "CANARY-7f3a9c1e5b2d4f60"
        let (server, url) = try cops.serve(["--token", canary])
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        let transcript = cops.stateHome.appendingPathComponent("session.log").path
        let script = try cops.write(
            "canary.cops",
            """
            status 15
            echo "the token is \(canary)"
            deactivate 15 abort
            try show 999999
            clone 3 as "copy"
            status 424242
            """)
        let result = try cops.run(
            ["-v", "--transcript", transcript, "--endpoint", url, "--continue-on-error", script],
            environment: ["ALTCRAFT_TOKEN": canary])
        XCTAssertEqual(result.status, 1, result.stderr)
        let written = try String(contentsOfFile: transcript, encoding: .utf8)
        for (place, text) in [("stdout", result.stdout), ("stderr", result.stderr), ("transcript", written)] {
            XCTAssertFalse(text.contains(canary), "\(place) holds the token:\n\(text)")
        }
        XCTAssertTrue(
            result.stderr.contains("cops: → POST /api/v1.1/campaigns/get_status {\"token\":\"[redacted]\",\"id\":15}"),
            result.stderr)
        XCTAssertTrue(result.stderr.contains("cops: ← HTTP 200 "), result.stderr)
        XCTAssertTrue(written.contains("deactivate 15 abort"), written)
        XCTAssertTrue(written.contains("the token is [redacted]"), written)
        // Issue 14: the header named the script, and no target for --endpoint; it names the
        // endpoint's host (the URL the server printed), never the token.
        let host = try XCTUnwrap(URL(string: url)?.host)
        XCTAssertTrue(written.hasPrefix("# cops "), written)
        XCTAssertTrue(
            written.split(separator: "\n").first?.contains("script \(script) on \(host), ") == true, written)
        XCTAssertTrue(written.contains("status 424242: API error"), written)
        var info = stat()
        stat(transcript, &info)
        XCTAssertEqual(info.st_mode & 0o777, 0o600)
    }

    /// The transcript header names the target of every mode: the built-in sandbox here.
    func testTranscriptHeaderNamesTheSandboxTarget() throws {
        let transcript = cops.stateHome.appendingPathComponent("sandbox.log").path
        let result = try cops.run(["--transcript", transcript, "-c", "status 15"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let header = try String(contentsOfFile: transcript, encoding: .utf8).split(separator: "\n").first ?? ""
        XCTAssertTrue(header.hasPrefix("# cops ") && header.contains(" script <command line> on sandbox, "), String(header))
        let stream = try cops.run(["--transcript", transcript, "--stream"], stdin: "status 15\n")
        XCTAssertEqual(stream.status, 0, stream.stderr)
        let lines = try String(contentsOfFile: transcript, encoding: .utf8).split(separator: "\n")
        XCTAssertTrue(lines.contains { $0.hasPrefix("# cops ") && $0.contains(" stream on sandbox, ") }, "\(lines)")
    }

    func testColorFollowsTheFlagAndNoColor() throws {
        let always = try cops.run(["--color", "always", "-c", "bogus"])
        XCTAssertTrue(always.stderr.contains("\u{1B}["), always.stderr)
        let never = try cops.run(["--color", "never", "-c", "bogus"], environment: ["NO_COLOR": ""])
        XCTAssertFalse(never.stderr.contains("\u{1B}["), never.stderr)
        let auto = try cops.run(["-c", "bogus"], environment: ["NO_COLOR": ""])
        XCTAssertFalse(auto.stderr.contains("\u{1B}["), "stderr is not a terminal here")
    }

    /// Both HTTP transports end cleanly when nothing answers: `http://` goes over sockets,
    /// `https://` over async-http-client, whose client must be shut down before it is freed
    /// (a debug build stopped with "Client not shut down before the deinit" when it was not).
    func testAnUnreachableEndpointIsSixtyNineOverEitherScheme() throws {
        for scheme in ["http", "https"] {
            let result = try cops.run(
                ["--endpoint", "\(scheme)://127.0.0.1:1", "--retries", "0", "-c", "status 15"],
                environment: ["ALTCRAFT_TOKEN": "tok-123456"])
            XCTAssertEqual(result.status, 69, "\(scheme): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("cannot reach the API"), result.stderr)
            XCTAssertFalse(result.stderr.contains("Fatal error"), result.stderr)
        }
    }

    func testProfilesChooseTheTargetAndBrokenConfigIsSeventyEight() throws {
        let config = cops.stateHome.appendingPathComponent("cops")
        try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
        try Data(
            """
            [profiles.local]
            endpoint = "http://127.0.0.1:9"
            token_env = "LOCAL_TOKEN"
            """.utf8
        ).write(to: config.appendingPathComponent("config.toml"))
        let environment = ["XDG_CONFIG_HOME": cops.stateHome.path]
        let unreachable = try cops.run(
            ["-p", "local", "--retries", "0", "-c", "status 15"],
            environment: environment.merging(["LOCAL_TOKEN": "tok-123456"]) { $1 })
        XCTAssertEqual(unreachable.status, 69, unreachable.stderr)
        let noToken = try cops.run(["-p", "local", "-c", "status 15"], environment: environment)
        XCTAssertEqual(noToken.status, 78)
        XCTAssertTrue(noToken.stderr.contains("LOCAL_TOKEN"), noToken.stderr)
        let viaEnvironment = try cops.run(["-c", "status 15"], environment: environment.merging(["COPS_PROFILE": "nope"]) { $1 })
        XCTAssertEqual(viaEnvironment.status, 78)
        XCTAssertTrue(viaEnvironment.stderr.contains("no profile 'nope'"), viaEnvironment.stderr)
        try Data("[profiles.broken\n".utf8).write(to: config.appendingPathComponent("config.toml"))
        let broken = try cops.run(["-c", "status 15"], environment: environment)
        XCTAssertEqual(broken.status, 78)
        XCTAssertTrue(broken.stderr.contains("config.toml"), broken.stderr)
        let sandbox = try cops.run(["--sandbox", "-c", "status 15"], environment: environment)
        XCTAssertEqual(sandbox.status, 0, "--sandbox does not read the config")
    }

    func testCompletionScriptsComeFromTheArgumentParser() throws {
        for shell in ["bash", "zsh", "fish"] {
            let result = try cops.run(["--generate-completion-script", shell])
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertTrue(result.stdout.contains("transcript"), shell)
        }
    }

    func testHelpNamesTheSandboxCommandsAndTheFlags() throws {
        let help = try cops.run(["--help"])
        for word in ["sandbox serve", "--stream", "--profile", "--transcript", "--verbose", "--color", "--yes"] {
            XCTAssertTrue(help.stdout.contains(word), "--help lacks \(word)")
        }
        let serve = try cops.run(["sandbox", "serve", "--help"])
        XCTAssertTrue(serve.stdout.contains("sandbox-token"), serve.stdout)
    }

    /// Issue 14: `cops --help` says "See 'cops help <subcommand>'", but `cops help sandbox` read a
    /// script file `help` (66), and usage lines said `sandbox serve` without `cops`. Every
    /// subcommand `cops --help` lists must have its help that way.
    func testHelpOfEverySubcommandTheMainHelpLists() throws {
        let main = try cops.run(["--help"])
        XCTAssertEqual(main.status, 0, main.stderr)
        XCTAssertTrue(main.stdout.contains("See 'cops help <subcommand>' for detailed help."), main.stdout)
        let listed = main.stdout.components(separatedBy: "SUBCOMMANDS:").last!.split(separator: "\n")
            .compactMap { $0.split(separator: " ").first.map(String.init) }.filter { !$0.hasPrefix("See") }
        XCTAssertEqual(listed, ["sandbox", "fmt"], main.stdout)
        for name in listed {
            let help = try cops.run(["help", name])
            XCTAssertEqual(help.status, 0, help.stderr)
            XCTAssertTrue(help.stdout.contains("USAGE: cops \(name) "), help.stdout)
        }
        let serve = try cops.run(["help", "sandbox", "serve"])
        XCTAssertEqual(serve.status, 0, serve.stderr)
        XCTAssertTrue(serve.stdout.contains("USAGE: cops sandbox serve <options>"), serve.stdout)
        XCTAssertEqual(try cops.run(["sandbox", "serve", "--help"]).stdout, serve.stdout)
        let usage = try cops.run(["sandbox", "serve", "--port", "99999"])
        XCTAssertEqual(usage.status, 64, usage.stderr)
        XCTAssertTrue(usage.stderr.contains("Usage: cops sandbox serve "), usage.stderr)

        let unknown = try cops.run(["help", "deactivate"])
        XCTAssertEqual(unknown.status, 64)
        XCTAssertTrue(unknown.stderr.contains("cops -c 'help deactivate'"), unknown.stderr)
        // A script file named `help` still runs, by a path.
        _ = try cops.write("help", "echo \"ran\"\n")
        let file = try cops.run(["-o", "text", "./help"])
        XCTAssertEqual(file.status, 0, file.stderr)
        XCTAssertEqual(file.stdout, "ran\n")
    }
}
