import AltcraftAPI
import AltcraftSandbox
import AltcraftWire
import CampaignScript
import XCTest

/// let, if/elif/else, for, echo, try, assert, set, sleep, help, exit.
final class ControlStatementTests: XCTestCase {
    /// Issue 14: `--continue-on-error` keeps the first failure's status, but an explicit
    /// `exit` wins (docs/language.md, Errors, says why).
    func testAnExplicitExitWinsOverAContinuedFailure() async {
        let continued = Harness(settings: .with { $0.continueOnError = true })
        let continuedStatus = await continued.run("status 99999\necho 1")
        XCTAssertEqual(continuedStatus, .failure)
        let exited = Harness(settings: .with { $0.continueOnError = true })
        let exitedStatus = await exited.run("status 99999\nexit 0")
        XCTAssertEqual(exitedStatus, .success)
        let chosen = Harness(settings: .with { $0.continueOnError = true })
        let chosenStatus = await chosen.run("status 99999\nexit 3")
        XCTAssertEqual(chosenStatus, ExitStatus(rawValue: 3))
    }

    /// Issue 14: a missing field listed only 12 of the record's fields. The record's fields come
    /// from the sandbox's own answer to `campaigns/get`, not from the interpreter.
    func testAMissingFieldListsEveryFieldOfTheRecord() async throws {
        let harness = Harness()
        let sent = harness.sandbox.withEngine {
            $0.handle(path: "campaigns/get", parameters: WireObject([("token", .string($0.token)), ("id", 15)]))
        }
        let fields = try XCTUnwrap(sent.envelope["data"]?.objectValue).fields.map(\.key)
        XCTAssertGreaterThan(fields.count, 12)
        let status = await harness.run("let c = show 15\necho $c.nope")
        XCTAssertEqual(status, .failure)
        let listed = fields.map { "'\($0)'" }.joined(separator: ", ")
        XCTAssertTrue(harness.output.stderr.contains("record has no field 'nope'; it has \(listed)"), harness.output.stderr)
    }

    /// Issue 14: `$ids[-1]` (documented) did not parse; `echo $a [0]` is an error, as the
    /// docs now say, not two values.
    func testNegativeIndexesCountFromTheEnd() async {
        let harness = Harness(arguments: ["first", "middle", "last"])
        let status = await harness.run("echo $args[-1] $args[-3]\ntry echo $args[-4]\necho $error.message")
        XCTAssertEqual(status, .success, harness.output.stderr)
        XCTAssertEqual(harness.lines.first, #"{"op":"echo","text":"last first"}"#)
        XCTAssertTrue(harness.output.stdout.contains("index -4 is outside the list of 3 items"), harness.output.stdout)
        let spaced = Harness(arguments: ["a"])
        let spacedStatus = await spaced.run("echo $args [0]")
        XCTAssertEqual(spacedStatus, .invalidScript)
        XCTAssertEqual(spaced.output.stdout, "", "nothing ran")
    }

    func testLetIfElifElseAndEcho() async {
        let harness = Harness(settings: .with { $0.output = .table })
        let status = await harness.run(
            """
            let s = status 22
            if $s.status == "Sending" {
                echo "sending"
            } elif $s.is_active and not $s.is_completed {
                echo "active:" $s.id "named" "$s.status"
            } else {
                echo "other"
            }
            """)
        XCTAssertEqual(status, .success, harness.output.stderr)
        XCTAssertEqual(harness.output.stdout, "active: 22 named Active\n")
    }

    func testForIteratesIDsRangesAndRecords() async {
        let harness = Harness(settings: .with { $0.output = .table })
        let status = await harness.run(
            """
            for id in 1, 2..3 { echo $id }
            for c in list active tag "spring-2024" { echo $c.id $c.name }
            """)
        XCTAssertEqual(status, .success, harness.output.stderr)
        XCTAssertEqual(
            harness.output.stdout,
            "1\n2\n3\n20 Spring promo — email\n21 Весенняя акция — SMS\n22 Spring promo — push\n")
    }

    func testTryTurnsAFailureIntoAWarningAndSetsError() async {
        let harness = Harness(settings: .with { $0.output = .table })
        let status = await harness.run(
            """
            try deactivate 99999
            echo $error.message
            try status 15
            echo $error
            """)
        XCTAssertEqual(status, .success)
        XCTAssertEqual(harness.output.stdout.split(separator: "\n").last, "null")
        XCTAssertTrue(harness.output.stdout.contains("\ndeactivate 99999: API error 404 (Campaign not found)\n"))
        XCTAssertTrue(
            harness.output.stderr.contains(
                "test.cops:1:5: warning: deactivate 99999: API error 404 (Campaign not found) (continuing: 'try')"),
            harness.output.stderr)
    }

    func testAssertMessageShowsTheComparedValues() async {
        let harness = Harness()
        let status = await harness.run("let s = status 15\nassert $s.is_active == false else \"15 must be off\"\necho 1")
        XCTAssertEqual(status, .failure)
        XCTAssertTrue(
            harness.output.stderr.hasPrefix("test.cops:2:1: error: assertion failed: 15 must be off (true == false)\n"),
            harness.output.stderr)
        XCTAssertEqual(harness.output.stdout, "")
    }

    func testOnErrorContinueRunsTheRestAndReportsTheFailure() async {
        let harness = Harness(settings: .with { $0.output = .table })
        let status = await harness.run("set on-error continue\nstatus 99999\necho \"after\"")
        XCTAssertEqual(status, .failure)
        XCTAssertTrue(harness.output.stdout.hasSuffix("after\n"))
    }

    func testSettingsChangeOutputAndConcurrency() async {
        let harness = Harness()
        let status = await harness.run("set output text\nset concurrency 2\nset timeout 5s\nset retries 0\nstatus 15")
        XCTAssertEqual(status, .success, harness.output.stderr)
        XCTAssertEqual(harness.output.stdout, "op=status id=15 ok=true status=Sending is_active=true is_completed=false\n")
        XCTAssertEqual(harness.settings.concurrency, 2)
        XCTAssertEqual(harness.settings.timeoutMilliseconds, 5_000)
        XCTAssertEqual(harness.settings.output, .text)
    }

    func testSleepUsesTheInjectedClock() async {
        let harness = Harness()
        let status = await harness.run("sleep 1m30s")
        XCTAssertEqual(status, .success)
        XCTAssertEqual(harness.clock.now(), 90_000)
    }

    func testExitStopsWithItsStatus() async {
        let harness = Harness(settings: .with { $0.output = .table })
        let status = await harness.run("echo \"before\"\nexit 3\necho \"after\"")
        XCTAssertEqual(status.rawValue, 3)
        XCTAssertEqual(harness.output.stdout, "before\n")
    }

    func testHelpPrintsFromTheGrammarTable() async {
        let harness = Harness(settings: .with { $0.output = .table })
        let status = await harness.run("help deactivate")
        XCTAssertEqual(status, .success)
        XCTAssertEqual(harness.output.stdout, GrammarTable.helpText(for: "deactivate")! + "\n")
    }

    func testScriptArgumentsAndErrorsInExpressions() async {
        let harness = Harness(settings: .with { $0.output = .table }, arguments: ["15", "abc"])
        let status = await harness.run("echo $args.count $1\nstatus $2")
        XCTAssertEqual(status, .failure)
        XCTAssertEqual(harness.output.stdout, "2 15\n")
        XCTAssertTrue(harness.output.stderr.contains("error: \"abc\" is not a campaign ID"), harness.output.stderr)
    }

    func testCheckErrorsRunNothing() async {
        let harness = Harness()
        let status = await harness.run("deactivate 15\ndeactivate 15 abrot")
        XCTAssertEqual(status, .invalidScript)
        XCTAssertTrue(harness.requests.isEmpty)
        XCTAssertTrue(harness.output.stderr.contains("unknown option 'abrot' for 'deactivate'; did you mean 'abort'?"))
    }
}
