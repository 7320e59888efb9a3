import GRDBSQLite

/// The statements the sandbox store runs for every API call, each prepared on first use and
/// kept for the connection's life (`SandboxStore`).
///
/// `@unchecked Sendable`: the store hands it out only inside its database queue's serialized
/// access, as it does the connection the statements belong to.
final class HotStatements: @unchecked Sendable {
    enum SQL: Int, CaseIterable {
        case beginImmediate, beginDeferred, commit
        case nextID, dataVersion, sending, named, nextSeq
        case updateState, insertRow, insertLog, deleteCampaign, deleteLog, setNextID

        var text: String {
            switch self {
            case .beginImmediate: return "BEGIN IMMEDIATE"
            case .beginDeferred: return "BEGIN DEFERRED"
            case .commit: return "COMMIT"
            case .nextID: return "SELECT value FROM meta WHERE key = 'next_id'"
            case .dataVersion: return "PRAGMA data_version"
            case .sending:
                return "SELECT \(SandboxStore.columns), \(SandboxStore.nextSeqColumn) FROM campaigns WHERE queued > 0"
            case .named:
                return "SELECT \(SandboxStore.columns), \(SandboxStore.nextSeqColumn) FROM campaigns WHERE id = ?"
            case .nextSeq: return "SELECT coalesce(max(seq) + 1, 0) FROM log WHERE campaign_id = ?"
            case .updateState:
                return """
                    UPDATE campaigns SET is_active = ?, is_completed = ?, queued = ?, sent = ?, drained_until = ?,
                    send_started = ?, sent_this_run = ?, update_time = ? WHERE id = ?
                    """
            case .insertRow:
                return """
                    INSERT OR REPLACE INTO campaigns (\(SandboxStore.columns))
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            case .insertLog: return "INSERT INTO log VALUES (?, ?, ?, ?, ?, ?, ?)"
            case .deleteCampaign: return "DELETE FROM campaigns WHERE id = ?"
            case .deleteLog: return "DELETE FROM log WHERE campaign_id = ?"
            case .setNextID: return "UPDATE meta SET value = ? WHERE key = 'next_id'"
            }
        }
    }

    private let connection: OpaquePointer
    private var prepared = [PreparedStatement?](repeating: nil, count: SQL.allCases.count)

    init(_ connection: OpaquePointer) {
        self.connection = connection
    }

    /// The statement, prepared now if it was not yet (a store opened before its schema
    /// existed prepares those that name its tables once they do).
    func callAsFunction(_ sql: SQL) throws -> PreparedStatement {
        if let statement = prepared[sql.rawValue] { return statement }
        let statement = try prepare(sql.text)
        prepared[sql.rawValue] = statement
        return statement
    }

    /// A statement of its own, finalized when its last user lets it go.
    func prepare(_ sql: String) throws -> PreparedStatement {
        try PreparedStatement(connection, sql)
    }
}
