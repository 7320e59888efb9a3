import Synchronization

/// A named UTF-8 source text with a line table.
public struct SourceFile: Sendable {
    /// The name shown in diagnostics, e.g. `runbook.cops` or `<stdin>`.
    public let name: String
    /// The raw bytes; they need not be valid UTF-8.
    public let bytes: [UInt8]
    private let lineTable: LineTable
    /// Lines of the input before this text: a statement read from a stream or a prompt entry is
    /// its own file, but diagnostics number its lines as the whole input does.
    public var lineOffset = 0
    /// The headings of a Markdown runbook (`SourceFile.script(named:bytes:)`), so a run-time
    /// error can name the section it happened in; empty for a script.
    public var headings: [MarkdownHeading] = []

    /// Creates a source file from raw bytes; the line table is built when first needed.
    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
        self.lineTable = LineTable()
    }

    /// Byte offset at which each line starts; `lineStarts[0]` is line 1. Built on first use:
    /// the lexer counts lines itself, so only diagnostics and editors read it, and a file that
    /// checks cleanly never pays for it (1.4 million lines, 5.3 MiB, for the benchmark's
    /// million-statement runbook; docs/performance.md, "Flat syntax storage").
    public var lineStarts: LineStarts { lineTable.starts(of: bytes) }

    /// Whether the line table has been built (tests check that a clean check never builds it).
    var isLineTableBuilt: Bool { lineTable.isBuilt }

    /// Where each line starts, stored as 32-bit offsets (sources are limited to 4 GiB, as in
    /// `SourceLocation`): a million-statement runbook has 1.4 million lines, and this table is
    /// held for as long as the file is.
    public struct LineStarts: RandomAccessCollection, Sendable {
        fileprivate let starts: [UInt32]

        /// The first line's index, 0.
        public var startIndex: Int { 0 }
        /// The number of lines.
        public var endIndex: Int { starts.count }
        /// The byte offset at which the line with this 0-based index starts.
        public subscript(position: Int) -> Int { Int(starts[position]) }

        /// The table of `bytes`.
        fileprivate init(of bytes: [UInt8]) {
            var starts: [UInt32] = [0]
            bytes.withUnsafeBufferPointer { buffer in
                for index in buffer.indices where buffer[index] == UInt8(ascii: "\n") {
                    starts.append(UInt32(truncatingIfNeeded: index + 1))
                }
            }
            self.starts = starts
        }
    }

    /// The line table, built once and shared by the copies of the file (a file is passed
    /// around by value, and diagnostics for it may be rendered from several places).
    private final class LineTable: Sendable {
        private let table = Mutex<LineStarts?>(nil)

        func starts(of bytes: [UInt8]) -> LineStarts {
            table.withLock { table in
                if let table { return table }
                let built = LineStarts(of: bytes)
                table = built
                return built
            }
        }

        var isBuilt: Bool { table.withLock { $0 != nil } }
    }

    /// Creates a source file from text.
    public init(name: String, text: String) {
        self.init(name: name, bytes: Array(text.utf8))
    }

    /// The number of lines (a trailing newline starts an empty last line).
    public var lineCount: Int { lineStarts.count }

    /// The bytes of a 1-based line, without its line terminator.
    public func lineBytes(_ line: Int) -> ArraySlice<UInt8> {
        let lineStarts = lineStarts
        guard line >= 1, line <= lineStarts.count else { return [] }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
        if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return bytes[start..<end]
    }

    /// The text a range covers (invalid UTF-8 replaced), e.g. a statement for a confirmation.
    public func text(of range: SourceRange) -> String {
        let start = max(0, min(range.start.offset, bytes.count))
        let end = max(start, min(range.end.offset, bytes.count))
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// The location of a byte offset (clamped to the file).
    public func location(atOffset rawOffset: Int) -> SourceLocation {
        let offset = max(0, min(rawOffset, bytes.count))
        let lineStarts = lineStarts
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
        }
        var column = 1
        var index = lineStarts[low]
        while index < offset {
            index += Self.decodeScalar(bytes, at: index, end: bytes.count).length
            column += 1
        }
        return SourceLocation(line: low + 1, column: column, offset: offset)
    }

    /// Splits bytes into columns: a decoded scalar, or `nil` for one invalid UTF-8 unit.
    public static func scalars(of bytes: ArraySlice<UInt8>) -> [Unicode.Scalar?] {
        let array = Array(bytes)
        var result: [Unicode.Scalar?] = []
        var index = 0
        while index < array.count {
            let decoded = decodeScalar(array, at: index, end: array.count)
            result.append(decoded.scalar)
            index += decoded.length
        }
        return result
    }

    /// Decodes one UTF-8 scalar at `index`; an invalid or truncated sequence yields `nil` and the
    /// number of bytes that form the broken unit, so every byte is consumed exactly once.
    public static func decodeScalar(_ bytes: [UInt8], at index: Int, end: Int) -> (
        scalar: Unicode.Scalar?, length: Int
    ) {
        let lead = bytes[index]
        if lead < 0x80 { return (Unicode.Scalar(lead), 1) }
        let continuationCount: Int
        var value: UInt32
        let minimum: UInt32
        switch lead {
        case 0xC2...0xDF:
            continuationCount = 1
            value = UInt32(lead & 0x1F)
            minimum = 0x80
        case 0xE0...0xEF:
            continuationCount = 2
            value = UInt32(lead & 0x0F)
            minimum = 0x800
        case 0xF0...0xF4:
            continuationCount = 3
            value = UInt32(lead & 0x07)
            minimum = 0x10000
        default:
            return (nil, 1)
        }
        var next = index + 1
        for _ in 0..<continuationCount {
            guard next < end, bytes[next] & 0xC0 == 0x80 else { return (nil, next - index) }
            value = value << 6 | UInt32(bytes[next] & 0x3F)
            next += 1
        }
        guard value >= minimum, let scalar = Unicode.Scalar(value) else { return (nil, next - index) }
        return (scalar, next - index)
    }
}
