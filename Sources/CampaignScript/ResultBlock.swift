/// What one statement prints on standard output: rows of one operation, or a line of text.
public struct ResultBlock: Sendable, Equatable {
    /// The shape of the block, which decides how `table` lays it out.
    public enum Layout: Sendable, Equatable {
        /// One row per campaign ID with an outcome, and a summary line under a table.
        case perID
        /// Rows of data (a list, log entries).
        case rows
        /// One record shown as field/value pairs (`show`).
        case record
        /// Plain text (`echo`, `help`).
        case text
        /// A per-ID statement whose target set was empty: one row saying no campaign matched,
        /// so a program reading the output sees the statement ran (`(none)` in a table).
        case noTargets
    }

    /// The operation, as `op` in JSON: `deactivate`, `list`, `echo`.
    public var op: String
    /// How the block is laid out.
    public var layout: Layout
    /// The rows; each holds its fields in order (`id`, `ok`, data…).
    public var rows: [ResultRow]
    /// The table columns to show, when not every field fits a terminal (`list` has many).
    public var preferredColumns: [String]?

    /// Creates a block.
    public init(op: String, layout: Layout, rows: [ResultRow], preferredColumns: [String]? = nil) {
        self.op = op
        self.layout = layout
        self.rows = rows
        self.preferredColumns = preferredColumns
    }

    /// What a per-ID statement over an empty target set prints: `{"op":…,"ok":true,"matched":0}`.
    public static func noTargets(_ op: String) -> ResultBlock {
        ResultBlock(op: op, layout: .noTargets, rows: [ResultRow(Record([("ok", .bool(true)), ("matched", .int(0))]))])
    }

    /// A block of text lines, such as `echo` prints.
    public static func text(_ op: String, _ text: String) -> ResultBlock {
        ResultBlock(op: op, layout: .text, rows: [ResultRow(Record([("text", .string(text))]))])
    }
}

/// One row of results: its fields and, when the operation failed, why.
public struct ResultRow: Sendable, Equatable {
    /// The fields in order.
    public var fields: Record
    /// The failure, for a row whose `ok` is false.
    public var error: OperationError?

    /// Creates a row.
    public init(_ fields: Record, error: OperationError? = nil) {
        self.fields = fields
        self.error = error
    }

    /// The outcome as the summary line counts it.
    public var outcome: Outcome {
        if error?.kind == .cancelled, fields["done"] == .bool(false) { return .notDone }
        if error != nil { return .failed }
        if fields["planned"] == .bool(true) { return .planned }
        return .ok
    }

    /// How a per-ID row ended.
    public enum Outcome: Sendable, Equatable {
        /// The request succeeded.
        case ok
        /// The request failed.
        case failed
        /// Dry run: the request was printed, not sent.
        case planned
        /// Cancelled before the request was sent.
        case notDone
    }
}

/// Turns result blocks into output text.
public protocol ResultFormatter: Sendable {
    /// The text for one block, each line ending in a newline.
    func format(_ block: ResultBlock) -> String
}

extension OutputFormat {
    /// The formatter of this format.
    public var formatter: any ResultFormatter {
        switch self {
        case .table: TableFormatter()
        case .json: JSONLinesFormatter()
        case .text: KeyValueFormatter()
        }
    }
}
