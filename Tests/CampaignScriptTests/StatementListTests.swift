import CampaignScript
import Foundation
import XCTest

/// A checked program keeps where its statements start and parses each again when it is read
/// (`StatementList`): what it reads must be the trees that `Parser.parse` builds and keeps.
final class StatementListTests: XCTestCase {
    private func assertSameTrees(_ file: SourceFile, _ label: String, line: UInt = #line) {
        let kept = Parser.parse(file).0.statements
        let checked = Checker.check(file).program.statements
        XCTAssertEqual(checked.count, kept.count, label, line: line)
        for (index, (reread, want)) in zip(checked, kept).enumerated() {
            XCTAssertEqual(reread, want, "\(label): statement \(index + 1)", line: line)
        }
        // Read twice, the same again.
        XCTAssertEqual(Array(checked), Array(checked), label, line: line)
    }

    /// Every example, golden input and the benchmark's cycle of statements, as files and as a
    /// Markdown runbook.
    func testRereadStatementsAreTheParsedTrees() throws {
        let root = ScriptFormatterTests.packageRoot
        var count = 0
        for directory in ["examples", "Tests/CampaignScriptTests/Golden"] {
            let folder = root.appendingPathComponent(directory)
            for name in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
            where name.hasSuffix(".cops") || name.hasSuffix(".md") {
                let bytes = try Array(Data(contentsOf: folder.appendingPathComponent(name)))
                assertSameTrees(SourceFile.script(named: name, bytes: bytes), name)
                count += 1
            }
        }
        XCTAssertGreaterThanOrEqual(count, 13)
    }

    func testNestedBlocksSemicolonsContinuationsAndAByteOrderMark() {
        let text = """
            let s = status 1; if $s.is_active { deactivate 1 abort } elif $s.status == "Stopping" {
                echo "draining" $s.id
            } else { echo "already off" }
            deactivate 12, \\
              20..22
            for id in 14, 30..31 { try status $id; wait $id until inactive timeout 1m every 5s }
            let names = (list active
              tag "spring")
            assert $names.count >= 0 else "never"   # a comment
            echo "ünïcode $s.name" $names[0].id
            """
        assertSameTrees(SourceFile(name: "t.cops", text: text), "plain")
        assertSameTrees(SourceFile(name: "bom.cops", bytes: [0xEF, 0xBB, 0xBF] + Array(text.utf8)), "BOM")
    }

    /// A program with errors keeps the trees recovery made (a `let` whose value failed still
    /// names its variable), which parsing one statement again could not give.
    func testAProgramWithErrorsKeepsRecoveredTrees() {
        let file = SourceFile(name: "t.cops", text: "let x = (status\nstatus 1\nlet y = 5 +\necho $y\n")
        let (program, diagnostics) = Parser.parse(file)
        XCTAssertFalse(diagnostics.isEmpty)
        XCTAssertEqual(Checker.check(file).program, program)
    }

    func testListsCompareByStatements() {
        let file = SourceFile(name: "t.cops", text: "status 1\necho 2\n")
        let reread = Checker.check(file).program.statements
        XCTAssertEqual(reread, StatementList(Array(Parser.parse(file).0.statements)))
        XCTAssertNotEqual(reread, StatementList(Array(Parser.parse(file).0.statements.prefix(1))))
        XCTAssertEqual(StatementList([]), [])
    }
}
