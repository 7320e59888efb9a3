import CampaignScript

/// The sentences of the interactive prompt and of choosing a target.
extension Wording {
    static let promptGreeting = "cops \(CopsVersion.current): 'help' lists statements, Tab completes, Ctrl-D leaves.\n"

    static let promptIncompleteDropped = "cops: the unfinished statement was dropped\n"

    static func typeAheadDropped(bytes: Int) -> String {
        "cops: \(bytes) byte\(bytes == 1 ? "" : "s") of pasted or typed-ahead input dropped; it cannot answer this question\n"
    }

    static func confirmQuestion(_ request: ConfirmationRequest, target: String) -> String {
        let count = request.ids.count
        let shown = request.ids.prefix(10).map(String.init).joined(separator: ", ") + (count > 10 ? ", …" : "")
        let what = count == 1 ? "campaign \(shown)" : "\(count) campaigns (\(shown))"
        return "\(request.op) \(what) on \(target)? [y/N] "
    }

    static func profileUsage(current: String, known: [String]) -> String {
        "cops: on \(current); switch with \\profile NAME (\(known.joined(separator: ", ")))\n"
    }

    static func profileSwitched(_ label: String) -> String { "cops: now on \(label)\n" }

    static func unknownPromptCommand(_ word: String) -> String {
        "cops: unknown prompt command '\(word)'; known: " + PromptCommand.names.joined(separator: ", ") + "\n"
    }

    static let saveUsage = "cops: \\save FILE writes the statements of this session that succeeded as a runbook\n"

    static let nothingToSave = "cops: nothing to save: no statement has succeeded in this session yet\n"

    static func saveRefused(_ path: String) -> String {
        "cops: '\(path)' exists; \\save does not overwrite a file (choose another name)\n"
    }

    static func saveFailed(_ path: String, _ reason: String) -> String { "cops: cannot write '\(path)': \(reason)\n" }

    static func saved(_ count: Int, to path: String) -> String {
        "cops: saved \(count) statement\(count == 1 ? "" : "s") to \(path); review it, then: cops --dry-run \(path)\n"
    }

    /// The comment lines a saved session starts with.
    static func savedRunbookHeader(target: String, at time: String) -> [String] {
        [
            "# A cops prompt session on \(target), saved at \(time).",
            "# The statements that succeeded, in order; each comment says when it ran.",
            "# Review it, then: cops --dry-run FILE, and cops FILE.",
        ]
    }

    static func savedStatementOutcome(at time: String) -> String { "# ok at \(time)" }

    static func savedTargetSwitch(_ label: String, at time: String) -> String {
        "# \\profile \(label) at \(time): what follows ran on \(label)"
    }

    static func unknownProfile(_ name: String, path: String, known: [String]) -> String {
        let list = known.isEmpty ? "no profiles are defined there" : "defined: " + known.joined(separator: ", ")
        return "cops: no profile '\(name)' in \(path) (\(list))\n"
    }

    static func transcriptUnwritable(_ path: String, _ reason: String) -> String {
        "cops: cannot write the transcript '\(path)': \(reason)\n"
    }
}
