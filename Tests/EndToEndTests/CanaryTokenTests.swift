import CopsTestSupport
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

    /// Every statement, errors, dry run, `-v`, a transcript, a stream and a profile whose token
    /// is in a file, against a server that fails, resets, closes and rate-limits: then every
    /// byte cops wrote anywhere (stdout, stderr, the transcript, every file under its state
    /// and config directories except the token file itself) is scanned for the token.
    func testBroadScenarioLeavesTheTokenNowhere() throws { try broadScenario(tls: false) }

    /// The same over https through a CONNECT proxy that wants credentials, named in the
    /// profile's `proxy` and in `https_proxy`: neither the token nor the proxy password (nor
    /// the `Proxy-Authorization` value made of it) is anywhere; `-v` names the proxy.
    func testBroadScenarioOverHTTPSThroughAProxyLeavesNoSecret() throws { try broadScenario(tls: true) }

    func broadScenario(tls: Bool) throws {
        let canary = "CANARY-broad-51e0c2a8d6f3"
        let proxyPassword = "CANARY-proxy-9f3b27aa"
        let credentials = ConnectProxy.Credentials(user: "ops", password: proxyPassword)
        let proxy = tls ? try ConnectProxy(credentials: credentials) : nil
        defer { proxy?.stop() }
        let (server, out, _) = try cops.start(
            [
                "sandbox", "serve", "--port", "0", "--token", canary, "--fail-rate", "0.15", "--reset-rate", "0.1",
                "--close-rate", "0.05", "--rate-limit", "200", "--seed", "11", "--request-log",
                cops.stateHome.appendingPathComponent("requests.jsonl").path,
            ] + (tls ? try CopsProcess.tlsServeArguments() : []))
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        let url = String(try XCTUnwrap(readLine(from: out.fileHandleForReading)).dropFirst("cops sandbox listening on ".count))
        let config = cops.stateHome.appendingPathComponent("config/cops")
        try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
        let tokenFile = config.appendingPathComponent("canary.token")
        try Data((canary + "\n").utf8).write(to: tokenFile)
        chmod(tokenFile.path, 0o600)
        var profile = """
            [profiles.canary]
            endpoint = "\(url)"
            token_file = "\(tokenFile.path)"

            """
        if let proxy { profile += "proxy = \"\(proxy.url(user: "ops", password: proxyPassword))\"\n" }
        if tls { profile += "ca_file = \"\(try TestPKI.shared().caCertificatePath)\"\n" }
        try Data(profile.utf8).write(to: config.appendingPathComponent("config.toml"))
        var environment = ["XDG_CONFIG_HOME": cops.stateHome.appendingPathComponent("config").path]
        if let proxy { environment["https_proxy"] = proxy.url(user: "ops", password: proxyPassword) }
        let transcript = cops.stateHome.appendingPathComponent("transcript.log").path
        let script = """
            set retries 5
            set on-error continue
            status 15, 999
            show 15
            list active limit 5
            log 15 limit 3
            let c = clone 118 as "canary copy"
            activate $c.id
            deactivate $c.id abort
            launch 118
            wait $c.id until inactive timeout 5s every 100ms
            for id in 1..3 { try status $id }
            echo "failed: $failed"
            echo "the token is \(canary)"
            try assert false else "\(canary)"
            try delete $c.id
            try delete 999
            help deactivate
            sleep 10ms
            """
        var outputs: [String] = []
        for extra in [[], ["--dry-run"], ["--stream"], ["--format", "xml", "-o", "table"]] {
            let result = try cops.run(
                ["-p", "canary", "-v", "--transcript", transcript] + extra + (extra.contains("--stream") ? [] : ["-"]),
                stdin: script, environment: environment)
            XCTAssertTrue([0, 1].contains(result.status), "\(extra): \(result.status) \(result.stderr.suffix(600))")
            outputs += [result.stdout, result.stderr]
        }
        // A plan (its header, arguments, observed state and requests) and its review.
        let runbook = try cops.write(
            "canary-plan.cops", "status 15\nlet c = clone 118 as \"$1\"\ndeactivate $c\ndeactivate 118\n")
        let plan = cops.stateHome.appendingPathComponent("canary.plan").path
        let planned = try cops.run(
            ["plan", "-p", "canary", "-v", "--retries", "5", "--out", plan, runbook, canary], environment: environment)
        XCTAssertEqual(planned.status, 0, planned.stderr.suffix(600).description)
        let shown = try cops.run(["show-plan", "-o", "table", plan])
        XCTAssertTrue(shown.stdout.contains("[redacted]"), shown.stdout)
        outputs += [planned.stdout, planned.stderr, shown.stdout, shown.stderr]
        // The same as a scriptFile file (outside the scanned directory: it holds the canary),
        // then `--resume` of its run: refused if it ended cleanly, else a resumed journal.
        let scriptFile = FileManager.default.temporaryDirectory.appendingPathComponent("canary-\(UUID().uuidString).cops").path
        try Data(script.utf8).write(to: URL(fileURLWithPath: scriptFile))
        defer { try? FileManager.default.removeItem(atPath: scriptFile) }
        let first = try cops.run(["-p", "canary", scriptFile], environment: environment)
        let resumed = try cops.run(["-p", "canary", "--resume", scriptFile], environment: environment)
        XCTAssertTrue([0, 1].contains(first.status), "\(first.status) \(first.stderr.suffix(600))")
        XCTAssertEqual(resumed.status == 76, first.status == 0, "\(resumed.status) \(resumed.stderr.suffix(600))")
        outputs += [first.stdout, first.stderr, resumed.stdout, resumed.stderr]
        XCTAssertTrue(outputs.joined().contains("cops: → POST"), "the trace ran")
        if let proxy {
            XCTAssertTrue(
                outputs.joined().contains("proxy: \(proxy.url) (from the profile's proxy)"), "-v names the proxy")
            XCTAssertFalse(proxy.connectTargets.isEmpty, "the runs went through the proxy")
            XCTAssertTrue(proxy.requestLines.allSatisfy { $0.hasPrefix("CONNECT ") }, "only tunnels: \(proxy.requestLines)")
        }
        var files: [String] = [transcript]
        let walker = FileManager.default.enumerator(atPath: cops.stateHome.path)
        while let path = walker?.nextObject() as? String {
            let full = cops.stateHome.appendingPathComponent(path).path
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue,
                full != tokenFile.path
            {
                files.append(full)
            }
        }
        // The runs that changed something kept journals, which the scan above covers.
        let journals = files.filter { $0.contains("/cops/runs/") && $0.hasSuffix(".jsonl") }
        // A resume keeps a journal once it skips or sends a change (not when it stops first).
        XCTAssertTrue(
            (first.status == 0 ? [4] : [4, 5]).contains(journals.count),
            "the script, --stream, xml and file runs keep journals, and a resume that ran; the dry run none: \(journals)")
        let requestLog = files.filter { $0.hasSuffix("/requests.jsonl") }
        XCTAssertEqual(requestLog.count, 1, "the server's request log is scanned too")
        // The config file is the user's own input, where the proxy URL with its password was
        // put (as the token file holds the token): the token is still looked for in it.
        let configFile = config.appendingPathComponent("config.toml").path
        for path in Set(files) {
            let bytes = (try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data()
            if path != configFile { outputs.append(String(decoding: bytes, as: UTF8.self)) }
            XCTAssertNil(bytes.range(of: Data(canary.utf8)), "token in \(path)")
        }
        for text in outputs { XCTAssertFalse(text.contains(canary), "token leaked in: \(text.prefix(400))") }
        if tls {
            let header = String(credentials.headerValue.dropFirst("Basic ".count))
            for text in outputs {
                XCTAssertFalse(text.contains(proxyPassword), "proxy password leaked in: \(text.prefix(400))")
                XCTAssertFalse(text.contains(header), "proxy credentials leaked in: \(text.prefix(400))")
            }
        }
    }
}
