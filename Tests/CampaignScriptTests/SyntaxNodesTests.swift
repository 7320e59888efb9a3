import CampaignScript
import XCTest

/// The parser builds each statement as nodes in arrays (`SyntaxNodes`) and a tree only in one
/// walk over them. These trees are written out with their ranges where a range is not simply
/// first token to last token: parentheses around an expression, unions that stop before an
/// error token, `wait … status`, target ranges, field and index chains, left-deep `and`/`or`,
/// unknown options' skipped values, and recovery's `let`.
final class SyntaxNodesTests: XCTestCase {
    /// Columns `from..<to` of a one-line text.
    private func r(_ from: Int, _ to: Int) -> SourceRange {
        SourceRange(
            start: SourceLocation(line: 1, column: from, offset: from - 1),
            end: SourceLocation(line: 1, column: to, offset: to - 1))
    }

    private func statements(_ text: String) -> [Statement] {
        Array(Parser.parse(SourceFile(name: "t.cops", text: text)).0.statements)
    }

    private func variable(_ name: String, _ from: Int, _ to: Int) -> Expr { Expr(.variable(name), range: r(from, to)) }

    private func id(_ value: Int64, _ from: Int, _ to: Int) -> Target {
        Target(.id(IntegerLiteral(value, range: r(from, to))), range: r(from, to))
    }

    func testParenthesesKeepTheInnerKindWithTheirRange() {
        let status = Command(
            verb: .status, verbName: Identifier("status", range: r(18, 24)),
            targets: Targets(items: [id(1, 25, 26)], range: r(25, 26)), options: [], range: r(18, 26))
        XCTAssertEqual(
            statements("echo ($x) ((1)) (status 1)"),
            [
                Statement(
                    .echo([
                        variable("x", 6, 10), Expr(.integer(1), range: r(11, 16)),
                        Expr(.command(status), range: r(17, 27)),
                    ]), range: r(1, 27))
            ])
    }

    func testAUnionEndsAtItsLastOperandAndAStatementAtAnErrorTokenAfterIt() {
        let comparison = Expr(.comparison(.equal, variable("a", 6, 8), Expr(.integer(1), range: r(12, 13))), range: r(6, 13))
        XCTAssertEqual(statements("echo $a == 1 @"), [Statement(.echo([comparison]), range: r(1, 15))])
    }

    func testLeftDeepAndOrAroundNotAndIn() {
        let membership = Expr(.comparison(.in, variable("a", 12, 14), variable("b", 18, 20)), range: r(12, 20))
        let negation = Expr(.not(membership), range: r(8, 20))
        let conjunction = Expr(.and(negation, variable("c", 25, 27)), range: r(8, 27))
        let disjunction = Expr(.or(conjunction, variable("d", 31, 33)), range: r(8, 33))
        XCTAssertEqual(
            statements("assert not $a in $b and $c or $d"),
            [Statement(.assert(condition: disjunction, message: nil), range: r(1, 33))])
    }

    func testWaitTargetsStatusAndDurations() {
        let list = Expr(.index(variable("w", 12, 14), Expr(.integer(0), range: r(15, 16))), range: r(12, 17))
        let path = Expr(.field(list, "id"), range: r(12, 20))
        let targets = Targets(
            items: [
                Target(
                    .range(IntegerLiteral(1, range: r(6, 7)), IntegerLiteral(3, range: r(9, 10))), range: r(6, 10)),
                Target(.variable(path), range: r(12, 20)),
            ], range: r(6, 20))
        let state = WaitState(.status(StringLiteral(parts: [.text("done")], range: r(34, 40))), range: r(27, 40))
        XCTAssertEqual(
            statements("wait 1..3, $w[0].id until status \"done\" every 1s"),
            [
                Statement(
                    .wait(
                        targets: targets, state: state, timeout: nil,
                        every: DurationLiteral(milliseconds: 1000, range: r(47, 49))), range: r(1, 49))
            ])
    }

    func testAnUnknownOptionSpansTheValuesItSkips() {
        let options = [
            CommandOption(
                name: Identifier("tag", range: r(6, 9)), key: .tag,
                value: .text(StringLiteral(parts: [.text("spring")], range: r(10, 16))), range: r(6, 16)),
            CommandOption(name: Identifier("frobnicate", range: r(17, 27)), key: nil, value: .none, range: r(17, 33)),
            CommandOption(
                name: Identifier("limit", range: r(34, 39)), key: .limit,
                value: .integer(IntegerLiteral(2, range: r(40, 41))), range: r(34, 41)),
        ]
        let command = Command(
            verb: .list, verbName: Identifier("list", range: r(1, 5)), targets: nil, options: options, range: r(1, 41))
        XCTAssertEqual(
            statements("list tag spring frobnicate 3 \"x\" limit 2"), [Statement(.command(command), range: r(1, 41))])
    }

    func testARecoveredLetKeepsItsNameInsideABlockToo() {
        XCTAssertEqual(
            statements("let y = =="),
            [Statement(.let(name: Identifier("y", range: r(5, 6)), value: .invalid), range: r(1, 8))])
        let body = Block(
            statements: [
                Statement(.let(name: Identifier("y", range: r(15, 16)), value: .invalid), range: r(11, 18)),
                Statement(.echo([Expr(.integer(1), range: r(29, 30))]), range: r(24, 30)),
            ], range: r(9, 32))
        XCTAssertEqual(
            statements("if true { let y = == ; echo 1 }"),
            [
                Statement(
                    .if(
                        branches: [ConditionalBranch(condition: Expr(.bool(true), range: r(4, 8)), body: body)],
                        elseBlock: nil), range: r(1, 32))
            ])
    }

    /// A statement that fails leaves nothing of itself: the next one parses alone.
    func testAFailedStatementLeavesNoNodesBehind() {
        XCTAssertEqual(
            statements("deactivate (status $x abort; echo 1"),
            [Statement(.echo([Expr(.integer(1), range: r(35, 36))]), range: r(30, 36))])
    }
}
