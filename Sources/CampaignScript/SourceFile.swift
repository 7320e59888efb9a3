import Synchronization

/// A named UTF-8 source text with a line table.
public struct SourceFile: Sendable {
    /// The name shown in diagnostics, e.g. `runbook.cops` or `<stdin>`.
    public let name: String
    /// The raw bytes (they need not be valid UTF-8), in an array or a mapped file.
    let storage: Storage
    private let lineTable: LineTable
    /// Lines of the input before this text: a statement read from a stream or a prompt entry is
    /// its own file, but diagnostics number its lines as the whole input does.
    public var lineOffset = 0
    /// The headings of a Markdown runbook (`SourceFile.script(named:bytes:)`), so a run-time
    /// error can name the section it happened in; empty for a script.
    public var headings: [MarkdownHeading] = []

    /// Creates a source file from raw bytes; the line table is built when first needed.
    public init(name: String, bytes: [UInt8]) {
        self.init(name: name, storage: .array(bytes))
    }

    /// Creates a source file that reads a mapped file in place (`cops --check FILE`).
    public init(name: String, mapping: any MappedSource) {
        self.init(name: name, storage: .mapped(mapping))
    }

    private init(name: String, storage: Storage) {
        self.name = name
        self.storage = storage
        self.lineTable = LineTable()
    }

    /// The bytes as an array: the stored one, or a copy of a mapped file (whose readers on the
    /// `--check` path use `withBytes` instead, so that the file is never held twice).
    public var bytes: [UInt8] {
        switch storage {
        case .array(let bytes): bytes
        case .mapped(let mapping): withExtendedLifetime(mapping) { Array(mapping.buffer) }
        }
    }

    /// The number of bytes.
    public var byteCount: Int { withBytes { $0.count } }

    /// Calls `body` with the bytes in place, wherever they are stored; the buffer is valid only
    /// inside `body`.
    public func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try storage.withBytes(body)
    }

    /// Tells a mapped file that reading has got to `offset`: the pages before it may leave this
    /// process's memory (`MappedSource.releasePages(before:)`). Nothing for an array.
    func didRead(upTo offset: Int) {
        if case .mapped(let mapping) = storage { mapping.releasePages(before: offset) }
    }

    /// Where a file's bytes live: an array (standard input, the prompt, `-c`, editors, tests,
    /// Markdown runbooks' programs) or a mapping of the file (`cops --check` of a regular file:
    /// the text stays in the page cache instead of anonymous memory; docs/performance.md, "Row 4b:
    /// checking a mapped file"). A `StatementList` holds it to parse its statements again.
    enum Storage: Sendable, Equatable {
        case array([UInt8])
        case mapped(any MappedSource)

        /// Calls `body` with the bytes in place, keeping their owner alive meanwhile.
        func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
            switch self {
            case .array(let bytes): try bytes.withUnsafeBufferPointer(body)
            case .mapped(let mapping): try withExtendedLifetime(mapping) { try body(mapping.buffer) }
            }
        }

        /// Equal when the bytes are, however they are stored.
        static func == (lhs: Storage, rhs: Storage) -> Bool {
            if case .array(let left) = lhs, case .array(let right) = rhs { return left == right }
            if case .mapped(let left) = lhs, case .mapped(let right) = rhs, left === right { return true }
            return lhs.withBytes { left in rhs.withBytes { right in left.elementsEqual(right) } }
        }
    }

    /// Byte offset at which each line starts; `lineStarts[0]` is line 1. Built on first use:
    /// the lexer counts lines itself, so only diagnostics and editors read it, and a file that
    /// checks cleanly never pays for it (1.4 million lines, 5.3 MiB, for the benchmark's
    /// million-statement runbook; docs/performance.md, "Flat syntax storage").
    public var lineStarts: LineStarts { lineTable.starts(of: storage) }

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
        fileprivate init(of buffer: UnsafeBufferPointer<UInt8>) {
            var starts: [UInt32] = [0]
            for index in buffer.indices where buffer[index] == UInt8(ascii: "\n") {
                starts.append(UInt32(truncatingIfNeeded: index + 1))
            }
            self.starts = starts
        }
    }

    /// The line table, built once and shared by the copies of the file (a file is passed
    /// around by value, and diagnostics for it may be rendered from several places).
    private final class LineTable: Sendable {
        private let table = Mutex<LineStarts?>(nil)

        func starts(of storage: Storage) -> LineStarts {
            table.withLock { table in
                if let table { return table }
                let built = storage.withBytes { LineStarts(of: $0) }
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
    /// The bytes of a 1-based line, without its line terminator (a copy of the line when the
    /// file is mapped).
    public func lineBytes(_ line: Int) -> ArraySlice<UInt8> {
        let lineStarts = lineStarts
        guard line >= 1, line <= lineStarts.count else { return [] }
        let start = lineStarts[line - 1]
        return storage.withBytes { bytes in
            var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
            if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            if case .array(let array) = storage { return array[start..<end] }
            return ArraySlice(bytes[start..<end])
        }
    }

    /// The text a range covers (invalid UTF-8 replaced), e.g. a statement for a confirmation.
    public func text(of range: SourceRange) -> String {
        withBytes { bytes in
            let start = max(0, min(range.start.offset, bytes.count))
            let end = max(start, min(range.end.offset, bytes.count))
            return String(decoding: bytes[start..<end], as: UTF8.self)
        }
    }

    /// The location of a byte offset (clamped to the file).
    public func location(atOffset rawOffset: Int) -> SourceLocation {
        let lineStarts = lineStarts
        return withBytes { bytes in
            let offset = max(0, min(rawOffset, bytes.count))
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
    public static func decodeScalar<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes, at index: Int, end: Int)
        -> (scalar: Unicode.Scalar?, length: Int)
    where Bytes.Index == Int {
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
