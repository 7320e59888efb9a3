import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The prompt's history on disk: one entry per line, appended as it is entered.
///
/// libedit's own `H_SAVE` truncates and rewrites the whole file, so a crash mid-write loses
/// history and two sessions overwrite each other. We append each entry with one `write()`
/// to a file opened with `O_APPEND` (atomic for such small writes, so sessions interleave
/// safely and `kill -9` loses nothing already entered), and trim by rewriting a temporary
/// file and renaming it, under a lock. Each entry is stored as a JSON string so that
/// multi-line entries and any Unicode survive.
public final class HistoryFile: @unchecked Sendable {
    /// nil when history is disabled (`COPS_HISTFILE=/dev/null`).
    public let path: String?
    /// How many entries are kept; the file is trimmed when it holds twice as many.
    public let limit: Int
    /// Values that must never be written (the API token, for one).
    private let secrets: [String]

    public init(path: String?, limit: Int = 2000, secrets: [String] = []) {
        self.path = path == "/dev/null" ? nil : path
        self.limit = max(1, limit)
        self.secrets = secrets.filter { $0.count >= 4 }
    }

    /// Why an entry is not recorded, or nil when it is.
    public func reasonNotRecorded(_ entry: String) -> String? {
        if entry.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return "empty" }
        if entry.hasPrefix(" ") { return "starts with a space" }
        if secrets.contains(where: { entry.contains($0) }) { return "holds a secret" }
        if Self.looksSecret(entry) { return "looks like it holds a secret" }
        return nil
    }

    /// A backstop against recording credentials pasted at the prompt.
    static func looksSecret(_ entry: String) -> Bool {
        let lowered = entry.lowercased()
        for marker in ["token=", "token:", "token =", "authorization", "bearer ", "password", "passwd", "secret="]
        where lowered.contains(marker) {
            return true
        }
        // A long run of letters and digits mixed, like an API key.
        var run = 0
        var letters = false
        var digits = false
        for scalar in entry.unicodeScalars {
            if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                run += 1
                if ("0"..."9").contains(scalar) { digits = true } else { letters = true }
                if run >= 24, letters, digits { return true }
            } else {
                run = 0
                letters = false
                digits = false
            }
        }
        return false
    }

    /// Appends one entry unless it must not be recorded; returns whether it was written.
    @discardableResult
    public func append(_ entry: String) -> Bool {
        guard let path, reasonNotRecorded(entry) == nil else { return false }
        let line = Array(Self.encode(entry).utf8) + [UInt8(ascii: "\n")]
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        // An existing file made by something else keeps no wider mode than ours.
        fchmod(fd, 0o600)
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        return written == line.count
    }

    /// The newest `limit` entries, oldest first; trims the file when it has grown too long.
    public func load() -> [String] {
        guard let path, let data = FileManager.default.contents(atPath: path) else { return [] }
        var entries: [String] = []
        for line in data.split(separator: UInt8(ascii: "\n")) {
            if let entry = Self.decode(String(decoding: line, as: UTF8.self)) { entries.append(entry) }
        }
        if entries.count > limit * 2 { trim(to: Array(entries.suffix(limit))) }
        return Array(entries.suffix(limit))
    }

    private func trim(to entries: [String]) {
        guard let path else { return }
        let lock = open(path + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lock >= 0 else { return }
        defer { close(lock) }
        guard flock(lock, LOCK_EX | LOCK_NB) == 0 else { return }  // another session is trimming
        defer { flock(lock, LOCK_UN) }
        let temporary = path + ".tmp-\(getpid())"
        let text = entries.map { Self.encode($0) + "\n" }.joined()
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        else { return }
        if rename(temporary, path) != 0 { unlink(temporary) }
    }

    static func encode(_ entry: String) -> String {
        // Foundation writes the JSON string (escapes included) that `decode` reads back.
        let data = try? JSONSerialization.data(withJSONObject: entry, options: [.fragmentsAllowed, .withoutEscapingSlashes])
        return data.map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    }

    static func decode(_ line: String) -> String? {
        guard let data = line.data(using: .utf8),
            let value = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) as? String
        else { return nil }
        return value
    }
}
