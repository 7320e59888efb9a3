import CampaignScript
import LineEditor

/// Tab completion at the prompt, from the same grammar table the parser and checker use, and
/// from what the session already knows. It never sends a request: completing must be instant
/// and must not touch a production account.
public struct CompletionEngine {
    /// `$variables` defined so far.
    public var variables: [String]
    /// Campaign IDs with names from answers already received.
    public var campaigns: [(id: Int64, name: String)]
    /// Profile names for `\profile`.
    public var profiles: [String]
    /// Where the text is: the prompt is offered no `param`, which only a runbook declares.
    public var origin: TextOrigin

    public init(
        variables: [String] = [], campaigns: [(id: Int64, name: String)] = [], profiles: [String] = [],
        origin: TextOrigin = .prompt
    ) {
        self.variables = variables
        self.campaigns = campaigns
        self.profiles = profiles
        self.origin = origin
    }

    /// Completions of the word before the cursor, given the entry's text up to the cursor.
    public func complete(_ beforeCursor: String) -> CompletionResult {
        // Only the statement under the cursor matters: the text after the last separator.
        let separators: Set<Character> = [";", "{", "}", "(", "\n"]
        let statement =
            beforeCursor.split(omittingEmptySubsequences: false, whereSeparator: { separators.contains($0) }).last
            .map(String.init) ?? ""
        var words = statement.split(omittingEmptySubsequences: false, whereSeparator: { $0 == " " || $0 == "\t" }).map(
            String.init)
        words.removeAll { $0.isEmpty }
        let endsWithSpace = statement.last.map { $0 == " " || $0 == "\t" } ?? true
        let current = endsWithSpace ? "" : (words.popLast() ?? "")
        let candidates = self.candidates(before: words, current: current)
        return CompletionResult(word: current, candidates: candidates.filter { $0.text.hasPrefix(current) })
    }

    private func candidates(before words: [String], current: String) -> [Completion] {
        if current.hasPrefix("$") {
            return variables.sorted().map { Completion("$" + $0) }
        }
        guard let first = words.first else {
            if current.hasPrefix("\\") { return PromptCommand.names.map { Completion($0) } }
            return unique(origin.statementWords).map { Completion($0) }
        }
        if first.hasPrefix("\\") {
            return first == "\\profile" && words.count == 1 ? profiles.map { Completion($0) } : []
        }
        switch first {
        case "help":
            return words.count == 1 ? unique(GrammarTable.helpTopics).map { Completion($0) } : []
        case "set":
            if words.count == 1 { return GrammarTable.settings.map { Completion($0.name) } }
            if words.count == 2, let setting = GrammarTable.setting(named: words[1]), case .choices(let choices) = setting.values
            {
                return choices.map { Completion($0) }
            }
            return []
        case "wait":
            if words.last == "until" { return GrammarTable.waitStates.map { Completion($0) } }
            if words.count >= 2, !words.contains("until") { return [Completion("until")] + campaignIDs() }
            if words.contains("until") { return ["timeout", "every"].filter { !words.contains($0) }.map { Completion($0) } }
            return campaignIDs()
        case "for":
            if words.count == 2 { return [Completion("in")] }
            if words.count >= 3 { return unique(GrammarTable.verbs.map(\.name)).map { Completion($0) } + campaignIDs() }
            return []
        case "let":
            if words.count >= 3, words[2] == "=" || words.last == "=" {
                return GrammarTable.verbs.map { Completion($0.name) }
            }
            return []
        case "if", "elif", "assert", "echo", "try":
            return words.count == 1 && first == "try" ? unique(origin.statementWords).map { Completion($0) } : []
        default:
            break
        }
        guard let spec = GrammarTable.verb(named: first) else { return [] }
        let previous = words.last ?? first
        // The value of the option just written.
        if let option = GrammarTable.option(named: previous), spec.options.contains(option.key) {
            switch option.shape {
            case .flag: break
            case .choice(let choices): return choices.map { Completion($0) }
            case .audience: return ["list", "segment"].map { Completion($0) }
            default: return []
            }
        }
        var result: [Completion] = []
        if spec.argument != .none, words.count == 1 { return campaignIDs() }
        if spec.argument == .targetSet, previous.hasSuffix(",") { return campaignIDs() }
        if words.count > 1 || spec.argument == .none {
            let used = Set(words.dropFirst())
            result += spec.options.filter { !used.contains($0.rawValue) || GrammarTable.spec(for: $0).repeatable }.map {
                Completion($0.rawValue)
            }
        }
        return result
    }

    private func campaignIDs() -> [Completion] {
        campaigns.map { Completion(String($0.id), display: "\($0.id) (\($0.name))") }
    }

    private func unique(_ words: [String]) -> [String] {
        var seen = Set<String>()
        return words.filter { seen.insert($0).inserted }
    }
}
