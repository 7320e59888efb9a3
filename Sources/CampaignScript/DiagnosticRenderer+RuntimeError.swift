/// Run-time errors and warnings, worded and rendered in the same place and shape as diagnostics.
extension DiagnosticRenderer {
    /// `file:line:col: error: message`, the source line with a caret, then notes.
    public func render(_ error: RuntimeError) -> String {
        var output = header(file: error.file, range: error.range, severity: .error, message: Self.message(for: error.kind))
        output += snippet(error.range, in: error.file)
        if let heading = error.file.heading(over: error.range.start.line) {
            output += paint("note:", .cyan, bold: true) + " " + Self.underHeading(heading.text) + "\n"
        }
        for note in Self.notes(for: error.kind) {
            output += paint("note:", .cyan, bold: true) + " " + note + "\n"
        }
        return output
    }

    /// A warning at a statement: `file:line:col: warning: message` and the source line.
    public func renderWarning(_ message: String, at range: SourceRange, in file: SourceFile) -> String {
        header(file: file, range: range, severity: .warning, message: message) + snippet(range, in: file)
    }

    /// Where in a Markdown runbook a statement failed: the heading it sits under, as written.
    public static func underHeading(_ heading: String) -> String {
        "under the heading \"\(heading)\""
    }

    /// "a record", "an integer".
    static func withArticle(_ noun: String) -> String {
        ("aeiou".contains(noun.first ?? "x") ? "an " : "a ") + noun
    }

    private static func ids(_ ids: [Int64], limit: Int = 20) -> String {
        let shown = ids.prefix(limit).map(String.init).joined(separator: ", ")
        return ids.count > limit ? shown + " and \(ids.count - limit) more" : shown
    }

    /// The English for a run-time error: lowercase, no trailing period.
    public static func message(for kind: RuntimeErrorKind) -> String {
        switch kind {
        case .operationFailed(let op, let id, let error):
            return "\(op)\(id.map { " \($0)" } ?? ""): \(error.text)"
        case .bulkFailed(let op, let total, let failures):
            if failures.count == 1, total == 1 { return "\(op) \(failures[0].id): \(failures[0].text)" }
            return "\(op): \(failures.count) of \(total) failed (\(ids(failures.map(\.id))))"
        case .notConfirmed(let op, let count):
            return "\(op): not confirmed; nothing was sent for \(count == 1 ? "the campaign" : "the \(count) campaigns")"
        case .cancelled(let op, let done, let notDone, let inFlight):
            if done.isEmpty, notDone.isEmpty, inFlight.isEmpty { return "\(op): cancelled" }
            let unsure = inFlight.isEmpty ? "" : "; abandoned in flight, may have been applied: \(ids(inFlight))"
            return
                "\(op): cancelled; done: \(done.isEmpty ? "none" : ids(done)); not done: \(notDone.isEmpty ? "none" : ids(notDone))"
                + unsure
        case .assertionFailed(let message, let comparison):
            var text = "assertion failed"
            if let message { text += ": \(message)" }
            if let comparison { text += " (\(comparison))" }
            return text
        case .waitTimedOut(let state, let timeout, let pending):
            return "wait: timed out after \(Value.durationText(timeout)); not \(state): \(ids(pending.map(\.id)))"
        case .waitUnknownIDs(let state, let list):
            return "wait until \(state): no campaign \(ids(list)) (only 'until deleted' waits for campaigns that do not exist)"
        case .notACampaignID(let value):
            return "\(value) is not a campaign ID"
        case .invalidCampaignID(let id):
            return "campaign ID must be at least 1, not \(id)"
        case .invalidTimestamp(let text):
            return message(for: DiagnosticKind.invalidTimestamp(text))
        case .singleIDExpected(let verb, let count):
            return "'\(verb)' takes a single campaign ID, got \(count)"
        case .noSuchField(let name, let type, let available):
            // Every field: a record has a few dozen at most, and the one wanted may be last.
            let known = available.isEmpty ? "" : "; it has \(available.map { "'\($0)'" }.joined(separator: ", "))"
            return "\(type) has no field '\(name)'\(known)"
        case .indexOutOfRange(let index, let count):
            return "index \(index) is outside the list of \(count) item\(count == 1 ? "" : "s")"
        case .notIndexable(let type, let indexType):
            return "cannot index \(Self.withArticle(type)) with \(Self.withArticle(indexType))"
        case .cannotCompare(let op, let left, let right):
            return "cannot compare \(left) \(op) \(right)"
        case .notIterable(let type):
            return "cannot loop over a \(type)"
        case .sourceUnreadable(let path, let why):
            return cannotRead(path, why)
        case .sourceCycle(let path, _):
            return alreadySourced(path)
        case .sourceInvalid(let path, let errors):
            return "'\(path)' has \(errors) error\(errors == 1 ? "" : "s"); nothing in it ran"
        }
    }

    /// Extra lines under a run-time error.
    public static func notes(for kind: RuntimeErrorKind) -> [String] {
        switch kind {
        case .bulkFailed(_, let total, let failures) where !(failures.count == 1 && total == 1):
            var notes = failures.prefix(10).map { "\($0.id): \($0.text)" }
            if failures.count > 10 { notes.append("and \(failures.count - 10) more") }
            notes.append("$failed holds the failed IDs, e.g. 'deactivate $failed' retries them")
            return notes
        case .waitTimedOut(_, _, let pending):
            var notes = pending.prefix(10).map { "\($0.id): \($0.text)" }
            if pending.count > 10 { notes.append("and \(pending.count - 10) more") }
            return notes
        case .sourceCycle(_, let chain):
            return [sourcedBy(chain)]
        default:
            return []
        }
    }

    /// The warning `try` prints for a failure it absorbed.
    public static func triedMessage(for kind: RuntimeErrorKind) -> String {
        message(for: kind) + " (continuing: 'try')"
    }

    /// The warning of a per-ID statement whose target set was empty (`deactivate (list tag "typo")`).
    public static func nothingMatchedMessage(op: String) -> String {
        "\(op): no campaigns matched"
    }

    /// The warning a dry run prints for a statement it skips.
    public static func dryRunMessage(_ fact: DryRunFact) -> String {
        switch fact {
        case .unknownID(let op):
            return "dry run: '\(op)' not planned: its campaign ID comes from a planned statement"
        case .assertionWouldFail(let kind):
            return "dry run: \(message(for: kind)); a real run would stop here"
        case .waitWouldPoll(let state, let pending):
            return "dry run: not waiting; not \(state) yet: \(ids(pending))"
        }
    }
}

/// Things a dry run tells the operator instead of doing.
public enum DryRunFact: Sendable, Equatable {
    /// A statement whose target is the unknown ID of a planned clone.
    case unknownID(op: String)
    /// An assertion that is false against live state.
    case assertionWouldFail(RuntimeErrorKind)
    /// A wait whose IDs are not in the state yet (they would be after the planned requests).
    case waitWouldPoll(state: String, pending: [Int64])
}
