import ArgumentParser
import CopsCommandLine
import CopsShell
import XCTest

/// `Invocation.parse` (the run path, without ArgumentParser) must read every command line it
/// accepts exactly as ArgumentParser's `Cops` does, and leave the rest to it.
final class InvocationTests: XCTestCase {
    /// What ArgumentParser makes of a command line, nil when it does not run a script.
    func reference(_ arguments: [String]) -> Invocation? {
        (try? Cops.parseAsRoot(arguments) as? Cops)?.invocation
    }

    let everyday: [[String]] = [
        [],
        ["-c", "status 15"],
        ["-c", "status 15", "-c", "echo 1"],
        ["-o", "json", "-c", "status 15"],
        ["--output", "table", "-c", "list active"],
        ["--output=text", "-c", "list"],
        ["--endpoint", "http://127.0.0.1:8080", "-c", "deactivate 1..10 abort"],
        ["--endpoint=https://ru.altkraft.com", "--format", "xml", "-c", "status 15"],
        ["--concurrency", "8", "--timeout", "1s500ms", "--retries", "0", "-c", "deactivate 1..5"],
        ["--sandbox", "--dry-run", "-c", "delete 7"],
        ["-p", "prod", "-c", "status 15"],
        ["--profile", "prod", "-y", "-v", "-c", "status 15"],
        ["--yes", "--verbose", "--color", "never", "--transcript", "t.log", "-c", "status 15"],
        ["--continue-on-error", "runbook.cops"],
        ["runbook.cops", "15", "spring"],
        ["--dry-run", "runbook.cops", "15"],
        // After the file everything is the script's (as `bash FILE ARGS`): options, `--` too.
        ["runbook.cops", "foo", "--dry-run"],
        ["runbook.cops", "--dry-run", "15"],
        ["runbook.cops", "-p", "foo"],
        ["runbook.cops", "x", "--check"],
        ["runbook.cops", "--", "x"],
        ["runbook.cops", "-c", "status 15"],
        ["runbook.cops", "--help"],
        ["runbook.cops", "sandbox", "help"],
        ["-o", "json", "runbook.cops", "--unknown-to-cops", "-o", "table"],
        ["-", "--stream"],
        ["-", "15"],
        ["--stream"],
        ["--stream", "-"],
        ["--stream", "-o", "json", "--sandbox"],
        ["--check", "a.cops", "b.cops"],
        ["--color=always", "--check", "a.cops"],
        ["--format", "json", "--sandbox", "x.cops"],
        ["--resume", "runbook.cops", "15"],
        ["--resume", "--endpoint", "http://127.0.0.1:8080", "20261201T020102.120Z-811.jsonl", "runbook.cops"],
    ]

    func testEverydayCommandLinesParseWithoutArgumentParserAndAgreeWithIt() {
        for arguments in everyday {
            let fast = Invocation.parse(arguments)
            XCTAssertNotNil(fast, "\(arguments) should not need ArgumentParser")
            XCTAssertEqual(fast, reference(arguments), "\(arguments)")
        }
    }

    func testEverythingElseIsLeftToArgumentParser() {
        let others: [[String]] = [
            ["--help"], ["-h"], ["help"], ["help", "sandbox"], ["--version"],
            ["--generate-completion-script", "bash"], ["--experimental-dump-help"],
            ["--bogus"], ["-x", "-c", "status 1"], ["-yv", "-c", "status 1"], ["-ojson", "-c", "status 1"],
            ["--concurrency", "0", "-c", "x"], ["--concurrency", "many", "-c", "x"], ["--retries", "11", "-c", "x"],
            ["--timeout", "soon", "-c", "x"], ["--timeout", "0s", "-c", "x"], ["--timeout", "1.5s", "-c", "x"],
            ["--output", "yaml", "-c", "x"], ["--format", "soap", "-c", "x"], ["--color", "sometimes", "-c", "x"],
            ["-c"], ["--endpoint"], ["-c", "-1"], ["--transcript", "-", "-c", "x"],
            ["--endpoint", "http://h", "--sandbox", "-c", "x"], ["-p", "prod", "--sandbox", "-c", "x"],
            ["--check"], ["--check", "-c", "x"], ["-c", "x", "file.cops"], ["--stream", "file.cops"],
            ["--stream", "-c", "x"], ["-o", "json", "-o", "table", "-c", "x"], ["-v", "--verbose", "-c", "x"],
            ["--dry-run=yes", "-c", "x"], ["--", "file.cops"],
            ["sandbox", "serve"],
            ["--resume", "-c", "x"], ["--resume"], ["--resume", "run.jsonl"], ["--resume", "--dry-run", "x.cops"],
            ["--resume", "--stream"], ["--resume", "-"],
        ]
        for arguments in others {
            XCTAssertNil(Invocation.parse(arguments), "\(arguments) must go through ArgumentParser")
        }
    }

    /// The words after the file reach the script unchanged, whichever path read the line; the
    /// expected arguments are written out here, not derived from either parser.
    func testEverythingAfterTheFileIsTheScriptsOnBothPaths() throws {
        let lines: [([String], [String])] = [
            (["runbook.cops", "foo", "--dry-run"], ["runbook.cops", "foo", "--dry-run"]),
            (["runbook.cops", "-p", "foo"], ["runbook.cops", "-p", "foo"]),
            (["runbook.cops", "x", "--check"], ["runbook.cops", "x", "--check"]),
            (["runbook.cops", "--", "x"], ["runbook.cops", "--", "x"]),
            (["--dry-run", "--", "runbook.cops", "x"], ["runbook.cops", "x"]),
        ]
        for (line, script) in lines {
            let reference = try XCTUnwrap(reference(line), "\(line)")
            XCTAssertEqual(reference.script, script, "\(line)")
            XCTAssertEqual(reference.options.dryRun, line.first == "--dry-run", "\(line)")
            XCTAssertFalse(reference.check, "\(line)")
            XCTAssertNil(reference.options.profile, "\(line)")
            if let fast = Invocation.parse(line) { XCTAssertEqual(fast, reference, "\(line)") }
        }
    }

    func testUsageErrorsAreArgumentParsersWithTheSameWords() {
        XCTAssertThrowsError(try Cops.parseAsRoot(["--concurrency", "0", "-c", "x"])) { error in
            XCTAssertEqual(Cops.message(for: error), "--concurrency must be between 1 and 64")
        }
        XCTAssertThrowsError(try Cops.parseAsRoot(["--stream", "-c", "x"])) { error in
            XCTAssertEqual(Cops.message(for: error), Wording.usageStreamReadsStdin)
        }
    }

    /// Every option `CommandLineOption` declares, in each spelling, with each kind of value it
    /// takes, reads the same on both paths and changes what the line asks for: an option that
    /// `Cops` does not declare, or that either path reads into the wrong field or not at all,
    /// fails here. And `Cops` declares no option of its own beside them.
    func testEveryDeclaredOptionReadsTheSameOnBothPaths() throws {
        for option in CommandLineOption.allCases {
            // What follows the option: a script file, unless the option takes none.
            let rest = option == .commands || option == .stream ? [] : ["runbook.cops"]
            let without = try XCTUnwrap(Invocation.parse(rest))
            var lines: [[String]] = []
            for spelling in option.spellings {
                guard !option.isFlag else {
                    lines.append([spelling] + rest)
                    continue
                }
                for value in sampleValues(option) {
                    lines.append([spelling, value] + rest)
                    if spelling.hasPrefix("--") { lines.append(["\(spelling)=\(value)"] + rest) }
                }
            }
            var changes = false
            for line in lines {
                let fast = try XCTUnwrap(Invocation.parse(line), "\(line) should not need ArgumentParser")
                XCTAssertEqual(fast, reference(line), "\(line)")
                changes = changes || fast != without
            }
            XCTAssertTrue(changes, "\(option) changes nothing on the fast path")
        }

        let help = Cops.helpMessage(columns: 400)
        var listed: Set<String> = []
        for line in help.split(separator: "\n") where line.hasPrefix("  -") {
            for match in line.matches(of: /(?:^|[\s,])(--?[a-z][a-z-]*)/) { listed.insert(String(match.output.1)) }
        }
        listed.subtract(["-h", "--help", "--version"])
        XCTAssertEqual(listed, Set(CommandLineOption.allCases.flatMap(\.spellings)), help)
    }

    /// Values of each kind an option takes: every fixed word, the ends of an integer range, durations.
    func sampleValues(_ option: CommandLineOption) -> [String] {
        if !option.allowedValues.isEmpty { return option.allowedValues }
        if let range = option.range { return [String(range.lowerBound), String(range.upperBound)] }
        if option == .timeout { return ["250ms", "1h2m3s"] }
        return ["x.txt", "http://127.0.0.1:8080"]
    }
}
