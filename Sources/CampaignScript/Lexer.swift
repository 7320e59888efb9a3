/// Turns UTF-8 bytes into tokens; never throws: malformed input becomes `.error` tokens.
public struct Lexer {
    // The text in place (an array's buffer or a mapped file), valid while its owner is kept
    // alive: `SourceFile.withBytes`, or the array the caller lends.
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var line = 1
    private var column = 1
    // Open brackets, so newlines inside `( )` and `[ ]` can be skipped but not inside `{ }`.
    private var openBrackets: [UInt8] = []
    private var sawSpace = true
    // What the last token carried beyond its tag, set only by the tokens that have it: an error
    // token's diagnostic, and a string's parts when `decodesValues`. `scan` returns a tag, so
    // the parser's path builds, switches on and destroys no `TokenKind` per token
    // (docs/performance.md, "Fourth pass"); `next()` builds the kind from the tag and these.
    private var lastError: ErrorBox?
    private var lastStringParts: [StringPart] = []
    /// An error token's diagnostic, out of line: inline, its hundred-odd bytes made the lexer a
    /// value that the parser's calls into it copied with `memmove` (docs/performance.md,
    /// "Fourth pass").
    private final class ErrorBox: Sendable {
        let diagnostic: Diagnostic
        init(_ diagnostic: Diagnostic) { self.diagnostic = diagnostic }
    }
    /// False for the parser's lexer: words, numbers, strings and variables are checked but their
    /// values are not built (`nextLexeme`); the parser decodes the few it needs (`kind(of:)`).
    var decodesValues = true

    /// Creates a lexer over raw bytes, which must outlive it.
    public init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        // A byte-order mark at the very start is how some Windows editors save UTF-8; it is
        // not text, so it is skipped without taking a column. Anywhere else it is an error
        // (an invisible character inside a word would be a trap).
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
    }

    /// Creates a lexer that starts at `location` outside any bracket, where a top-level statement
    /// of an error-free program starts (`StatementList` parses it again from there).
    init(bytes: UnsafeBufferPointer<UInt8>, at location: SourceLocation) {
        self.bytes = bytes
        index = location.offset
        line = location.line
        column = location.column
    }

    /// The source text between two byte offsets, for notes that quote what the user wrote.
    func text(from start: Int, to end: Int) -> String {
        String(decoding: bytes[min(start, bytes.count)..<min(max(start, end), bytes.count)], as: UTF8.self)
    }

    /// Lexes a whole file; the last token is always `.endOfFile`.
    public static func tokenize(_ file: SourceFile) -> [Token] {
        file.withBytes { tokenize($0) }
    }

    /// Lexes raw bytes; the last token is always `.endOfFile`.
    public static func tokenize(_ bytes: [UInt8]) -> [Token] {
        bytes.withUnsafeBufferPointer { tokenize($0) }
    }

    private static func tokenize(_ bytes: UnsafeBufferPointer<UInt8>) -> [Token] {
        var lexer = Lexer(bytes: bytes)
        var tokens: [Token] = []
        tokens.reserveCapacity(bytes.count / 3 + 1)
        while true {
            let token = lexer.next()
            tokens.append(token)
            if token.kind == .endOfFile { return tokens }
        }
    }

    // MARK: - Character helpers

    private var location: SourceLocation { SourceLocation(line: line, column: column, offset: index) }
    private var atEnd: Bool { index >= bytes.count }

    private func byte(at offset: Int = 0) -> UInt8? {
        let position = index + offset
        return position < bytes.count ? bytes[position] : nil
    }

    private mutating func advanceByte() {
        if bytes[index] == UInt8(ascii: "\n") {
            line += 1
            column = 1
        } else {
            column += 1
        }
        index += 1
    }

    /// Advances over one scalar (or one invalid unit) and returns it.
    private mutating func advanceScalar() -> (scalar: Unicode.Scalar?, range: SourceRange) {
        let start = location
        if bytes[index] < 0x80 {
            let scalar = Unicode.Scalar(bytes[index])
            advanceByte()
            return (scalar, SourceRange(start: start, end: location))
        }
        let decoded = SourceFile.decodeScalar(bytes, at: index, end: bytes.count)
        index += decoded.length
        column += 1
        return (decoded.scalar, SourceRange(start: start, end: location))
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || byte == 0x5F
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private static func isNameByte(_ byte: UInt8) -> Bool { isLetter(byte) || isDigit(byte) }

    private func text(from start: Int) -> String {
        String(decoding: bytes[start..<index], as: UTF8.self)
    }

    // MARK: - Tokens

    /// Returns the next token; after the end it keeps returning `.endOfFile`.
    public mutating func next() -> Token {
        let (tag, start, leadingSpace) = scan()
        let range = SourceRange(start: start, end: location)
        let kind: TokenKind
        switch tag {
        case .error: kind = .error(lastError!.diagnostic)
        case .string: kind = .string(decodesValues ? lastStringParts : [])
        default: kind = inPlaceKind(tag, range)
        }
        return Token(kind: kind, range: range, leadingSpace: leadingSpace)
    }

    /// Returns the next token without its value, and the diagnostic when it is a lexical error.
    mutating func nextLexeme() -> (Lexeme, Diagnostic?) {
        let (tag, start, leadingSpace) = scan()
        let lexeme = Lexeme(tag: tag, leadingSpace: leadingSpace, range: SourceRange(start: start, end: location))
        return (lexeme, tag == .error ? lastError?.diagnostic : nil)
    }

    /// The kind of a token this lexer's bytes produced, with its value: a word's or a variable's
    /// name is its text; an integer's or a duration's value is read from its spelling in place
    /// by the functions the first pass used (a fresh lexer per number was 6 % of `--check`);
    /// a string's parts (and an error's diagnostic) are lexed again from where the token starts,
    /// which gives what the first pass would have built.
    func kind(of lexeme: Lexeme) -> TokenKind {
        switch lexeme.tag {
        case .string, .error:
            var again = Lexer(bytes: bytes, at: lexeme.range.start)
            return again.next().kind
        default: return inPlaceKind(lexeme.tag, lexeme.range)
        }
    }

    /// The kind of a token whose value, if any, is read from its spelling (every tag but a
    /// string's and an error's).
    private func inPlaceKind(_ tag: TokenTag, _ range: SourceRange) -> TokenKind {
        let start = range.start.offset
        let end = range.end.offset
        switch tag {
        case .word: return .word(text(from: start, to: end))
        case .variable: return .variable(text(from: start + 1, to: end))
        case .integer:
            // Only a well-formed literal is tagged `.integer`; a minus touching its digits is
            // part of it (`lexNumber`'s caller).
            let negative = bytes[start] == UInt8(ascii: "-")
            if case .value(let value) = Self.integerValue(bytes[(negative ? start + 1 : start)..<end]) {
                return .integer(negative ? -value : value)
            }
            preconditionFailure("integer token at \(range.start) no longer reads")
        case .duration:
            if case .success(let milliseconds) = DurationText.read(bytes[start..<end]) {
                return .duration(milliseconds: milliseconds)
            }
            preconditionFailure("duration token at \(range.start) no longer reads")
        case .comma: return .comma
        case .dotDot: return .dotDot
        case .dot: return .dot
        case .assign: return .assign
        case .equal: return .equal
        case .notEqual: return .notEqual
        case .less: return .less
        case .lessEqual: return .lessEqual
        case .greater: return .greater
        case .greaterEqual: return .greaterEqual
        case .leftParen: return .leftParen
        case .rightParen: return .rightParen
        case .leftBrace: return .leftBrace
        case .rightBrace: return .rightBrace
        case .leftBracket: return .leftBracket
        case .rightBracket: return .rightBracket
        case .semicolon: return .semicolon
        case .newline: return .newline
        case .endOfFile: return .endOfFile
        case .string, .error: preconditionFailure("a \(tag) token's value is not in its spelling")
        }
    }

    /// True when the token is the word `word`, compared byte by byte in the source.
    /// The first byte of a token's spelling (0 for an empty one: the end of the input).
    func firstByte(of lexeme: Lexeme) -> UInt8 {
        let start = lexeme.range.start.offset
        return start < lexeme.range.end.offset ? bytes[start] : 0
    }

    /// Whether the token's spelling contains `byte` (a `-` in a name, a `$` in a string).
    func contains(_ byte: UInt8, in lexeme: Lexeme) -> Bool {
        bytes[lexeme.range.start.offset..<lexeme.range.end.offset].contains(byte)
    }

    /// Whether the token's spelling is exactly `spelling`.
    func spells(_ lexeme: Lexeme, _ spelling: [UInt8]) -> Bool {
        let start = lexeme.range.start.offset
        guard lexeme.range.end.offset - start == spelling.count else { return false }
        for position in 0..<spelling.count where bytes[start + position] != spelling[position] {
            return false
        }
        return true
    }

    func isWord(_ lexeme: Lexeme, _ word: StaticString) -> Bool {
        let start = lexeme.range.start.offset
        guard lexeme.tag == .word, lexeme.range.end.offset - start == word.utf8CodeUnitCount else { return false }
        let spelling = word.utf8Start
        for position in 0..<word.utf8CodeUnitCount where bytes[start + position] != spelling[position] {
            return false
        }
        return true
    }

    /// The tag (an error's diagnostic in `lastError`, a string's parts in `lastStringParts` when
    /// `decodesValues`), where it starts and whether space preceded it.
    private mutating func scan() -> (TokenTag, SourceLocation, Bool) {
        skipTrivia()
        let start = location
        let leadingSpace = sawSpace
        sawSpace = false
        guard let first = byte() else { return (.endOfFile, start, leadingSpace) }

        let tag: TokenTag
        switch first {
        case UInt8(ascii: "\n"):
            advanceByte()
            sawSpace = true
            tag = .newline
        case UInt8(ascii: "\""):
            tag = lexString()
        case UInt8(ascii: "$"):
            tag = lexVariable()
        case _ where Self.isDigit(first):
            tag = lexNumber()
        case _ where Self.isLetter(first):
            tag = lexWord()
        case _ where first >= 0x80:
            tag = lexNonASCII()
        default:
            tag = lexSymbol(first, start: start)
        }
        return (tag, start, leadingSpace)
    }

    private mutating func skipTrivia() {
        while let current = byte() {
            switch current {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                index += 1
                column += 1
            case UInt8(ascii: "#"):
                // To the end of the line, one column per scalar (or invalid unit).
                while let next = byte(), next != UInt8(ascii: "\n") {
                    index += next < 0x80 ? 1 : SourceFile.decodeScalar(bytes, at: index, end: bytes.count).length
                    column += 1
                }
            case UInt8(ascii: "\\") where byte(at: 1) == UInt8(ascii: "\n"):
                advanceByte()
                advanceByte()
            case UInt8(ascii: "\\")
            where byte(at: 1) == UInt8(ascii: "\r") && byte(at: 2) == UInt8(ascii: "\n"):
                advanceByte()
                advanceByte()
                advanceByte()
            case UInt8(ascii: "\n")
            where openBrackets.last == UInt8(ascii: "(") || openBrackets.last == UInt8(ascii: "["):
                advanceByte()
            default:
                return
            }
            sawSpace = true
        }
    }

    private mutating func lexSymbol(_ first: UInt8, start: SourceLocation) -> TokenTag {
        let second = byte(at: 1)
        advanceByte()
        switch first {
        case UInt8(ascii: ","): return .comma
        case UInt8(ascii: ";"): return .semicolon
        case UInt8(ascii: "("):
            openBrackets.append(first)
            return .leftParen
        case UInt8(ascii: "["):
            openBrackets.append(first)
            return .leftBracket
        case UInt8(ascii: "{"):
            openBrackets.append(first)
            return .leftBrace
        case UInt8(ascii: ")"):
            closeBracket(UInt8(ascii: "("))
            return .rightParen
        case UInt8(ascii: "]"):
            closeBracket(UInt8(ascii: "["))
            return .rightBracket
        case UInt8(ascii: "}"):
            closeBracket(UInt8(ascii: "{"))
            return .rightBrace
        case UInt8(ascii: "."):
            if second == UInt8(ascii: ".") {
                advanceByte()
                return .dotDot
            }
            return .dot
        case UInt8(ascii: "="):
            if second == UInt8(ascii: "=") {
                advanceByte()
                return .equal
            }
            return .assign
        case UInt8(ascii: "<"):
            if second == UInt8(ascii: "=") {
                advanceByte()
                return .lessEqual
            }
            return .less
        case UInt8(ascii: ">"):
            if second == UInt8(ascii: "=") {
                advanceByte()
                return .greaterEqual
            }
            return .greater
        case UInt8(ascii: "!"):
            if second == UInt8(ascii: "=") {
                advanceByte()
                return .notEqual
            }
            return errorKind(.unexpectedCharacter("!"), start, notes: [DiagnosticNote(.useNotOperator)])
        case UInt8(ascii: "\\"):
            if atEnd { return errorKind(.backslashAtEndOfFile, start) }
            return errorKind(.unexpectedCharacter("\\"), start)
        case UInt8(ascii: "-") where byte().map(Self.isDigit) == true:
            // A minus touching digits is part of an integer literal, so `$ids[-1]` (counting
            // from the end) can be written; a negative ID, limit or exit code is then the
            // checker's error like 0 is. Durations are never negative.
            // The value, minus included, is read from the spelling (`kind(of:)`).
            switch lexNumber() {
            case .duration: return errorKind(.unexpectedCharacter("-"), start)
            case let other: return other
            }
        case UInt8(ascii: "-"):
            // `--abort` is one mistake (a command-line habit), so it becomes one error token.
            while byte() == UInt8(ascii: "-") { advanceByte() }
            guard let next = byte(), Self.isLetter(next) else {
                return errorKind(.unexpectedCharacter("-"), start)
            }
            _ = scanWordRun(allowDash: true)
            let written = text(from: start.offset, to: index)
            let word = String(written.drop { $0 == "-" })
            let option = GrammarTable.option(named: word) != nil ? word : nil
            return errorKind(
                .unexpectedCharacter("-"), start, notes: [DiagnosticNote(.noDashes(written: written, word: option))])
        default:
            return errorKind(.unexpectedCharacter(Unicode.Scalar(first)), start)
        }
    }

    // Closing pops up to the matching opener so one stray bracket cannot keep newlines hidden.
    private mutating func closeBracket(_ opener: UInt8) {
        guard let position = openBrackets.lastIndex(of: opener) else { return }
        while openBrackets.count > position { openBrackets.removeLast() }
    }

    private mutating func errorKind(
        _ kind: DiagnosticKind, _ start: SourceLocation, notes: [DiagnosticNote] = []
    ) -> TokenTag {
        fail(Diagnostic(kind, at: SourceRange(start: start, end: location), notes: notes))
    }

    /// An error token: its diagnostic is kept for `next()`/`nextLexeme()`.
    private mutating func fail(_ diagnostic: Diagnostic) -> TokenTag {
        lastError = ErrorBox(diagnostic)
        return .error
    }

    /// Notes for a non-ASCII scalar found where ASCII was expected.
    private static func lookalikeNotes(_ scalar: Unicode.Scalar, _ range: SourceRange)
        -> [DiagnosticNote]
    {
        if let ascii = Confusables.lookalike(for: scalar) {
            return [DiagnosticNote(.looksLike(scalar, ascii: ascii), at: range)]
        }
        return []
    }

    // MARK: Words and non-ASCII text

    /// Consumes `[A-Za-z0-9_]` (plus `-` when `allowDash`) and any non-ASCII letters, remembering
    /// the first non-ASCII scalar so a look-alike inside a word is one error, not several tokens.
    private mutating func scanWordRun(allowDash: Bool) -> (
        scalar: Unicode.Scalar, range: SourceRange
    )? {
        var foreign: (Unicode.Scalar, SourceRange)?
        while true {
            // A run of ASCII name bytes (no newline among them), consumed in one step.
            var end = index
            while end < bytes.count, Self.isNameByte(bytes[end]) || (allowDash && bytes[end] == UInt8(ascii: "-")) {
                end += 1
            }
            column += end - index
            index = end
            guard let current = byte(), current >= 0x80 else { break }
            let decoded = SourceFile.decodeScalar(bytes, at: index, end: bytes.count)
            guard let scalar = decoded.scalar, scalar.properties.isAlphabetic else { break }
            let scalarRange = advanceScalar().range
            if foreign == nil { foreign = (scalar, scalarRange) }
        }
        return foreign
    }

    private mutating func lexWord() -> TokenTag {
        let start = index
        if let foreign = scanWordRun(allowDash: true) {
            return nonASCIIWordError(foreign, word: text(from: start))
        }
        return .word
    }

    private mutating func nonASCIIWordError(
        _ foreign: (scalar: Unicode.Scalar, range: SourceRange), word: String
    ) -> TokenTag {
        var notes = Self.lookalikeNotes(foreign.scalar, foreign.range)
        if notes.isEmpty { notes.append(DiagnosticNote(.quoteNonASCIIText)) }
        return fail(
            Diagnostic(.nonASCIIInWord(character: foreign.scalar, word: word), at: foreign.range, notes: notes))
    }

    private mutating func lexNonASCII() -> TokenTag {
        let start = index
        let decoded = SourceFile.decodeScalar(bytes, at: index, end: bytes.count)
        guard let scalar = decoded.scalar else {
            let invalid = Array(bytes[index..<index + decoded.length])
            let begin = location
            _ = advanceScalar()
            return errorKind(.invalidUTF8(invalid), begin)
        }
        if scalar.properties.isAlphabetic {
            let foreign = scanWordRun(allowDash: true)!
            return nonASCIIWordError(foreign, word: text(from: start))
        }
        let (_, range) = advanceScalar()
        return fail(Diagnostic(.unexpectedCharacter(scalar), at: range, notes: Self.lookalikeNotes(scalar, range)))
    }

    // MARK: Numbers and durations

    private mutating func lexNumber() -> TokenTag {
        let startLocation = location
        let start = index
        if let foreign = scanWordRun(allowDash: false) {
            return nonASCIIWordError(foreign, word: text(from: start))
        }
        let spelling = bytes[start..<index]
        if spelling.allSatisfy({ Self.isDigit($0) || $0 == UInt8(ascii: "_") }) {
            switch Self.integerValue(spelling) {
            case .value: return .integer
            case .malformed: return errorKind(.malformedNumber(text(from: start)), startLocation)
            case .overflow: return errorKind(.integerOverflow(text(from: start)), startLocation)
            }
        }
        switch DurationText.read(spelling) {
        case .success:
            return .duration
        case .failure(let failure):
            return durationError(failure, text(from: start), startLocation)
        }
    }

    private mutating func durationError(
        _ failure: DurationText.Failure, _ text: String, _ startLocation: SourceLocation
    ) -> TokenTag {
        switch failure {
        case .overflow:
            return errorKind(.durationOverflow(text), startLocation)
        case .malformed(let looksLikeDuration):
            if looksLikeDuration {
                return errorKind(
                    .malformedDuration(text), startLocation, notes: [DiagnosticNote(.durationForms)])
            }
            return errorKind(.malformedNumber(text), startLocation)
        }
    }

    private enum IntegerValue {
        case value(Int64)
        /// A separator leads, trails or doubles (`1__0`, `10_`).
        case malformed
        case overflow
    }

    /// The value of digits with `_` separators, computed in place (no text is made for the
    /// common case, a well-formed number).
    private static func integerValue(_ spelling: Slice<UnsafeBufferPointer<UInt8>>) -> IntegerValue {
        var value: Int64 = 0
        var overflowed = false
        var previousWasSeparator = true
        for byte in spelling {
            if byte == UInt8(ascii: "_") {
                if previousWasSeparator { return .malformed }
                previousWasSeparator = true
            } else {
                let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times.addingReportingOverflow(Int64(byte &- UInt8(ascii: "0")))
                overflowed = overflowed || overflow1 || overflow2
                value = sum
                previousWasSeparator = false
            }
        }
        if previousWasSeparator { return .malformed }
        return overflowed ? .overflow : .value(value)
    }

    // MARK: Variables

    private mutating func lexVariable() -> TokenTag {
        let start = location
        advanceByte()  // $
        guard let first = byte() else { return errorKind(.strayDollar, start) }
        if Self.isDigit(first) {
            let digitsStart = index
            while let next = byte(), Self.isNameByte(next) { advanceByte() }
            guard index - digitsStart == 1, first != UInt8(ascii: "0") else {
                return errorKind(
                    .invalidArgumentVariable("$" + text(from: digitsStart)), start,
                    notes: [DiagnosticNote(.argumentVariables)])
            }
            return .variable
        }
        if first >= 0x80,
            let scalar = SourceFile.decodeScalar(bytes, at: index, end: bytes.count).scalar,
            scalar.properties.isAlphabetic
        {
            let nameStart = index - 1
            let foreign = scanWordRun(allowDash: false)!
            return nonASCIIWordError(foreign, word: text(from: nameStart))
        }
        guard Self.isLetter(first) else { return errorKind(.strayDollar, start) }
        while let next = byte(), Self.isNameByte(next) { advanceByte() }
        return .variable
    }

    // MARK: Strings

    private mutating func lexString() -> TokenTag {
        let start = location
        advanceByte()  // opening quote
        var parts: [StringPart] = []
        // A piece of literal text is usually one run of the source's bytes: it is kept as that
        // range (`pending`) and made a `String` straight from the source; the bytes are copied
        // into `literal` only when an escape or a second run joins it (a buffer per string was
        // a `malloc` each time the parser read a string's value; docs/performance.md).
        var pending: Range<Int>?
        var literal: [UInt8] = []
        // Only the first problem is reported; lexing continues to the closing quote so the
        // rest of the line is not misread as code.
        var firstError: Diagnostic?

        // `pending` is set only while `literal` is empty, so one of the two holds the text.
        func take(_ run: Range<Int>) {
            guard decodesValues else { return }
            if literal.isEmpty {
                guard let held = pending else {
                    pending = run
                    return
                }
                if held.upperBound == run.lowerBound {
                    pending = held.lowerBound..<run.upperBound
                    return
                }
            }
            spill()
            literal.append(contentsOf: bytes[run])
        }
        func spill() {
            if let held = pending {
                literal.append(contentsOf: bytes[held])
                pending = nil
            }
        }
        func flush() {
            guard decodesValues else { return }
            if let held = pending {
                parts.append(.text(String(decoding: bytes[held], as: UTF8.self)))
                pending = nil
            } else if !literal.isEmpty {
                parts.append(.text(String(decoding: literal, as: UTF8.self)))
                literal.removeAll(keepingCapacity: true)
            }
        }
        func record(_ kind: DiagnosticKind, _ range: SourceRange, notes: [DiagnosticNote] = []) {
            if firstError == nil { firstError = Diagnostic(kind, at: range, notes: notes) }
        }

        while true {
            guard let current = byte() else {
                return fail(
                    Diagnostic(
                        .unterminatedString, at: SourceRange(start: start, end: location),
                        notes: firstError.map { [DiagnosticNote(.openedHere("\""), at: $0.range)] } ?? []))
            }
            switch current {
            case UInt8(ascii: "\""):
                advanceByte()
                flush()
                if let firstError { return fail(firstError) }
                if decodesValues { lastStringParts = parts }
                return .string
            case UInt8(ascii: "\\"):
                spill()
                lexEscape(into: &literal, record: record)
            case UInt8(ascii: "$"):
                let dollarStart = location
                advanceByte()
                if let next = byte(), Self.isLetter(next) {
                    let nameStart = index
                    while let byte = byte(), Self.isNameByte(byte) { advanceByte() }
                    let name = decodesValues ? text(from: nameStart) : ""
                    var fields: [String] = []
                    while byte() == UInt8(ascii: "."), let after = byte(at: 1), Self.isLetter(after) {
                        advanceByte()
                        let fieldStart = index
                        while let byte = byte(), Self.isNameByte(byte) { advanceByte() }
                        if decodesValues { fields.append(text(from: fieldStart)) }
                    }
                    flush()
                    if decodesValues {
                        parts.append(
                            .variable(
                                VariableReference(
                                    name: name, fields: fields, range: SourceRange(start: dollarStart, end: location))))
                    }
                } else if let next = byte(), Self.isDigit(next) {
                    let digitsStart = index
                    while let byte = byte(), Self.isDigit(byte) { advanceByte() }
                    let range = SourceRange(start: dollarStart, end: location)
                    if index - digitsStart == 1 && next != UInt8(ascii: "0") {
                        flush()
                        if decodesValues {
                            parts.append(
                                .variable(VariableReference(name: text(from: digitsStart), fields: [], range: range)))
                        }
                    } else {
                        record(
                            .invalidArgumentVariable("$" + text(from: digitsStart)), range,
                            notes: [DiagnosticNote(.argumentVariables)])
                    }
                } else {
                    record(
                        .strayDollar, SourceRange(start: dollarStart, end: location),
                        notes: [DiagnosticNote(.escapeDollar)])
                }
            case _ where current >= 0x80:
                let decodedStart = index
                let (scalar, range) = advanceScalar()
                if scalar == nil {
                    record(.invalidUTF8(Array(bytes[decodedStart..<index])), range)
                } else {
                    take(decodedStart..<index)
                }
            default:
                // A run of plain ASCII text is copied at once.
                let runStart = index
                advanceByte()
                while let next = byte(), next < 0x80, next != UInt8(ascii: "\""), next != UInt8(ascii: "\\"),
                    next != UInt8(ascii: "$")
                {
                    advanceByte()
                }
                take(runStart..<index)
            }
        }
    }

    private mutating func lexEscape(
        into literal: inout [UInt8], record: (DiagnosticKind, SourceRange, [DiagnosticNote]) -> Void
    ) {
        let start = location
        advanceByte()  // backslash
        guard let escaped = byte() else { return }  // the caller reports the unterminated string
        switch escaped {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "$"):
            literal.append(escaped)
            advanceByte()
        case UInt8(ascii: "n"):
            literal.append(UInt8(ascii: "\n"))
            advanceByte()
        case UInt8(ascii: "t"):
            literal.append(UInt8(ascii: "\t"))
            advanceByte()
        case UInt8(ascii: "\n"):
            advanceByte()  // a backslash-newline inside a string joins lines there too
        case UInt8(ascii: "u"):
            advanceByte()
            var hex = ""
            var closed = false
            if byte() == UInt8(ascii: "{") {
                advanceByte()
                while let digit = byte(), hex.count <= 8 {
                    if digit == UInt8(ascii: "}") {
                        advanceByte()
                        closed = true
                        break
                    }
                    guard Self.isNameByte(digit) else { break }
                    hex.unicodeScalars.append(Unicode.Scalar(digit))
                    advanceByte()
                }
            }
            let range = SourceRange(start: start, end: location)
            guard closed, (1...8).contains(hex.count), let value = UInt32(hex, radix: 16),
                let scalar = Unicode.Scalar(value)
            else {
                record(
                    .invalidUnicodeEscape("\\u{" + hex + (closed ? "}" : "")), range,
                    [DiagnosticNote(.validEscapes)])
                return
            }
            literal.append(contentsOf: Array(String(Character(scalar)).utf8))
        default:
            let (scalar, _) = advanceScalar()
            let shown = scalar.map { String(Character($0)) } ?? "\u{FFFD}"
            record(
                .invalidEscape("\\" + shown), SourceRange(start: start, end: location),
                [DiagnosticNote(.validEscapes)])
        }
    }
}
