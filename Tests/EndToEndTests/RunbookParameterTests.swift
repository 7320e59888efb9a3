import Foundation
import XCTest

/// Declared parameters through the built binary: a runbook run with too few or too many
/// arguments exits 64 with its usage before anything is sent; `--usage` prints the usage and
/// the runbook's description; `--check` does not ask for arguments.
final class RunbookParameterTests: XCTestCase {
    var cops: CopsProcess!

    override func setUpWithError() throws {
        cops = try CopsProcess()
        try CopsProcess.requireBinary()
    }

    override func tearDown() {
        cops.cleanUp()
    }

    private var stopRunaway: String {
        CopsProcess.packageRoot.appendingPathComponent("examples/stop-runaway-campaign.cops").path
    }

    /// The sandbox's status of a campaign, read by a separate run.
    private func status(_ id: Int) throws -> String {
        try cops.run(["-o", "text", "-c", "status \(id)"]).stdout
    }

    func testAMissingArgumentIsUsageAndNothingIsSent() throws {
        let before = try status(11768)
        XCTAssertTrue(before.contains("status=Sending"), before)
        let result = try cops.run([stopRunaway])
        XCTAssertEqual(result.status, 64)
        XCTAssertEqual(result.stdout, "")
        XCTAssertEqual(
            result.stderr,
            """
            cops: missing argument ID
            usage: stop-runaway-campaign.cops ID
              ID  the campaign to stop

            """)
        XCTAssertEqual(try status(11768), before, "the campaign was not touched")
        let dryRun = try cops.run(["--dry-run", stopRunaway])
        XCTAssertEqual(dryRun.status, 64, "a dry run demands the arguments too")
        XCTAssertTrue(dryRun.stderr.hasPrefix("cops: missing argument ID\n"), dryRun.stderr)
    }

    func testAnExtraArgumentIsUsageAndNothingIsSent() throws {
        let before = try status(11768)
        let result = try cops.run([stopRunaway, "11768", "15"])
        XCTAssertEqual(result.status, 64)
        XCTAssertEqual(result.stdout, "")
        XCTAssertTrue(
            result.stderr.hasPrefix("cops: unexpected argument '15'\nusage: stop-runaway-campaign.cops ID\n"),
            result.stderr)
        XCTAssertEqual(try status(11768), before)
    }

    func testTheDeclaredArgumentRunsTheRunbook() throws {
        let result = try cops.run(["-o", "text", stopRunaway, "11768"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("\ncampaign 11768 is now Inactive\n"), result.stdout)
        // Standard input named `-` is a runbook too, with the arguments after it.
        let piped = try cops.run(["-o", "text", "-", "20"], stdin: "param ID \"a campaign\"\necho $ID\n")
        XCTAssertEqual(piped.status, 0, piped.stderr)
        XCTAssertEqual(piped.stdout, "20\n")
    }

    func testUsagePrintsTheUsageParametersAndDescription() throws {
        let path = try cops.write(
            "retry.cops",
            """
            #!/usr/bin/env cops
            # Retry what failed.
            #
            #   cops retry.cops 15
            # example-args: 15

            # not part of the description
            param ID "the campaign"
            param LIMIT "how many times" = 3
            status $ID

            """)
        let result = try cops.run(["--usage", path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stderr, "", "no sandbox, no profile")
        XCTAssertEqual(
            result.stdout,
            """
            usage: retry.cops ID [LIMIT]
              ID     the campaign
              LIMIT  how many times (default: 3)

            Retry what failed.

              cops retry.cops 15

            """)
        let broken = try cops.write("broken.cops", "param ID\nparam ID\n")
        let invalid = try cops.run(["--usage", broken])
        XCTAssertEqual(invalid.status, 65)
        XCTAssertTrue(invalid.stderr.contains("error: parameter 'ID' is declared twice"), invalid.stderr)
        XCTAssertEqual(try cops.run(["--usage", "missing.cops"]).status, 66)
        let misuse = try cops.run(["--usage", path, "15"])
        XCTAssertEqual(misuse.status, 64)
        XCTAssertTrue(misuse.stderr.contains("--usage takes one runbook file"), misuse.stderr)
    }

    /// A Markdown runbook declares its parameters in a `cops` block; its title is its
    /// description, and a run without the argument stops before anything is sent.
    func testAMarkdownRunbooksUsageIsItsParamsAndTitle() throws {
        let path = try cops.write(
            "RB-7.md",
            """
            # RB-7: pause a campaign

            Prose with `param X` in it is not a declaration.

            ```cops
            param ID "the campaign to pause"
            deactivate $ID
            ```

            """)
        let usage = try cops.run(["--usage", path])
        XCTAssertEqual(usage.status, 0, usage.stderr)
        XCTAssertEqual(
            usage.stdout,
            """
            usage: RB-7.md ID
              ID  the campaign to pause

            RB-7: pause a campaign

            """)
        let before = try status(11768)
        let missing = try cops.run([path])
        XCTAssertEqual(missing.status, 64)
        XCTAssertTrue(missing.stderr.hasPrefix("cops: missing argument ID\nusage: RB-7.md ID\n"), missing.stderr)
        XCTAssertEqual(try status(11768), before)
    }

    func testCheckDoesNotAskForArguments() throws {
        let result = try cops.run(["--check", stopRunaway])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "\(stopRunaway): ok\n")
    }

    func testParamOutsideARunbookSaysWhatToDoInstead() throws {
        let result = try cops.run(["-c", "param ID"])
        XCTAssertEqual(result.status, 65)
        XCTAssertTrue(
            result.stderr.contains("error: param declares a runbook's arguments; -c text takes no arguments; use let"),
            result.stderr)
        let streamed = try cops.run(["--stream"], stdin: "param ID\n")
        XCTAssertEqual(streamed.status, 65)
        XCTAssertTrue(
            streamed.stderr.contains("error: param declares a runbook's arguments; --stream takes no arguments; use let"),
            streamed.stderr)
    }
}
