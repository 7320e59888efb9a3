import Foundation
import XCTest

/// `cops plan`, `cops show-plan` and `cops apply` as the built binary runs them
/// (docs/changes.md, "Plans"), against the embedded sandbox and `cops sandbox serve` over
/// loopback; what changed is read back with separate `cops` runs.
final class PlanProgramTests: XCTestCase {
    var cops: CopsProcess!

    override func setUpWithError() throws { cops = try CopsProcess() }
    override func tearDown() { cops.cleanUp() }

    var runs: String { cops.stateHome.appendingPathComponent("cops/runs").path }
    var example: String { CopsProcess.packageRoot.appendingPathComponent("examples/plan-and-apply.cops").path }

    func path(_ name: String) -> String { cops.stateHome.appendingPathComponent(name).path }

    func journals() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: runs)) ?? []).filter { $0.hasSuffix(".jsonl") }.sorted()
    }

    func json(_ path: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    /// `is_active` of campaigns, read by a run of its own.
    func active(_ ids: [Int], _ target: [String] = [], environment: [String: String] = [:]) throws -> [Int: Bool] {
        let result = try cops.run(
            target + ["-o", "json", "-c", "status " + ids.map(String.init).joined(separator: ", ")], environment: environment)
        XCTAssertEqual(result.status, 0, result.stderr)
        var states: [Int: Bool] = [:]
        for line in result.stdout.split(separator: "\n") {
            let row = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            states[try XCTUnwrap(row["id"] as? Int)] = row["is_active"] as? Bool
        }
        return states
    }

    func testPlanShowApplyOfTheExample() throws {
        let plan = path("pause.plan")
        let planned = try cops.run(["plan", "--out", plan, example, "spring-2024"])
        XCTAssertEqual(planned.status, 0, planned.stderr)
        XCTAssertTrue(planned.stderr.contains("written to '\(plan)': 6 changes"), planned.stderr)
        let attributes = try FileManager.default.attributesOfItem(atPath: plan)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        XCTAssertEqual(try active([20, 21, 22]), [20: true, 21: true, 22: true], "a plan sends nothing")
        XCTAssertTrue(journals().isEmpty)

        let file = try json(plan)
        XCTAssertEqual(file["format"] as? Int, 1)
        let id = try XCTUnwrap(file["id"] as? String)
        XCTAssertEqual(id.count, 32)
        XCTAssertEqual((file["runbook"] as? [String: Any])?["path"] as? String, example)
        XCTAssertEqual(file["arguments"] as? [String], ["spring-2024"])
        XCTAssertEqual((file["target"] as? [String: Any])?["name"] as? String, "sandbox")
        let observed = try XCTUnwrap(file["observed"] as? [[String: Any]])
        let observedActive = Dictionary(
            uniqueKeysWithValues: observed.map {
                ($0["campaign"] as! Int, ($0["fields"] as! [String: Any])["is_active"] as? Bool)
            })
        XCTAssertEqual(observedActive, [20: true, 21: true, 22: true, 4727: false], "4727 was read for the plan")
        let observedStatus = observed.map { ($0["fields"] as! [String: Any])["status"] as? String }
        XCTAssertEqual(observedStatus, ["Sending", "Sending", "Active", "Inactive"], "status read for every changed campaign")
        let mutations = try XCTUnwrap(file["mutations"] as? [[String: Any]])
        let rows = mutations.map { ($0["operation"] as! String, $0["campaign"] as? Int, $0["prediction"] as! String) }
        XCTAssertEqual(rows.map(\.0), ["deactivate", "deactivate", "deactivate", "deactivate", "clone", "deactivate"])
        XCTAssertEqual(rows.map(\.1), [20, 21, 22, 4727, 20, nil])
        XCTAssertEqual(
            rows.map(\.2),
            ["would change", "would change", "would change", "already so, no-op", "would change", "cannot predict"])
        XCTAssertEqual((mutations[0]["parameters"] as? [String: Any])?["abort"] as? Bool, true)
        XCTAssertEqual((mutations[0]["position"] as? [String: Any])?["line"] as? Int, 19)

        let shown = try cops.run(["show-plan", "-o", "table", plan])
        XCTAssertEqual(shown.status, 0, shown.stderr)
        XCTAssertTrue(shown.stdout.contains("target    sandbox 'sandbox'"), shown.stdout)
        XCTAssertTrue(shown.stdout.contains("arguments 'spring-2024'"), shown.stdout)
        XCTAssertTrue(shown.stdout.contains("active -> inactive"), shown.stdout)
        let tableRows = shown.stdout.split(separator: "\n").map(String.init)
        let noOp = try XCTUnwrap(tableRows.first { $0.hasPrefix("4 ") }, shown.stdout)
        XCTAssertTrue(noOp.contains("4727") && noOp.contains("inactive -> inactive"), noOp)
        XCTAssertTrue(noOp.hasSuffix("already so, no-op"), noOp)
        let unknown = try XCTUnwrap(tableRows.first { $0.hasPrefix("6 ") }, shown.stdout)
        XCTAssertTrue(unknown.contains("known after apply  deactivate  as written: deactivate $copy"), unknown)
        XCTAssertTrue(unknown.contains("known after apply -> inactive"), unknown)
        XCTAssertTrue(unknown.hasSuffix("cannot predict"), unknown)
        let clone = try XCTUnwrap(tableRows.first { $0.hasPrefix("5 ") }, shown.stdout)
        XCTAssertTrue(clone.contains("none yet -> a new copy of 20"), clone)
        let shownJSON = try cops.run(["show-plan", plan])
        XCTAssertEqual(
            (try JSONSerialization.jsonObject(with: Data(shownJSON.stdout.utf8)) as? [String: Any])?["id"] as? String, id)

        let applied = try cops.run(["apply", plan])
        XCTAssertEqual(applied.status, 0, applied.stderr)
        XCTAssertEqual(try active([20, 21, 22, 4727]), [20: false, 21: false, 22: false, 4727: false])
        let copies = try cops.run(["-o", "json", "-c", "list inactive tag \"spring-2024\""])
        XCTAssertEqual(copies.stdout.components(separatedBy: "\"spring-2024 relaunch\"").count, 2, copies.stdout)
        let names = journals()
        XCTAssertEqual(names.count, 1)
        let header = try XCTUnwrap(
            JSONSerialization.jsonObject(
                with: Data(try String(contentsOfFile: runs + "/" + names[0], encoding: .utf8).split(separator: "\n")[0].utf8))
                as? [String: Any])
        XCTAssertEqual(header["plan"] as? String, id)

        let again = try cops.run(["apply", plan])
        XCTAssertEqual(again.status, 76)
        XCTAssertEqual(
            again.stderr, "cops: plan '\(plan)' (\(id)) was already applied; a plan is applied once: nothing was sent\n")
        XCTAssertEqual(journals().count, 1, "nothing was sent")
    }

    func testAPlanIsNeverOverwritten() throws {
        let plan = try cops.write("exists.plan", "keep\n")
        let result = try cops.run(["plan", "--out", plan, example])
        XCTAssertEqual(result.status, 76)
        XCTAssertEqual(try String(contentsOfFile: plan, encoding: .utf8), "keep\n")
        XCTAssertEqual(try cops.run(["plan", example]).status, 64, "--out is required")
    }

    func testDriftIsRefusedNamingCampaignAndFieldAndNothingIsSent() throws {
        let plan = path("drift.plan")
        XCTAssertEqual(try cops.run(["plan", "--out", plan, example]).status, 0)
        XCTAssertEqual(try cops.run(["-c", "deactivate 22"]).status, 0, "another client")
        let applied = try cops.run(["apply", plan])
        XCTAssertEqual(applied.status, 75, applied.stderr)
        XCTAssertTrue(applied.stderr.contains("campaign 22: is_active was true, now false"), applied.stderr)
        XCTAssertTrue(applied.stderr.contains("campaign 22: status was \"Active\", now \"Inactive\""), applied.stderr)
        XCTAssertFalse(applied.stderr.contains("campaign 20:"), applied.stderr)
        XCTAssertEqual(try active([20, 21]), [20: true, 21: true])
        XCTAssertEqual(journals().count, 1, "only the other client's run sent anything")
        XCTAssertEqual(try cops.run(["apply", plan]).status, 75, "a refused apply does not use the plan up")
    }

    func testARunThatLeavesThePlanStopsBeforeTheExtraChange() throws {
        let runbook = try cops.write("pause.cops", "deactivate (list active tag \"spring-2024\") abort\nstatus 22\n")
        let plan = path("pause.plan")
        XCTAssertEqual(try cops.run(["plan", "--out", plan, runbook]).status, 0)
        // A campaign the plan never saw joins the tag: no observed field changed.
        let other = try cops.run(["-o", "text", "-c", "let c = clone 22\nactivate $c.id\necho $c.id"])
        XCTAssertEqual(other.status, 0, other.stderr)
        let newID = try XCTUnwrap(
            Int(try XCTUnwrap(other.stdout.split(separator: "\n").last).trimmingCharacters(in: .whitespaces)), other.stdout)
        let applied = try cops.run(["apply", "--concurrency", "1", plan])
        XCTAssertEqual(applied.status, 75, applied.stderr)
        XCTAssertTrue(
            applied.stderr.contains(
                "the run left its plan at \(runbook):1:1: it would send deactivate campaign \(newID) {\"abort\":true}"),
            applied.stderr)
        XCTAssertEqual(try active([newID]), [newID: true], "the divergent change was not sent")
    }

    func testAnotherTargetOrAChangedRunbookIsRefused() throws {
        let runbook = try cops.write("one.cops", "deactivate 22\n")
        let plan = path("one.plan")
        XCTAssertEqual(try cops.run(["plan", "--out", plan, runbook]).status, 0)
        let (server, url) = try cops.serve([])
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        let elsewhere = try cops.run(["apply", "--endpoint", url, plan], environment: ["ALTCRAFT_TOKEN": "sandbox-token"])
        XCTAssertEqual(elsewhere.status, 76)
        XCTAssertTrue(
            elsewhere.stderr.hasPrefix("cops: plan '\(plan)' was made for sandbox 'sandbox', not endpoint '127.0.0.1'"),
            elsewhere.stderr)
        XCTAssertEqual(try active([22], ["--endpoint", url], environment: ["ALTCRAFT_TOKEN": "sandbox-token"]), [22: true])
        try Data("deactivate 22\ndeactivate 21\n".utf8).write(to: URL(fileURLWithPath: runbook))
        let changed = try cops.run(["apply", plan])
        XCTAssertEqual(changed.status, 76)
        XCTAssertEqual(
            changed.stderr,
            "cops: plan '\(plan)' does not match '\(runbook)': its text changed since the plan was made; nothing was sent\n")
        XCTAssertEqual(try active([21, 22]), [21: true, 22: true])
    }

    func testAnExpiredPlanIsRefused() throws {
        let runbook = try cops.write("one.cops", "deactivate 22\n")
        let plan = path("old.plan")
        XCTAssertEqual(try cops.run(["plan", "--out", plan, runbook]).status, 0)
        var file = try json(plan)
        file["expires"] = "2020-01-01T00:00:00.000Z"
        try JSONSerialization.data(withJSONObject: file).write(to: URL(fileURLWithPath: plan))
        let applied = try cops.run(["apply", plan])
        XCTAssertEqual(applied.status, 76)
        XCTAssertEqual(
            applied.stderr,
            "cops: plan '\(plan)' expired at 2020-01-01T00:00:00.000Z; nothing was sent: make a new one with `cops plan`\n")
        XCTAssertEqual(try active([22]), [22: true])
    }

    func testUnreadableAndInvalidPlansAreOneLine() throws {
        let missing = path("missing.plan")
        let unreadable = try cops.run(["show-plan", missing])
        XCTAssertEqual(unreadable.status, 66)
        XCTAssertEqual(unreadable.stderr.filter { $0 == "\n" }.count, 1, unreadable.stderr)
        XCTAssertTrue(unreadable.stderr.hasPrefix("cops: cannot read plan '\(missing)': "), unreadable.stderr)
        let bad = try cops.write("bad.plan", "{\"format\":1}")
        let invalid = try cops.run(["apply", bad])
        XCTAssertEqual(invalid.status, 76)
        XCTAssertEqual(invalid.stderr, "cops: '\(bad)' is not a usable plan: its 'id' field is missing or malformed\n")
        let future = try cops.write("future.plan", "{\"format\":9}")
        XCTAssertEqual(
            try cops.run(["show-plan", future]).stderr,
            "cops: '\(future)' is not a usable plan: format 9 is not one this cops reads (1)\n")
    }

    /// A profile with `require_plan = true` over `cops sandbox serve`: a script sends nothing;
    /// `--yes`, `cops plan` and `cops apply` work; `confirm = true` without a terminal refuses.
    func testRequirePlanRefusesScriptsAndAcceptsAppliedPlansAndYes() throws {
        let (server, url) = try cops.serve([])
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        let config = cops.stateHome.appendingPathComponent("config/cops")
        try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
        try Data(
            """
            [profiles.prod]
            endpoint = "\(url)"
            token_env = "PROD_TOKEN"
            require_plan = true

            [profiles.careful]
            endpoint = "\(url)"
            token_env = "PROD_TOKEN"
            confirm = true

            """.utf8
        ).write(to: config.appendingPathComponent("config.toml"))
        let environment = [
            "XDG_CONFIG_HOME": cops.stateHome.appendingPathComponent("config").path, "PROD_TOKEN": "sandbox-token",
        ]
        let script = try cops.write("stop.cops", "status 21\ndeactivate 22\n")
        let refused = try cops.run(["-p", "prod", script], environment: environment)
        XCTAssertEqual(refused.status, 76, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("requires a reviewed plan (require_plan = true); nothing was sent"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("cops plan --out PLAN FILE"), refused.stderr)
        XCTAssertEqual(try active([22], ["-p", "prod"], environment: environment), [22: true])
        XCTAssertEqual(try cops.run(["-p", "prod", "--dry-run", script], environment: environment).status, 0)

        let plan = path("prod.plan")
        let planned = try cops.run(["plan", "-p", "prod", "--out", plan, script], environment: environment)
        XCTAssertEqual(planned.status, 0, planned.stderr)
        let careful = try cops.run(["apply", "-p", "careful", plan], environment: environment)
        XCTAssertEqual(careful.status, 76, "made for prod")
        let applied = try cops.run(["apply", "-p", "prod", plan], environment: environment)
        XCTAssertEqual(applied.status, 0, applied.stderr)
        XCTAssertEqual(try active([22], ["-p", "prod"], environment: environment), [22: false])

        let yes = try cops.run(["-p", "prod", "--yes", "-c", "deactivate 21"], environment: environment)
        XCTAssertEqual(yes.status, 0, yes.stderr)
        XCTAssertEqual(try active([21], ["-p", "prod"], environment: environment), [21: false])
        let headers = try journals().map { name in
            try XCTUnwrap(
                JSONSerialization.jsonObject(
                    with: Data(try String(contentsOfFile: runs + "/" + name, encoding: .utf8).split(separator: "\n")[0].utf8))
                    as? [String: Any])
        }
        XCTAssertEqual(headers.count, 2)
        XCTAssertEqual(headers.compactMap { $0["yes"] as? Bool }, [true])
        XCTAssertEqual(headers.compactMap { $0["plan"] as? String }.count, 1)

        let carefulPlan = path("careful.plan")
        XCTAssertEqual(try cops.run(["plan", "-p", "careful", "--out", carefulPlan, script], environment: environment).status, 0)
        let unasked = try cops.run(["apply", "-p", "careful", carefulPlan], environment: environment)
        XCTAssertEqual(unasked.status, 76)
        XCTAssertTrue(unasked.stderr.contains("there is no terminal to ask at"), unasked.stderr)
        XCTAssertEqual(try cops.run(["apply", "-p", "careful", "-y", carefulPlan], environment: environment).status, 0)
    }
}
