/// The sentences of `cops fmt`.
extension Wording {
    /// `--check`: a file whose layout would change (gofmt -l's habit: the name alone).
    static func formatWouldChange(_ name: String) -> String { "\(name)\n" }

    static func formatNotUTF8(_ name: String) -> String {
        "cops fmt: \(name): not UTF-8 text; left as it is\n"
    }

    static func formatCannotWrite(_ path: String, _ why: String) -> String {
        "cops fmt: cannot write '\(path)': \(why); left as it was\n"
    }

    public static let formatAbstract = "Lay out cops scripts and runbooks the canonical way."
    public static let formatDiscussion = """
        Rewrites each file in place (atomically, keeping its mode); with no file, or -, formats \
        standard input to standard output. Comments, blank-line groups, line breaks inside a \
        statement and every word as written are kept; only layout changes. A file ending in .md \
        or .markdown changes only inside its cops code blocks. A file that does not parse is \
        left alone and its errors printed.

        Exit status: 0 ok, 1 --check found a file to change (or one could not be written), \
        65 a file does not parse, 66 a file cannot be read.
        """
}
