/// Source bytes that live outside the process's anonymous memory — a mapped file, for
/// `cops --check` of a large runbook (docs/performance.md, "Row 4b: checking a mapped file").
/// The language never touches the system itself (docs/architecture.md): the program makes
/// the mapping (CopsShell's `FileMapping`) and hands it to a `SourceFile` through this.
public protocol MappedSource: AnyObject, Sendable {
    /// The bytes, valid for as long as the object is.
    var buffer: UnsafeBufferPointer<UInt8> { get }
    /// Reading has got to `offset`: the pages before it may leave the process's memory (they
    /// must read the same again if touched, as a diagnostic quoting an early line does).
    func releasePages(before offset: Int)
}
