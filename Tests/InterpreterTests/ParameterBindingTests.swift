import AltcraftSandbox
import AltcraftWire
import CampaignScript
import XCTest

/// `param` binds the script's arguments in order, or its default, with the value an argument
/// would have; too few or too many arguments stop the run before anything is sent.
final class ParameterBindingTests: XCTestCase {
    private let runbook = """
        param ID "the campaign to stop"
        param LIMIT "how many log entries" = 3
        param PAUSE = 1s
        deactivate $ID abort
        echo $ID $LIMIT $PAUSE $1 $2 $args
        """

    func testArgumentsBindInOrderAsStrings() async {
        let harness = Harness(arguments: ["11768", "7"])
        let status = await harness.run(runbook)
        XCTAssertEqual(status, .success, harness.output.stderr)
        XCTAssertEqual(harness.status(11768), "Inactive")
        XCTAssertEqual(harness.variable("ID"), .string("11768"))
        XCTAssertEqual(harness.variable("LIMIT"), .string("7"))
        XCTAssertEqual(harness.lines.last, #"{"op":"echo","text":"11768 7 1s 11768 7 [\"11768\", \"7\"]"}"#)
    }

    /// A default is the text an argument would be, so `deactivate $ID` reads it the same way.
    func testADefaultBindsLikeAnArgument() async {
        let harness = Harness()
        let status = await harness.run("param ID = 11768\nparam N = 2m\ndeactivate $ID abort\necho $ID $N $1")
        XCTAssertEqual(status, .success, harness.output.stderr)
        XCTAssertEqual(harness.status(11768), "Inactive")
        XCTAssertEqual(harness.variable("ID"), .string("11768"))
        XCTAssertEqual(harness.variable("N"), .string("2m"))
        XCTAssertEqual(harness.lines.last, #"{"op":"echo","text":"11768 2m null"}"#)
    }

    func testAMissingArgumentStopsBeforeAnythingIsSent() async {
        let harness = Harness()
        let status = await harness.run(runbook, name: "examples/stop.cops")
        XCTAssertEqual(status, .usage)
        XCTAssertEqual(harness.requests, [])
        XCTAssertEqual(harness.output.stdout, "")
        XCTAssertEqual(
            harness.output.stderr,
            """
            cops: missing argument ID
            usage: stop.cops ID [LIMIT] [PAUSE]
              ID     the campaign to stop
              LIMIT  how many log entries (default: 3)
              PAUSE  (default: 1s)

            """)
    }

    func testAnExtraArgumentStopsBeforeAnythingIsSent() async {
        let harness = Harness(arguments: ["15", "1", "2s", "x"])
        let status = await harness.run(runbook)
        XCTAssertEqual(status, .usage)
        XCTAssertEqual(harness.requests, [])
        XCTAssertTrue(
            harness.output.stderr.hasPrefix("cops: unexpected argument 'x'\nusage: test.cops ID [LIMIT] [PAUSE]\n"),
            harness.output.stderr)
    }

    /// Without `param`, a runbook takes any number of arguments, as before.
    func testARunbookWithoutParametersTakesAnyArguments() async {
        let harness = Harness(arguments: ["a", "b", "c"])
        let status = await harness.run("echo $args.count")
        XCTAssertEqual(status, .success, harness.output.stderr)
        XCTAssertEqual(harness.lines, [#"{"op":"echo","text":"3"}"#])
    }
}
