/// A file that a `source` statement with a constant path names, as it was read and checked
/// before anything ran.
public struct SourcedFile: Sendable {
    /// The file, named by its resolved path (diagnostics show that name).
    public var file: SourceFile
    /// Its syntax tree: what the `source` statement runs, so what runs is what was checked.
    public var program: Program
    /// Its own diagnostics, rendered against `file`.
    public var diagnostics: [Diagnostic]

    /// False when any diagnostic is an error.
    public var isRunnable: Bool { !diagnostics.contains { $0.severity == .error } }
}

/// Reads, parses and checks the files that `source` statements with a constant path name, for
/// the checker of the file that sources them, recursively. One error anywhere in them makes the
/// whole program not runnable, so a syntax error in a library cannot stop a runbook halfway,
/// after its first statements were sent. A path computed at run time is checked when it runs.
public final class SourceLoader {
    /// What a `source` statement found.
    enum Outcome {
        /// The file (read now or earlier) and the variables defined by its end.
        case checked(SourcedFile, defined: Set<String>)
        /// The file cannot be read.
        case unreadable(path: String, why: String)
        /// The file is one of those that source it: `chain`, outermost first.
        case cycle(chain: [String])
    }

    private let readFile: FileReader
    /// The files being checked, outermost first.
    private var chain: [String]
    /// Files checked so far, by resolved path, with the variables they define.
    private var done: [String: (SourcedFile, Set<String>)] = [:]
    /// Every sourced file, in the order they were first checked.
    private(set) var files: [SourcedFile] = []

    /// Creates a loader for a file named `root` (and the files that source it, when checking
    /// a file that is itself being sourced: `chain`, outermost first).
    init(root: String, chain: [String] = [], readFile: @escaping FileReader) {
        self.readFile = readFile
        self.chain = chain + [root]
    }

    /// Checks the file that `source "written"` in `current` names, with the variables defined
    /// where the statement stands. A file sourced twice is checked once (its diagnostics are
    /// printed once).
    func load(_ written: String, from current: String, defined: Set<String>) -> Outcome {
        let resolved = Self.resolve(written, relativeTo: current)
        if let index = chain.firstIndex(of: resolved) { return .cycle(chain: Array(chain[index...])) }
        if let (file, names) = done[resolved] { return .checked(file, defined: names) }
        let bytes: [UInt8]
        switch readFile(resolved) {
        case .success(let read): bytes = read
        case .failure(let error): return .unreadable(path: resolved, why: error.why)
        }
        let file = SourceFile.script(named: resolved, bytes: bytes)
        chain.append(resolved)
        let checked = Checker.check(file, defined: defined, origin: .sourced, sources: self)
        chain.removeLast()
        let sourced = SourcedFile(file: file, program: checked.program, diagnostics: checked.diagnostics)
        done[resolved] = (sourced, checked.definedVariables)
        files.append(sourced)
        return .checked(sourced, defined: checked.definedVariables)
    }

    /// A `source` path: absolute as written, otherwise next to the file that sources it (also
    /// where an editor's go-to-definition goes).
    public static func resolve(_ path: String, relativeTo current: String) -> String {
        var joined = path
        if !path.hasPrefix("/"), let slash = current.lastIndex(of: "/") { joined = String(current[...slash]) + path }
        // `a/./b` and `a/x/../b` name one file; cycle detection compares these names.
        var parts: [Substring] = []
        for part in joined.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
            } else {
                parts.append(part)
            }
        }
        let resolved = (joined.hasPrefix("/") ? "/" : "") + parts.joined(separator: "/")
        // `source "."` names the current directory, not a file called ''.
        return resolved.isEmpty ? "." : resolved
    }
}
