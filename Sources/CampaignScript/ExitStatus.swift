/// The exit status of a run (docs/language.md, "Exit status"): the named statuses scripts rely on, or the
/// code an `exit N` statement gives.
public struct ExitStatus: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The process exit code, 0–255.
    public var rawValue: Int32

    /// Wraps an exit code.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// Every statement succeeded.
    public static let success = ExitStatus(rawValue: 0)
    /// A statement failed at run time: an API error, a failed assertion, a wait timeout, a
    /// partial bulk failure.
    public static let failure = ExitStatus(rawValue: 1)
    /// Bad command-line usage.
    public static let usage = ExitStatus(rawValue: 64)
    /// The script has syntax or semantic errors; nothing was sent.
    public static let invalidScript = ExitStatus(rawValue: 65)
    /// The script file cannot be read.
    public static let unreadableScript = ExitStatus(rawValue: 66)
    /// The API could not be reached (after retries).
    public static let unreachable = ExitStatus(rawValue: 69)
    /// The API refused the token (401/403).
    public static let authentication = ExitStatus(rawValue: 77)
    /// The account is not in the state the run relied on: a plan's campaigns changed since it
    /// was made, a run left its plan, or a resumed change's outcome cannot be known. Nothing
    /// more was sent (docs/changes.md).
    public static let drift = ExitStatus(rawValue: 75)
    /// A plan or journal that cannot be used (already applied, expired, made for another
    /// target or runbook text, a run that ended cleanly), or a change on a `require_plan`
    /// target outside `cops apply`; nothing was sent (docs/changes.md).
    public static let refused = ExitStatus(rawValue: 76)
    /// Bad configuration (profile, config file).
    public static let configuration = ExitStatus(rawValue: 78)
    /// Interrupted (Ctrl-C).
    public static let interrupted = ExitStatus(rawValue: 130)

    /// The named statuses of the table, in its order.
    public static let table: [ExitStatus] = [
        .success, .failure, .usage, .invalidScript, .unreadableScript, .unreachable, .drift, .refused, .authentication,
        .configuration, .interrupted,
    ]

    /// The status a failed operation of this kind ends a script with.
    public init(for error: OperationError.Kind) {
        switch error {
        case .authentication: self = .authentication
        case .unreachable, .tls, .serverError: self = .unreachable
        case .cancelled: self = .interrupted
        case .notFound, .api, .other: self = .failure
        case .invalid: self = .invalidScript
        }
    }

    /// The code as a number.
    public var description: String { String(rawValue) }
}
