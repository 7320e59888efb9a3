import CampaignScript
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A regular file mapped read-only and private, so `cops --check` reads a large runbook
/// without holding a copy of it in anonymous memory: the pages are the page cache's, and
/// `releasePages(before:)` hands those already parsed back, so the peak memory of a check
/// does not grow with the file (docs/performance.md, "Row 4b: checking a mapped file").
///
/// The size is the file's at `fstat` time. A file truncated while it is mapped makes reading
/// the lost pages fault (SIGBUS), as it does for every program that maps files: `cops --check`
/// reports it as the file shrinking (`ScriptFileReader.reportShrinking`).
public final class FileMapping: MappedSource {
    /// What the mapping holds; `nil` for an empty file (a zero-length mapping is an error).
    private nonisolated(unsafe) let start: UnsafeRawPointer?
    /// The number of bytes mapped: the file's size when it was mapped.
    public let count: Int
    /// The offset up to which pages were released; they are released in steps of
    /// `releaseStep`, not per statement, so the `madvise` calls cost nothing to speak of.
    private let released = Atomic<Int>(0)
    /// How far reading must get past the last release before the next one.
    private let releaseStep: Int

    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// Maps the file open at `descriptor` and closes it (the mapping outlives it); `nil` when it
    /// is not a regular file or the system will not map it, and the descriptor stays open for
    /// the caller to read the file instead.
    ///
    /// Pages are released every `releaseStep` bytes read (4 MiB: a few dozen `madvise` calls
    /// for the benchmark's runbook; tests take less).
    public init?(descriptor: Int32, releaseStep: Int = 4 << 20) {
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
        let size = Int(status.st_size)
        if size > 0 {
            guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED
            else { return nil }
            // Read front to back: more read-ahead, and the kernel may drop what was read sooner.
            _ = madvise(address, size, MADV_SEQUENTIAL)
            start = UnsafeRawPointer(address)
        } else {
            start = nil
        }
        count = size
        _ = close(descriptor)
        self.releaseStep = releaseStep
    }

    deinit {
        if let start { _ = munmap(UnsafeMutableRawPointer(mutating: start), count) }
    }

    /// The mapped bytes, valid for as long as the mapping is.
    public var buffer: UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: start?.assumingMemoryBound(to: UInt8.self), count: count)
    }

    /// Drops the whole pages before `offset` from this process's memory once reading has got
    /// `releaseStep` past the last release. Reading them again is still correct: they come back
    /// from the page cache (or the file), as a diagnostic quoting an early line does.
    public func releasePages(before offset: Int) {
        let from = released.load(ordering: .relaxed)
        guard let start, offset - from >= releaseStep else { return }
        let end = min(offset, count) / Self.pageSize * Self.pageSize
        guard end > from else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: start + from), end - from, MADV_DONTNEED)
        released.store(end, ordering: .relaxed)
    }
}
