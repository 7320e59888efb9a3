import GRDB
import GRDBSQLite

/// One SQL statement prepared once on the store's connection and run through SQLite's C API.
///
/// The statements every API call runs (`HotStatements`) go this way rather than
/// through GRDB's `Statement`: GRDB's per-execution bookkeeping (its statement cache looked up
/// by SQL text, argument boxing in `StatementArguments`, suspension and autocommit checks,
/// generic cursors) was about a fifth of an embedded bulk run (docs/performance.md). Used only
/// inside the database queue's serialized access, as GRDB's own statements are.
final class PreparedStatement {
    private let statement: OpaquePointer
    private let connection: OpaquePointer

    init(_ connection: OpaquePointer, _ sql: String) throws {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(connection, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else { throw Self.error(connection, code) }
        self.statement = statement
        self.connection = connection
    }

    deinit { sqlite3_finalize(statement) }

    /// Starts a new execution with `values` bound to the statement's parameters in order.
    @discardableResult
    func bind(_ values: SQLValue...) -> PreparedStatement {
        sqlite3_reset(statement)
        for (offset, value) in values.enumerated() {
            let index = CInt(offset + 1)
            switch value {
            case .null: sqlite3_bind_null(statement, index)
            case .int(let value): sqlite3_bind_int64(statement, index, Int64(value))
            case .double(let value): sqlite3_bind_double(statement, index, value)
            case .text(let value): sqlite3_bind_text(statement, index, value, -1, transient)
            }
        }
        return self
    }

    /// Steps once: true when a row is there to read.
    func step() throws -> Bool {
        switch sqlite3_step(statement) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code:
            let error = Self.error(connection, code)
            sqlite3_reset(statement)
            throw error
        }
    }

    /// Runs a statement that returns no rows.
    func run() throws {
        while try step() {}
        reset()
    }

    /// Ends an execution, releasing what it holds (a read's snapshot among them).
    func reset() { sqlite3_reset(statement) }

    /// The first column of the first row, or nil when there is no row or it is NULL.
    func int() throws -> Int? {
        defer { reset() }
        return try step() ? int(0) : nil
    }

    var columnCount: Int { Int(sqlite3_column_count(statement)) }
    func isNull(_ column: CInt) -> Bool { sqlite3_column_type(statement, column) == SQLITE_NULL }
    func int(_ column: CInt) -> Int? { isNull(column) ? nil : Int(sqlite3_column_int64(statement, column)) }
    func double(_ column: CInt) -> Double? { isNull(column) ? nil : sqlite3_column_double(statement, column) }
    func text(_ column: CInt) -> String? {
        guard let text = sqlite3_column_text(statement, column) else { return nil }
        let count = Int(sqlite3_column_bytes(statement, column))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    /// SQLite's error as GRDB reports it, so that `SandboxStore.mapping` tells damage from
    /// other failures the same way for both.
    private static func error(_ connection: OpaquePointer, _ code: CInt) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)))
    }
}

/// A value bound to a statement's parameter.
enum SQLValue {
    case null
    case int(Int)
    case double(Double)
    case text(String)

    init(_ value: Int?) { self = value.map { .int($0) } ?? .null }
    init(_ value: Double?) { self = value.map { .double($0) } ?? .null }
    init(_ value: String?) { self = value.map { .text($0) } ?? .null }
    init(_ value: Bool) { self = .int(value ? 1 : 0) }
}

/// SQLite copies the text before the bind returns (the Swift string's buffer is temporary).
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
