import XCTest

/// The token never reaches the binary's stdout or stderr, whatever the script does.
final class CanaryTokenTests: XCTestCase {
    var cops: CopsProcess!

    override func setUpWithError() throws { cops = try CopsProcess() }
    override func tearDown() { cops.cleanUp() }

    func testCanaryTokenNeverAppearsInAnyOutput() throws {
        let canary = "CANARY-e2e-7c41d9b0"
        let (server, out, _) = try cops.start([
            "sandbox", "serve", "--port", "0", "--token", canary, "--fail-rate", "0.2", "--seed", "3",
        ])
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        let line = try XCTUnwrap(readLine(from: out.fileHandleForReading))
        let url = String(line.dropFirst("cops sandbox listening on ".count))
        let script = """
            status 15, 999
            try deactivate 15 abort
            let c = clone 118 as "canary copy"
            show $c.id
            log 15
            list active
            echo "the token is \(canary)"
            try assert false else "\(canary)"
            try delete 999
            """
        var outputs: [String] = []
        for format in ["json", "xml"] {
            for extra in [[], ["--dry-run"], ["-o", "table"], ["-o", "text", "--continue-on-error"]] {
                let result = try cops.run(
                    ["--endpoint", url, "--format", format] + extra + ["-"], stdin: script,
                    environment: ["ALTCRAFT_TOKEN": canary])
                outputs += [result.stdout, result.stderr]
            }
        }
        let refused = try cops.run(["--endpoint", url, "-c", "status 15"], environment: ["ALTCRAFT_TOKEN": canary + "-wrong"])
        outputs += [refused.stdout, refused.stderr]
        XCTAssertTrue(outputs.joined().contains("[redacted]"), "the literal and the dry-run plans show the mask")
        for text in outputs {
            XCTAssertFalse(text.contains(canary), "token leaked in: \(text.prefix(400))")
        }
    }
}
