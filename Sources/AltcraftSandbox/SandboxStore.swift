import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The embedded sandbox's state file (`$XDG_STATE_HOME/cops/sandbox.json`), shared by every
/// `cops` process of the user.
///
/// Each call is one transaction under an exclusive `flock` on a lock file beside it: reload
/// if another process wrote since we last looked, apply, write atomically (temp + rename).
/// The lock is held only for the call, so a long prompt session does not block a script.
public final class SandboxStore: Sendable {
    public let path: String
    let lockPath: String
    let fillTo: Int

    /// What a reader last saw of the file; each `Sandbox` keeps its own, so two sandboxes on
    /// one store object still notice each other's writes.
    public struct FileSignature: Equatable, Sendable {
        var inode: UInt64
        var size: Int64
        var modifiedSeconds: Int
        var modifiedNanoseconds: Int
        var changedNanoseconds: Int
    }

    /// `fillTo` generates campaigns up to that ID when the state is first created.
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
        path = directory + "/sandbox.json"
        lockPath = directory + "/sandbox.lock"
        self.fillTo = fillTo
    }

    /// The default directory: `$XDG_STATE_HOME/cops`, else `~/.local/state/cops`.
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") { return state + "/cops" }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.local/state/cops"
    }

    /// The current state, creating the seed state if there is none yet.
    func load(clock: any SandboxClock, seen: inout FileSignature?) throws(SandboxStoreError) -> SandboxState {
        try locked { () throws(SandboxStoreError) -> SandboxState in
            if let state = try read(seen: &seen) { return state }
            let state = SandboxState.seed(at: clock.now(), fillTo: fillTo)
            try write(state, seen: &seen)
            return state
        }
    }

    /// Puts the seed data back.
    public func reset(clock: any SandboxClock = SystemSandboxClock()) throws(SandboxStoreError) {
        var seen: FileSignature?
        try locked { () throws(SandboxStoreError) in
            try write(SandboxState.seed(at: clock.now(), fillTo: fillTo), seen: &seen)
        }
    }

    /// Runs `body` under the lock. It gets the file's state if another process changed it
    /// since we last read or wrote it (nil otherwise) and returns a state to save, if any.
    func transaction<R>(
        seen: inout FileSignature?, _ body: (SandboxState?) throws(SandboxStoreError) -> (R, SandboxState?)
    ) throws(SandboxStoreError) -> R {
        try locked { () throws(SandboxStoreError) -> R in
            var fresh: SandboxState?
            if signature() != seen { fresh = try read(seen: &seen) }
            let (result, changed) = try body(fresh)
            if let changed { try write(changed, seen: &seen) }
            return result
        }
    }

    private func locked<R>(_ body: () throws(SandboxStoreError) -> R) throws(SandboxStoreError) -> R {
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SandboxStoreError.unusable(lockPath, String(cString: strerror(errno))) }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw SandboxStoreError.unusable(lockPath, String(cString: strerror(errno))) }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    private func signature() -> FileSignature? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return FileSignature(
            inode: UInt64(info.st_ino), size: Int64(info.st_size), modifiedSeconds: info.st_mtim.tv_sec,
            modifiedNanoseconds: info.st_mtim.tv_nsec, changedNanoseconds: info.st_ctim.tv_nsec)
    }

    private func read(seen: inout FileSignature?) throws(SandboxStoreError) -> SandboxState? {
        guard let bytes = POSIXFile.contents(of: path) else { return nil }
        do {
            let state = try SandboxState(json: bytes)
            seen = signature()
            return state
        } catch {
            throw SandboxStoreError.damaged(path)
        }
    }

    private func write(_ state: SandboxState, seen: inout FileSignature?) throws(SandboxStoreError) {
        let temporary = path + ".tmp-\(getpid())"
        guard POSIXFile.create(temporary, containing: state.encodedJSON()) else {
            unlink(temporary)
            throw SandboxStoreError.unusable(temporary, "cannot write")
        }
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw SandboxStoreError.unusable(path, String(cString: strerror(errno)))
        }
        seen = signature()
    }
}

/// Whole-file reads and writes in plain POSIX: they run on every `cops` start, and Foundation's
/// file API costs more than the read.
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

    /// Creates (or truncates) a file with mode 0600 and writes `bytes`; false on any failure.
    static func create(_ path: String, containing bytes: [UInt8]) -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return false }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else {
                close(fd)
                return false
            }
            written += count
        }
        return close(fd) == 0
    }
}

public enum SandboxStoreError: Error, Sendable, CustomStringConvertible {
    case unusable(String, String)
    case damaged(String)

    public var description: String {
        switch self {
        case .unusable(let path, let why): return "sandbox state \(path): \(why)"
        case .damaged(let path): return "sandbox state \(path) is damaged; run 'cops sandbox reset'"
        }
    }
}
