import Foundation
import XCTest

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Every row of docs/language.md's exit-status table, through the built `cops` binary: files,
/// `-c` text and pipes, with stdout, stderr and the status checked. Only loopback is used.
final class ExitStatusTests: XCTestCase {
    var cops: CopsProcess!

    override func setUpWithError() throws {
        cops = try CopsProcess()
        try CopsProcess.requireBinary()
    }

    override func tearDown() {
        cops.cleanUp()
    }

    func testZeroWhenEveryStatementSucceeds() throws {
        let result = try cops.run(["-c", "status 15", "-c", "deactivate 20 abort; status 20"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(
            result.stdout,
            """
            {"op":"status","id":15,"ok":true,"status":"Sending","is_active":true,"is_completed":false}
            {"op":"deactivate","id":20,"ok":true}
            {"op":"status","id":20,"ok":true,"status":"Inactive","is_active":false,"is_completed":false}

            """)
        XCTAssertTrue(result.stderr.hasPrefix("cops: using the built-in sandbox ("), result.stderr)
        XCTAssertTrue(result.stderr.contains(cops.stateHome.path + "/cops/sandbox.db"))
    }

    func testStateIsKeptBetweenRuns() throws {
        XCTAssertEqual(try cops.run(["-c", "deactivate 21 abort"]).status, 0)
        let result = try cops.run(["-o", "text", "-c", "status 21"])
        XCTAssertEqual(result.stdout, "op=status id=21 ok=true status=Inactive is_active=false is_completed=false\n")
    }

    func testZeroForAScriptFileWithArgumentsAndTableOutput() throws {
        let path = try cops.write(
            "stop.cops", "#!/usr/bin/env cops\nlet id = $1\ndeactivate $id abort\necho \"stopped\" $args.count\n")
        let result = try cops.run(["-o", "table", path, "87", "extra"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "ID  RESULT\n87  ok\n1 ok, 0 failed\nstopped 2\n")
    }

    func testZeroForAPipeParsedWholeThenRun() throws {
        let result = try cops.run(["-o", "text"], stdin: "status 22\nlet s = status 22\necho $s.status\n")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "op=status id=22 ok=true status=Active is_active=true is_completed=false\nActive\n")
    }

    func testOneWhenAStatementFailsAtRunTime() throws {
        let path = try cops.write("partial.cops", "# partial failure\ndeactivate 20, 99999 abort\necho \"not reached\"\n")
        let result = try cops.run([path])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(
            result.stdout,
            """
            {"op":"deactivate","id":20,"ok":true}
            {"op":"deactivate","id":99999,"ok":false,"error":{"kind":"not-found","code":404,"text":"API error 404 (Campaign not found)"}}

            """)
        XCTAssertTrue(result.stderr.contains("\(path):2:1: error: deactivate: 1 of 2 failed (99999)\n"), result.stderr)
    }

    func testOneForAFailedAssertion() throws {
        let result = try cops.run(["-c", "assert (status 15).is_active == false else \"15 must be off\""])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(
            result.stderr.contains("<command line>:1:1: error: assertion failed: 15 must be off (true == false)"),
            result.stderr)
    }

    func testSixtyFourForBadUsage() throws {
        let result = try cops.run(["--concurrency", "0", "-c", "status 15"])
        XCTAssertEqual(result.status, 64)
        XCTAssertTrue(result.stderr.contains("--concurrency must be between 1 and 64"), result.stderr)
        XCTAssertEqual(result.stdout, "")
        XCTAssertEqual(try cops.run(["--output", "yaml", "-c", "status 15"]).status, 64)
        XCTAssertEqual(try cops.run(["--check"]).status, 64)
        let unknown = try cops.run(["--bogus", "-c", "status 15"])
        XCTAssertEqual(unknown.status, 64)
        XCTAssertTrue(unknown.stderr.contains("unknown option '--bogus'"), unknown.stderr)
        // Issue 14: 99999 listened on 34463 (taken modulo 65536); before the fix this run
        // would not end, so a deadline ends it.
        let port = try cops.run(["sandbox", "serve", "--port", "99999"], deadline: 30)
        XCTAssertEqual(port.status, 64, port.stdout)
        XCTAssertTrue(port.stderr.contains("--port must be between 0 and 65535"), port.stderr)
    }

    func testSixtyFiveForScriptErrorsAndNothingIsSent() throws {
        let path = try cops.write("bad.cops", "deactivate 20 abort\ndeactivate 21 abrot\nstatus 0\n")
        let result = try cops.run([path])
        XCTAssertEqual(result.status, 65)
        XCTAssertEqual(result.stdout, "")
        XCTAssertTrue(
            result.stderr.contains("\(path):2:15: error: unknown option 'abrot' for 'deactivate'; did you mean 'abort'?"),
            result.stderr)
        XCTAssertTrue(result.stderr.contains("\(path):3:8: error: campaign ID must be at least 1, not 0"), result.stderr)
        XCTAssertFalse(result.stderr.contains("using the built-in sandbox"), "nothing is sent, not even to the sandbox")
        let after = try cops.run(["-o", "text", "-c", "status 20"])
        XCTAssertTrue(after.stdout.contains("status=Sending"), "the first statement did not run")
    }

    func testSixtyFiveForAPipeWithErrors() throws {
        let result = try cops.run([], stdin: "status 15\nstatsu 15\n")
        XCTAssertEqual(result.status, 65)
        XCTAssertEqual(result.stdout, "")
        XCTAssertTrue(result.stderr.contains("<stdin>:2:1: error: unknown command 'statsu'; did you mean 'status'?"))
    }

    func testCheckExitsZeroOrSixtyFiveWithoutTheNetwork() throws {
        let good = try cops.write("good.cops", "deactivate 15 abort\n")
        let bad = try cops.write("bad.cops", "wait 15 until inactiv\n")
        let ok = try cops.run(["--check", good])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertEqual(ok.stdout, "\(good): ok\n")
        XCTAssertEqual(ok.stderr, "")
        let failed = try cops.run(["--check", good, bad])
        XCTAssertEqual(failed.status, 65)
        XCTAssertTrue(failed.stderr.contains("\(bad):1:15: error: unknown state 'inactiv' for 'wait'; did you mean 'inactive'?"))
    }

    /// Issue 14: `--check` said `ok` for a file that sources a broken or missing file.
    func testCheckReadsTheFilesASourceNamesAndSendsNothing() throws {
        _ = try FileManager.default.createDirectory(
            at: cops.stateHome.appendingPathComponent("lib"), withIntermediateDirectories: true)
        let library = try cops.write("lib/bad.cops", "status 15\nwait 15 until inactiv\n")
        let main = try cops.write("main.cops", "deactivate 15 abort\nsource \"lib/bad.cops\"\n")
        let checked = try cops.run(["--check", main])
        XCTAssertEqual(checked.status, 65, checked.stderr)
        XCTAssertEqual(checked.stdout, "", "not ok")
        XCTAssertTrue(checked.stderr.contains("\(library):2:15: error: unknown state 'inactiv'"), checked.stderr)
        XCTAssertTrue(checked.stderr.contains("\(main):2:8: error: '\(library)' has 1 error"), checked.stderr)
        let run = try cops.run([main])
        XCTAssertEqual(run.status, 65, run.stderr)
        XCTAssertTrue(try cops.run(["-o", "text", "-c", "status 15"]).stdout.contains("status=Sending"), "nothing was sent")
        let missing = try cops.write("missing.cops", "source \"lib/nothing-here.cops\"\n")
        let absent = try cops.run(["--check", missing])
        XCTAssertEqual(absent.status, 65, absent.stderr)
        XCTAssertTrue(
            absent.stderr.contains("error: cannot read '\(cops.stateHome.path)/lib/nothing-here.cops': no such file"),
            absent.stderr)
    }

    /// Issue 14: words after the file were read as cops options (`foo --dry-run` made a dry run).
    func testWordsAfterTheFileAreTheScriptsArguments() throws {
        let path = try cops.write("args.cops", "echo $args\ndeactivate 87 abort\n")
        let result = try cops.run(["-o", "text", path, "foo", "--dry-run", "-p", "nowhere", "--", "--check"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(
            result.stdout, "[\"foo\", \"--dry-run\", \"-p\", \"nowhere\", \"--\", \"--check\"]\nop=deactivate id=87 ok=true\n")
        XCTAssertTrue(try cops.run(["-o", "text", "-c", "status 87"]).stdout.contains("status=Inactive"), "a real run")
        let terminated = try cops.run(["-o", "text", "--", path, "x"])
        XCTAssertEqual(terminated.status, 0, terminated.stderr)
        XCTAssertTrue(terminated.stdout.hasPrefix("[\"x\"]\n"), terminated.stdout)
    }

    func testSixtySixWhenTheScriptCannotBeRead() throws {
        let result = try cops.run([cops.stateHome.path + "/missing.cops"])
        XCTAssertEqual(result.status, 66)
        XCTAssertTrue(result.stderr.contains("cannot read '\(cops.stateHome.path)/missing.cops': no such file"), result.stderr)
        XCTAssertEqual(try cops.run(["--check", cops.stateHome.path]).status, 66)
    }

    func testACommandWordAfterOptionsIsAScriptNameAndTheErrorSaysSo() throws {
        for word in ["plan", "show-plan", "apply", "runs", "lsp"] {
            let result = try cops.run(["--sandbox", word, "runbook.cops"])
            XCTAssertEqual(result.status, 66, word)
            XCTAssertEqual(
                result.stderr,
                "cops: cannot read '\(word)': no such file\n"
                    + "cops: '\(word)' is a command only as the first word: cops \(word) …; cops's options come after it\n")
        }
        // Any other missing file: the one line only.
        let other = try cops.run(["--sandbox", "planned.cops"])
        XCTAssertEqual(other.stderr, "cops: cannot read 'planned.cops': no such file\n")
        // First, the word is the command.
        let runs = try cops.run(["runs"])
        XCTAssertEqual(runs.status, 0, runs.stderr)
        XCTAssertFalse(runs.stderr.contains("cannot read"), runs.stderr)
    }

    func testSixtyNineWhenTheAPICannotBeReached() throws {
        // A port that was free a moment ago: nothing listens there.
        let port = try freeLoopbackPort()
        let result = try cops.run(
            ["--endpoint", "http://127.0.0.1:\(port)", "--retries", "1", "-c", "status 15"],
            environment: ["ALTCRAFT_TOKEN": "secret-token-value"])
        XCTAssertEqual(result.status, 69, result.stderr)
        XCTAssertTrue(result.stderr.contains("<command line>:1:1: error: status 15: cannot reach the API"), result.stderr)
        XCTAssertFalse(result.stderr.contains("secret-token-value"))
        XCTAssertFalse(result.stderr.contains("using the built-in sandbox"))
    }

    func testSeventySevenWhenTheTokenIsRefused() throws {
        let (server, out, _) = try cops.start(["sandbox", "serve", "--port", "0", "--token", "the-right-token"])
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        let line = try XCTUnwrap(readLine(from: out.fileHandleForReading))
        let prefix = "cops sandbox listening on "
        XCTAssertTrue(line.hasPrefix(prefix), line)
        let url = String(line.dropFirst(prefix.count))
        let refused = try cops.run(
            ["--endpoint", url, "-c", "deactivate 15 abort"], environment: ["ALTCRAFT_TOKEN": "a-wrong-token"])
        XCTAssertEqual(refused.status, 77, refused.stderr)
        XCTAssertTrue(
            refused.stderr.contains("error: deactivate 15: API error 403 (No access: the API token is not valid)"),
            refused.stderr)
        XCTAssertFalse(refused.stderr.contains("a-wrong-token"))
        XCTAssertFalse(refused.stdout.contains("a-wrong-token"))
        let accepted = try cops.run(
            ["--endpoint", url, "--format", "xml", "-o", "text", "-c", "status 15"],
            environment: ["ALTCRAFT_TOKEN": "the-right-token"])
        XCTAssertEqual(accepted.status, 0, accepted.stderr)
        XCTAssertEqual(accepted.stdout, "op=status id=15 ok=true status=Sending is_active=true is_completed=false\n")
    }

    func testSeventyEightWhenTheEndpointHasNoToken() throws {
        let result = try cops.run(["--endpoint", "http://127.0.0.1:9", "-c", "status 15"])
        XCTAssertEqual(result.status, 78)
        XCTAssertTrue(result.stderr.contains("ALTCRAFT_TOKEN"), result.stderr)
    }

    /// Issue 14: a token shorter than the redactor masks (`T`) was used and echoed as is. It is
    /// refused before anything is sent: 78 from the environment or a profile, 64 for
    /// `sandbox serve --token`, naming where it came from.
    func testATokenTooShortToMaskIsRefused() throws {
        let endpoint = try cops.run(
            ["--endpoint", "http://127.0.0.1:9", "-v", "-c", "status 15"], environment: ["ALTCRAFT_TOKEN": "T"])
        XCTAssertEqual(endpoint.status, 78, endpoint.stderr)
        XCTAssertEqual(
            endpoint.stderr,
            "cops: the token in ALTCRAFT_TOKEN is shorter than 8 characters, too short to be masked in output; "
                + "use the account's real API token\n")
        XCTAssertEqual(endpoint.stdout, "")

        let config = cops.stateHome.appendingPathComponent("config")
        try FileManager.default.createDirectory(
            at: config.appendingPathComponent("cops"), withIntermediateDirectories: true)
        try Data("[profiles.short]\nendpoint = \"http://127.0.0.1:9\"\ntoken_env = \"SHORT_TOKEN\"\n".utf8)
            .write(to: config.appendingPathComponent("cops/config.toml"))
        let profile = try cops.run(
            ["-p", "short", "-c", "status 15"], environment: ["XDG_CONFIG_HOME": config.path, "SHORT_TOKEN": "abc1234"])
        XCTAssertEqual(profile.status, 78, profile.stderr)
        XCTAssertTrue(profile.stderr.contains("profile 'short': the token in $SHORT_TOKEN is shorter than 8"), profile.stderr)
        // Eight characters are enough.
        let eight = try cops.run(
            ["-p", "short", "-c", "status 15"], environment: ["XDG_CONFIG_HOME": config.path, "SHORT_TOKEN": "abcd1234"])
        XCTAssertEqual(eight.status, 69, eight.stderr)

        let serve = try cops.run(["sandbox", "serve", "--port", "0", "--token", "T"], deadline: 10)
        XCTAssertEqual(serve.status, 64, serve.stderr)
        XCTAssertTrue(serve.stderr.contains("--token is shorter than 8 characters"), serve.stderr)
    }

    func testOneThirtyWhenInterrupted() throws {
        let (process, out, err) = try cops.start([
            "-o", "text", "-c", "echo \"started\"", "-c", "sleep 1m", "-c", "echo \"after\"",
        ])
        // The first result line means the interpreter is running; then Ctrl-C arrives.
        XCTAssertEqual(readLine(from: out.fileHandleForReading), "started")
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(process.terminationStatus, 130, stderr)
        XCTAssertTrue(stderr.contains("<command line>:2:1: error: sleep: cancelled"), stderr)
        XCTAssertEqual(out.fileHandleForReading.readDataToEndOfFile().count, 0)
    }

    func testNoPromptOnATerminalIsAUsageNote() throws {
        let result = try cops.run(["--version"])
        XCTAssertEqual(result.status, 0)
        XCTAssertFalse(result.stdout.isEmpty)
    }

    func testDryRunThroughTheBinarySendsNothing() throws {
        let result = try cops.run(["--dry-run", "-c", "deactivate 87 abort"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(
            result.stdout,
            #"{"op":"deactivate","id":87,"ok":true,"planned":true,"request":"POST /api/v1.1/campaigns/deactivate {\"token\":\"[redacted]\",\"id\":87,\"abort_if_running\":true}"}"#
                + "\n")
        XCTAssertTrue(try cops.run(["-o", "text", "-c", "status 87"]).stdout.contains("status=Sending"))
    }

    /// Binds port 0 on loopback, reads the port, closes the socket.
    private func freeLoopbackPort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        XCTAssertEqual(bound, 0)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
