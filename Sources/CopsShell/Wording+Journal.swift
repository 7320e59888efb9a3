import CampaignScript

/// The sentences of run journals and `cops runs`.
extension Wording {
    /// Why a change was refused: its journal could not be written (so nothing was sent).
    static func journalUnwritable(_ path: String, _ why: String) -> String {
        "cannot write the run journal '\(path)': \(why); the change was not sent"
    }

    /// A change after the session's journal was closed (never expected: the session ends first).
    static let journalEnded = "the run journal is closed; the change was not sent"

    /// The outcome text of an intent written ahead with its statement's whose request never
    /// went out (the statement was cancelled or refused first).
    static let journalNotSent = "the statement ended before this change was sent"

    static func journalBadLine(_ line: Int) -> String { "line \(line) is not a journal entry" }

    static let journalNoHeader = "no header line"

    static let journalCannotOpen = "cannot be read"

    static let runsUsage = "usage: cops runs [-o table|json]\n"

    static let runsHelp = """
        usage: cops runs [-o table|json]

        The recent runs that changed something, newest first, from their journals in \
        $XDG_STATE_HOME/cops/runs (docs/changes.md, "Run journals"): when, target, runbook, \
        outcome (ok, failed, interrupted; died: the run ended without its end line; \
        unreadable, with the reason), how many changes were done of those intended, and how \
        many were sent with no known outcome (unknown: what cops --resume settles by reading, \
        or stops before).

        """

    // MARK: Resume

    /// `--resume` found no journal to resume.
    static func resumeNothingToResume(_ runbook: String, target: String) -> String {
        "cops: --resume: no journal of a run of \(runbook) on \(target) that did not end cleanly; nothing was sent"
    }

    static func resumeEndedCleanly(_ journal: String) -> String {
        "cops: --resume: the run of \(journal) ended cleanly: there is nothing to resume; nothing was sent"
    }

    static func resumeAlreadyResumed(_ journal: String, by later: String) -> String {
        "cops: --resume: \(journal) was already resumed by \(later): resume that one instead; nothing was sent"
    }

    static func resumeDiffers(_ journal: String, _ difference: String) -> String {
        "cops: --resume: cannot resume \(journal): \(difference); nothing was sent"
    }

    static func resumeRunbookChanged(_ runbook: String) -> String {
        "the runbook \(runbook) changed since that run (its SHA-256 differs)"
    }

    static func resumeSourcedChanged(_ file: String) -> String {
        "the sourced file \(file) changed since that run (its SHA-256 differs)"
    }

    static func resumeArgumentsDiffer(was: [String], now: [String]) -> String {
        func shown(_ words: [String]) -> String {
            words.isEmpty ? "none" : words.map(ScriptLiteral.quoted).joined(separator: " ")
        }
        return "the arguments differ (that run: \(shown(was)); this one: \(shown(now)))"
    }

    static func resumeTargetDiffers(was: String, now: String) -> String {
        "the target differs (that run: \(was); this one: \(now))"
    }

    static func resumeCannotRead(_ journal: String, _ why: String) -> String {
        "cops: --resume: the journal \(journal) \(why == journalCannotOpen ? why : "is unreadable: " + why); nothing was sent"
    }

    static func resumeChainBroken(_ journal: String, missing: String) -> String {
        "cops: --resume: \(journal) resumes \(missing), which cannot be read: without it resume cannot know what was "
            + "done; nothing was sent"
    }

    /// The error of the statement resume stopped before (the message after the run says why).
    static let resumeStopped = "not sent: its outcome in the resumed run is unknown (see below)"

    /// Resume stopped before a clone whose outcome is unknown: the campaigns that may be the
    /// copy (nil when they could not be read).
    static func resumeUnknownClone(source: Int64, name: String?, journal: String, matching: [(Int64, String)]?) -> String {
        let asked = name.map { "clone \(source) as \(ScriptLiteral.quoted($0))" } ?? "clone \(source)"
        var text = """
            cops: resume stopped before `\(asked)`: \(journal) records it sent but not whether the copy was made, \
            and a clone is never sent twice. Nothing more was sent.

            """
        let which = name.map { "named \(ScriptLiteral.quoted($0))" } ?? "whose name contains campaign \(source)'s name"
        switch matching {
        case nil:
            text += "Check by hand for campaigns \(which): they could not be read now.\n"
        case let matching? where matching.isEmpty:
            text += "No campaign \(which) exists now: the copy was most likely not made.\n"
        case let matching?:
            text += "Campaigns \(which) now (one of them may be the copy):\n"
            for (id, named) in matching { text += "  \(id)  \(named)\n" }
        }
        text += """
            Then finish the runbook from that statement on by hand (with the copy's ID if it exists); \
            resuming again stops here again.

            """
        return text
    }

    /// Resume stopped before an immediate start (`activate … now`, `launch`) whose outcome is
    /// unknown: the campaign's status and last log entries (nil when they could not be read).
    static func resumeUnknownStart(operation: MutatingOperation, id: Int64, journal: String, status: Value?, log: [Value]?)
        -> String
    {
        let asked =
            switch operation {
            case .launch: "launch \(id)"
            default: "activate \(id) now"
            }
        var text = """
            cops: resume stopped before `\(asked)`: \(journal) records it sent but not whether the campaign started, \
            and a start is never sent twice. Nothing more was sent.
            Check whether campaign \(id) started:

            """
        text += "  status: " + (status.map { JSONLinesFormatter.encode($0) } ?? "could not be read") + "\n"
        if let log {
            text += log.isEmpty ? "  log: no entries\n" : "  last log entries:\n"
            for entry in log { text += "    " + JSONLinesFormatter.encode(entry) + "\n" }
        } else {
            text += "  log: could not be read\n"
        }
        text += """
            Then finish the runbook from that statement on by hand; resuming again stops here again.

            """
        return text
    }
}
