import CampaignScript
import Synchronization

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
        return read(descriptor: descriptor, limit: limit)
    }

    /// A script to check (`cops --check`, `--usage`): a regular file is mapped rather than
    /// copied (`FileMapping`), so that a large runbook's text stays in the page cache and the
    /// pages already checked can leave memory (docs/performance.md, "Row 4b: checking a mapped
    /// file"); a Markdown runbook, whose program is built from its blocks, and whatever cannot
    /// be mapped (a pipe, `/proc`) are read as `read` reads them, from the same open file.
    public static func script(_ path: String, limit: Int = ScriptFileReader.limit) -> Result<SourceFile, FileReadError> {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return .failure(FileReadError(why: reason(errno))) }
        if !MarkdownRunbook.isMarkdown(path: path), let mapping = FileMapping(descriptor: descriptor) {
            guard mapping.count <= limit else { return .failure(tooLarge(limit)) }
            return .success(SourceFile(name: path, mapping: mapping))
        }
        defer { _ = close(descriptor) }
        return read(descriptor: descriptor, limit: limit).map { SourceFile.script(named: path, bytes: $0) }
    }

    /// Reads an open file to its end.
    private static func read(descriptor: Int32, limit: Int) -> Result<[UInt8], FileReadError> {
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
            guard bytes.count + count <= limit else { return .failure(tooLarge(limit)) }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    /// Makes a SIGBUS while `path` is checked through its mapping (the file was truncated
    /// meanwhile, and a page past its new end was read) end cops with one plain line and exit
    /// 66, as for any file it cannot read, instead of the shell's "Bus error".
    public static func reportShrinking(_ path: String) {
        _ = installShrinkingReport
        let line = strdup(Wording.cannotRead(path, "it shrank while it was being read"))
        // The previous file is done with: nothing can fault on it any more.
        free(UnsafeMutablePointer<CChar>(bitPattern: shrinkingLine.exchange(UInt(bitPattern: line), ordering: .relaxed)))
    }

    /// The handler, installed once; it makes only async-signal-safe calls.
    private static let installShrinkingReport: Void = {
        _ = ExitStatus.unreadableScript
        var action = sigaction()
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        #if canImport(Glibc)
            action.__sigaction_handler.sa_handler = { _ in reportShrunkFile() }
        #else
            action.__sigaction_u.__sa_handler = { _ in reportShrunkFile() }
        #endif
        sigaction(SIGBUS, &action, nil)
    }()

    private static func tooLarge(_ limit: Int) -> FileReadError {
        FileReadError(why: "too large (more than \(limit >> 20) MiB)")
    }

    /// The system's words for an error number, with the common ones as the tools say them.
    /// Why a file that does not exist cannot be read.
    static let missingFile = "no such file"

    public static func reason(_ number: Int32) -> String {
        switch number {
        case ENOENT: return missingFile
        case EACCES, EPERM: return "permission denied"
        case EISDIR: return "it is a directory"
        case EEXIST: return "it already exists"
        default: return String(cString: strerror(number)).lowercased()
        }
    }
}

/// The line `reportShrunkFile` prints, a C string (`strdup`) set per checked file.
private let shrinkingLine = Atomic<UInt>(0)

/// The SIGBUS handler's work: the line for the file being checked, then exit 66.
private func reportShrunkFile() {
    if let line = UnsafePointer<CChar>(bitPattern: shrinkingLine.load(ordering: .relaxed)) {
        _ = write(STDERR_FILENO, line, strlen(line))
    }
    _exit(ExitStatus.unreadableScript.rawValue)
}

/// `read(2)`, named apart from `ScriptFileReader.read` (which hides it).
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.read(descriptor, buffer, count)
    #else
        Darwin.read(descriptor, buffer, count)
    #endif
}
