import AltcraftWire
import Foundation

/// `cops --resume [RUN] FILE [ARGS…]`: which journal is resumed, whether it may be, and the
/// ledger of its chain (docs/changes.md, "Resume").
///
/// RUN is a journal's file name in the runs directory (as `cops runs` lists it) or a path.
/// Without it, the newest journal in the runs directory of a run of the same runbook path (as
/// written on the command line) on the same target that did not end cleanly and that no
/// other journal resumes. A journal may be resumed when its run died, was interrupted or
/// failed, and when this run has the same runbook text (SHA-256, sourced files included),
/// arguments and target; otherwise the run is refused before anything is sent, naming the
/// difference.
enum RunResumption {
    /// Why a journal cannot be resumed: one line for the operator.
    struct Refusal: Error, Equatable {
        var reason: String
    }

    /// The journal resumed, by absolute path, and what its chain knows.
    struct Prepared {
        var path: String
        var ledger: ResumeLedger
    }

    /// Chooses and checks the journal to resume for a run with `identity` (the new journal's
    /// header fields), and reads its chain.
    static func prepare(
        run: String?, directory: String,
        identity: (runbook: WireValue, arguments: WireValue, target: WireValue)
    ) -> Result<Prepared, Refusal> {
        let runbookPath = identity.runbook["path"]?.stringValue ?? ""
        let targetName = identity.target["name"]?.stringValue ?? ""
        let path: String
        if let run {
            path = absolute(run.contains("/") ? run : directory + "/" + run)
        } else {
            let candidates = RunJournal.journalNames(in: directory).map { directory + "/" + $0 }
            let resumed = resumedPaths(in: directory)
            guard
                let newest = candidates.first(where: { candidate in
                    guard !resumed.contains(candidate), let contents = try? read(candidate).get() else { return false }
                    return contents.header["runbook"]?["path"]?.stringValue == runbookPath
                        && contents.header["target"] == identity.target && contents.end?["outcome"]?.stringValue != "ok"
                })
            else { return .failure(Refusal(reason: Wording.resumeNothingToResume(runbookPath, target: targetName))) }
            path = absolute(newest)
        }
        let contents: RunJournalContents
        switch read(path) {
        case .success(let read): contents = read
        case .failure(let refusal): return .failure(refusal)
        }
        if contents.end?["outcome"]?.stringValue == "ok" { return .failure(Refusal(reason: Wording.resumeEndedCleanly(path))) }
        if let later = resumedBy(path, in: directory) {
            return .failure(Refusal(reason: Wording.resumeAlreadyResumed(path, by: later)))
        }
        if let difference = difference(contents.header, identity) {
            return .failure(Refusal(reason: Wording.resumeDiffers(path, difference)))
        }
        var chain: [(path: String, contents: RunJournalContents)] = [(path, contents)]
        var seen: Set<String> = [path]
        while let earlier = chain[0].contents.header["resumes"]?.stringValue {
            guard !seen.contains(earlier) else { break }
            seen.insert(earlier)
            switch read(earlier) {
            case .success(let read): chain.insert((earlier, read), at: 0)
            case .failure: return .failure(Refusal(reason: Wording.resumeChainBroken(path, missing: earlier)))
            }
        }
        return .success(Prepared(path: path, ledger: ResumeLedger(chain: chain)))
    }

    /// What differs between a journal's header and this run, in words; nil when nothing does.
    static func difference(
        _ header: WireObject, _ identity: (runbook: WireValue, arguments: WireValue, target: WireValue)
    ) -> String? {
        let runbook = header["runbook"]
        if runbook?["sha256"] != identity.runbook["sha256"] {
            return Wording.resumeRunbookChanged(identity.runbook["path"]?.stringValue ?? "")
        }
        let before = runbook?["sourced"]?.arrayValue ?? []
        let now = identity.runbook["sourced"]?.arrayValue ?? []
        for file in now where !before.contains(file) {
            return Wording.resumeSourcedChanged(file["path"]?.stringValue ?? "")
        }
        for file in before where !now.contains(file) {
            return Wording.resumeSourcedChanged(file["path"]?.stringValue ?? "")
        }
        if header["arguments"] != identity.arguments {
            return Wording.resumeArgumentsDiffer(
                was: strings(header["arguments"]), now: strings(identity.arguments))
        }
        if header["target"] != identity.target {
            return Wording.resumeTargetDiffers(
                was: header["target"]?["name"]?.stringValue ?? "?", now: identity.target["name"]?.stringValue ?? "?")
        }
        return nil
    }

    private static func strings(_ value: WireValue?) -> [String] {
        (value?.arrayValue ?? []).compactMap(\.stringValue)
    }

    private static func read(_ path: String) -> Result<RunJournalContents, Refusal> {
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(Refusal(reason: Wording.resumeCannotRead(path, Wording.journalCannotOpen)))
        }
        do throws(RunJournalContents.Unreadable) {
            return .success(try RunJournalContents.parse(Array(data)))
        } catch {
            return .failure(Refusal(reason: Wording.resumeCannotRead(path, error.reason)))
        }
    }

    /// The journals of `directory` that other journals there resume.
    private static func resumedPaths(in directory: String) -> Set<String> {
        Set(RunJournal.journalNames(in: directory).compactMap { header(directory + "/" + $0)?["resumes"]?.stringValue })
    }

    /// The journal of `directory` that resumes `path`, if any.
    private static func resumedBy(_ path: String, in directory: String) -> String? {
        RunJournal.journalNames(in: directory).map { directory + "/" + $0 }.first {
            header($0)?["resumes"]?.stringValue == path
        }
    }

    /// A journal's header line alone (the first line), without reading the rest.
    private static func header(_ path: String) -> WireObject? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var bytes: [UInt8] = []
        while let chunk = try? handle.read(upToCount: 4096), !chunk.isEmpty {
            if let newline = chunk.firstIndex(of: UInt8(ascii: "\n")) {
                bytes += chunk[chunk.startIndex..<newline]
                return (try? JSONWire.decode(bytes))?.objectValue
            }
            bytes += chunk
        }
        return nil
    }

    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }
}
