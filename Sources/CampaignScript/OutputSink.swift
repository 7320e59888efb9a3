/// Where the interpreter writes: results to one stream, everything else to the other.
///
/// Injected so tests capture both streams; the shell passes stdout and stderr.
public struct OutputSink: Sendable {
    /// Writes result text (already ending in a newline) to standard output.
    public var result: @Sendable (String) -> Void
    /// Writes diagnostics, warnings and progress (already ending in a newline) to standard error.
    public var message: @Sendable (String) -> Void

    /// Creates a sink from two writers.
    public init(result: @escaping @Sendable (String) -> Void, message: @escaping @Sendable (String) -> Void) {
        self.result = result
        self.message = message
    }
}
