import CampaignScript
import XCTest

/// Strings written as script literals read back, through the lexer and the parser, as the
/// same string: the quoter and the lexer's string rules agree.
final class ScriptLiteralTests: XCTestCase {
    static let strings = [
        "", "plain", "$x", "${x}", "cost: $5", "$", "a$", "$1", "\\$x", "\"quoted\"", "back\\slash", "\\", "\\n",
        "line\nbreak", "tab\there", "cr\r", "\u{0}\u{1B}\u{7F}\u{85}", "Весна 🌸", "\u{2028}", "\\u{41}", "#not a comment",
        "{ }", "$name.field",
    ]

    /// The text of the only string token of `source`, or nil when it lexes otherwise.
    private func lexedText(_ source: String) -> String? {
        let tokens = Lexer.tokenize(Array(source.utf8))
        guard tokens.count == 2, case .string(let parts) = tokens[0].kind, tokens[1].kind == .endOfFile else { return nil }
        var text = ""
        for part in parts {
            guard case .text(let piece) = part else { return nil }
            text += piece
        }
        return text
    }

    func testQuotedStringsLexBackToThemselves() {
        for string in Self.strings {
            let literal = ScriptLiteral.quoted(string)
            XCTAssertEqual(lexedText(literal), string, literal)
            XCTAssertEqual(Value.string(string).literalText, literal)
            XCTAssertFalse(literal.unicodeScalars.contains { $0.properties.generalCategory == .control }, literal)
        }
    }

    func testQuotedStringsParseBackInEveryPlaceAStringGoes() {
        for string in Self.strings {
            let literal = ScriptLiteral.quoted(string)
            let source = "let s = \(literal)\nlog 15 since \(literal)\nwait 15 until status \(literal)\n"
            let (program, diagnostics) = Parser.parse(SourceFile(name: "test.cops", text: source))
            XCTAssertEqual(diagnostics, [], literal)
            XCTAssertEqual(program.statements.count, 3, literal)
            XCTAssertEqual(SyntaxPrinter.print(program), source, literal)
        }
    }

    func testEscapes() {
        XCTAssertEqual(ScriptLiteral.quoted(#"$x "a" \ "#), #""\$x \"a\" \\ ""#)
        XCTAssertEqual(ScriptLiteral.quoted("a\nb\tc\r\u{7F}"), #""a\nb\tc\u{d}\u{7f}""#)
        XCTAssertEqual(ScriptLiteral.quoted("Весна"), "\"Весна\"")
    }
}
