/// How serious a diagnostic is; any error makes a program not runnable.
public enum Severity: String, Sendable, Equatable {
    /// The program cannot run.
    case error
    /// Suspicious but runnable.
    case warning
    /// Extra information attached to another diagnostic.
    case note
}

/// A problem found in source text: facts only (a kind and ranges); `DiagnosticRenderer` words it.
public struct Diagnostic: Equatable, Sendable {
    /// What went wrong, with its data.
    public var kind: DiagnosticKind
    /// Whether the program can still run.
    public var severity: Severity
    /// The text the problem is about.
    public var range: SourceRange
    /// Supporting facts, each optionally pointing at other text.
    public var notes: [DiagnosticNote]

    /// Creates a diagnostic; the severity defaults to the kind's usual one.
    public init(
        _ kind: DiagnosticKind, at range: SourceRange, severity: Severity? = nil,
        notes: [DiagnosticNote] = []
    ) {
        self.kind = kind
        self.severity = severity ?? kind.defaultSeverity
        self.range = range
        self.notes = notes
    }
}

/// A note attached to a diagnostic.
public struct DiagnosticNote: Equatable, Sendable {
    /// What the note says.
    public var kind: NoteKind
    /// The text the note points at, if any.
    public var range: SourceRange?

    /// Creates a note.
    public init(_ kind: NoteKind, at range: SourceRange? = nil) {
        self.kind = kind
        self.range = range
    }
}
