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

    static func unknownProfile(_ name: String, path: String, known: [String]) -> String {
        let list = known.isEmpty ? "no profiles are defined there" : "defined: " + known.joined(separator: ", ")
        return "cops: no profile '\(name)' in \(path) (\(list))\n"
    }

    static func transcriptUnwritable(_ path: String, _ reason: String) -> String {
        "cops: cannot write the transcript '\(path)': \(reason)\n"
    }
}
