import CampaignScript

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a runbook (or a `source`d file) from any path a shell can name: regular files, named
/// pipes, process substitution (`cops <(generate)` passes `/dev/fd/63`), `/dev/stdin` and
/// character devices. Foundation's `FileManager.contents(atPath:)` cannot read a pipe and
/// gives no reason, so a readable pipe was reported as "permission denied" (docs/program.md,
/// "Scripts and pipes").
///
/// Plain `open(2)` and `read(2)` to the end, with the system's own reason when it fails and a
/// size limit so that an endless input (`cops /dev/zero`) ends with an error rather than
/// with all the memory of the machine.
public enum ScriptFileReader {
    /// The most a script may hold: far above the largest runbook the benchmarks parse (a
    /// million statements, 26 MB), far below what would hurt the machine.
    public static let limit = 256 << 20

    public static func read(_ path: String, limit: Int = ScriptFileReader.limit) -> Result<[UInt8], FileReadError> {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return .failure(FileReadError(why: reason(errno))) }
        defer { _ = close(descriptor) }
        var status = stat()
        if fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFDIR {
            return .failure(FileReadError(why: "it is a directory"))
        }
        var bytes: [UInt8] = []
        // Room for the whole file at once: growing by doubling would hold the old and the new
        // buffer together (peak memory of `cops --check` on a large file; docs/performance.md).
        if status.st_mode & S_IFMT == S_IFREG, status.st_size > 0 {
            bytes.reserveCapacity(min(Int(status.st_size), limit) + 1)
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return .success(bytes) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(FileReadError(why: reason(errno)))
            }
            guard bytes.count + count <= limit else {
                return .failure(FileReadError(why: "too large (more than \(limit >> 20) MiB)"))
            }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    /// The system's words for an error number, with the common ones as the tools say them.
    public static func reason(_ number: Int32) -> String {
        switch number {
        case ENOENT: return "no such file"
        case EACCES, EPERM: return "permission denied"
        case EISDIR: return "it is a directory"
        case EEXIST: return "it already exists"
        default: return String(cString: strerror(number)).lowercased()
        }
    }
}

/// `read(2)`, named apart from `ScriptFileReader.read` (which hides it).
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.read(descriptor, buffer, count)
    #else
        Darwin.read(descriptor, buffer, count)
    #endif
}
