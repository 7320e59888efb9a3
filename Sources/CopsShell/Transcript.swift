import AltcraftAPI
import AltcraftWire
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `--transcript FILE`: what was entered and what came back, errors included, in the order
/// it happened, with every secret masked. Appended (an earlier transcript is kept), mode 0600.
public final class Transcript: Sendable {
    private let descriptor: Mutex<Int32>
    private let secrets: Mutex<[String]>

    /// Opens (creating with mode 0600) or fails with the reason.
    public static func open(path: String, secrets: [String]) -> Result<Transcript, TranscriptError> {
        let fd = systemOpen(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return .failure(TranscriptError(path: path, reason: ScriptFileReader.reason(errno))) }
        return .success(Transcript(fd: fd, secrets: secrets))
    }

    private init(fd: Int32, secrets: [String]) {
        descriptor = Mutex(fd)
        self.secrets = Mutex(secrets)
    }

    /// Masks one more secret from now on (the target's token, once it is known).
    public func addSecret(_ secret: String) {
        secrets.withLock { $0.append(secret) }
    }

    deinit { descriptor.withLock { _ = close($0) } }

    /// Writes text as is (after masking secrets).
    public func write(_ text: String) {
        let bytes = Array(Redactor(secrets: secrets.withLock { $0 }).redact(text).utf8)
        descriptor.withLock { fd in
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { systemWrite(fd, $0.baseAddress, $0.count) }
                if written < 0, errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
    }

    /// A line of what was entered, shown after the prompt it was entered at.
    public func entered(_ entry: String, prompt: String) {
        write(prompt + entry + (entry.hasSuffix("\n") ? "" : "\n"))
    }

    /// The first line of a session: when and against what.
    public func begin(mode: String, target: String) {
        let stamp = UTCTime.rfc3339(Date(), milliseconds: false)
        write("# cops \(CopsVersion.current) \(mode) on \(target), \(stamp)\n")
    }
}

/// A transcript file that cannot be opened (exit 73 would be sysexits' CANTCREAT; cops uses 64
/// for bad usage, since the path is a command-line argument).
public struct TranscriptError: Error, Sendable {
    public var path: String
    public var reason: String
}

/// `open(2)`, named apart from `Transcript.open` (which hides it).
private func systemOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
    #if canImport(Glibc)
        Glibc.open(path, flags, mode)
    #else
        Darwin.open(path, flags, mode)
    #endif
}
