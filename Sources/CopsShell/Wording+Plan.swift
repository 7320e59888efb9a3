import CampaignScript
import Foundation

/// The sentences of `cops plan`, `cops show-plan`, `cops apply` and `require_plan`.
extension Wording {
    static let planUsage = "usage: cops plan [target options] --out PLAN FILE [ARGS...]\n"
    static let showPlanUsage = "usage: cops show-plan PLAN [-o table|json]\n"
    static let applyUsage = "usage: cops apply [target options] [-y] PLAN\n"

    static let planHelp = """
        usage: cops plan [target options] --out PLAN FILE [ARGS...]

        Runs FILE as a dry run (nothing that changes anything is sent) and writes PLAN, a new \
        file: the campaigns the run read or would change as they are now, and every change in \
        order with what it would do. Review it with `cops show-plan PLAN`; `cops apply PLAN` \
        sends exactly those changes, or nothing (docs/changes.md, "Plans").

        """

    static let applyHelp = """
        usage: cops apply [target options] [-y] PLAN

        Applies a plan made by `cops plan`: refused (76) when it expired, was applied before, \
        was made for another target or the runbook changed; refused (75) when a campaign it \
        observed changed since; otherwise runs the runbook, sending only the planned changes, \
        in order, and stops (75) before anything else (docs/changes.md, "Plans").

        """

    static let planSendsNothing = "cops plan sends no change: the runbook turned dry-run off; nothing was sent"

    static func planRequired(target: String) -> String {
        "profile '\(target)' requires a reviewed plan (require_plan = true); nothing was sent. Make one with "
            + "`cops plan --out PLAN FILE [ARGS...]`, have it reviewed with `cops show-plan PLAN`, then run "
            + "`cops apply PLAN` (or pass --yes to run unreviewed)"
    }

    static func planExists(_ path: String) -> String {
        "cops: plan file '\(path)' exists; a plan is never overwritten: choose a new file\n"
    }

    static func planUnwritable(_ path: String, _ why: String) -> String { "cops: cannot write plan '\(path)': \(why)\n" }

    static func planNotWritten(_ path: String) -> String { "cops: the dry run failed; no plan was written to '\(path)'\n" }

    static func planWritten(_ path: String, id: String, counts: [(RunPlan.Prediction, Int)], expires: String) -> String {
        let total = counts.reduce(0) { $0 + $1.1 }
        let parts = counts.filter { $0.1 > 0 }.map { "\($0.1) \($0.0.rawValue)" }.joined(separator: ", ")
        return "cops: plan \(id) written to '\(path)': \(total) change\(total == 1 ? "" : "s")"
            + (parts.isEmpty ? "" : " (\(parts))")
            + "; review it with `cops show-plan \(path)`, apply it with `cops apply \(path)` before \(expires)\n"
    }

    static func planUnreadable(_ path: String, _ why: String) -> String { "cops: cannot read plan '\(path)': \(why)\n" }

    static func planInvalid(_ path: String, _ reason: String) -> String { "cops: '\(path)' is not a usable plan: \(reason)\n" }

    static let planNotJSON = "not a JSON object"

    static func planMissingField(_ name: String) -> String { "its '\(name)' field is missing or malformed" }

    static func planUnknownFormat(_ format: Int64) -> String {
        "format \(format) is not one this cops reads (\(RunPlan.formatVersion))"
    }

    static func planExpired(_ path: String, expires: String) -> String {
        "cops: plan '\(path)' expired at \(expires); nothing was sent: make a new one with `cops plan`\n"
    }

    static func planAlreadyApplied(_ path: String, id: String) -> String {
        "cops: plan '\(path)' (\(id)) was already applied; a plan is applied once: nothing was sent\n"
    }

    static func planOtherTarget(_ path: String, planned: String, actual: String) -> String {
        "cops: plan '\(path)' was made for \(planned), not \(actual); nothing was sent\n"
    }

    static func planRunbookChanged(_ path: String, file: String, why: String) -> String {
        "cops: plan '\(path)' does not match '\(file)': \(why); nothing was sent\n"
    }

    static let planTextChanged = "its text changed since the plan was made"

    static func planDrifted(_ path: String, changes: [String]) -> String {
        "cops: the account changed since plan '\(path)' was made; nothing was sent:\n"
            + changes.map { "  " + $0 + "\n" }.joined()
    }

    static func planFieldDrifted(campaign: Int64, field: String, was: String, now: String) -> String {
        "campaign \(campaign): \(field) was \(was), now \(now)"
    }

    static func planDiverged(at position: StatementPosition?, sending: String, expected: String?) -> String {
        let place = position.map { "\($0.file):\($0.line):\($0.column)" } ?? "a statement"
        return "the run left its plan at \(place): it would send \(sending), but the plan expected "
            + (expected ?? "no more changes") + "; nothing more is sent"
    }

    static func planCloneWithoutID(at position: StatementPosition?) -> String {
        let place = position.map { "\($0.file):\($0.line):\($0.column)" } ?? "a statement"
        return "the clone at \(place) named no new campaign, which the plan expected; nothing more is sent"
    }

    static func planUnsent(_ descriptions: [String]) -> String {
        "cops: the run ended before \(descriptions.count) planned change\(descriptions.count == 1 ? "" : "s"):\n"
            + descriptions.map { "  " + $0 + "\n" }.joined()
    }

    static func planConfirmQuestion(changes: Int, target: String) -> String {
        "Apply \(changes) planned change\(changes == 1 ? "" : "s") to '\(target)'? [y/N] "
    }

    static func planNotConfirmed(_ target: String) -> String {
        "cops: not confirmed; nothing was sent to '\(target)'\n"
    }

    static func planCannotAsk(_ target: String) -> String {
        "cops: profile '\(target)' confirms every change (confirm = true) and there is no terminal to ask at; "
            + "nothing was sent: pass -y to apply the reviewed plan\n"
    }

    static func planReadFailed(_ id: Int64, _ why: String) -> String { "cops: cannot read campaign \(id): \(why)\n" }

    static let planKnownAfterApply = "known after apply"
    static let planMissing = "missing"
    static let planWouldFailMissing = "fails: not found"
    static func planNewCampaign(copyOf source: Int64?) -> String {
        source.map { "a new copy of \($0)" } ?? "a new copy"
    }
    static let planNoCampaignYet = "none yet"

    /// The parameters column of a change known after apply: its statement as written.
    static func planAsWritten(_ statement: String) -> String { "as written: " + statement }
    static let planRunStarted = "run started"
    static let planUnread = "not read"
}
