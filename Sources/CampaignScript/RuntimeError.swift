/// A statement that failed while running: what happened (facts only), where, and the exit
/// status it gives. `DiagnosticRenderer` words it.
public struct RuntimeError: Error, Sendable {
    /// What went wrong.
    public var kind: RuntimeErrorKind
    /// The statement (or the part of it) that failed.
    public var range: SourceRange
    /// The file the statement is in.
    public var file: SourceFile
    /// The exit status a script ends with because of it.
    public var status: ExitStatus

    /// Creates an error.
    public init(_ kind: RuntimeErrorKind, at range: SourceRange, in file: SourceFile, status: ExitStatus = .failure) {
        self.kind = kind
        self.range = range
        self.file = file
        self.status = status
    }
}

/// Every way a statement can fail at run time.
public enum RuntimeErrorKind: Sendable, Equatable {
    /// One operation on one campaign (or a list) failed: `deactivate 15: API error 401 (…)`.
    case operationFailed(op: String, id: Int64?, error: OperationError)
    /// Some IDs of a bulk operation failed; `failures` holds each failed ID with its error.
    case bulkFailed(op: String, total: Int, failures: [BulkFailure])
    /// A statement was cancelled; a bulk one names what was done and what was not.
    /// `inFlight`: changes whose request was abandoned mid-way (a second Ctrl-C): the server
    /// may or may not have carried them out.
    case cancelled(op: String, done: [Int64], notDone: [Int64], inFlight: [Int64] = [])
    /// `assert` found its condition false.
    case assertionFailed(message: String?, comparison: String?)
    /// `wait` ran out of time; `pending` are the IDs that did not get there, with their last status.
    case waitTimedOut(state: String, timeoutMilliseconds: Int64, pending: [BulkFailure])
    /// `wait` was given IDs that do not exist (only `until deleted` accepts those).
    case waitUnknownIDs(state: String, ids: [Int64])
    /// A value used as a campaign ID is not one.
    case notACampaignID(value: String)
    /// `log … since "$t"` where `$t` holds no time (a constant one is the checker's error).
    case invalidTimestamp(String)
    /// A value used as a campaign ID is below 1.
    case invalidCampaignID(Int64)
    /// A verb that takes one campaign got several.
    case singleIDExpected(verb: String, count: Int)
    /// `.field` of a value that has no such field.
    case noSuchField(name: String, type: String, available: [String])
    /// `[i]` outside the list.
    case indexOutOfRange(index: Int64, count: Int)
    /// `[i]` of something that is not a list, or with an index that is not an integer.
    case notIndexable(type: String, indexType: String)
    /// Two values that the operator cannot compare.
    case cannotCompare(op: String, left: String, right: String)
    /// `for` over a value that holds nothing to iterate.
    case notIterable(type: String)
    /// `source` of a file that cannot be read.
    case sourceUnreadable(path: String, why: String)
    /// `source` of a file that is already being sourced.
    case sourceCycle(path: String, chain: [String])
    /// `source` of a file with errors (they are printed before this).
    case sourceInvalid(path: String, errors: Int)
    /// The person at the prompt answered no (or nothing) to a confirmation; nothing was sent.
    case notConfirmed(op: String, count: Int)
}

/// One failed ID of a bulk operation (or one ID a `wait` gave up on) and why.
public struct BulkFailure: Sendable, Equatable {
    /// The campaign.
    public var id: Int64
    /// What went wrong, or the last state seen.
    public var text: String

    /// Creates a failure.
    public init(id: Int64, text: String) {
        self.id = id
        self.text = text
    }
}
