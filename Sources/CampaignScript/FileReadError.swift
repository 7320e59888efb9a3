/// Why a file could not be read, in the words that end `cannot read 'PATH': …` (for example
/// "no such file"). The reader is the program's (the language reads no files itself); this is
/// what it answers for a runbook or a `source`d file that cannot be read.
public struct FileReadError: Error, Equatable, Sendable {
    public var why: String

    public init(why: String) { self.why = why }
}

/// Reads a file for `source`: its bytes, or why not.
public typealias FileReader = @Sendable (String) -> Result<[UInt8], FileReadError>
