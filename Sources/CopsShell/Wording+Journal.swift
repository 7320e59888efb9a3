/// The sentences of run journals and `cops runs`.
extension Wording {
    /// Why a change was refused: its journal could not be written (so nothing was sent).
    static func journalUnwritable(_ path: String, _ why: String) -> String {
        "cannot write the run journal '\(path)': \(why); the change was not sent"
    }

    /// A change after the session's journal was closed (never expected: the session ends first).
    static let journalEnded = "the run journal is closed; the change was not sent"

    static func journalBadLine(_ line: Int) -> String { "line \(line) is not a journal entry" }

    static let journalNoHeader = "no header line"

    static let journalCannotOpen = "cannot be read"

    static let runsUsage = "usage: cops runs [-o table|json]\n"

    static let runsHelp = """
        usage: cops runs [-o table|json]

        The recent runs that changed something, newest first, from their journals in \
        $XDG_STATE_HOME/cops/runs (docs/changes.md, "Run journals"): when, target, runbook, \
        outcome (ok, failed, interrupted; died: the run ended without its end line; \
        unreadable, with the reason) and how many changes were done of those intended.

        """
}
