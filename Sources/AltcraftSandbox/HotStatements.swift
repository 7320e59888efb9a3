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
    /// The JSON columns of the rows this connection read last, decoded.
    let columns = DecodedColumns()

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

/// A campaign row's JSON columns (`ui_tags`, `groups`) decoded, the last few distinct texts of
/// each kept with their values: most campaigns share theirs (no tags or one, a few groups),
/// and decoding them was two thirds of reading a row, which every API call does
/// (docs/performance.md, "Ninth round"). Used, as the connection's statements are, only on
/// its database's queue.
final class DecodedColumns: @unchecked Sendable {
    private var tags = Recent<[String]>()
    private var groups = Recent<[SandboxCampaign.Group]>()

    /// `ui_tags` decoded (`SandboxStore.strings`); nil when it is not a list of strings.
    func tags(_ text: String) -> [String]? { tags.value(for: text, SandboxStore.strings) }

    /// `groups` decoded (`SandboxStore.groups`); nil when it is not a list of groups.
    func groups(_ text: String) -> [SandboxCampaign.Group]? { groups.value(for: text, SandboxStore.groups) }

    /// The last few texts decoded, with their values; a new one replaces the oldest.
    private struct Recent<Value> {
        private var entries: [(text: String, value: Value)] = []
        private var next = 0

        mutating func value(for text: String, _ decode: (String) -> Value?) -> Value? {
            if let entry = entries.first(where: { $0.text == text }) { return entry.value }
            guard let value = decode(text) else { return nil }
            if entries.count < 4 {
                entries.append((text, value))
            } else {
                entries[next] = (text, value)
                next = (next + 1) % entries.count
            }
            return value
        }
    }
}
