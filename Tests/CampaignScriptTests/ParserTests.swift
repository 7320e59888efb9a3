import CampaignScript
import XCTest

private func parse(_ text: String) -> (Program, [Diagnostic]) {
    Parser.parse(SourceFile(name: "test.cops", text: text))
}

/// Parses without diagnostics and returns the canonical printed form.
private func canonical(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> String {
    let (program, diagnostics) = parse(text)
    let sourceFile = SourceFile(name: "test.cops", text: text)
    XCTAssertEqual(
        diagnostics, [], DiagnosticRenderer().render(diagnostics, in: sourceFile), file: file,
        line: line)
    return SyntaxPrinter.print(program)
}

/// Ranges are not part of the shape; zero them so trees from different texts compare equal.
private func shape(_ program: Program) -> String {
    SyntaxPrinter.print(program)
}

final class ParserTests: XCTestCase {
    func testEveryStatementFormRoundTrips() {
        let cases: [(id: String, input: String, canonical: String)] = [
            (
                "activate", "activate 15 now audience segment 5 limit 300",
                "activate 15 now audience segment 5 limit 300"
            ),
            ("deactivate list", "deactivate 12, 15, 20..25 abort", "deactivate 12,15,20..25 abort"),
            ("deactivate variable", "deactivate $failed abort", "deactivate $failed abort"),
            (
                "status of command", "status (list active tag \"spring\")",
                "status (list active tag \"spring\")"
            ),
            ("show", "show 15", "show 15"),
            ("info alias", "info 15", "info 15"),
            (
                "list", "list inactive type trigger tag a tag \"b c\" group ops group 3 from 10 limit 5",
                "list inactive type trigger tag \"a\" tag \"b c\" group \"ops\" group 3 from 10 limit 5"
            ),
            ("log duration", "log 15 since 1h limit 20", "log 15 since 1h limit 20"),
            (
                "log time", "log 15 since \"2024-04-02T00:00:00Z\"", "log 15 since \"2024-04-02T00:00:00Z\""
            ),
            ("clone", "clone 15 as \"Spring, take 2\"", "clone 15 as \"Spring, take 2\""),
            ("delete", "delete 1..3", "delete 1..3"),
            ("launch", "launch $c.id", "launch $c.id"),
            ("let command", "let c = clone 15 as \"Весна\"", "let c = clone 15 as \"Весна\""),
            ("let expression", "let n = $c.count", "let n = $c.count"),
            ("let parenthesized command", "let p = (list active)", "let p = (list active)"),
            // An expression keyword after `=` or `(` starts an expression, any other word a command.
            ("let keyword expression", "let t = true", "let t = true"),
            ("let not", "let f = not $t", "let f = (not $t)"),
            ("parenthesized keyword", "echo (null)", "echo null"),
            (
                "if elif else", "if $a == 1 { echo 1 } elif $a > 2 { echo 2 } else { echo 3 }",
                "if ($a == 1) {\n  echo 1\n} elif ($a > 2) {\n  echo 2\n} else {\n  echo 3\n}"
            ),
            (
                "else on the next line", "if true {\n echo 1\n}\nelse {\n echo 2\n}",
                "if true {\n  echo 1\n} else {\n  echo 2\n}"
            ),
            ("for targets", "for id in 1..3, $x { status $id }", "for id in 1..3,$x {\n  status $id\n}"),
            (
                "for command", "for c in list active { echo $c.name }",
                "for c in list active {\n  echo $c.name\n}"
            ),
            (
                "wait", "wait $p until inactive timeout 2m every 5s",
                "wait $p until inactive timeout 2m every 5s"
            ),
            (
                "wait either order", "wait 1 until deleted every 1s timeout 1m",
                "wait 1 until deleted timeout 1m every 1s"
            ),
            ("wait status", "wait 1 until status \"paused\"", "wait 1 until status \"paused\""),
            (
                "assert", "assert (status $k.id).is_active == false else \"must be inactive\"",
                "assert ((status $k.id).is_active == false) else \"must be inactive\""
            ),
            (
                "assert logic", "assert not $a and $b or 15 in $ids",
                "assert (((not $a) and $b) or (15 in $ids))"
            ),
            ("try", "try deactivate 15", "try deactivate 15"),
            ("set word", "set output json", "set output json"),
            ("set integer", "set concurrency 4", "set concurrency 4"),
            ("set duration", "set timeout 1m30s", "set timeout 1m30s"),
            (
                "echo", "echo \"stopping\" $p.count \"campaigns\" null 5s",
                "echo \"stopping\" $p.count \"campaigns\" null 5s"
            ),
            ("echo index", "echo $p[0].id $p[$i]", "echo $p[0].id $p[$i]"),
            ("sleep", "sleep 250ms", "sleep 250ms"),
            ("param", "param ID", "param ID"),
            (
                "param with description and default", "param LIMIT \"how many\"=1_000",
                "param LIMIT \"how many\" = 1000"
            ),
            ("source", "source \"other.cops\"", "source \"other.cops\""),
            ("help", "help", "help"),
            ("help topic", "help deactivate", "help deactivate"),
            ("exit", "exit", "exit"),
            ("exit code", "exit 3", "exit 3"),
            ("keywords are not reserved", "list tag if tag set", "list tag \"if\" tag \"set\""),
            ("empty statements", ";;\n\nstatus 1;; status 2\n", "status 1\nstatus 2"),
            (
                "interpolation round trip", #"echo "id $c.id\u{2e}x $1\$""#, #"echo "id $c.id\u{2e}x $1\$""#
            ),
        ]
        for (id, input, expected) in cases {
            let printed = canonical(input)
            XCTAssertEqual(printed, expected + "\n", id)
            // Printing is a fixed point: the canonical text parses to the same tree.
            XCTAssertEqual(canonical(printed), printed, "\(id) (reparse)")
        }
    }

    func testStatementsArriveOneAtATimeInSourceOrder() {
        // Long enough that the parser drops consumed tokens several times on the way. Each group
        // of three lines holds four statements; what is expected of each is computed from the
        // generated text, not from the parser.
        var lines: [String] = []
        for index in 1...400 {
            lines.append("let s\(index) = status \(index)")
            lines.append("if $s\(index).is_active { deactivate \(index) abort }")
            lines.append("echo \"n=$s\(index).id\" $s\(index).status; wait \(index) until inactive timeout 1m")
        }
        lines += ["deactivate 1 --abort", "}", "status ("]
        var expected: [(kind: String, line: Int, column: Int)] = []
        for group in 0..<400 {
            let echo = lines[3 * group + 2]
            let waitColumn = echo.distance(from: echo.startIndex, to: echo.range(of: "wait")!.lowerBound) + 1
            expected += [("let", 3 * group + 1, 1), ("if", 3 * group + 2, 1), ("echo", 3 * group + 3, 1)]
            expected.append(("wait", 3 * group + 3, waitColumn))
        }
        expected.append(("command", 1201, 1))
        let file = SourceFile(name: "long.cops", text: lines.joined(separator: "\n"))
        let expectedDiagnostics = [
            "long.cops:1201:14: error: unexpected character '-' (U+002D HYPHEN-MINUS)",
            "long.cops:1202:1: error: expected a command or statement, found '}'",
            "long.cops:1203:8: error: '(' opened at 1203:8 was never closed",
        ]
        func kind(_ statement: Statement) -> String {
            String(String(describing: statement.kind).prefix { $0 != "(" })
        }
        func firstLines(_ diagnostics: [Diagnostic]) -> [String] {
            diagnostics.map {
                String(DiagnosticRenderer(colors: false).render([$0], in: file, sourced: []).split(separator: "\n")[0])
            }
        }

        var streamed: [Statement] = []
        let (range, streamedDiagnostics) = Parser.parseStatements(file) { streamed.append($0) }
        let (program, diagnostics) = Parser.parse(file)
        for (name, statements) in [("parseStatements", streamed), ("parse", Array(program.statements))] {
            XCTAssertEqual(statements.count, expected.count, name)
            for (statement, want) in zip(statements, expected) {
                XCTAssertEqual(kind(statement), want.kind, "\(name): \(want)")
                XCTAssertEqual(statement.range.start.line, want.line, "\(name): \(want)")
                XCTAssertEqual(statement.range.start.column, want.column, "\(name): \(want)")
            }
        }
        XCTAssertEqual(firstLines(streamedDiagnostics), expectedDiagnostics)
        XCTAssertEqual(firstLines(diagnostics), expectedDiagnostics)
        XCTAssertEqual(range.start.offset, 0)
        XCTAssertEqual(range.end.offset, file.bytes.count)
        XCTAssertEqual(program.range, range)
    }

    func testRunbookShape() throws {
        let (program, diagnostics) = parse(
            """
            #!/usr/bin/env cops
            let promos = (list active tag "spring-2024")
            deactivate $promos abort
            wait $promos until inactive timeout 2m
            """)
        XCTAssertEqual(diagnostics, [])
        XCTAssertEqual(program.statements.count, 3)
        guard case .let(let name, .expression(let value)) = program.statements[0].kind,
            case .command(let list) = value.kind
        else { return XCTFail("unexpected \(program.statements[0])") }
        XCTAssertEqual(name.name, "promos")
        XCTAssertEqual(list.verb, .list)
        XCTAssertEqual(list.options.map(\.key), [.active, .tag])
        XCTAssertEqual(
            list.option(.tag)?.value,
            .text(StringLiteral(parts: [.text("spring-2024")], range: list.options[1].value.range!)))

        guard case .command(let deactivate) = program.statements[1].kind else { return XCTFail() }
        XCTAssertEqual(deactivate.verb, .deactivate)
        XCTAssertEqual(deactivate.targets?.items.count, 1)
        guard case .variable(let path)? = deactivate.targets?.items.first?.kind else {
            return XCTFail()
        }
        XCTAssertEqual(path.kind, .variable("promos"))
        XCTAssertEqual(deactivate.options.first?.key, .abort)

        guard case .wait(_, let state, let timeout, let every) = program.statements[2].kind else {
            return XCTFail()
        }
        XCTAssertEqual(state.kind, .inactive)
        XCTAssertEqual(timeout?.milliseconds, 120_000)
        XCTAssertNil(every)
        XCTAssertEqual(program.statements[2].range.start.line, 4)
        XCTAssertEqual(program.statements[2].range.end.column, 39)
    }

    func testAliasResolvesToVerb() throws {
        let (program, _) = parse("info 3")
        guard case .command(let command) = program.statements.first?.kind else { return XCTFail() }
        XCTAssertEqual(command.verb, .show)
        XCTAssertEqual(command.verbName.name, "info")
    }

    func testSyntaxErrorsPointAtMarkers() {
        assertDiagnostic("1️⃣deactivte 15", .unknownVerb(name: "deactivte", suggestion: "deactivate"))
        assertDiagnostic("1️⃣lsit active", .unknownVerb(name: "lsit", suggestion: "list"))
        assertDiagnostic("deactivate1️⃣\n", .expected(.target, found: .newline))
        assertDiagnostic("status 15 1️⃣16", .expected(.endOfStatement, found: .integer(16)))
        assertDiagnostic("sleep 1️⃣5", .expected(.duration, found: .integer(5)))
        assertDiagnostic("let x 1️⃣5", .expected(.token("="), found: .integer(5)))
        assertDiagnostic("let 1️⃣$x = 5", .expected(.variableName, found: .variable("x")))
        assertDiagnostic("let 1️⃣my-var = 5", .invalidVariableName("my-var"))
        assertDiagnostic(
            "wait 15 until 1️⃣inactiv", .unknownWaitState(name: "inactiv", suggestion: "inactive"))
        assertDiagnostic("wait 15 1️⃣inactive", .expected(.token("until"), found: .word("inactive")))
        assertDiagnostic("1️⃣else { echo 1 }", .misplacedKeyword("else"))
        assertDiagnostic("1️⃣elif true { echo 1 }", .misplacedKeyword("elif"))
        assertDiagnostic("1️⃣exits", .unknownVerb(name: "exits", suggestion: "exit"))
        assertDiagnostic("echo 1️⃣)", .expected(.expression, found: .symbol(")")))
        assertDiagnostic("if 1️⃣status == 1 { }", .expected(.expression, found: .word("status")))
        assertDiagnostic("echo $a. 1️⃣b", .expected(.fieldName, found: .word("b")))
        assertDiagnostic("echo $p 1️⃣[0]", .expected(.expression, found: .symbol("[")))
        assertDiagnostic("set 1️⃣5", .expected(.settingName, found: .integer(5)))
        assertDiagnostic("set output1️⃣", .expected(.settingValue, found: .endOfFile))
        assertDiagnostic("1️⃣15", .expected(.statement, found: .integer(15)))
        assertDiagnostic("1️⃣}", .expected(.statement, found: .symbol("}")))
        assertDiagnostic("log 15 since 1️⃣5", .expected(.timeOrDuration, found: .integer(5)))
        assertDiagnostic("deactivate 15, 1️⃣abort", .expected(.target, found: .word("abort")))
    }

    func testUnclosedBraceAtTheEndPointsAtTheOpener() throws {
        let (source, checked) = checkMarked("echo 1\nif true 1️⃣{\n  echo 2\n")
        XCTAssertEqual(checked.diagnostics.count, 1)
        let diagnostic = try XCTUnwrap(checked.diagnostics.first)
        XCTAssertEqual(diagnostic.kind, .neverClosed("{"))
        XCTAssertEqual(DiagnosticRenderer.message(for: diagnostic.kind), "'{' was never closed")
        XCTAssertEqual(diagnostic.range.start, source.location(1))
        // Where only the message is shown, it says where the construct was opened, with the
        // line as the file numbers it (a `--stream` chunk starts at a later line).
        var file = source.file
        XCTAssertEqual(DiagnosticRenderer.message(for: diagnostic, in: file), "'{' opened at 2:9 was never closed")
        file.lineOffset = 40
        XCTAssertEqual(DiagnosticRenderer.message(for: diagnostic, in: file), "'{' opened at 42:9 was never closed")
    }

    /// Every construct the input can end inside is reported at its opener, once: the innermost.
    func testTheEndOfTheInputNamesTheInnermostOpenConstruct() {
        assertDiagnostic("status 1️⃣(list active\n", .neverClosed("("))
        assertDiagnostic("echo 1️⃣(1 ==\n\n", .neverClosed("("))
        assertDiagnostic("echo $a1️⃣[1", .neverClosed("["))
        assertDiagnostic("echo $a1️⃣[", .neverClosed("["))
        assertDiagnostic("for c in 1, 2 1️⃣{\n echo $c", .neverClosed("{"))
        assertDiagnostic("if true {\n  if false 1️⃣{\n", .neverClosed("{"))
        assertDiagnostic("if true {\n  echo 1️⃣(1 ==", .neverClosed("("))
        assertDiagnostic("if true {\n  echo 1\n} else 1️⃣{", .neverClosed("{"))
        assertDiagnostic("status 1️⃣(list active tag", .neverClosed("("))
        assertDiagnostic("if true {\n  echo 1️⃣\"open\n", .unterminatedString)
        assertDiagnostic("if true {\n  echo 1 1️⃣\\", .backslashAtEndOfFile)
        assertDiagnostics(
            "if true 1️⃣{\n  2️⃣lsit\n",
            [(.neverClosed("{"), 1, nil), (.unknownVerb(name: "lsit", suggestion: "list"), 2, nil)])
    }

    func testAClosingBracketMissingBeforeTheLineEndsNamesItsOpener() {
        assertDiagnostic(
            "if true { echo (1 1️⃣}", .unclosedDelimiter(open: "(", close: ")", openLine: 1))
        assertDiagnostic("echo $a[1 1️⃣;", .unclosedDelimiter(open: "[", close: "]", openLine: 1))
    }

    func testAllErrorsAreReportedAndRecoveryIsPerStatement() {
        assertDiagnostics(
            """
            1️⃣deactivte 15
            status 15
            sleep 2️⃣5
            if true {
              3️⃣lsit
              echo 4️⃣)
              status 1
            }
            echo 5️⃣12abc 6️⃣@
            """,
            [
                (.unknownVerb(name: "deactivte", suggestion: "deactivate"), 1, nil),
                (.expected(.duration, found: .integer(5)), 2, nil),
                (.unknownVerb(name: "lsit", suggestion: "list"), 3, nil),
                (.expected(.expression, found: .symbol(")")), 4, nil),
                (.malformedNumber("12abc"), 5, nil),
                (.unexpectedCharacter("@"), 6, nil),
            ])
    }

    func testLexicalErrorAtStatementStartDoesNotCascade() {
        assertDiagnostic(
            "status 1\nd1️⃣еactivate 15 abort\nstatus 2",
            .nonASCIIInWord(character: "\u{0435}", word: "dеactivate"))
        assertDiagnostic("1️⃣@ status 1", .unexpectedCharacter("@"))
    }

    func testStatementsAroundErrorsSurvive() {
        let (program, diagnostics) = parse(
            "status 1\nsleep 5\nif true {\n lsit\n status 2\n}\nstatus 3")
        XCTAssertEqual(diagnostics.count, 2)
        XCTAssertEqual(SyntaxPrinter.print(program), "status 1\nif true {\n  status 2\n}\nstatus 3\n")
    }

    func testNestingLimitGivesADiagnosticNotACrash() {
        let inputs = [
            "echo " + String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000),
            String(repeating: "if true {\n", count: 10_000),
            "echo " + String(repeating: "not ", count: 10_000) + "true",
            String(repeating: "try ", count: 10_000) + "status 1",
            "echo " + String(repeating: "$a[", count: 10_000),
            "status " + String(repeating: "(status ", count: 10_000),
        ]
        for input in inputs {
            let checked = Checker.check(SourceFile(name: "deep.cops", text: input))
            XCTAssertEqual(
                checked.diagnostics.map(\.kind), [.nestingTooDeep(limit: Parser.maximumNestingDepth)],
                String(input.prefix(20)))
            XCTAssertFalse(checked.isRunnable)
        }
        for prefix in ["{", "("] {
            let text = String(repeating: prefix, count: 10_000)
            XCTAssertFalse(Checker.check(SourceFile(name: "deep.cops", text: text)).isRunnable)
        }
    }

    func testIsIncomplete() {
        let cases: [(String, Bool)] = [
            ("status 15", false),
            ("if true {", true),
            ("if true {\n echo 1\n}", false),
            ("status (list active", true),
            ("echo \"unterminated", true),
            ("deactivate 15 \\", true),
            ("deactivate 15 \\\n", true),
            ("echo \"done\"", false),
            ("echo $a[", true),
            ("}", false),
            ("", false),
            ("echo \"a\\\"", true),
        ]
        for (input, expected) in cases {
            XCTAssertEqual(Parser.isIncomplete(input), expected, input)
        }
    }
}

extension OptionValue {
    fileprivate var range: SourceRange? {
        if case .text(let literal) = self { return literal.range }
        return nil
    }
}
