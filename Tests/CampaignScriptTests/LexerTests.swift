import CampaignScript
import XCTest

/// Token kinds of `bytes` without the final end-of-file; error tokens keep only their kind.
private func lex(_ bytes: [UInt8]) -> [TokenKind] {
    Lexer.tokenize(bytes).dropLast().map { token in
        if case .error(let diagnostic) = token.kind {
            return .error(
                Diagnostic(
                    diagnostic.kind, at: SourceRange(at: SourceLocation(line: 0, column: 0, offset: 0))))
        }
        return token.kind
    }
}

private func lex(_ text: String) -> [TokenKind] { lex(Array(text.utf8)) }

private func errorKinds(_ bytes: [UInt8]) -> [DiagnosticKind] {
    Lexer.tokenize(bytes).compactMap { token in
        if case .error(let diagnostic) = token.kind { return diagnostic.kind }
        return nil
    }
}

private func firstError(_ text: String) -> Diagnostic? {
    for token in Lexer.tokenize(Array(text.utf8)) {
        if case .error(let diagnostic) = token.kind { return diagnostic }
    }
    return nil
}

private let zero = SourceRange(at: SourceLocation(line: 0, column: 0, offset: 0))

final class LexerTests: XCTestCase {
    func testEveryValidTokenKind() {
        let cases: [(id: String, input: String, expected: [TokenKind])] = [
            (
                "words", "deactivate on-error dry_run _x A9",
                [
                    .word("deactivate"), .word("on-error"), .word("dry_run"), .word("_x"), .word("A9"),
                ]
            ),
            (
                "integers", "15 1_000 0 9223372036854775807",
                [
                    .integer(15), .integer(1000), .integer(0), .integer(Int64.max),
                ]
            ),
            (
                // Issue 14: `$ids[-1]` is documented; a minus touching digits is a negative integer.
                "negative integers", "-1 -1_000 [-2]",
                [.integer(-1), .integer(-1000), .leftBracket, .integer(-2), .rightBracket]
            ),
            (
                "durations", "250ms 5s 2m 1h 1m30s 1h2m3s4ms",
                [
                    .duration(milliseconds: 250), .duration(milliseconds: 5000),
                    .duration(milliseconds: 120_000),
                    .duration(milliseconds: 3_600_000), .duration(milliseconds: 90_000),
                    .duration(milliseconds: 3_723_004),
                ]
            ),
            (
                "variables", "$name $1 $9 $args $a_b2",
                [
                    .variable("name"), .variable("1"), .variable("9"), .variable("args"), .variable("a_b2"),
                ]
            ),
            (
                "operators", ", .. = == != < <= > >= ( ) { } [ ] . ;",
                [
                    .comma, .dotDot, .assign, .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual,
                    .leftParen, .rightParen, .leftBrace, .rightBrace, .leftBracket, .rightBracket, .dot,
                    .semicolon,
                ]
            ),
            ("range", "20..25", [.integer(20), .dotDot, .integer(25)]),
            (
                "field path", "$c.id[0]",
                [.variable("c"), .dot, .word("id"), .leftBracket, .integer(0), .rightBracket]
            ),
            (
                "newlines", "a\n\nb;c",
                [.word("a"), .newline, .newline, .word("b"), .semicolon, .word("c")]
            ),
            ("crlf", "a\r\nb", [.word("a"), .newline, .word("b")]),
            (
                "comment", "status 1 # the rest $ \" is ignored\nx",
                [
                    .word("status"), .integer(1), .newline, .word("x"),
                ]
            ),
            ("shebang", "#!/usr/bin/env cops\nhelp", [.newline, .word("help")]),
            (
                "line continuation", "deactivate 15 \\\n  abort",
                [.word("deactivate"), .integer(15), .word("abort")]
            ),
            (
                "newlines inside parentheses are ignored", "(list\n active\n)",
                [
                    .leftParen, .word("list"), .word("active"), .rightParen,
                ]
            ),
            (
                "newlines inside braces separate statements", "{\na\n}",
                [
                    .leftBrace, .newline, .word("a"), .newline, .rightBrace,
                ]
            ),
            (
                "braces inside parentheses keep newlines", "( {\n} )",
                [
                    .leftParen, .leftBrace, .newline, .rightBrace, .rightParen,
                ]
            ),
            ("empty string", "\"\"", [.string([])]),
            ("escapes", #""a\"b\\c\nd\te\$f\u{41}\u{1F600}""#, [.string([.text("a\"b\\c\nd\te$fA😀")])]),
            ("cyrillic string", "\"Весна 2025 (черновик)\"", [.string([.text("Весна 2025 (черновик)")])]),
            ("multi-line string", "\"a\nb\"", [.string([.text("a\nb")])]),
            // Text made straight from one run of the source, and text joined from several runs and
            // escapes (the lexer's two ways of building it), on both sides of an interpolation.
            (
                "runs and escapes around an interpolation", #""ab ü\tc$x d \u{41}ö\\""#,
                [
                    .string([
                        .text("ab ü\tc"),
                        .variable(
                            VariableReference(
                                name: "x", fields: [],
                                range: SourceRange(
                                    start: SourceLocation(line: 1, column: 9, offset: 9),
                                    end: SourceLocation(line: 1, column: 11, offset: 11)))),
                        .text(" d Aö\\"),
                    ])
                ]
            ),
        ]
        for (id, input, expected) in cases {
            XCTAssertEqual(lex(input), expected, id)
        }
    }

    /// Windows editors may save UTF-8 with a byte-order mark: at the start it is skipped (no
    /// column taken); anywhere else it stays an invisible-character error.
    func testByteOrderMarkAtTheStartIsSkipped() {
        let marked = [0xEF, 0xBB, 0xBF] + Array("deactivate 15".utf8)
        XCTAssertEqual(lex(marked), lex("deactivate 15"))
        let first = Lexer.tokenize(marked)[0]
        XCTAssertEqual(first.range.start.column, 1)
        XCTAssertEqual(first.range.start.offset, 3)
        XCTAssertEqual(errorKinds(Array("echo 1 ".utf8) + [0xEF, 0xBB, 0xBF]).count, 1)
        XCTAssertEqual(errorKinds([0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF] + Array("echo 1".utf8)).count, 1)
    }

    func testStringInterpolationParts() {
        let tokens = Lexer.tokenize(Array(#""x $name y $c.id.sub z $1. $a-b""#.utf8))
        guard case .string(let parts) = tokens[0].kind else {
            return XCTFail("not a string: \(tokens[0])")
        }
        let simplified = parts.map { part -> String in
            switch part {
            case .text(let text): "text(\(text))"
            case .variable(let reference):
                "var(\(([reference.name] + reference.fields).joined(separator: ".")))"
            }
        }
        XCTAssertEqual(
            simplified,
            [
                "text(x )", "var(name)", "text( y )", "var(c.id.sub)", "text( z )", "var(1)", "text(. )",
                "var(a)", "text(-b)",
            ])
        // The interpolation's range covers `$c.id.sub` inside the string.
        guard case .variable(let reference) = parts[3] else { return XCTFail() }
        XCTAssertEqual(reference.range.start.column, 12)
        XCTAssertEqual(reference.range.end.column, 21)
    }

    func testEveryErrorTokenKind() {
        let cases: [(id: String, input: [UInt8], expected: [DiagnosticKind])] = [
            ("bad character", Array("@".utf8), [.unexpectedCharacter("@")]),
            ("lone bang", Array("!".utf8), [.unexpectedCharacter("!")]),
            ("dash flag is one error", Array("--abort 15".utf8), [.unexpectedCharacter("-")]),
            ("lone dash", Array("- 1".utf8), [.unexpectedCharacter("-")]),
            ("negative duration", Array("-5s".utf8), [.unexpectedCharacter("-")]),
            ("double minus number", Array("--5".utf8), [.unexpectedCharacter("-")]),
            (
                "confusable in word", Array("dеactivate".utf8),
                [.nonASCIIInWord(character: "\u{0435}", word: "dеactivate")]
            ),
            (
                "word starting with cyrillic", Array("аctivate".utf8),
                [.nonASCIIInWord(character: "\u{0430}", word: "аctivate")]
            ),
            (
                "smart quote", Array("“hi”".utf8),
                [
                    .unexpectedCharacter("\u{201C}"), .unexpectedCharacter("\u{201D}"),
                ]
            ),
            ("invalid byte", [0xFF], [.invalidUTF8([0xFF])]),
            ("lone continuation byte", [0x80, 0x41], [.invalidUTF8([0x80])]),
            ("truncated two-byte sequence", [0xD0], [.invalidUTF8([0xD0])]),
            ("truncated three-byte sequence", [0xE2, 0x82, 0x20], [.invalidUTF8([0xE2, 0x82])]),
            ("overlong encoding", [0xC0, 0xAF], [.invalidUTF8([0xC0]), .invalidUTF8([0xAF])]),
            ("invalid byte inside string", [0x22, 0x61, 0xFF, 0x22], [.invalidUTF8([0xFF])]),
            ("unterminated string", Array("\"abc".utf8), [.unterminatedString]),
            ("invalid escape", Array(#""\q""#.utf8), [.invalidEscape("\\q")]),
            (
                "invalid unicode escape", Array(#""\u{110000}""#.utf8),
                [.invalidUnicodeEscape("\\u{110000}")]
            ),
            ("unclosed unicode escape", Array(#""\u{41""#.utf8), [.invalidUnicodeEscape("\\u{41")]),
            ("stray dollar", Array("$ x".utf8), [.strayDollar]),
            ("stray dollar in string", Array("\"costs $ 5\"".utf8), [.strayDollar]),
            ("dollar zero", Array("$0".utf8), [.invalidArgumentVariable("$0")]),
            ("dollar ten", Array("$10".utf8), [.invalidArgumentVariable("$10")]),
            ("letters after digits", Array("12abc".utf8), [.malformedNumber("12abc")]),
            ("double separator", Array("1__0".utf8), [.malformedNumber("1__0")]),
            ("trailing separator", Array("10_".utf8), [.malformedNumber("10_")]),
            (
                "integer overflow", Array("99999999999999999999".utf8),
                [.integerOverflow("99999999999999999999")]
            ),
            ("duration without unit", Array("1m30".utf8), [.malformedDuration("1m30")]),
            ("unknown duration unit", Array("5sec".utf8), [.malformedDuration("5sec")]),
            ("increasing units", Array("1s1m".utf8), [.malformedDuration("1s1m")]),
            ("repeated unit", Array("1m1m".utf8), [.malformedDuration("1m1m")]),
            (
                "duration overflow", Array("9999999999999999h".utf8),
                [.durationOverflow("9999999999999999h")]
            ),
            ("backslash at end of file", Array("status 1 \\".utf8), [.backslashAtEndOfFile]),
            ("backslash mid-line", Array("a \\ b".utf8), [.unexpectedCharacter("\\")]),
        ]
        for (id, input, expected) in cases {
            XCTAssertEqual(errorKinds(input), expected, id)
        }
    }

    func testConfusableNoteNamesTheCharacter() throws {
        let diagnostic = try XCTUnwrap(firstError("dеactivate 15"))
        XCTAssertEqual(diagnostic.notes.first?.kind, .looksLike("\u{0435}", ascii: "e"))
        XCTAssertEqual(
            DiagnosticRenderer.message(for: diagnostic.notes[0].kind),
            "'е' (U+0435 CYRILLIC SMALL LETTER IE) looks like 'e'")
        XCTAssertEqual(diagnostic.range.start.column, 2)
        XCTAssertEqual(diagnostic.range.end.column, 3)
    }

    func testErrorTokensCoverTheirText() {
        let tokens = Lexer.tokenize(Array("x dеactivate y".utf8))
        XCTAssertEqual(tokens.count, 4)
        XCTAssertEqual(tokens[1].range.start.column, 3)
        XCTAssertEqual(tokens[1].range.end.column, 13)
        XCTAssertEqual(tokens[2].kind, .word("y"))
    }

    func testUnterminatedStringRunsToEndAndPointsAtQuote() throws {
        let diagnostic = try XCTUnwrap(firstError("echo \"abc\nnext line"))
        XCTAssertEqual(diagnostic.kind, .unterminatedString)
        XCTAssertEqual(diagnostic.range.start, SourceLocation(line: 1, column: 6, offset: 5))
    }

    func testLinesColumnsAndByteOffsetsCountScalars() {
        let text = "let x = \"Весна\" 15\n\tdeactivate $x"
        let tokens = Lexer.tokenize(Array(text.utf8))
        let starts = tokens.map { [$0.range.start.line, $0.range.start.column, $0.range.start.offset] }
        XCTAssertEqual(
            starts,
            [
                [1, 1, 0], [1, 5, 4], [1, 7, 6], [1, 9, 8], [1, 17, 21], [1, 19, 23],
                [2, 2, 25], [2, 13, 36], [2, 15, 38],
            ])
        XCTAssertEqual(tokens[3].range.end, SourceLocation(line: 1, column: 16, offset: 20))
    }

    func testLexerLocationsAgreeWithSourceFileLineTable() {
        let text = "# комментарий\nlet a = \"ü😀\" ; echo $a\r\n\\\n  wait 1..3 until active"
        let file = SourceFile(name: "t", text: text)
        for token in Lexer.tokenize(file) {
            XCTAssertEqual(
                file.location(atOffset: token.range.start.offset), token.range.start, "\(token.kind)")
            XCTAssertEqual(
                file.location(atOffset: token.range.end.offset), token.range.end, "\(token.kind)")
        }
    }

    func testLeadingSpaceFlag() {
        let tokens = Lexer.tokenize(Array("$a.b $c [0]".utf8))
        XCTAssertEqual(
            tokens.map(\.leadingSpace), [true, false, false, true, true, false, false, false])
    }

    func testEndOfFileIsAlwaysLastAndRepeats() {
        var lexer = Lexer(bytes: UnsafeBufferPointer(start: nil, count: 0))
        XCTAssertEqual(lexer.next().kind, .endOfFile)
        XCTAssertEqual(lexer.next().kind, .endOfFile)
    }

    /// The one-byte tag the parser compares names the kind's case, whatever its value.
    func testTagNamesTheCase() {
        let tokens = Lexer.tokenize(Array("let x = \"a $y\" (1..2s) != @\n".utf8))
        XCTAssertEqual(
            tokens.map(\.tag),
            [
                .word, .word, .assign, .string, .leftParen, .integer, .dotDot, .duration, .rightParen, .notEqual,
                .error, .newline, .endOfFile,
            ])
    }
}
