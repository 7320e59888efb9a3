/// A program's top-level statements.
///
/// A program that parsed without a diagnostic is stored as its source bytes (its `SourceFile`'s
/// storage, array or mapping, not a copy) and where each top-level statement starts, 12 bytes a statement;
/// a statement's tree is parsed again from there when it is read, and dropped after use. A
/// million statements read whole from a pipe then cost their text and 12 MB, not a million
/// syntax trees (≈ 480 MB; docs/performance.md, "Flat syntax storage"). Re-parsing gives the
/// tree the first parse made: the lexer and the parser start a top-level statement of an
/// error-free program in the same state (no bracket open, no panic, no nesting). A program
/// with a diagnostic keeps the trees it was given, as recovery left them.
public struct StatementList: RandomAccessCollection, Equatable, Sendable, ExpressibleByArrayLiteral {
    private enum Storage: Equatable, Sendable {
        case trees([Statement])
        case source(SourceFile.Storage, starts: [SourceLocation])
    }

    private let storage: Storage

    /// Statements already parsed.
    public init(_ statements: [Statement]) {
        storage = .trees(statements)
    }

    /// Statements as written.
    public init(arrayLiteral statements: Statement...) {
        self.init(statements)
    }

    /// The statements of an error-free parse of `text` that start at `starts`.
    init(source text: SourceFile.Storage, starts: [SourceLocation]) {
        storage = .source(text, starts: starts)
    }

    /// The first position.
    public var startIndex: Int { 0 }

    /// One past the last statement.
    public var endIndex: Int {
        switch storage {
        case .trees(let statements): statements.count
        case .source(_, let starts): starts.count
        }
    }

    /// The statement at `position`, parsed again when the list holds only where it starts.
    public subscript(position: Int) -> Statement {
        switch storage {
        case .trees(let statements): statements[position]
        case .source(let text, let starts): text.withBytes { Parser.statement(in: $0, at: starts[position]) }
        }
    }

    /// Equal when the statements are, however they are stored.
    public static func == (lhs: StatementList, rhs: StatementList) -> Bool {
        if lhs.storage == rhs.storage { return true }
        return lhs.elementsEqual(rhs)
    }
}
