import CampaignScript
import Foundation
import XCTest

/// `cops fmt`'s layout: one literal expectation per rule, then the invariants (idempotent, the
/// same tree) over every example and golden input.
final class ScriptFormatterTests: XCTestCase {
    private func assertFormats(
        _ input: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        do {
            let formatted = try ScriptFormatter.format(input)
            XCTAssertEqual(formatted, expected, file: file, line: line)
            XCTAssertEqual(try ScriptFormatter.format(formatted), formatted, "not idempotent", file: file, line: line)
        } catch {
            XCTFail("did not format: \(error.diagnostics)", file: file, line: line)
        }
    }

    func testSpacingBetweenTokens() {
        assertFormats("deactivate   15\tabort", "deactivate 15 abort\n")
        assertFormats("let  x=( list  active limit 5 )", "let x = (list active limit 5)\n")
        assertFormats("status 1 , 2..5,7", "status 1, 2..5, 7\n")
        assertFormats("status 1 .. 5", "status 1..5\n")
        assertFormats(
            "if $x==1 and not $y{\necho $z.name  $l[0] ( $l[ 0 ] ).id\n}",
            "if $x == 1 and not $y {\n  echo $z.name $l[0] ($l[0]).id\n}\n")
    }

    func testSpellingsAreKept() {
        assertFormats(
            #"echo "a\tb \u{41} \$x"   1_000  90s 1m30s"#, #"echo "a\tb \u{41} \$x" 1_000 90s 1m30s"# + "\n")
        assertFormats("activate 3  limit   10 now", "activate 3 limit 10 now\n")
    }

    func testOneStatementPerLineAndBlocks() {
        assertFormats("status 1; status 2;", "status 1\nstatus 2\n")
        assertFormats(
            "for c in 1..3 { status $c; if $c == 2 { echo 2 } else { echo \"other\" } }",
            "for c in 1..3 {\n  status $c\n  if $c == 2 {\n    echo 2\n  } else {\n    echo \"other\"\n  }\n}\n")
        assertFormats("if true {}", "if true {\n}\n")
    }

    func testElseAndElifJoinTheClosingBrace() {
        assertFormats(
            "if $a {\n  echo 1\n}\n\nelif $b {\n  echo 2\n}\nelse {\n  echo 3\n}",
            "if $a {\n  echo 1\n} elif $b {\n  echo 2\n} else {\n  echo 3\n}\n")
        // A comment between them stays, so `else` starts its own line.
        assertFormats(
            "if $a {\n  echo 1\n}\n# otherwise\nelse {\n  echo 3\n}",
            "if $a {\n  echo 1\n}\n# otherwise\nelse {\n  echo 3\n}\n")
    }

    func testIndentationIsTwoSpacesPerBlock() {
        assertFormats(
            "for c in 1 ,2 {\n        if true {\n\t\techo $c\n   }\n}\n",
            "for c in 1, 2 {\n  if true {\n    echo $c\n  }\n}\n")
    }

    func testCommentsAreKept() {
        assertFormats(
            "   # header\nstatus 1    # why   \n\n  # before the loop\nfor c in 1 { # opens\n# inside\n  echo $c\n    # last\n}\n",
            "# header\nstatus 1 # why\n\n# before the loop\nfor c in 1 { # opens\n  # inside\n  echo $c\n  # last\n}\n")
        assertFormats("status 1; # after a semicolon\n", "status 1 # after a semicolon\n")
        assertFormats("# only a comment", "# only a comment\n")
    }

    func testBlankLineGroupsCollapse() {
        assertFormats(
            "\n\n\nstatus 1\n\n\n\nstatus 2\n   \t\nstatus 3\n\n\n",
            "status 1\n\nstatus 2\n\nstatus 3\n")
        assertFormats(
            "if true {\n\n\n  status 1\n\n  status 2\n\n\n}\n",
            "if true {\n  status 1\n\n  status 2\n}\n")
    }

    func testLineBreaksInsideAStatementAreKept() {
        // Inside brackets the lexer skips line breaks; after `\` the statement goes on.
        assertFormats(
            "let x = (list active\n          limit 5\n)\n",
            "let x = (list active\n    limit 5)\n")
        assertFormats(
            "deactivate 15 \\\n abort\nstatus 15 \\\n\n",
            "deactivate 15 \\\n    abort\nstatus 15\n")
        assertFormats(
            "let x = (list active # the live ones\n  limit 5)\n",
            "let x = (list active # the live ones\n    limit 5)\n")
    }

    func testStringsOverSeveralLinesAreKept() throws {
        assertFormats("if true {\necho   \"a\n   b\"\n}", "if true {\n  echo \"a\n   b\"\n}\n")
        // In an indented fence, a string's later lines get no indentation added.
        let markdown = "  ```cops\n    echo   \"a\n  b\"\n  ```\n"
        XCTAssertEqual(try ScriptFormatter.formatMarkdown(markdown), "  ```cops\n  echo \"a\n  b\"\n  ```\n")
    }

    func testWindowsLineEndingsAndAByteOrderMark() {
        assertFormats("\u{FEFF}status 1\r\n\r\n\r\nstatus 2   # c \r\n", "\u{FEFF}status 1\n\nstatus 2 # c\n")
    }

    func testEmptyTextStaysEmpty() {
        assertFormats("", "")
        assertFormats("\n\n  \n", "")
    }

    func testTextThatDoesNotParseIsAnError() {
        XCTAssertThrowsError(try ScriptFormatter.format("status 1\nstatus 2 }\n")) { error in
            guard let error = error as? ScriptFormatError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.diagnostics.first?.range.start.description, "2:10")
        }
    }

    // MARK: - Invariants over real scripts

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Every example and golden script that parses: formatting twice changes nothing more, and
    /// the result parses to the same tree (compared by `SyntaxPrinter`'s canonical print).
    func testIdempotentAndSameTreeOverExamplesAndGoldens() throws {
        let directories = ["examples", "Tests/CampaignScriptTests/Golden"].map { Self.packageRoot.appendingPathComponent($0) }
        var formattedCount = 0
        for directory in directories {
            for name in try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
            where name.hasSuffix(".cops") {
                let bytes = try Data(contentsOf: directory.appendingPathComponent(name))
                guard let text = String(data: bytes, encoding: .utf8),
                    let formatted = try? ScriptFormatter.format(text)
                else { continue }
                formattedCount += 1
                XCTAssertEqual(try ScriptFormatter.format(formatted), formatted, "\(name): not idempotent")
                XCTAssertEqual(Self.tree(formatted), Self.tree(text), "\(name): a different tree")
            }
        }
        XCTAssertGreaterThanOrEqual(formattedCount, 8)
    }

    func testTheExamplesAreFormatted() throws {
        let directory = Self.packageRoot.appendingPathComponent("examples")
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() {
            let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            if name.hasSuffix(".cops") {
                XCTAssertEqual(try ScriptFormatter.format(text), text, name)
            } else if name.hasSuffix(".md") {
                XCTAssertEqual(try ScriptFormatter.formatMarkdown(text), text, name)
            }
        }
    }

    static func tree(_ text: String) -> String {
        SyntaxPrinter.print(Parser.parse(SourceFile(name: "t", text: text)).0)
    }

    // MARK: - Markdown

    func testMarkdownChangesOnlyInsideCopsBlocks() throws {
        let prose = "# Runbook  \n\nSome   prose;  kept   as is.\n\n"
        let other = "```sh\nls   -l\n```\n"
        let input =
            prose + "```cops\nstatus   1;status 2\n```\n" + other + "  ~~~~ cops extra words\n  if true {echo 1}\n  ~~~~\n"
        let expected =
            prose + "```cops\nstatus 1\nstatus 2\n```\n" + other
            + "  ~~~~ cops extra words\n  if true {\n    echo 1\n  }\n  ~~~~\n"
        XCTAssertEqual(try ScriptFormatter.formatMarkdown(input), expected)
        XCTAssertEqual(try ScriptFormatter.formatMarkdown(expected), expected)
    }

    func testMarkdownErrorsAreAtTheDocumentsPositions() {
        let input = "# T\n\n```cops\nstatus 1\n```\ntext\n```cops\n  status 2 }\n```\n"
        XCTAssertThrowsError(try ScriptFormatter.formatMarkdown(input)) { error in
            guard let error = error as? ScriptFormatError, let first = error.diagnostics.first else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(first.range.start.line, 8)
            XCTAssertEqual(first.range.start.column, 12)
        }
    }
}
