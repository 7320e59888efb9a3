import Foundation
import XCTest

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `cops fmt` as a user runs it (docs/program.md, "cops fmt"), and Markdown runbooks run,
/// checked and planned by the built binary (docs/program.md, "Markdown runbooks").
final class FormatCommandTests: XCTestCase {
    var cops: CopsProcess!

    override func setUpWithError() throws {
        try CopsProcess.requireBinary()
        cops = try CopsProcess()
    }
    override func tearDown() { cops.cleanUp() }

    private func write(_ name: String, _ text: String) throws -> String {
        let path = cops.stateHome.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func read(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8)
    }

    private let messy = "status   15;status 16\nif true {echo 1}\n"
    private let tidy = "status 15\nstatus 16\nif true {\n  echo 1\n}\n"

    func testRewritesFilesInPlaceKeepingTheirMode() throws {
        let path = try write("a.cops", messy)
        let formatted = try write("b.cops", tidy)
        XCTAssertEqual(chmod(path, 0o750), 0)
        let run = try cops.run(["fmt", path, formatted])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout, "")
        XCTAssertEqual(try read(path), tidy)
        XCTAssertEqual(try read(formatted), tidy)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o750)
        // No temporary file is left next to it.
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: cops.stateHome.path).filter { $0.contains("cops-fmt") }, [])
    }

    func testCheckNamesTheFilesThatWouldChange() throws {
        let path = try write("a.cops", messy)
        let formatted = try write("b.cops", tidy)
        let run = try cops.run(["fmt", "--check", path, formatted])
        XCTAssertEqual(run.status, 1, run.stderr)
        XCTAssertEqual(run.stdout, path + "\n")
        XCTAssertEqual(try read(path), messy)
        let clean = try cops.run(["fmt", "--check", formatted])
        XCTAssertEqual(clean.status, 0, clean.stderr)
        XCTAssertEqual(clean.stdout, "")
    }

    func testDiffPrintsAUnifiedDiffAndChangesNothing() throws {
        let path = try write("a.cops", "status 1\nif true {echo 1}\n")
        let run = try cops.run(["fmt", "--diff", path])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(
            run.stdout,
            """
            --- a\(path)
            +++ b\(path)
            @@ -1,2 +1,4 @@
             status 1
            -if true {echo 1}
            +if true {
            +  echo 1
            +}

            """)
        XCTAssertEqual(try read(path), "status 1\nif true {echo 1}\n")
    }

    func testStandardInputToStandardOutput() throws {
        let run = try cops.run(["fmt"], stdin: messy)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout, tidy)
        let dash = try cops.run(["fmt", "-"], stdin: tidy)
        XCTAssertEqual(dash.stdout, tidy)
    }

    func testAFileThatDoesNotParseIsLeftAloneAndTheOthersAreFormatted() throws {
        let broken = try write("broken.cops", "status 1\nstatus 2 }\n")
        let path = try write("a.cops", messy)
        let run = try cops.run(["fmt", broken, path])
        XCTAssertEqual(run.status, 65)
        XCTAssertTrue(run.stderr.hasPrefix("\(broken):2:10: error: "), run.stderr)
        XCTAssertEqual(try read(broken), "status 1\nstatus 2 }\n")
        XCTAssertEqual(try read(path), tidy)
        let missing = try cops.run(["fmt", cops.stateHome.appendingPathComponent("missing.cops").path])
        XCTAssertEqual(missing.status, 66)
        XCTAssertTrue(missing.stderr.contains("no such file"), missing.stderr)
    }

    func testHelp() throws {
        let help = try cops.run(["help", "fmt"])
        XCTAssertEqual(help.status, 0, help.stderr)
        XCTAssertTrue(help.stdout.contains("USAGE: cops fmt [--check] [--diff] [<file> ...]"), help.stdout)
        let usage = try cops.run(["fmt", "--bogus"])
        XCTAssertEqual(usage.status, 64)
    }

    func testMarkdownChangesOnlyInsideCopsBlocks() throws {
        let prose = "# Runbook\n\nProse   stays.\n\n```sh\nls   -l\n```\n"
        let path = try write("rb.md", prose + "```cops\nstatus   15\n```\n")
        let run = try cops.run(["fmt", path])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(try read(path), prose + "```cops\nstatus 15\n```\n")
    }

    // MARK: - Markdown runbooks run

    private let runbook = """
        # RB-042: stop a runaway campaign

        Look first; `status 99` inline never runs.

        ```cops
        status $1
        ```

        ```sh
        exit 3
        ```

        ## Stop the sends

        ~~~ cops
        deactivate $1 abort
        assert $1 == null else "still sending"
        ~~~

        """

    func testARunbookRunsItsCopsBlocksAndNamesTheHeadingOfAFailure() throws {
        let path = try write("RB-042.md", runbook)
        let run = try cops.run(["-o", "json", path, "15"])
        XCTAssertEqual(run.status, 1, run.stderr)
        XCTAssertTrue(run.stdout.contains(#""id":15"#), run.stdout)
        XCTAssertTrue(run.stderr.contains("\(path):17:1: error: assertion failed: still sending"), run.stderr)
        XCTAssertTrue(run.stderr.contains("note: under the heading \"## Stop the sends\"\n"), run.stderr)
    }

    func testCheckAndDryRunWorkOnARunbook() throws {
        let path = try write("RB-042.md", runbook)
        let check = try cops.run(["--check", path])
        XCTAssertEqual(check.status, 0, check.stderr)
        XCTAssertEqual(check.stdout, "\(path): ok\n")
        let dryRun = try cops.run(["--dry-run", "-o", "json", path, "15"])
        XCTAssertTrue((dryRun.stdout + dryRun.stderr).contains("deactivate"), dryRun.stdout + dryRun.stderr)
        let broken = try write("broken.md", "# T\n\ntext\n\n```cops\nstatus 15 limt 2\n```\n")
        let failed = try cops.run(["--check", broken])
        XCTAssertEqual(failed.status, 65)
        XCTAssertTrue(failed.stderr.hasPrefix("\(broken):6:11: error: "), failed.stderr)
        XCTAssertTrue(failed.stderr.contains("  6 | status 15 limt 2\n"), failed.stderr)
    }

    func testSourceReadsARunbook() throws {
        _ = try write("lib.md", "# Library\n\n```cops\nlet id = 15\n```\n")
        let run = try cops.run(["-o", "json", "-c", "source \"lib.md\"\nstatus $id"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains(#""id":15"#), run.stdout)
    }
}
