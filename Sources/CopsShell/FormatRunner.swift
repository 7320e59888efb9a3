import CampaignScript

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `cops fmt [--check] [--diff] [FILE…]` (docs/program.md, "cops fmt"), gofmt's habits: files
/// are rewritten in place, and with no file (or `-`) standard input is formatted to standard
/// output. A file that does not parse is reported as `--check` reports it and left as it was;
/// the others are still formatted. The layout is `ScriptFormatter`'s; Markdown runbooks (by
/// their name) change only inside their `cops` blocks.
public enum FormatRunner {
    /// What to do with a file whose layout would change.
    public struct Options: Equatable, Sendable {
        /// `--check`: name it and end with status 1; change nothing.
        public var check = false
        /// `--diff`: print a unified diff; change nothing.
        public var diff = false

        public init(check: Bool = false, diff: Bool = false) {
            self.check = check
            self.diff = diff
        }
    }

    /// Formats each file (standard input when there are none) and returns the worst status:
    /// 66 (a file cannot be read), 65 (one does not parse), 1 (`--check`: one would change; or
    /// one could not be written), else 0.
    public static func run(
        _ paths: [String], options: Options, environment: ScriptRunner.Environment = .process
    ) -> ExitStatus {
        var worst = ExitStatus.success
        for path in paths.isEmpty ? ["-"] : paths {
            let status = format(path, options: options, environment: environment)
            if status.rawValue > worst.rawValue { worst = status }
        }
        return worst
    }

    private static func format(_ path: String, options: Options, environment: ScriptRunner.Environment)
        -> ExitStatus
    {
        let sink = environment.sink
        let fromStandardInput = path == "-"
        let name = fromStandardInput ? "<stdin>" : path
        let bytes: [UInt8]
        if fromStandardInput {
            bytes = environment.readStandardInput()
        } else {
            switch ScriptFileReader.read(path) {
            case .success(let read): bytes = read
            case .failure(let failure):
                sink.message(Wording.cannotRead(path, failure.why))
                return .unreadableScript
            }
        }
        // Formatting works on text; bytes that are not UTF-8 (in a comment, say) would come
        // back replaced, so such a file is left alone.
        guard let text = String(validating: bytes, as: UTF8.self) else {
            sink.message(Wording.formatNotUTF8(name))
            return .invalidScript
        }
        let markdown = !fromStandardInput && MarkdownRunbook.isMarkdown(path: path)
        let formatted: String
        do throws(ScriptFormatError) {
            formatted = try markdown ? ScriptFormatter.formatMarkdown(text) : ScriptFormatter.format(text)
        } catch {
            let renderer = DiagnosticRenderer(colors: environment.colors(.auto))
            sink.message(renderer.render(error.diagnostics, in: SourceFile.script(named: name, bytes: bytes)))
            return .invalidScript
        }
        var status = ExitStatus.success
        if options.diff {
            sink.result(UnifiedDiff.diff(from: text, to: formatted, name: name))
        }
        if options.check {
            if formatted != text {
                sink.result(Wording.formatWouldChange(name))
                status = .failure
            }
        } else if !options.diff {
            if fromStandardInput {
                sink.result(formatted)
            } else if formatted != text, let why = replace(path, with: Array(formatted.utf8)) {
                sink.message(Wording.formatCannotWrite(path, why))
                status = .failure
            }
        }
        return status
    }

    /// Replaces a file's contents at once: a temporary file next to it with the same mode,
    /// renamed over it, so an interrupted run leaves the old text or the new, never half of
    /// one. A symbolic link stays a link; the file it points to is replaced. Returns why not.
    static func replace(_ path: String, with bytes: [UInt8]) -> String? {
        guard let resolved = realpath(path, nil) else { return ScriptFileReader.reason(errno) }
        let target = String(cString: resolved)
        free(resolved)
        var status = stat()
        guard stat(target, &status) == 0 else { return ScriptFileReader.reason(errno) }
        let directory = target.lastIndex(of: "/").map { String(target[...$0]) } ?? "./"
        let base = target.split(separator: "/").last.map(String.init) ?? target
        var template = Array((directory + "." + base + ".cops-fmt-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { return ScriptFileReader.reason(errno) }
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var failure: String?
        var offset = 0
        while offset < bytes.count, failure == nil {
            let written = bytes.withUnsafeBytes { systemWrite(descriptor, $0.baseAddress! + offset, bytes.count - offset) }
            if written >= 0 {
                offset += written
            } else if errno != EINTR {
                failure = ScriptFileReader.reason(errno)
            }
        }
        if failure == nil, fchmod(descriptor, status.st_mode & 0o7777) != 0 || fsync(descriptor) != 0 {
            failure = ScriptFileReader.reason(errno)
        }
        if close(descriptor) != 0, failure == nil { failure = ScriptFileReader.reason(errno) }
        if failure == nil, rename(temporary, target) != 0 { failure = ScriptFileReader.reason(errno) }
        if failure != nil { unlink(temporary) }
        return failure
    }
}
