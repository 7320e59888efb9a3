import AltcraftAPI
import AltcraftWire
import CampaignScript
import Crypto
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The journal of a run that changes something: an append-only JSON-lines file
/// (docs/changes.md, "Run journals"). A header (the runbook and its hashes, the arguments, the
/// target, the start), then for every change an `intent` line, on disk before the request is
/// sent, and an `outcome` line after it, and an `end` line when the session ends normally; a
/// journal without `end` is a run that died.
///
/// The file is created at the first change, so a run that changes nothing leaves none. Every
/// line is masked with the session's secrets before it is written: the token and proxy
/// credentials never reach the disk.
final class RunJournal: Sendable {
    /// The version of the file's format, in its header.
    static let formatVersion: Int64 = 1
    /// Journals kept whatever their age, newest first.
    static let keptCount = 100
    /// Older journals beyond `keptCount` are deleted when a new one is created.
    static let keptAge: TimeInterval = 30 * 24 * 3600
    /// A directory that held more than `keptCount` journals is pruned again after this long at
    /// the soonest (`prune`).
    static let pruneInterval: TimeInterval = 3600

    /// Where the journal goes.
    enum Place: Sendable, Equatable {
        /// A new `<UTC time>-<pid>.jsonl` in this directory, which is pruned.
        case directory(String)
        /// `--journal FILE`: exactly this file, which must not exist yet.
        case file(String)
    }

    /// What a change's outcome was.
    enum Result: String, Sendable {
        case done, failed
        /// The request failed after it may have reached the server: it may have been applied.
        case unknown
    }

    private struct State {
        var descriptor: Int32?
        /// Why the journal cannot be written, once known: every later change is refused too.
        var failure: String?
        var path: String?
        /// The runbook as the header names it, once hashed; `hashing` holds the text until then.
        private var hashed: WireValue = .null
        /// The text that runs next and the files it sources, not hashed yet: most runs never
        /// write a journal, and hashing cost every one-shot SHA-256's set-up, a scan of every
        /// protocol conformance in the binary (docs/performance.md, "Tenth round").
        var hashing: (file: SourceFile, sourced: [SourcedFile])?

        /// The runbook's name and hashes, computed on first use.
        mutating func runbook() -> WireValue {
            if let (file, sourced) = hashing {
                hashed = RunJournal.describing(file, sourced)
                hashing = nil
            }
            return hashed
        }
        var target: WireValue = .null
        /// The journal this run resumes (`--resume`), by absolute path.
        var resumes: String?
        var intended = 0
        var done = 0
        /// Lines appended so far; `synced` says how many of them are known to be on disk.
        var lines = 0
    }

    let place: Place
    private let arguments: [String]
    private let redactor: Redactor
    private let now: @Sendable () -> Date
    private let state = Mutex(State())
    /// How many lines are on disk. Held while syncing, but never while `state` is: a bulk
    /// statement's concurrent intents are written without waiting for each other's sync,
    /// and one `fdatasync` puts all the lines written so far on disk (group commit) — one
    /// sync per intent under `state`'s lock held 8 requests in flight to one disk sync at a
    /// time (docs/performance.md).
    private let synced = Mutex(0)
    /// How many times the file was forced to disk: what a change costs, which the tests count.
    private let syncCount = Atomic(0)

    /// The plan a run applies (`cops apply`), named in the header.
    private let plan: String?
    /// `--yes`, recorded in the header: on a `require_plan` target it lets a run change
    /// things unreviewed.
    private let yes: Bool

    init(
        place: Place, arguments: [String], secrets: [String], plan: String? = nil, yes: Bool = false,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.place = place
        self.plan = plan
        self.yes = yes
        self.arguments = arguments
        self.redactor = Redactor(secrets: secrets)
        self.now = now
    }

    /// The default place: `$XDG_STATE_HOME/cops/runs/`.
    static func directory(environment: [String: String]) -> String {
        ScriptRunner.stateDirectory(environment) + "/runs"
    }

    /// The file, once created.
    var path: String? { state.withLock { $0.path } }

    /// The runbook and the target as the header names them (`cops plan` copies them).
    var described: (runbook: WireValue, target: WireValue) { state.withLock { ($0.runbook(), $0.target) } }

    /// The text that runs next, for the header if it is not written yet: its name, the SHA-256
    /// of its bytes and of every file it `source`s by a constant path.
    func describe(runbook file: SourceFile, sourced: [SourcedFile]) {
        state.withLock { if $0.descriptor == nil { $0.hashing = (file, sourced) } }
    }

    /// The header's runbook: the file's name and SHA-256, and those of the files it sources.
    private static func describing(_ file: SourceFile, _ sourced: [SourcedFile]) -> WireValue {
        .object(
            WireObject([
                ("path", .string(file.name)), ("sha256", .string(sha256(file.bytes))),
                (
                    "sourced",
                    .array(
                        sourced.map {
                            .object(WireObject([("path", .string($0.file.name)), ("sha256", .string(sha256($0.file.bytes)))]))
                        })
                ),
            ]))
    }

    /// The target the changes go to: its kind, name and host, never its token.
    func describe(target: SessionTarget) {
        let kind: String
        switch target.kind {
        case .sandbox: kind = "sandbox"
        case .profile: kind = "profile"
        case .endpoint: kind = "endpoint"
        }
        let value: WireValue = .object(
            WireObject([
                ("kind", .string(kind)), ("name", .string(target.label)), ("host", target.host.map(WireValue.string) ?? .null),
            ]))
        state.withLock { if $0.descriptor == nil { $0.target = value } }
    }

    /// `--resume`: the header will name the journal this run resumes.
    func resumes(_ path: String) {
        state.withLock { if $0.descriptor == nil { $0.resumes = path } }
    }

    /// What the header says of this run: its runbook, arguments and target, as a resumed
    /// journal's header is compared with them.
    var identity: (runbook: WireValue, arguments: WireValue, target: WireValue) {
        state.withLock { ($0.runbook(), .array(arguments.map(WireValue.string)), $0.target) }
    }

    /// A change a resumed run did not send (its journal chain records it done, or a read
    /// showed it in effect): its intent and a `done` outcome marked `resumed`, written
    /// together and not forced to disk. Losing them in a crash loses nothing: the chain this
    /// journal resumes still says the change was done. Returns why it cannot be written.
    func recordResumed(
        _ operation: MutatingOperation, at position: StatementPosition?, newID: Int64?, how: String
    ) -> JournalError? {
        state.withLock { state in
            if let failure = state.failure { return JournalError(reason: failure) }
            if state.descriptor == nil {
                if let failure = create(&state) {
                    state.failure = failure
                    return JournalError(reason: failure)
                }
            }
            state.intended += 1
            state.done += 1
            let lines =
                Self.intentLines(first: state.intended, position: position, [operation])
                + [Self.outcomeLine(state.intended, .done, newID: newID, error: nil, resumed: how)]
            if let failure = append(encoded: lines, to: &state, sync: false) {
                state.failure = failure
                return JournalError(reason: failure)
            }
            return nil
        }
    }

    /// Writes the intent line of a change and forces it to disk; creates the journal first if
    /// need be. Returns the change's sequence number, or why it cannot be journaled (then the
    /// change must not be sent).
    func intend(_ operation: MutatingOperation, at position: StatementPosition?) -> Swift.Result<Int, JournalError> {
        intend([operation], at: position).map(\.lowerBound)
    }

    /// Writes the intent lines of several changes of one statement in one write and forces
    /// them to disk with one sync. Returns their sequence numbers, in the order given.
    func intend(_ operations: [MutatingOperation], at position: StatementPosition?) -> Swift.Result<Range<Int>, JournalError> {
        let written: Swift.Result<(sequences: Range<Int>, line: Int, descriptor: Int32, path: String), JournalError> =
            state.withLock { state in
                if let failure = state.failure { return .failure(JournalError(reason: failure)) }
                if state.descriptor == nil {
                    if let failure = create(&state) {
                        state.failure = failure
                        return .failure(JournalError(reason: failure))
                    }
                }
                let first = state.intended + 1
                let lines = Self.intentLines(first: first, position: position, operations)
                if let failure = append(encoded: lines, to: &state, sync: false) {
                    state.failure = failure
                    return .failure(JournalError(reason: failure))
                }
                state.intended += operations.count
                return .success((first..<first + operations.count, state.lines, state.descriptor!, state.path!))
            }
        return written.flatMap { written in
            if let failure = sync(through: written.line, descriptor: written.descriptor, path: written.path) {
                state.withLock { if $0.failure == nil { $0.failure = failure } }
                return .failure(JournalError(reason: failure))
            }
            return .success(written.sequences)
        }
    }

    /// Puts every line up to `line` on disk: nothing to do when another caller's sync already
    /// covered it, otherwise one sync for every line written so far.
    private func sync(through line: Int, descriptor: Int32, path: String) -> String? {
        synced.withLock { synced in
            guard synced < line else { return nil }
            let written = state.withLock { $0.lines }
            guard dataSync(descriptor) == 0 else {
                return Wording.journalUnwritable(path, ScriptFileReader.reason(errno))
            }
            synced = written
            return nil
        }
    }

    private func dataSync(_ descriptor: Int32) -> Int32 {
        syncCount.add(1, ordering: .relaxed)
        #if canImport(Glibc)
            return fdatasync(descriptor)
        #else
            return fsync(descriptor)
        #endif
    }

    /// How many times the journal was forced to disk so far.
    var syncs: Int { syncCount.load(ordering: .relaxed) }

    /// Writes the outcome line of change `sequence`: done (with a clone's new ID), failed or
    /// unknown, with the error's kind and text.
    func record(_ sequence: Int, _ result: Result, newID: Int64? = nil, error: OperationError? = nil) {
        let line = Self.outcomeLine(sequence, result, newID: newID, error: error.map { ($0.kindName, $0.text) })
        state.withLock { state in
            if result == .done { state.done += 1 }
            _ = append(encoded: [line], to: &state, sync: false)
        }
    }

    /// Writes a `failed` outcome for each of these intents whose request was never sent (the
    /// statement that announced them ended first: cancelled, or refused before sending).
    func recordNotSent(_ sequences: [Int]) {
        guard !sequences.isEmpty else { return }
        let lines = sequences.map { Self.outcomeLine($0, .failed, error: ("not-sent", Wording.journalNotSent)) }
        state.withLock { state in _ = append(encoded: lines, to: &state, sync: false) }
    }

    /// The outcome line of change `sequence`, with a clone's new ID, an error's kind and text,
    /// and how a resumed run knew the change was done, and its newline:
    /// `{"type":"outcome","seq":…,"result":…[,"id":…][,"error":…,"text":…][,"resumed":…]}`
    /// written as `JSONWire.encode` writes that object, without building it (one per change of a
    /// bulk statement; `RunJournalTests` compares the two).
    static func outcomeLine(
        _ sequence: Int, _ result: Result, newID: Int64? = nil, error: (kind: String, text: String)?,
        resumed: String? = nil
    ) -> [UInt8] {
        var line = Array(#"{"type":"outcome","seq":"#.utf8)
        line.reserveCapacity(96)
        JSONWire.append(.int(Int64(sequence)), to: &line)
        line += Array(#","result":"#.utf8)
        JSONWire.append(.string(result.rawValue), to: &line)
        if let newID {
            line += Array(#","id":"#.utf8)
            JSONWire.append(.int(newID), to: &line)
        }
        if let error {
            line += Array(#","error":"#.utf8)
            JSONWire.append(.string(error.kind), to: &line)
            line += Array(#","text":"#.utf8)
            JSONWire.append(.string(error.text), to: &line)
        }
        if let resumed {
            line += Array(#","resumed":"#.utf8)
            JSONWire.append(.string(resumed), to: &line)
        }
        line += [UInt8(ascii: "}"), UInt8(ascii: "\n")]
        return line
    }

    /// Writes the end line (nothing when no journal was created) and closes the file.
    func end(_ status: ExitStatus) {
        state.withLock { state in
            guard let descriptor = state.descriptor else { return }
            let outcome = status == .success ? "ok" : status == .interrupted ? "interrupted" : "failed"
            let line: WireValue = .object(
                WireObject([
                    ("type", "end"), ("outcome", .string(outcome)), ("status", .int(Int64(status.rawValue))),
                    ("done", .int(Int64(state.done))), ("intended", .int(Int64(state.intended))),
                    ("ended", .string(UTCTime.rfc3339(now()))),
                ]))
            _ = append(line, to: &state, sync: true)
            close(descriptor)
            state.descriptor = nil
            state.failure = Wording.journalEnded
        }
    }

    // MARK: Writing

    /// Creates the file (0600, its directory 0700) and writes the header; nil when done.
    private func create(_ state: inout State) -> String? {
        let path: String
        switch place {
        case .file(let file):
            path = file
        case .directory(let directory):
            if let failure = Self.makeDirectory(directory) { return failure }
            Self.prune(directory, now: now())
            path = directory + "/" + Self.fileName(now(), pid: getpid())
        }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return Wording.journalUnwritable(path, ScriptFileReader.reason(errno)) }
        state.descriptor = descriptor
        state.path = path
        var fields: [(String, WireValue)] = [
            ("type", "header"), ("format", .int(Self.formatVersion)), ("cops", .string(CopsVersion.current)),
            ("runbook", state.runbook()), ("arguments", .array(arguments.map(WireValue.string))),
            ("target", state.target), ("started", .string(UTCTime.rfc3339(now()))),
        ]
        if let plan { fields.append(("plan", .string(plan))) }
        if yes { fields.append(("yes", true)) }
        if let resumes = state.resumes { fields.append(("resumes", .string(resumes))) }
        // Not synced on its own: the first intent's sync puts it on disk with that intent.
        return append([.object(WireObject(fields))], to: &state, sync: false)
    }

    /// Appends one line; nil when it is written (and, with `sync`, on disk).
    private func append(_ value: WireValue, to state: inout State, sync: Bool) -> String? {
        append([value], to: &state, sync: sync)
    }

    /// Appends lines with one write; nil when they are written (and, with `sync`, on disk).
    private func append(_ values: [WireValue], to state: inout State, sync: Bool) -> String? {
        append(encoded: values.map { JSONWire.encode($0) + [UInt8(ascii: "\n")] }, to: &state, sync: sync)
    }

    /// Appends lines already encoded, each ending in a newline, with one write.
    private func append(encoded lines: [[UInt8]], to state: inout State, sync: Bool) -> String? {
        guard let descriptor = state.descriptor, let path = state.path else { return nil }
        var bytes: [UInt8] = []
        for line in lines { bytes += redactor.redact(line) }
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return Wording.journalUnwritable(path, ScriptFileReader.reason(errno)) }
            written += count
        }
        state.lines += lines.count
        if sync, dataSync(descriptor) != 0 {
            return Wording.journalUnwritable(path, ScriptFileReader.reason(errno))
        }
        return nil
    }

    /// Creates `directory` and its missing parents, each 0700. With `mkdir`: FileManager's
    /// attribute dictionary cost every run that writes a journal a scan of every protocol
    /// conformance in the binary (docs/performance.md, "Tenth round").
    private static func makeDirectory(_ directory: String) -> String? {
        var path = directory.hasPrefix("/") ? "/" : ""
        for component in directory.split(separator: "/") {
            if !path.isEmpty, !path.hasSuffix("/") { path += "/" }
            path += String(component)  // not `+= component`: generic, and a scan (above)
            if component == "." || component == ".." { continue }
            if mkdir(path, 0o700) == 0 {
                chmod(path, 0o700)  // whatever the umask
            } else if errno != EEXIST {
                return Wording.journalUnwritable(directory, ScriptFileReader.reason(errno))
            }
        }
        var status = stat()
        guard stat(directory, &status) == 0 else {
            return Wording.journalUnwritable(directory, ScriptFileReader.reason(errno))
        }
        guard status.st_mode & S_IFMT == S_IFDIR else {
            return Wording.journalUnwritable(directory, ScriptFileReader.reason(ENOTDIR))
        }
        return nil
    }

    /// Deletes the journals beyond the newest `keptCount` that are older than `keptAge`.
    ///
    /// A journal's name starts with its UTC start time, so only those whose names sort before
    /// `keptAge` ago are candidates, and only they are sorted and `stat`ed (a journal written
    /// to since is kept). A directory found with more than `keptCount` journals is marked
    /// (`.pruned`, whose time is that prune's) and not listed again for `pruneInterval`: a
    /// cron job that runs every five minutes keeps about 8 600 journals, and listing them on
    /// every run would make each run's cost grow with them (docs/performance.md, "Twelfth
    /// round").
    static func prune(_ directory: String, now: Date) {
        let marker = directory + "/.pruned"
        if let age = age(of: marker, at: now), abs(age) < pruneInterval { return }
        // Counted before sorting: a sort of more than 20 names costs a first run a scan of
        // every protocol conformance in the binary (docs/performance.md, "Tenth round").
        let names = journalFileNames(in: directory)
        guard names.count > keptCount else { return }
        mark(marker, now: now)
        let cutoff = UTCTime.compact(now.addingTimeInterval(-keptAge))
        let old = names.filter { $0 < cutoff }
        // The newest `keptCount` stay whatever their age: old ones among them when fewer
        // than that are newer.
        let newer = names.count - old.count
        let candidates = newer >= keptCount ? old : Array(old.sorted(by: >).dropFirst(keptCount - newer))
        for name in candidates {
            let path = directory + "/" + name
            guard let age = age(of: path, at: now), age > keptAge else { continue }
            unlink(path)
        }
    }

    /// Seconds from `path`'s last change to `now`, nil when it cannot be `stat`ed (not
    /// FileManager's attributes, which look up the owner's and group's names).
    private static func age(of path: String, at now: Date) -> TimeInterval? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return now.timeIntervalSince1970 - Double(status.st_mtim.tv_sec)
    }

    /// Creates `path` if needed and sets its times to `now`, to the second (`age` reads seconds).
    private static func mark(_ path: String, now: Date) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return }
        let time = timespec(tv_sec: Int(now.timeIntervalSince1970), tv_nsec: 0)
        futimens(descriptor, [time, time])
        close(descriptor)
    }

    /// The journal files of `directory`, newest first (their names start with the UTC time).
    static func journalNames(in directory: String) -> [String] {
        journalFileNames(in: directory).sorted(by: >)
    }

    /// The journal files of `directory`, in no order.
    ///
    /// Read with `readdir`, not FileManager: its listing joins path components with the
    /// standard library's unspecialised `joined`, whose first use costs a scan of every
    /// conformance record in the binary, in every journaled run (docs/performance.md,
    /// "Eleventh round"). A directory that cannot be read has no journals.
    private static func journalFileNames(in directory: String) -> [String] {
        guard let stream = opendir(directory) else { return [] }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasSuffix(".jsonl") { names.append(name) }
        }
        return names
    }

    /// `20261130T234633.120Z-4242.jsonl`: sorts by time; the pid tells runs of one instant apart.
    static func fileName(_ date: Date, pid: Int32) -> String {
        UTCTime.compact(date) + "-\(pid).jsonl"
    }

    /// Lower-case hex SHA-256 (swift-crypto, already built for the TLS stack's certificates).
    static func sha256(_ bytes: [UInt8]) -> String {
        hex(SHA256.hash(data: bytes))
    }

    /// Bytes as lower-case hex, two digits each; by table, since `String(format:)` costs a
    /// dynamic cast per byte (3–5 % of a one-shot run, which hashes its runbook).
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var text: [UInt8] = []
        for byte in bytes {
            text.append(hexDigits[Int(byte >> 4)])
            text.append(hexDigits[Int(byte & 0xF)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// The intent lines of `operations`, numbered from `first`, each with its newline: the
    /// object `{"type":"intent","seq":…,"position":…}` followed by `fields(of:)`, as
    /// `JSONWire.encode` writes it. What comes before a line's number and its position are the
    /// same for every change of a statement and are written once: a `WireValue` built and
    /// encoded per line was most of a bulk statement's journaling (docs/performance.md, "Ninth
    /// round"). `RunJournalTests` compares the two for every kind of change.
    static func intentLines(first: Int, position: StatementPosition?, _ operations: [MutatingOperation]) -> [[UInt8]] {
        let head = Array(#"{"type":"intent","seq":"#.utf8)
        var place = Array(#","position":"#.utf8)
        JSONWire.append(position.map(value) ?? .null, to: &place)
        return operations.enumerated().map { index, operation in
            var line = head
            line.reserveCapacity(160)
            JSONWire.append(.int(Int64(first + index)), to: &line)
            line += place
            for (key, value) in fields(of: operation) {
                line.append(UInt8(ascii: ","))
                JSONWire.append(.string(key), to: &line)
                line.append(UInt8(ascii: ":"))
                JSONWire.append(value, to: &line)
            }
            line += [UInt8(ascii: "}"), UInt8(ascii: "\n")]
            return line
        }
    }

    private static func value(_ position: StatementPosition) -> WireValue {
        .object(
            WireObject([
                ("file", .string(position.file)), ("line", .int(Int64(position.line))),
                ("column", .int(Int64(position.column))),
            ]))
    }

    /// The operation, its campaign and its parameters, as the intent line records them.
    static func fields(of operation: MutatingOperation) -> [(String, WireValue)] {
        switch operation {
        case .activate(let id, let now, let audience, let limit):
            var parameters: [(String, WireValue)] = [("now", .bool(now))]
            if let audience {
                parameters.append(
                    ("audience", .object(WireObject([("source", .string(audience.source)), ("id", .int(audience.id))]))))
            }
            if let limit { parameters.append(("limit", .int(limit))) }
            return [("operation", "activate"), ("campaign", .int(id)), ("parameters", .object(WireObject(parameters)))]
        case .deactivate(let id, let abort):
            return [
                ("operation", "deactivate"), ("campaign", .int(id)),
                ("parameters", .object(WireObject([("abort", .bool(abort))]))),
            ]
        case .clone(let id, let name):
            return [
                ("operation", "clone"), ("campaign", .int(id)),
                ("parameters", .object(WireObject(name.map { [("name", WireValue.string($0))] } ?? []))),
            ]
        case .delete(let id):
            return [("operation", "delete"), ("campaign", .int(id)), ("parameters", .object(WireObject()))]
        case .launch(let id):
            return [("operation", "launch"), ("campaign", .int(id)), ("parameters", .object(WireObject()))]
        }
    }
}

/// Why a change could not be journaled, so was not sent.
struct JournalError: Error, Equatable {
    var reason: String
}
