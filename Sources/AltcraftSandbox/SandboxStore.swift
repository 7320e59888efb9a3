import AltcraftWire
import Foundation
import GRDB
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The embedded sandbox's state: an SQLite database (`$XDG_STATE_HOME/cops/sandbox.db`)
/// shared by every `cops` process of the user and by `cops sandbox serve --state DIR`.
///
/// One API call is one transaction that reads only the rows the call needs (the campaign it
/// names, and those still sending, which every call drains) and writes back only the rows it
/// changed, so a change costs the same at 20 or 100 000 campaigns. SQLite's locking
/// serializes the writers of all processes (WAL: readers never wait; a writer waits up to
/// `busyTimeout` for another's transaction to end). `synchronous = NORMAL`: a committed
/// change survives the process being killed (the WAL is in the kernel's cache), not a power
/// cut, which is the right trade for a simulator (docs/sandbox.md).
///
/// The rows of the sending campaigns, which every call reads, are kept between calls while
/// `PRAGMA data_version` says that no other connection has committed (`KnownRows`).
public final class SandboxStore: Sendable {
    /// The database file.
    public let path: String
    /// The state file of earlier versions, imported once if it is there (docs/sandbox.md).
    let legacyPath: String
    let fillTo: Int
    private let database: DatabaseQueue
    /// What this connection knows the database holds, or nil; read and replaced only inside a
    /// transaction (which the queue serializes), so it is what the last commit left.
    private let known = Mutex<KnownRows?>(nil)
    /// The statements calls run, prepared once on the connection (used inside the queue only).
    private let statements = Mutex<HotStatements?>(nil)

    static let schemaVersion = 1
    static let busyTimeout: TimeInterval = 30

    /// The database file of the state in `directory`.
    public static func databasePath(directory: String) -> String { directory + "/sandbox.db" }

    /// Opens (creating if needed) the database in `directory`. `fillTo` generates campaigns up
    /// to that ID when the state is first created or reset.
    public init(directory: String, fillTo: Int = 0) throws(SandboxStoreError) {
        if mkdir(directory, 0o700) != 0, errno != EEXIST {
            // Create parents too, as `mkdir -p` would.
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw SandboxStoreError.unusable(directory, "cannot create the directory")
            }
        }
        path = Self.databasePath(directory: directory)
        legacyPath = directory + "/sandbox.json"
        self.fillTo = fillTo
        // SQLite creates the database with the umask's mode and its -wal and -shm files with
        // the database's: made 0600 here first, all three are private.
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SandboxStoreError.unusable(path, String(cString: strerror(errno))) }
        #if canImport(Glibc)
            Glibc.close(fd)
        #elseif canImport(Darwin)
            Darwin.close(fd)
        #endif
        var configuration = Configuration()
        configuration.busyMode = .timeout(Self.busyTimeout)
        // The schema declares no foreign keys, and GRDB turns them on through its SQL-literal
        // path, whose first use costs a scan of every conformance record in the binary
        // (docs/performance.md, "Eleventh round").
        configuration.foreignKeysEnabled = false
        // WAL set here rather than by GRDB's `journalMode = .wal`, which on every open with no
        // WAL file (the last close removes it) creates and drops a table for its
        // DatabasePool's readers and asks Foundation for the file's size: a write transaction
        // and ≈ 2 ms of an embedded one-shot (docs/performance.md). The mode is kept in the file.
        configuration.prepareDatabase { db in
            // Prepared statements, not `fetchOne(db, sql:)` or `execute(sql:)`: their SQL-literal
            // path costs a scan of every conformance record on its first use (docs/
            // performance.md, "Eleventh round").
            guard try String.fetchOne(db.makeStatement(sql: "PRAGMA journal_mode = WAL")) == "wal" else {
                throw DatabaseError(message: "could not use WAL mode")
            }
            try db.makeStatement(sql: "PRAGMA synchronous = NORMAL").execute()
        }
        let path = path
        database = try Self.mapping(path) { try DatabaseQueue(path: path, configuration: configuration) }
    }

    /// The default directory: `$XDG_STATE_HOME/cops`, else `~/.local/state/cops`.
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") { return state + "/cops" }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.local/state/cops"
    }

    /// Makes the state usable: creates the schema and the seed when there is none, and
    /// imports an earlier version's `sandbox.json` once (then renamed `sandbox.json.imported`).
    func prepare(clock: any SandboxClock) throws(SandboxStoreError) {
        let legacy = access(legacyPath, F_OK) == 0
        if !legacy, try read({ db, _ in try self.version(db) }) == Self.schemaVersion { return }
        try write { db, hot in
            // Again inside the write lock: another process may have done it meanwhile.
            let current = try version(db)
            if current == Self.schemaVersion, access(legacyPath, F_OK) != 0 { return }
            if current == nil { try Self.createSchema(db) }
            if access(legacyPath, F_OK) == 0 {
                try importLegacy(db, hot)
            } else {
                try Self.replaceAll(db, hot, with: SandboxState.seed(at: clock.now(), fillTo: fillTo))
            }
        }
    }

    /// Puts the seed data back (and drops an earlier version's `sandbox.json`, which the user
    /// was told to reset when it could not be imported).
    public func reset(clock: any SandboxClock = SystemSandboxClock()) throws(SandboxStoreError) {
        try write { db, hot in
            if try version(db) == nil { try Self.createSchema(db) }
            try Self.replaceAll(db, hot, with: SandboxState.seed(at: clock.now(), fillTo: fillTo))
            if unlink(legacyPath) != 0, errno != ENOENT {
                throw SandboxStoreError.unusable(legacyPath, String(cString: strerror(errno)))
            }
        }
    }

    /// Resets the state in `directory`; a database too damaged to open or to reset in place
    /// is deleted and made anew (a process that still has it open keeps the old file).
    public static func reset(directory: String, fillTo: Int = 0, clock: any SandboxClock = SystemSandboxClock())
        throws(SandboxStoreError)
    {
        do {
            try SandboxStore(directory: directory, fillTo: fillTo).reset(clock: clock)
        } catch .damaged {
            let path = databasePath(directory: directory)
            for file in [path, path + "-wal", path + "-shm"] where unlink(file) != 0 && errno != ENOENT {
                throw SandboxStoreError.unusable(file, String(cString: strerror(errno)))
            }
            try SandboxStore(directory: directory, fillTo: fillTo).reset(clock: clock)
        }
    }

    /// Closes the connection, as its last user does before the process ends: SQLite folds the
    /// WAL into the database and removes the `-wal` and `-shm` files when the last connection
    /// to a database closes. Later calls fail (`.unusable`, "the connection is closed").
    ///
    /// GRDB's queue object itself is then kept for the rest of the process, never
    /// deinitialised: its deinit unregisters from Foundation's NotificationCenter, whose first
    /// use casts through a scan of every conformance record in the binary, 18 % of an embedded
    /// one-shot's instructions (docs/performance.md, "Twelfth round"). What is kept is a closed
    /// connection's few objects, once per store closed.
    public func close() throws(SandboxStoreError) {
        try Self.mapping(path) {
            // Our statements first: SQLite closes no connection that still has statements.
            database.inDatabase { _ in
                statements.withLock { $0 = nil }
                known.withLock { $0 = nil }
            }
            try database.close()
        }
        _ = Unmanaged.passRetained(database)
    }

    /// The whole state (tests, and whoever wants to look at all of it).
    public func state() throws(SandboxStoreError) -> SandboxState {
        try read { db, hot in try Self.load(db, hot, .all(withLogs: true), known: nil).state }
    }

    /// Runs one API call as one transaction. `body` gets the rows `rows` names and returns
    /// its result and, when the call changed something, the state after it: the campaigns
    /// that differ from those it was given are written, those it no longer holds deleted,
    /// those it gained inserted.
    func operation<R>(_ rows: SandboxRows, _ body: (SandboxState) -> (R, SandboxState?)) throws(SandboxStoreError) -> R {
        try transaction(immediate: rows.writes) { db, hot in
            var loaded = try Self.load(db, hot, rows, known: known.withLock { $0 })
            let (result, after) = body(loaded.state)
            if let after { try Self.save(hot, after, over: loaded.state, nextSeq: &loaded.nextSeq) }
            // What the database holds once this commits: the sending rows after the call
            // when it wrote, else those read (a call that writes nothing drains nothing).
            let sending = loaded.sending.map { sending in
                (after?.campaigns.filter { $0.queued > 0 } ?? sending).map(Self.withoutLog)
            }
            return (
                result,
                sending.map { sending in
                    KnownRows(
                        dataVersion: loaded.dataVersion, sending: sending,
                        nextSeq: Dictionary(
                            uniqueKeysWithValues: sending.compactMap { c in loaded.nextSeq[c.id].map { (c.id, $0) } }))
                }
            )
        }
    }

    // MARK: - transactions

    /// One transaction, begun by a kept statement (GRDB's `inTransaction` prepares `BEGIN`
    /// and `COMMIT` anew each time: 8 % of a bulk run). The rows `body` says the database
    /// holds after it are kept if it commits, forgotten if not. `observed`: committed through
    /// GRDB, whose transaction observers (the import's `afterNextTransaction`) hear only of
    /// a `COMMIT` it runs itself; an API call's commit goes straight to SQLite.
    private func transaction<R>(
        immediate: Bool, observed: Bool = false, _ body: (Database, HotStatements) throws -> (R, KnownRows?)
    ) throws(SandboxStoreError) -> R {
        try Self.mapping(path) {
            try database.inDatabase { db in
                do {
                    let hot = try hotStatements(db)
                    try hot(immediate ? .beginImmediate : .beginDeferred).bind().run()
                    let (result, rows) = try body(db, hot)
                    if observed { try db.execute(sql: "COMMIT") } else { try hot(.commit).bind().run() }
                    known.withLock { $0 = rows }
                    return result
                } catch {
                    known.withLock { $0 = nil }
                    if db.isInsideTransaction { try? db.execute(sql: "ROLLBACK") }
                    throw error
                }
            }
        }
    }

    /// The other transactions (schema, reset, import, the whole state) forget the rows kept:
    /// they may change them through this same connection, which `data_version` does not count.
    private func write<R>(_ body: (Database, HotStatements) throws -> R) throws(SandboxStoreError) -> R {
        try transaction(immediate: true, observed: true) { db, hot in (try body(db, hot), nil) }
    }

    private func read<R>(_ body: (Database, HotStatements) throws -> R) throws(SandboxStoreError) -> R {
        try transaction(immediate: false) { db, hot in (try body(db, hot), nil) }
    }

    /// This connection's kept statements, made on first use (inside the queue).
    private func hotStatements(_ db: Database) throws -> HotStatements {
        try statements.withLock { statements in
            if let statements { return statements }
            guard let connection = db.sqliteConnection else { throw DatabaseError(message: "the connection is closed") }
            let made = HotStatements(connection)
            statements = made
            return made
        }
    }

    private static func mapping<R>(_ path: String, _ body: () throws -> R) throws(SandboxStoreError) -> R {
        do {
            return try body()
        } catch let error as SandboxStoreError {
            throw error
        } catch let error as DatabaseError {
            if [.SQLITE_CORRUPT, .SQLITE_NOTADB].contains(error.resultCode.primaryResultCode) {
                throw SandboxStoreError.damaged(path)
            }
            throw SandboxStoreError.unusable(path, error.message ?? "\(error.resultCode)")
        } catch {
            throw SandboxStoreError.unusable(path, "\(error)")
        }
    }

    // MARK: - schema

    /// The schema's version, nil when there is none yet.
    ///
    /// Read through prepared statements: every run asks, and GRDB's SQL-literal path costs a
    /// scan of every conformance record on its first use (docs/performance.md, "Eleventh round").
    private func version(_ db: Database) throws -> Int? {
        let hasMeta = try db.makeStatement(sql: "SELECT count(*) FROM sqlite_master WHERE name = 'meta'")
        guard try Int.fetchOne(hasMeta) == 1 else { return nil }
        let stored = try db.makeStatement(sql: "SELECT value FROM meta WHERE key = 'schema_version'")
        guard let version = try Int.fetchOne(stored) else { return nil }
        guard version == Self.schemaVersion else {
            throw SandboxStoreError.unusable(path, "written by another version of cops (schema \(version))")
        }
        return version
    }

    private static func createSchema(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
                CREATE TABLE campaigns (
                    id INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, trigger_type TEXT,
                    channel TEXT NOT NULL, is_active INTEGER NOT NULL, is_completed INTEGER NOT NULL,
                    ui_tags TEXT NOT NULL, groups TEXT NOT NULL, audience_size INTEGER NOT NULL,
                    queued INTEGER NOT NULL, sent INTEGER NOT NULL, send_rate REAL NOT NULL,
                    drained_until REAL NOT NULL, send_started REAL, sent_this_run INTEGER,
                    update_time REAL NOT NULL);
                -- Every call drains the sending queues: it reads these rows, few at any time.
                CREATE INDEX campaigns_sending ON campaigns (id) WHERE queued > 0;
                CREATE TABLE log (
                    campaign_id INTEGER NOT NULL, seq INTEGER NOT NULL, time REAL NOT NULL, level TEXT NOT NULL,
                    message TEXT NOT NULL, state TEXT NOT NULL, value TEXT NOT NULL,
                    PRIMARY KEY (campaign_id, seq)) WITHOUT ROWID;
                INSERT INTO meta VALUES ('schema_version', \(schemaVersion)), ('next_id', 1);
                """)
    }

    /// Replaces every campaign with `state`'s (reset, import): one transaction, prepared
    /// statements, so 100 000 campaigns take about a second.
    private static func replaceAll(_ db: Database, _ hot: HotStatements, with state: SandboxState) throws {
        try db.execute(sql: "DELETE FROM campaigns; DELETE FROM log")
        for campaign in state.campaigns {
            try insertRow(hot, campaign)
            try appendLog(hot, campaign, from: 0, seq: 0)
        }
        try hot(.setNextID).bind(.int(max(state.nextID, (state.campaigns.map(\.id).max() ?? 0) + 1))).run()
    }

    private func importLegacy(_ db: Database, _ hot: HotStatements) throws {
        guard let bytes = POSIXFile.contents(of: legacyPath), let state = try? SandboxState(json: bytes) else {
            throw SandboxStoreError.legacyUnreadable(legacyPath)
        }
        try Self.replaceAll(db, hot, with: state)
        // Renamed before the commit, so that no other process imports it again; put back if
        // the commit fails.
        let imported = legacyPath + ".imported"
        guard rename(legacyPath, imported) == 0 else {
            throw SandboxStoreError.unusable(legacyPath, String(cString: strerror(errno)))
        }
        db.afterNextTransaction(onCommit: { _ in }, onRollback: { [legacyPath] _ in _ = rename(imported, legacyPath) })
    }

    // MARK: - rows

    static let columns = """
        id, name, kind, trigger_type, channel, is_active, is_completed, ui_tags, groups, audience_size, queued, sent,
        send_rate, drained_until, send_started, sent_this_run, update_time
        """
    /// What a campaign's next log entry's `seq` is, as a column after `columns`: read with the
    /// row, so that appending to its log needs no lookup of its own.
    static let nextSeqColumn = "(SELECT coalesce(max(seq) + 1, 0) FROM log WHERE campaign_id = campaigns.id)"
    private static let logColumns = "campaign_id, time, level, message, state, value"

    /// The rows a call reads, the database's `data_version` they were read at, the sending
    /// campaigns among them when all of those were read (nil: not known), and the `seq` of
    /// the next log entry of those whose log a call may append to.
    private struct Loaded {
        var state: SandboxState
        var dataVersion: Int
        var sending: [SandboxCampaign]?
        var nextSeq: [Int: Int]
    }

    /// Reads the rows `rows` names; the sending campaigns come from `known` when no other
    /// connection has committed since it was kept.
    private static func load(_ db: Database, _ hot: HotStatements, _ rows: SandboxRows, known: KnownRows?) throws -> Loaded {
        // Read first: in a deferred transaction the first read fixes the snapshot, and
        // `data_version` must be the one of the rows read after it.
        let nextID = try hot(.nextID).bind().int() ?? 1
        let dataVersion = try hot(.dataVersion).bind().int() ?? 0
        let known = known.flatMap { $0.dataVersion == dataVersion ? $0 : nil }
        var campaigns: [SandboxCampaign] = []
        var sending: [SandboxCampaign]?
        var nextSeq: [Int: Int] = [:]
        switch rows {
        case .none:
            if let known { (sending, nextSeq) = (known.sending, known.nextSeq) }
        case .all(let withLogs):
            let logs = withLogs ? try loadLogs(db, sql: "SELECT \(logColumns) FROM log ORDER BY 1, seq") : [:]
            let all = try hot.prepare("SELECT \(columns) FROM campaigns ORDER BY id")
            try readCampaigns(all, into: &campaigns, nextSeq: &nextSeq, columns: hot.columns)
            for index in campaigns.indices { campaigns[index].log = logs[campaigns[index].id] ?? [] }
            sending = campaigns.filter { $0.queued > 0 }.map(withoutLog)
        case .campaign(let id, _, let withLog):
            if let known {
                (campaigns, nextSeq) = (known.sending, known.nextSeq)
            } else {
                try readCampaigns(hot(.sending).bind(), into: &campaigns, nextSeq: &nextSeq, columns: hot.columns)
            }
            sending = campaigns
            if let id, !campaigns.contains(where: { $0.id == id }) {
                try readCampaigns(hot(.named).bind(.int(id)), into: &campaigns, nextSeq: &nextSeq, columns: hot.columns)
            }
            if withLog, let id, let index = campaigns.firstIndex(where: { $0.id == id }) {
                let statement = try db.cachedStatement(sql: "SELECT \(logColumns) FROM log WHERE campaign_id = ? ORDER BY seq")
                campaigns[index].log = try loadLogs(db, statement: statement, arguments: [id])[id] ?? []
            }
        }
        return Loaded(
            state: SandboxState(campaigns: campaigns, nextID: nextID), dataVersion: dataVersion, sending: sending,
            nextSeq: nextSeq)
    }

    /// Reads the campaigns a statement selecting `columns` returns, and each one's next log
    /// `seq` into `nextSeq` when the statement selects `nextSeqColumn` after them.
    private static func readCampaigns(
        _ statement: PreparedStatement, into campaigns: inout [SandboxCampaign], nextSeq: inout [Int: Int],
        columns: DecodedColumns
    ) throws {
        defer { statement.reset() }
        let withSeq = statement.columnCount > 17
        while try statement.step() {
            let campaign = try Self.campaign(statement, columns)
            if withSeq { nextSeq[campaign.id] = statement.int(17) }
            campaigns.append(campaign)
        }
    }

    /// A campaign from the row a statement selecting `columns` stands on; a row cops cannot
    /// read (written behind its back) is damage.
    private static func campaign(_ row: PreparedStatement, _ columns: DecodedColumns) throws -> SandboxCampaign {
        guard let id = row.int(0), let name = row.text(1), let kind = row.text(2).flatMap({ SandboxCampaign.Kind(rawValue: $0) }),
            let channel = row.text(4), let isActive = row.int(5), let isCompleted = row.int(6),
            let tags = row.text(7).flatMap(columns.tags), let groups = row.text(8).flatMap(columns.groups),
            let audienceSize = row.int(9), let queued = row.int(10), let sent = row.int(11), let sendRate = row.double(12),
            let drainedUntil = row.double(13), let updateTime = row.double(16)
        else {
            let id = row.int(0).map(String.init) ?? "?"
            throw DatabaseError(resultCode: .SQLITE_CORRUPT, message: "campaign \(id) has a malformed row")
        }
        return SandboxCampaign(
            id: id, name: name, kind: kind, triggerType: row.text(3), channel: channel, isActive: isActive != 0,
            isCompleted: isCompleted != 0, uiTags: tags, groups: groups, audienceSize: audienceSize, queued: queued,
            sent: sent, sendRate: sendRate, drainedUntil: drainedUntil, sendStarted: row.double(14),
            sentThisRun: row.int(15), updateTime: updateTime, log: [])
    }

    private static func withoutLog(_ campaign: SandboxCampaign) -> SandboxCampaign {
        var campaign = campaign
        campaign.log = []
        return campaign
    }

    /// Log entries by campaign ID, each campaign's in order.
    private typealias Logs = [Int: [SandboxCampaign.LogRecord]]

    private static func loadLogs(_ db: Database, sql: String) throws -> Logs {
        try loadLogs(db, statement: db.cachedStatement(sql: sql), arguments: [])
    }

    private static func loadLogs(_ db: Database, statement: Statement, arguments: StatementArguments) throws -> Logs {
        var logs: Logs = [:]
        let cursor = try Row.fetchCursor(statement, arguments: arguments)
        while let row = try cursor.next() {
            logs[row[0], default: []].append(
                SandboxCampaign.LogRecord(time: row[1], level: row[2], message: row[3], state: row[4], value: row[5]))
        }
        return logs
    }

    /// Writes what changed between `before` (the rows as loaded) and `after` (the engine's
    /// state after the call). A call that writes was handed its campaigns without their logs
    /// (`SandboxRows`), and the engine only ever appends to a log, so what a log holds after
    /// the call are the entries the call added: they go after the stored ones, from the
    /// campaign's `nextSeq` (looked up when the call created the campaign), which is moved on.
    private static func save(
        _ hot: HotStatements, _ after: SandboxState, over before: SandboxState, nextSeq: inout [Int: Int]
    ) throws {
        var previous = Dictionary(uniqueKeysWithValues: before.campaigns.map { ($0.id, $0) })
        for campaign in after.campaigns {
            let old = previous.removeValue(forKey: campaign.id)
            guard old != campaign else { continue }
            if let old, sameDefinition(old, campaign) {
                try updateState(hot, campaign)
            } else {
                try insertRow(hot, campaign)
            }
            let start = old?.log.count ?? 0
            guard start < campaign.log.count else { continue }
            let seq = try nextSeq[campaign.id] ?? hot(.nextSeq).bind(.int(campaign.id)).int() ?? 0
            try appendLog(hot, campaign, from: start, seq: seq)
            nextSeq[campaign.id] = seq + campaign.log.count - start
        }
        for id in previous.keys {
            try hot(.deleteCampaign).bind(.int(id)).run()
            try hot(.deleteLog).bind(.int(id)).run()
            nextSeq[id] = nil
        }
        if after.nextID != before.nextID { try hot(.setNextID).bind(.int(after.nextID)).run() }
    }

    /// Inserts or replaces a campaign's whole row (reset, import, and calls that create a
    /// campaign or change what defines one).
    private static func insertRow(_ hot: HotStatements, _ c: SandboxCampaign) throws {
        try hot(.insertRow).bind(
            .int(c.id), .text(c.name), .text(c.kind.rawValue), .init(c.triggerType), .text(c.channel), .init(c.isActive),
            .init(c.isCompleted), .text(json(.array(c.uiTags.map { .string($0) }))),
            .text(
                json(.array(c.groups.map { .object(WireObject([("id", .int(Int64($0.id))), ("name", .string($0.name))])) }))),
            .int(c.audienceSize), .int(c.queued), .int(c.sent), .double(c.sendRate), .double(c.drainedUntil),
            .init(c.sendStarted), .init(c.sentThisRun), .double(c.updateTime)
        ).run()
    }

    /// Whether a call left what defines a campaign as it was: then only the columns of its
    /// state (`updateState`) can differ, and the row is updated in place without encoding the
    /// tags and groups again.
    private static func sameDefinition(_ a: SandboxCampaign, _ b: SandboxCampaign) -> Bool {
        a.name == b.name && a.kind == b.kind && a.triggerType == b.triggerType && a.channel == b.channel
            && a.audienceSize == b.audienceSize && a.sendRate == b.sendRate && a.uiTags == b.uiTags && a.groups == b.groups
    }

    /// Writes the columns of a campaign's state, which are all a call changes unless it
    /// changes what defines the campaign (`sameDefinition`).
    private static func updateState(_ hot: HotStatements, _ c: SandboxCampaign) throws {
        try hot(.updateState).bind(
            .init(c.isActive), .init(c.isCompleted), .int(c.queued), .int(c.sent), .double(c.drainedUntil),
            .init(c.sendStarted), .init(c.sentThisRun), .double(c.updateTime), .int(c.id)
        ).run()
    }

    /// Appends a campaign's log entries from `start` on, numbered from `seq`.
    private static func appendLog(_ hot: HotStatements, _ c: SandboxCampaign, from start: Int, seq: Int) throws {
        let statement = try hot(.insertLog)
        for (offset, entry) in c.log[start...].enumerated() {
            try statement.bind(
                .int(c.id), .int(seq + offset), .double(entry.time), .text(entry.level), .text(entry.message),
                .text(entry.state), .text(entry.value)
            ).run()
        }
    }

    // Tags and groups are JSON text in their row: nothing queries inside them.
    private static func json(_ value: WireValue) -> String { String(decoding: JSONWire.encode(value), as: UTF8.self) }

    static func strings(_ text: String) -> [String]? {
        guard case .array(let items)? = try? JSONWire.decode(Array(text.utf8)) else { return nil }
        let strings = items.compactMap(\.stringValue)
        return strings.count == items.count ? strings : nil
    }

    static func groups(_ text: String) -> [SandboxCampaign.Group]? {
        guard case .array(let items)? = try? JSONWire.decode(Array(text.utf8)) else { return nil }
        let groups = items.compactMap { item -> SandboxCampaign.Group? in
            guard let id = item["id"]?.intValue, let name = item["name"]?.stringValue else { return nil }
            return SandboxCampaign.Group(id: Int(id), name: name)
        }
        return groups.count == items.count ? groups : nil
    }
}

/// The sending campaigns' rows as a connection last read or wrote them (without their logs,
/// as calls that write are handed them), valid while `PRAGMA data_version` — which changes
/// when another connection, in this process or another, commits — is `dataVersion`.
struct KnownRows: Sendable {
    var dataVersion: Int
    var sending: [SandboxCampaign]
    /// The `seq` of each sending campaign's next log entry, moved on by this connection's
    /// own appends (another's change `dataVersion`).
    var nextSeq: [Int: Int]
}

/// The rows one API call reads, and whether it may write.
enum SandboxRows {
    /// None (a path that is no API method).
    case none
    /// Every campaign (the list calls; `withLogs` for the whole state).
    case all(withLogs: Bool)
    /// The campaign the call names (nil: it names none, and will fail) and those sending;
    /// `withLog`: the named campaign's log too (the only call that reads one). The other
    /// campaigns come without their logs: the engine only appends to them, and `save`
    /// appends what it added.
    case campaign(Int?, writes: Bool, withLog: Bool)

    init(path: String, parameters: WireObject) {
        guard let endpoint = Endpoint(path: path) else {
            self = .none
            return
        }
        let id = { try? Parameters(parameters).id() }
        switch endpoint {
        case .list, .broadcastsList, .regularsList, .triggersList:
            self = .all(withLogs: false)
        case .activate, .deactivate, .clone, .delete, .broadcastsStart, .regularsStart:
            self = .campaign(id(), writes: true, withLog: false)
        case .get, .broadcastsGet, .regularsGet, .triggersGet, .status:
            self = .campaign(id(), writes: false, withLog: false)
        case .log:
            self = .campaign(id(), writes: false, withLog: true)
        }
    }

    var writes: Bool {
        if case .campaign(_, let writes, _) = self { return writes }
        return false
    }
}

/// Whole-file reads in plain POSIX (the import of an earlier version's state file).
enum POSIXFile {
    /// A file's bytes, or nil when it cannot be read.
    static func contents(of path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: max(Int(info.st_size) + 1, 4096))
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[..<count])
        }
    }
}

public enum SandboxStoreError: Error, Sendable, CustomStringConvertible {
    case unusable(String, String)
    case damaged(String)
    /// An earlier version's state file that cannot be imported.
    case legacyUnreadable(String)

    public var description: String {
        switch self {
        case .unusable(let path, let why): return "sandbox state \(path): \(why)"
        case .damaged(let path): return "sandbox state \(path) is damaged; run 'cops sandbox reset'"
        case .legacyUnreadable(let path):
            return "sandbox state \(path) (from an earlier cops) cannot be imported; run 'cops sandbox reset'"
        }
    }
}
