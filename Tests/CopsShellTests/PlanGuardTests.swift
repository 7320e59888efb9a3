import AltcraftWire
import CampaignScript
import Foundation
import Synchronization
import XCTest

@testable import CopsShell

/// The plan guard's matching (`PlanGuard`), the predictions (`RunPlan.predict`), and the plan
/// commands in process over the embedded sandbox with an injected clock.
final class PlanGuardTests: XCTestCase {
    private let first = StatementPosition(file: "r.cops", line: 1, column: 1)
    private let second = StatementPosition(file: "r.cops", line: 2, column: 1)

    private func mutation(
        _ sequence: Int, _ operation: MutatingOperation, at position: StatementPosition
    ) -> RunPlan.Mutation {
        let fields = WireObject(RunJournal.fields(of: operation))
        return RunPlan.Mutation(
            sequence: sequence, position: position, operation: fields["operation"]!.stringValue!,
            campaign: fields["campaign"]?.intValue, parameters: fields["parameters"]!, request: nil, prediction: .wouldChange,
            current: "", intended: "")
    }

    func testChangesOfOneStatementMatchInAnyOrderAndStatementsInOrder() {
        let verdict = Session.Verdict()
        let planGuard = PlanGuard(
            [
                mutation(1, .deactivate(id: 1, abort: true), at: first), mutation(2, .deactivate(id: 2, abort: true), at: first),
                mutation(3, .delete(id: 9), at: second),
            ], verdict: verdict)
        XCTAssertNil(planGuard.admit(.deactivate(id: 2, abort: true), at: first))
        XCTAssertNil(planGuard.admit(.deactivate(id: 1, abort: true), at: first))
        XCTAssertEqual(planGuard.unsent.map(\.sequence), [3])
        XCTAssertNil(planGuard.admit(.delete(id: 9), at: second))
        XCTAssertTrue(planGuard.unsent.isEmpty)
        XCTAssertNil(verdict.status)
        let extra = planGuard.admit(.delete(id: 10), at: second)
        XCTAssertEqual(
            extra,
            "the run left its plan at r.cops:2:1: it would send delete campaign 10, but the plan expected no more changes; "
                + "nothing more is sent")
        XCTAssertEqual(verdict.status, .drift)
    }

    func testOtherParametersOrAStatementSkippedAheadDiverge() {
        let planGuard = PlanGuard(
            [mutation(1, .deactivate(id: 1, abort: false), at: first), mutation(2, .delete(id: 9), at: second)],
            verdict: Session.Verdict())
        XCTAssertEqual(
            planGuard.admit(.deactivate(id: 1, abort: true), at: first),
            "the run left its plan at r.cops:1:1: it would send deactivate campaign 1 {\"abort\":true}, but the plan expected "
                + "deactivate campaign 1 {\"abort\":false} (planned change 1); nothing more is sent")
        XCTAssertNotNil(planGuard.admit(.deactivate(id: 1, abort: false), at: first), "nothing is sent after a divergence")
        let skipping = PlanGuard(
            [mutation(1, .deactivate(id: 1, abort: false), at: first), mutation(2, .delete(id: 9), at: second)],
            verdict: Session.Verdict())
        XCTAssertNotNil(skipping.admit(.delete(id: 9), at: second), "statement 1's change was not sent first")
    }

    func testAChangeOfACampaignACloneCreatesMatchesOnlyThatCampaign() {
        var unknown = mutation(2, .deactivate(id: 0, abort: false), at: second)
        unknown.campaign = nil
        unknown.parameters = .null
        let planGuard = PlanGuard([mutation(1, .clone(id: 5, name: "x"), at: first), unknown], verdict: Session.Verdict())
        XCTAssertNil(planGuard.admit(.clone(id: 5, name: "x"), at: first))
        planGuard.cloned(900, at: first)
        XCTAssertNotNil(
            PlanGuard([mutation(1, .clone(id: 5, name: "x"), at: first), unknown], verdict: Session.Verdict()).admit(
                .deactivate(id: 901, abort: false), at: second))
        XCTAssertNil(planGuard.admit(.deactivate(id: 900, abort: false), at: second))
        XCTAssertTrue(planGuard.unsent.isEmpty)
        let noID = PlanGuard([mutation(1, .clone(id: 5, name: "x"), at: first), unknown], verdict: Session.Verdict())
        XCTAssertNil(noID.admit(.clone(id: 5, name: "x"), at: first))
        noID.cloned(nil, at: first)
        XCTAssertEqual(
            noID.admit(.deactivate(id: 900, abort: false), at: second),
            "the clone at r.cops:1:1 named no new campaign, which the plan expected; nothing more is sent")
    }

    func testPredictionsFollowTheObservedStateAndEarlierChanges() {
        let observed = [
            RunPlan.Observed(campaign: 1, exists: true, fields: WireObject([("is_active", true), ("status", "Active")])),
            RunPlan.Observed(campaign: 2, exists: true, fields: WireObject([("is_active", false), ("status", "Inactive")])),
            RunPlan.Observed(campaign: 3, exists: false, fields: WireObject()),
            RunPlan.Observed(campaign: 4, exists: true, fields: WireObject([("is_active", false), ("status", "Stopping")])),
        ]
        let planned = [
            mutation(1, .deactivate(id: 1, abort: false), at: first), mutation(2, .deactivate(id: 1, abort: false), at: second),
            mutation(3, .deactivate(id: 2, abort: false), at: first),
            mutation(4, .activate(id: 1, now: false, audience: nil, limit: nil), at: first),
            mutation(5, .delete(id: 3), at: first), mutation(6, .deactivate(id: 3, abort: false), at: first),
            mutation(7, .deactivate(id: 4, abort: true), at: first), mutation(8, .deactivate(id: 4, abort: false), at: first),
        ]
        let predicted = RunPlan.predict(planned, observed: observed)
        XCTAssertEqual(
            predicted.map(\.prediction),
            [.wouldChange, .noOp, .noOp, .wouldChange, .noOp, .cannotPredict, .wouldChange, .noOp])
        XCTAssertEqual(predicted[0].current + " -> " + predicted[0].intended, "active -> inactive")
        XCTAssertEqual(predicted[3].current, "inactive", "after the planned deactivate")
    }

    /// Of applies racing for one plan, exactly one claims it (an `O_EXCL` marker, 0600).
    func testAPlanIsClaimedByExactlyOneApply() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cops-claim-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let marker = directory + "/plans/0123456789abcdef0123456789abcdef.applied"
        let claimed = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 16) { _ in
            if PlanCommand.claim(marker, directory: directory + "/plans") == .claimed { claimed.withLock { $0 += 1 } }
        }
        XCTAssertEqual(claimed.withLock { $0 }, 1)
        XCTAssertEqual(PlanCommand.claim(marker, directory: directory + "/plans"), .taken)
        let attributes = try FileManager.default.attributesOfItem(atPath: marker)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
    }

    /// The clock is injected: a plan applied 25 hours after it was made is refused, nothing sent.
    func testAPlanExpiresAfterADay() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cops-plan-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let messages = Messages()
        let environment = ScriptRunner.Environment(
            variables: ["XDG_STATE_HOME": directory, "XDG_CONFIG_HOME": directory, "HOME": directory],
            sink: OutputSink(result: { _ in }, message: { text in messages.lines.withLock { $0.append(text) } }),
            stdoutIsTerminal: false, readStandardInput: { [] })
        let runbook = directory + "/r.cops"
        try Data("deactivate 22\n".utf8).write(to: URL(fileURLWithPath: runbook))
        let made = Date(timeIntervalSince1970: 1_800_000_000)
        let plan = directory + "/r.plan"
        let planned = await PlanCommand.plan(["--out", plan, runbook], environment: environment, now: made)
        XCTAssertEqual(planned, .success, messages.lines.withLock { $0 }.joined())
        let late = await PlanCommand.apply(
            [plan], environment: environment, now: made.addingTimeInterval(25 * 3600), askAtTerminal: { _ in nil })
        XCTAssertEqual(late, .refused)
        XCTAssertEqual(
            messages.lines.withLock { $0 }.last,
            "cops: plan '\(plan)' expired at 2027-01-16T08:00:00.000Z; nothing was sent: make a new one with `cops plan`\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/cops/runs"), "nothing was sent")
        let inTime = await PlanCommand.apply(
            [plan], environment: environment, now: made.addingTimeInterval(23 * 3600), askAtTerminal: { _ in nil })
        XCTAssertEqual(inTime, .success, messages.lines.withLock { $0 }.joined())
    }
}

/// What a run in process wrote to stderr.
private final class Messages: Sendable {
    let lines = Mutex<[String]>([])
}
