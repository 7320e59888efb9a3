#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads lines from a file descriptor with no editing: pipes, files, and tests.
///
/// Bytes are read in blocks and split at newlines; a line is decoded as UTF-8 with invalid
/// sequences replaced, since the language's lexer reports them itself.
public final class PlainLineReader: LineReader {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var finished = false
    /// Where the prompt goes, if anywhere (a closure so tests can capture it).
    private let showPrompt: ((String) -> Void)?

    public init(fileDescriptor: Int32 = 0, showPrompt: ((String) -> Void)? = nil) {
        self.fd = fileDescriptor
        self.showPrompt = showPrompt
    }

    public var isInteractive: Bool { false }

    public func readLine(prompt: String) -> LineReadResult {
        showPrompt?(prompt)
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                var line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                return .line(String(decoding: line, as: UTF8.self))
            }
            if finished {
                guard !buffer.isEmpty else { return .endOfInput }
                defer { buffer.removeAll() }
                return .line(String(decoding: buffer, as: UTF8.self))
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                buffer.append(contentsOf: chunk[0..<count])
            } else if count == 0 || errno != EINTR {
                finished = true
            }
        }
    }

    public func addToHistory(_ entry: String) {}

    public func replaceHistory(_ entries: [String]) {}

    /// Pasted input is what the buffer holds beyond the line read; drop it.
    public func discardTypeAhead() -> Int {
        defer { buffer.removeAll() }
        return buffer.count
    }
}
