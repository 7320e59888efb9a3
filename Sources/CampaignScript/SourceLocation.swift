/// A position in a source file: 1-based line, 1-based column in Unicode scalars, and byte offset.
public struct SourceLocation: Hashable, Sendable, Comparable, CustomStringConvertible {
    // Stored as 32-bit values: a token holds two locations, and a million-statement file has
    // millions of tokens, so this halves the token array. Sources are limited to 4 GiB.
    private var storedLine: UInt32
    private var storedColumn: UInt32
    private var storedOffset: UInt32

    /// The 1-based line number.
    public var line: Int {
        get { Int(storedLine) }
        set { storedLine = UInt32(truncatingIfNeeded: newValue) }
    }
    /// The 1-based column, counted in Unicode scalars (an invalid UTF-8 byte counts as one column).
    public var column: Int {
        get { Int(storedColumn) }
        set { storedColumn = UInt32(truncatingIfNeeded: newValue) }
    }
    /// The 0-based byte offset into the UTF-8 source.
    public var offset: Int {
        get { Int(storedOffset) }
        set { storedOffset = UInt32(truncatingIfNeeded: newValue) }
    }

    /// Creates a location.
    public init(line: Int, column: Int, offset: Int) {
        storedLine = UInt32(truncatingIfNeeded: line)
        storedColumn = UInt32(truncatingIfNeeded: column)
        storedOffset = UInt32(truncatingIfNeeded: offset)
    }

    /// Orders locations by byte offset.
    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        lhs.offset < rhs.offset
    }

    /// `line:column`, as printed in diagnostics.
    public var description: String { "\(line):\(column)" }
}

/// A half-open span of source text, from `start` up to (not including) `end`.
public struct SourceRange: Hashable, Sendable, CustomStringConvertible {
    /// The first position inside the range.
    public var start: SourceLocation
    /// The first position after the range.
    public var end: SourceLocation

    /// Creates a range between two locations.
    public init(start: SourceLocation, end: SourceLocation) {
        self.start = start
        self.end = end
    }

    /// Creates an empty range at a location.
    public init(at location: SourceLocation) {
        self.init(start: location, end: location)
    }

    /// The smallest range covering both ranges.
    public func union(_ other: SourceRange) -> SourceRange {
        SourceRange(start: min(start, other.start), end: max(end, other.end))
    }

    /// `line:column-line:column`, for test failure messages.
    public var description: String { "\(start)-\(end)" }
}
