import AltcraftWire
import CampaignScript
import Foundation

/// `cops runs [-o table|json]`: the recent runs that changed something, newest first, read
/// from their journals (`RunJournal`): when, target, runbook, outcome (ok, failed, interrupted,
/// died: no end line, or unreadable with the reason), how many changes were done of those
/// intended, and how many have an unknown outcome. Always exit 0: an unreadable journal is a row, never a failure. Only such a row
/// has a `reason`; a table shows the column only when there is one.
public enum RunsCommand {
    /// Runs `cops runs` with the arguments after `runs`.
    public static func run(_ arguments: [String], environment: ScriptRunner.Environment = .process) -> ExitStatus {
        var output: OutputFormat = environment.stdoutIsTerminal ? .table : .json
        switch arguments {
        case []: break
        case ["-o", "table"], ["--output", "table"], ["--output=table"]: output = .table
        case ["-o", "json"], ["--output", "json"], ["--output=json"]: output = .json
        case ["-h"], ["--help"]:
            environment.sink.result(Wording.runsHelp)
            return .success
        default:
            environment.sink.message(Wording.runsUsage)
            return .usage
        }
        let block = self.block(directory: RunJournal.directory(environment: environment.variables))
        let formatter: any ResultFormatter = output == .table ? TableFormatter() : JSONLinesFormatter()
        environment.sink.result(formatter.format(block))
        return .success
    }

    /// One row per journal of `directory`, newest first.
    static func block(directory: String) -> ResultBlock {
        let rows = RunJournal.journalNames(in: directory).map { name in
            ResultRow(row(name: name, bytes: FileManager.default.contents(atPath: directory + "/" + name).map(Array.init)))
        }
        return ResultBlock(op: "runs", layout: .rows, rows: rows)
    }

    /// The row of one journal: `bytes` nil when it cannot be read at all.
    static func row(name: String, bytes: [UInt8]?) -> Record {
        let contents: RunJournalContents
        do throws(RunJournalContents.Unreadable) {
            guard let bytes else { throw RunJournalContents.Unreadable(reason: Wording.journalCannotOpen) }
            contents = try RunJournalContents.parse(bytes)
        } catch {
            return Record([
                ("journal", .string(name)), ("started", .null), ("target", .null), ("runbook", .null),
                ("outcome", .string("unreadable")), ("done", .null), ("intended", .null), ("unknown", .null),
                ("reason", .string(error.reason)),
            ])
        }
        let header = contents.header
        let done = contents.outcomes.filter { $0["result"]?.stringValue == "done" }.count
        // Unknown: sent, and no outcome says done or failed (the run died, or the change may
        // have been applied): what `--resume` settles by reading or stops before.
        let settled = Set(
            contents.outcomes.filter { ["done", "failed"].contains($0["result"]?.stringValue) }.compactMap { $0["seq"]?.intValue }
        )
        let unknown = contents.intents.filter { !settled.contains($0["seq"]?.intValue ?? -1) }.count
        return Record([
            ("journal", .string(name)), ("started", text(header["started"])),
            ("target", text(header["target"]?["name"])), ("runbook", text(header["runbook"]?["path"])),
            ("outcome", .string(contents.end?["outcome"]?.stringValue ?? "died")), ("done", .int(Int64(done))),
            ("intended", .int(Int64(contents.intents.count))), ("unknown", .int(Int64(unknown))),
        ])
    }

    private static func text(_ value: WireValue?) -> Value {
        value?.stringValue.map(Value.string) ?? .null
    }
}
