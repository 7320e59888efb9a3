import CampaignScript
import XCTest

/// `param NAME ["description"] [= DEFAULT]`: parsing, printing back, and where the checker
/// allows it (docs/language.md, "Parameters").
final class ParameterTests: XCTestCase {
    func testDeclarationsParseAndPrintBack() {
        let cases: [(input: String, printed: String)] = [
            ("param ID", "param ID"),
            ("param ID \"the campaign to stop\"", "param ID \"the campaign to stop\""),
            ("param LIMIT \"how many\" = 10", "param LIMIT \"how many\" = 10"),
            ("param TAG = \"spring \\\"24\\\"\"", "param TAG = \"spring \\\"24\\\"\""),
            ("param WAIT \"poll time\" = 1m30s", "param WAIT \"poll time\" = 1m30s"),
            ("param OFFSET=-1", "param OFFSET = -1"),
        ]
        for (input, printed) in cases {
            let (program, diagnostics) = Parser.parse(SourceFile(name: "test.cops", text: input))
            XCTAssertEqual(diagnostics, [], input)
            XCTAssertEqual(SyntaxPrinter.print(program), printed + "\n", input)
            let (reparsed, _) = Parser.parse(SourceFile(name: "test.cops", text: printed))
            XCTAssertEqual(SyntaxPrinter.print(reparsed), printed + "\n", "\(input) (reparse)")
        }
    }

    func testDefaultsBindAsTheTextAnArgumentWouldBe() {
        let checked = Checker.check(
            SourceFile(name: "test.cops", text: "param D\nparam A = 15\nparam B = 1m30s\nparam C = \"x y\""))
        XCTAssertEqual(checked.diagnostics, [])
        XCTAssertEqual(checked.parameters.map(\.name.name), ["D", "A", "B", "C"])
        XCTAssertEqual(checked.parameters.map(\.defaultText), [nil, "15", "1m30s", "x y"])
    }

    func testSyntaxErrorsPointAtTheirToken() {
        assertDiagnostic("param 1️⃣$ID", .expected(.variableName, found: .variable("ID")))
        assertDiagnostic("param ID = 1️⃣abc", .expected(.parameterDefault, found: .word("abc")))
        assertDiagnostic("param ID =1️⃣", .expected(.parameterDefault, found: .endOfFile))
        assertDiagnostic("param ID 1️⃣\"the $x\"", .interpolationInParameter)
        assertDiagnostic("param ID = 1️⃣\"$1\"", .interpolationInParameter)
        assertDiagnostic("param ID 1️⃣15", .expected(.endOfStatement, found: .integer(15)))
    }

    func testParametersComeFirstOnce() {
        assertDiagnostics(
            """
            #!/usr/bin/env cops
            # comments and blank lines may come first

            param ID
            2️⃣echo $ID
            1️⃣param LIMIT = 5
            """,
            [(.parameterNotFirst, 1, nil)])
        let (source, checked) = checkMarked("2️⃣status 1\n1️⃣param ID")
        XCTAssertEqual(checked.diagnostics.first?.notes.first?.range?.start, source.location(2))
        assertDiagnostics("if true {\n  1️⃣param ID\n}", [(.parameterNotFirst, 1, nil)])
        assertDiagnostics("try 1️⃣param ID", [(.parameterNotFirst, 1, nil)])
        assertDiagnostics("param ID\nparam 1️⃣ID", [(.duplicateParameter("ID"), 1, nil)])
        assertDiagnostics("param 1️⃣args", [(.parameterNamePredefined("args"), 1, nil)])
        assertDiagnostics("param 1️⃣failed = 1", [(.parameterNamePredefined("failed"), 1, nil)])
        assertDiagnostics(
            "param LIMIT = 5\nparam 1️⃣ID", [(.requiredParameterAfterOptional(name: "ID", optional: "LIMIT"), 1, nil)])
    }

    func testNamesAreDefinedAfterTheirDeclaration() {
        assertDiagnostics("param ID\nparam N = 3\necho $ID $N $1 $args", [])
        assertDiagnostics(
            "echo 1️⃣$ID\n", [(.undefinedVariable(name: "ID", suggestion: nil), 1, nil)])
        let checked = Checker.check(SourceFile(name: "test.cops", text: "param ID\nstatus $ID"))
        XCTAssertTrue(checked.definedVariables.contains("ID"))
    }

    func testOnlyARunbookDeclaresParameters() {
        let messages: [(TextOrigin, String)] = [
            (.prompt, "param declares a runbook's arguments; at the prompt use let"),
            (.commandLine, "param declares a runbook's arguments; -c text takes no arguments; use let"),
            (.stream, "param declares a runbook's arguments; --stream takes no arguments; use let"),
            (.sourced, "param declares a runbook's arguments; a sourced file sees the variables of the file that sources it"),
        ]
        for (origin, message) in messages {
            let checked = Checker.check(SourceFile(name: "x", text: "param ID\necho $ID"), origin: origin)
            XCTAssertEqual(checked.diagnostics.map(\.kind), [.parameterNotAllowed(origin)], "\(origin)")
            XCTAssertEqual(checked.diagnostics.first.map { DiagnosticRenderer.message(for: $0.kind) }, message)
            XCTAssertEqual(checked.parameters, [])
        }
    }

    func testASourcedFileMayNotDeclareParameters() {
        let checked = Checker.check(
            SourceFile(name: "main.cops", text: "param ID\nsource \"lib.cops\""),
            readFile: { _ in .success(Array("param X\n".utf8)) })
        XCTAssertFalse(checked.isRunnable)
        XCTAssertEqual(checked.parameters.map(\.name.name), ["ID"])
        XCTAssertEqual(
            checked.sourced.first?.diagnostics.map(\.kind), [.parameterNotAllowed(.sourced)])
    }
}
