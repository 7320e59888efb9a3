import Foundation
import XCTest

@testable import CampaignScript

/// The parser's lexer builds no values (`Lexeme`s: tag, range, space) and decodes one only
/// where a node needs it (`Lexer.kind(of:)`). Both must give what the value-building lexer
/// (`Lexer.tokenize`, which the formatter and the language server read) gives, token by token,
/// lexical errors included.
final class LexemeTests: XCTestCase {
    private func assertSameTokens(_ bytes: [UInt8], _ label: String, line: UInt = #line) {
        let tokens = Lexer.tokenize(bytes)
        bytes.withUnsafeBufferPointer { buffer in
            assertSameTokens(buffer, tokens, label, line: line)
        }
    }

    private func assertSameTokens(
        _ buffer: UnsafeBufferPointer<UInt8>, _ tokens: [Token], _ label: String, line: UInt
    ) {
        var lexer = Lexer(bytes: buffer)
        lexer.decodesValues = false
        for (index, token) in tokens.enumerated() {
            let (lexeme, diagnostic) = lexer.nextLexeme()
            let place = "\(label): token \(index + 1)"
            XCTAssertEqual(lexeme.tag, token.tag, place, line: line)
            XCTAssertEqual(lexeme.range, token.range, place, line: line)
            XCTAssertEqual(lexeme.leadingSpace, token.leadingSpace, place, line: line)
            if case .error(let expected) = token.kind {
                XCTAssertEqual(diagnostic, expected, place, line: line)
            } else {
                XCTAssertNil(diagnostic, place, line: line)
                XCTAssertEqual(lexer.kind(of: lexeme), token.kind, place, line: line)
                if case .word(let word) = token.kind {
                    XCTAssertTrue(lexer.isWord(lexeme, "echo") == (word == "echo"), place, line: line)
                }
            }
        }
    }

    /// Every example and golden input (clean ones and the lexical-error ones).
    func testLexemesAreTheTokensOfEveryExampleAndGoldenInput() throws {
        let root = ScriptFormatterTests.packageRoot
        var count = 0
        for directory in ["examples", "Tests/CampaignScriptTests/Golden"] {
            let folder = root.appendingPathComponent(directory)
            for name in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
            where name.hasSuffix(".cops") {
                assertSameTokens(try Array(Data(contentsOf: folder.appendingPathComponent(name))), name)
                count += 1
            }
        }
        XCTAssertGreaterThanOrEqual(count, 10)
    }

    /// Values that the parser's lexer skips building: negative integers, separators, durations,
    /// strings with escapes, interpolations and non-ASCII text, `$1`, and errors in between.
    func testValuesDecodedAgainFromTheSource() {
        let text = #"""
            echo -1_000 [-2] 1h2m3s4ms "a\tb \"q\" \u{1F600} $x.y.z ünï $1 \$" $name $9 on-error
            echo "bad \q escape" 12abc $0 "$ stray" dеactivate --abort 5sec 99999999999999999999 "open
            """#
        assertSameTokens(Array(text.utf8), "values")
        assertSameTokens([0x22, 0x61, 0xFF, 0x22, 0x20, 0xC0, 0xAF, 0x0A, 0x5C], "invalid bytes")
    }

    func testIsWordComparesTheWholeSpelling() {
        let spellings = Array("echoes echo ech \"echo\"".utf8).withUnsafeBufferPointer { buffer in
            var lexer = Lexer(bytes: buffer)
            lexer.decodesValues = false
            return (0..<4).map { _ in lexer.nextLexeme().0 }.map { lexer.isWord($0, "echo") }
        }
        XCTAssertEqual(spellings, [false, true, false, false])
    }
}
