/// A Markdown runbook read as a program (docs/program.md, "Markdown runbooks"): its fenced code
/// blocks whose info string starts with the word `cops`, in document order. The program keeps
/// the document's line count — every line outside those blocks is empty, every line inside is
/// kept as written — so a diagnostic's line and column are the Markdown file's own and its
/// excerpt shows the real line, with no mapping table.
///
/// A small line scanner following CommonMark 0.31's fence rules (§4.5) rather than a Markdown
/// library: Ink, the Swift one at hand, gives no source positions (docs/program.md says why).
/// Fences count at the top level of the document only: one inside a block quote (`> ```cops`)
/// or after a list marker never runs, and a line indented four spaces or more is an indented
/// code block, which never runs either.
public struct MarkdownRunbook: Sendable {
    /// A fenced block that holds cops statements.
    public struct Block: Equatable, Sendable {
        /// The line of the opening fence, 1-based.
        public var openingLine: Int
        /// The lines between the fences (to the end of the document when the block is not closed).
        public var contentLines: Range<Int>
        /// The opening fence's indentation: up to that many spaces are not part of a content line.
        public var indentation: Int
    }

    /// The program text: the document's lines, blank outside `cops` blocks.
    public let program: [UInt8]
    /// The `cops` blocks, in document order.
    public let blocks: [Block]
    /// The ATX headings outside code blocks, in document order.
    public let headings: [MarkdownHeading]

    /// Whether a file is read as a Markdown runbook: by its name, as editors and renderers decide.
    public static func isMarkdown(path: String) -> Bool {
        let lowered = path.lowercased()
        return lowered.hasSuffix(".md") || lowered.hasSuffix(".markdown")
    }

    /// Reads a document.
    public init(bytes: [UInt8]) {
        let lines = Self.lines(of: bytes)
        var program: [UInt8] = []
        program.reserveCapacity(bytes.count)
        var blocks: [Block] = []
        var headings: [MarkdownHeading] = []
        var open: (fence: Fence, isCops: Bool, line: Int)?
        for (index, line) in lines.enumerated() {
            let number = index + 1
            let content = line.last == UInt8(ascii: "\n") ? line.dropLast() : line[...]
            if let current = open {
                if Self.closes(content, current.fence) {
                    if current.isCops {
                        blocks.append(
                            Block(
                                openingLine: current.line, contentLines: (current.line + 1)..<number,
                                indentation: current.fence.indentation))
                    }
                    open = nil
                } else if current.isCops {
                    program.append(contentsOf: content)
                }
            } else if let fence = Self.openingFence(content) {
                open = (fence, fence.firstWord == "cops", number)
            } else if let heading = Self.heading(content) {
                headings.append(MarkdownHeading(line: number, text: heading))
            }
            if line.last == UInt8(ascii: "\n") { program.append(UInt8(ascii: "\n")) }
        }
        // An unclosed fence runs to the end of the document (CommonMark).
        if let current = open, current.isCops {
            blocks.append(
                Block(
                    openingLine: current.line, contentLines: (current.line + 1)..<(lines.count + 1),
                    indentation: current.fence.indentation))
        }
        self.program = program
        self.blocks = blocks
        self.headings = headings
    }

    /// The program text of one block alone (the document's line count, blank outside it).
    public func program(of block: Block) -> [UInt8] {
        var text: [UInt8] = []
        var line = 1
        for byte in program {
            if block.contentLines.contains(line) || byte == UInt8(ascii: "\n") { text.append(byte) }
            if byte == UInt8(ascii: "\n") { line += 1 }
        }
        return text
    }

    /// The document's lines, each with its `\n` (the last one may have none).
    public static func lines(of bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            lines.append(bytes[start...index])
            start = index + 1
        }
        if start < bytes.count { lines.append(bytes[start...]) }
        return lines
    }

    // MARK: - CommonMark's rules

    private struct Fence {
        var character: UInt8
        var length: Int
        var indentation: Int
        var firstWord: Substring
    }

    /// Spaces before the text (at most three count: four make an indented code block), or
    /// nil when the line is indented four columns or more (a tab reaches the next multiple of four).
    private static func indentation(_ line: ArraySlice<UInt8>) -> Int? {
        var count = 0
        for byte in line {
            if byte == UInt8(ascii: " ") {
                count += 1
            } else if byte == UInt8(ascii: "\t") {
                return nil
            } else {
                break
            }
            if count > 3 { return nil }
        }
        return count
    }

    /// The length of the run of `character` at the start of `text`.
    private static func run(of character: UInt8, in text: ArraySlice<UInt8>) -> Int {
        text.prefix { $0 == character }.count
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
    }

    /// A line that opens a fenced code block: three or more backticks or tildes, indented up to
    /// three spaces, then an info string (no backtick in it after backticks).
    private static func openingFence(_ line: ArraySlice<UInt8>) -> Fence? {
        guard let indentation = indentation(line) else { return nil }
        let text = line.dropFirst(indentation)
        guard let character = text.first, character == UInt8(ascii: "`") || character == UInt8(ascii: "~") else {
            return nil
        }
        let length = run(of: character, in: text)
        guard length >= 3 else { return nil }
        let info = text.dropFirst(length)
        if character == UInt8(ascii: "`"), info.contains(UInt8(ascii: "`")) { return nil }
        let words = String(decoding: info, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
        return Fence(character: character, length: length, indentation: indentation, firstWord: words.first ?? "")
    }

    /// A line that closes `fence`: the same character, at least as many, indented up to three
    /// spaces, nothing but spaces after.
    private static func closes(_ line: ArraySlice<UInt8>, _ fence: Fence) -> Bool {
        guard let indentation = indentation(line) else { return false }
        let text = line.dropFirst(indentation)
        let length = run(of: fence.character, in: text)
        return length >= fence.length && text.dropFirst(length).allSatisfy(isSpace)
    }

    /// An ATX heading (`#` to `######`, then a space or the end of the line), as written
    /// without its indentation and trailing spaces.
    private static func heading(_ line: ArraySlice<UInt8>) -> String? {
        guard let indentation = indentation(line) else { return nil }
        let text = line.dropFirst(indentation)
        let level = run(of: UInt8(ascii: "#"), in: text)
        guard (1...6).contains(level) else { return nil }
        let rest = text.dropFirst(level)
        guard rest.first.map(isSpace) ?? true else { return nil }
        var end = text.endIndex
        while end > text.startIndex, isSpace(text[end - 1]) { end -= 1 }
        return String(decoding: text[text.startIndex..<end], as: UTF8.self)
    }
}

/// A heading of a Markdown runbook: a failing statement is reported with the one it sits under.
public struct MarkdownHeading: Equatable, Sendable {
    /// Its line, 1-based.
    public var line: Int
    /// The heading as written, `## Stop the sends`.
    public var text: String

    /// Creates a heading.
    public init(line: Int, text: String) {
        self.line = line
        self.text = text
    }
}

extension MarkdownRunbook {
    /// The program of a Markdown runbook as a source file named `name`, with its headings
    /// (whatever the name: an editor says which documents are Markdown).
    public static func file(named name: String, bytes: [UInt8]) -> SourceFile {
        MarkdownRunbook(bytes: bytes).file(named: name)
    }

    /// This runbook's program as a source file named `name`, with its headings.
    public func file(named name: String) -> SourceFile {
        var file = SourceFile(name: name, bytes: program)
        file.headings = headings
        return file
    }
}

extension SourceFile {
    /// A script file as the program reads it: a Markdown runbook (by its name) becomes the
    /// program of its `cops` blocks, with its headings; any other file is read as it is.
    public static func script(named name: String, bytes: [UInt8]) -> SourceFile {
        guard MarkdownRunbook.isMarkdown(path: name) else { return SourceFile(name: name, bytes: bytes) }
        return MarkdownRunbook.file(named: name, bytes: bytes)
    }

    /// The Markdown heading a line sits under, if the file is a runbook and there is one.
    public func heading(over line: Int) -> MarkdownHeading? {
        headings.last { $0.line < line }
    }
}
