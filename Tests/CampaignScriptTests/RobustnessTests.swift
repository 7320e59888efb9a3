import CampaignScript
import CopsTestSupport
import Foundation
import XCTest

private let runbook = """
    #!/usr/bin/env cops
    # Stop the spring promo everywhere, keep a copy for next year.
    set on-error stop
    let promos = (list active tag "spring-2024" type broadcast)
    echo "stopping" $promos.count "campaigns: «Весна»"
    deactivate $promos abort
    wait $promos until inactive timeout 2m every 5s
    let keep = clone $promos[0].id as "Spring 2025 (draft) \\u{1F338} \\$5"
    assert (status $keep.id).is_active == false else "the clone must start inactive"
    if $keep.id in $promos { echo "odd" } elif not $failed { echo "ok" } else {
      try deactivate $failed abort
    }
    for id in 12, 15, 20..25 { status $id; sleep 250ms }
    activate 12 now audience segment 5 limit 300 \\
      # continued
    log 15 since 1h limit 20
    exit 0

    """

final class RobustnessTests: XCTestCase {
    /// Runs every stage and renders, which must terminate without trapping.
    private func runAllStages(_ bytes: [UInt8]) -> Int {
        let file = SourceFile(name: "fuzz.cops", bytes: bytes)
        let checked = Checker.check(file)
        let rendered = DiagnosticRenderer(colors: true).render(checked.diagnostics, in: file)
        _ = SyntaxPrinter.print(checked.program)
        _ = Parser.isIncomplete(String(decoding: bytes, as: UTF8.self))
        for diagnostic in checked.diagnostics {
            XCTAssertLessThanOrEqual(diagnostic.range.start.offset, bytes.count)
            XCTAssertLessThanOrEqual(diagnostic.range.start.offset, diagnostic.range.end.offset)
        }
        return rendered.count
    }

    func testRandomBytesNeverCrash() {
        var generator = SplitMix(state: 0xC0B5)
        // Half the bytes come from the language's own alphabet so the parser gets past the lexer.
        let alphabet =
            Array("abcdefghilmnorstuvwxyz_0123456789$\"\\#(){}[].,;=!<> \n\t-".utf8) + [
                0xD0, 0xB0, 0xFF, 0xE2, 0x80,
            ]
        for _ in 0..<3_000 {
            let length = Int.random(in: 0...160, using: &generator)
            var bytes: [UInt8] = []
            for _ in 0..<length {
                if Bool.random(using: &generator) {
                    bytes.append(alphabet.randomElement(using: &generator)!)
                } else {
                    bytes.append(UInt8.random(in: 0...255, using: &generator))
                }
            }
            _ = runAllStages(bytes)
        }
    }

    func testRandomTokenSoupNeverCrashes() {
        var generator = SplitMix(state: 42)
        let words = [
            "let", "x", "=", "if", "elif", "else", "for", "in", "wait", "until", "active", "timeout",
            "every",
            "assert", "try", "set", "echo", "sleep", "source", "help", "exit", "deactivate", "activate",
            "list",
            "now", "audience", "segment", "limit", "abort", "tag", "{", "}", "(", ")", "[", "]", "$x",
            "$1",
            "15", "1..3", ",", "5s", "\"s\"", "\"$x\"", "==", "and", "not", "\n", ";", ".", "..",
            "status", "\\\n", "param", "ID",
        ]
        for _ in 0..<2_000 {
            let count = Int.random(in: 0...40, using: &generator)
            let text = (0..<count).map { _ in words.randomElement(using: &generator)! }.joined(
                separator: " ")
            _ = runAllStages(Array(text.utf8))
        }
    }

    func testEveryPrefixOfARealisticRunbook() {
        let bytes = Array(runbook.utf8)
        let full = Checker.check(SourceFile(name: "runbook.cops", bytes: bytes))
        XCTAssertEqual(
            full.diagnostics, [],
            DiagnosticRenderer().render(
                full.diagnostics, in: SourceFile(name: "runbook.cops", bytes: bytes)))
        for end in 0...bytes.count {
            _ = runAllStages(Array(bytes[..<end]))
        }
    }

    /// Bad-input catalogue `gen-deep-index-100000` and friends: a long chain of `or`, `and`,
    /// `.field` or `[i]` built a tree as deep as the chain, and checking it overflowed the stack
    /// (SIGSEGV) from about 10 000 links on. Each link now counts as a nesting level.
    func testLongOperatorAndPostfixChainsAreANestingErrorNotAStackOverflow() {
        let inputs = [
            "echo 1" + String(repeating: " or 1", count: 30_000),
            "assert true" + String(repeating: " and true", count: 30_000),
            "echo $args" + String(repeating: "[0]", count: 30_000),
            "echo $args" + String(repeating: ".a", count: 30_000),
            "deactivate $args" + String(repeating: ".id", count: 30_000),
        ]
        for input in inputs {
            let file = SourceFile(name: "chain.cops", text: input)
            let checked = Checker.check(file)
            XCTAssertEqual(
                checked.diagnostics.map(\.kind), [.nestingTooDeep(limit: Parser.maximumNestingDepth)],
                String(input.prefix(30)))
            _ = DiagnosticRenderer().render(checked.diagnostics, in: file)
        }
        // Chains within the limit still parse and print back.
        let fine = "echo $args[0].a.b[1] or 1 or 2 and 3 and $args.count"
        let checked = Checker.check(SourceFile(name: "chain.cops", text: fine))
        XCTAssertEqual(checked.diagnostics, [])
        XCTAssertEqual(
            SyntaxPrinter.print(checked.program), "echo (($args[0].a.b[1] or 1) or ((2 and 3) and $args.count))\n")
    }

    /// Bad-input catalogue `gen-long-line-word-1mb`: an unknown 1 MB word was compared letter
    /// by letter with every verb for a did-you-mean (about a minute in a debug build).
    func testDidYouMeanSkipsCandidatesOfAVeryDifferentLength() {
        let word = String(repeating: "w", count: 1 << 20)
        let started = Date()
        XCTAssertNil(Suggestion.closest(to: word, among: ["status", "deactivate", "wwwwww"]))
        XCTAssertLessThan(Date().timeIntervalSince(started), 1)
        XCTAssertEqual(Suggestion.closest(to: "abrot", among: ["abort", "now"]), "abort")
        XCTAssertEqual(Suggestion.closest(to: "stat", among: ["status"]), "status")
        XCTAssertNil(Suggestion.closest(to: "st", among: ["status"]))
    }

    func testLargeInputIsHandledInOnePass() {
        let line = "deactivate 15, 20..25 abort; wait $failed until inactive timeout 1m\n"
        let text = "let failed = 1\n" + String(repeating: line, count: 20_000)
        let checked = Checker.check(SourceFile(name: "big.cops", text: text))
        XCTAssertEqual(checked.program.statements.count, 40_001)
        XCTAssertTrue(checked.isRunnable)
    }
}
