import CampaignScript
import XCTest

final class CheckerTests: XCTestCase {
    func testValidRunbookIsRunnable() {
        let (_, checked) = checkMarked(
            """
            #!/usr/bin/env cops
            # Stop the spring promo everywhere, keep a copy for next year.
            let promos = (list active tag "spring-2024")
            echo "stopping" $promos.count "campaigns"
            deactivate $promos abort
            wait $promos until inactive timeout 2m
            let keep = clone $promos[0].id as "Spring 2025 (draft)"
            assert (status $keep.id).is_active == false else "the clone must start inactive"
            activate 12,15,20..25 now audience segment 5 limit 300
            deactivate $failed abort
            try launch $1
            echo $args $error
            for c in list active { echo "$c.name" }
            echo $c.id
            set dry-run on
            set concurrency 64
            set retries 0
            set timeout 45s
            exit 0
            """)
        XCTAssertEqual(checked.diagnostics, [])
        XCTAssertTrue(checked.isRunnable)
    }

    func testCheckAndValidateFindWhatIsWrong() {
        let text = """
            let s = status 15
            deactivate 15 abrot
            if $s.is_active { echo $missing } else { status 0 }
            dеactivate 12
            for id in 14, 30..31 { status $id }
            let broken = (
            echo $broken $id
            """
        let file = SourceFile(name: "t.cops", text: text)
        // What a reader of the text sees is wrong with it, in source order.
        let expected = [
            "t.cops:2:15: error: unknown option 'abrot' for 'deactivate'; did you mean 'abort'?",
            "t.cops:3:24: error: variable '$missing' is used before it is defined",
            "t.cops:3:49: error: campaign ID must be at least 1, not 0",
            "t.cops:4:2: error: unexpected character 'е' (U+0435 CYRILLIC SMALL LETTER IE) in word 'dеactivate'",
            "t.cops:7:1: error: unknown command 'echo'",
        ]
        func firstLines(_ diagnostics: [Diagnostic]) -> [String] { Self.firstLines(diagnostics, in: file) }
        let checked = Checker.check(file)
        var seen: [Statement] = []
        let verdict = Checker.validate(file, each: { seen.append($0) })
        XCTAssertEqual(firstLines(checked.diagnostics), expected)
        XCTAssertEqual(firstLines(verdict.diagnostics), expected)
        XCTAssertFalse(checked.isRunnable)
        XCTAssertFalse(verdict.isRunnable)
        for defined in ["s", "id", "broken"] {
            XCTAssertTrue(checked.definedVariables.contains(defined), defined)
            XCTAssertTrue(verdict.definedVariables.contains(defined), defined)
        }
        XCTAssertFalse(verdict.definedVariables.contains("missing"))
        // The statements that parsed, on their lines (line 4 and the unclosed `(` did not).
        XCTAssertEqual(seen.map(\.range.start.line), [1, 2, 3, 5, 6])
        XCTAssertEqual(checked.program.statements.map(\.range.start.line), [1, 2, 3, 5, 6])
        XCTAssertEqual(
            firstLines(Checker.validate(file, readFile: { _ in .failure(FileReadError(why: "no such file")) }).diagnostics),
            expected)
        XCTAssertEqual(
            firstLines(Checker.check(file, readFile: { _ in .failure(FileReadError(why: "no such file")) }).diagnostics), expected
        )
    }

    func testValidateSeesDefinitionsOfSourcedFiles() {
        let file = SourceFile(name: "/r/main.cops", text: "source \"common.cops\"\nstatus $target")
        let read: FileReader = {
            $0 == "/r/common.cops" ? .success(Array("let target = 15".utf8)) : .failure(FileReadError(why: "no such file"))
        }
        XCTAssertTrue(Checker.validate(file, readFile: read).isRunnable)
        XCTAssertTrue(Checker.check(file, readFile: read).isRunnable)
        XCTAssertFalse(Checker.validate(file, readFile: { _ in .failure(FileReadError(why: "no such file")) }).isRunnable)
    }

    func testUnknownOptionWithDidYouMean() {
        assertDiagnostics(
            "deactivate 15 1️⃣abrot2️⃣",
            [(.unknownOption(name: "abrot", verb: "deactivate", suggestion: "abort"), 1, 2)])
        assertDiagnostic(
            "list active 1️⃣tga \"x\"", .unknownOption(name: "tga", verb: "list", suggestion: "tag"))
        assertDiagnostic(
            "status 15 1️⃣zzz 3", .unknownOption(name: "zzz", verb: "status", suggestion: nil))
    }

    func testOptionOfAnotherVerb() {
        assertDiagnostic(
            "deactivate 15 1️⃣now", .optionNotValidForVerb(option: "now", verb: "deactivate"))
        assertDiagnostic("show 15 1️⃣limit 3", .optionNotValidForVerb(option: "limit", verb: "show"))
    }

    /// Issue 14: `activate 82 limit 5` was sent, though the API ignores a limit without `now`
    /// as it does an audience; both are the same error.
    func testAudienceOrLimitWithoutNow() {
        assertDiagnostic("activate 15 1️⃣audience list 3", .optionWithoutNow(option: "audience"))
        assertDiagnostic("activate 82 1️⃣limit 5", .optionWithoutNow(option: "limit"))
        assertDiagnostics("activate 15 now audience list 3", [])
        assertDiagnostics("activate 82 now limit 5", [])
        assertDiagnostics("list limit 5", [])
        assertDiagnostics("log 15 limit 5", [])
        assertDiagnostic(
            "activate 15 now audience 1️⃣lists 3",
            .invalidOptionValue(option: "audience", value: "lists", suggestion: "list"))
    }

    func testOptionValues() {
        assertDiagnostic(
            "list type 1️⃣broadcats",
            .invalidOptionValue(option: "type", value: "broadcats", suggestion: "broadcast"))
        assertDiagnostic("list limit 1️⃣0", .valueMustBePositive(option: "limit"))
        assertDiagnostic("list active 1️⃣inactive", .conflictingOptions("active", "inactive"))
        assertDiagnostic("deactivate 1 abort 1️⃣abort", .duplicateOption("abort"))
        assertDiagnostic("log 1 since 1️⃣0s", .zeroDuration(context: "since"))
        assertDiagnostic("log 1 since 1️⃣\"yesterday\"", .invalidTimestamp("yesterday"))
        assertDiagnostics(
            "log 1 since \"2024-04-02\"; log 1 since \"2024-04-02T17:57:01.504Z\"; log 1 since \"2024-04-02 10:00+03:00\"",
            [])
        assertDiagnostics("list tag a tag b group 1 group x", [])
    }

    func testPromptPassesDefinedVariablesForward() {
        let first = Checker.check(SourceFile(name: "<prompt>", text: "let ids = (list active)"))
        XCTAssertEqual(first.diagnostics, [])
        XCTAssertTrue(first.definedVariables.contains("ids"))
        let second = Checker.check(
            SourceFile(name: "<prompt>", text: "echo $ids"), defined: first.definedVariables)
        XCTAssertEqual(second.diagnostics, [])
    }

    func testDuplicateOptionIsOnlyAWarning() {
        let (_, checked) = checkMarked("deactivate 1 abort abort")
        XCTAssertEqual(checked.diagnostics.first?.severity, .warning)
        XCTAssertTrue(checked.isRunnable)
    }

    func testVariablesMustBeDefinedFirst() {
        assertDiagnostics(
            "deactivate 1️⃣$ids2️⃣ abort", [(.undefinedVariable(name: "ids", suggestion: nil), 1, 2)])
        assertDiagnostic("let ids = 5\necho 1️⃣$isd", .undefinedVariable(name: "isd", suggestion: "ids"))
        assertDiagnostic("echo \"name: 1️⃣$c.name\"", .undefinedVariable(name: "c", suggestion: nil))
        assertDiagnostic("let x = 1️⃣$x", .undefinedVariable(name: "x", suggestion: nil))
        assertDiagnostic("echo 1️⃣$y\nlet y = 1", .undefinedVariable(name: "y", suggestion: nil))
        // Flat scope: a let inside a block defines the name for everything after it.
        assertDiagnostics("if true { let z = 1 }\necho $z", [])
        assertDiagnostics("for id in 1..3 { status $id }\necho $id", [])
        assertDiagnostics("echo $failed $error $args $1 $9", [])
        // A let with a broken value still defines its name: one error, not two.
        assertDiagnostics(
            "let x = 1️⃣lsit active\necho $x", [(.unknownVerb(name: "lsit", suggestion: "list"), 1, nil)])
    }

    func testIDsAndRanges() {
        assertDiagnostic("status 1️⃣0", .invalidCampaignID(0))
        assertDiagnostic("deactivate 1️⃣25..20", .reversedRange(low: 25, high: 20))
        assertDiagnostic("delete 1️⃣1..100001", .rangeTooLarge(count: 100_001, limit: 100_000))
        assertDiagnostics("delete 1..100000", [])
        assertDiagnostic("delete 1️⃣1..60000, 70000..130000", .tooManyIDs(count: 120_001, limit: 100_000))
        assertDiagnostic("show 1️⃣1,2", .singleIDExpected(verb: "show"))
        assertDiagnostic("clone 1️⃣1..3", .singleIDExpected(verb: "clone"))
        assertDiagnostic("wait 1️⃣0 until active", .invalidCampaignID(0))
        assertDiagnostic(
            "status (list 1️⃣limt 5)", .unknownOption(name: "limt", verb: "list", suggestion: "limit"))
    }

    func testDurations() {
        assertDiagnostic("wait 1 until active timeout 1️⃣0s", .zeroDuration(context: "wait timeout"))
        assertDiagnostic("wait 1 until active every 1️⃣0ms", .zeroDuration(context: "wait every"))
        assertDiagnostic("set timeout 1️⃣0s", .zeroDuration(context: "set timeout"))
        assertDiagnostics("sleep 0s", [])
    }

    func testSettings() {
        assertDiagnostic("set 1️⃣ouptut json", .unknownSetting(name: "ouptut", suggestion: "output"))
        assertDiagnostic(
            "set output 1️⃣jsn", .invalidSettingValue(setting: "output", value: "jsn", suggestion: "json"))
        assertDiagnostic(
            "set dry-run 1️⃣1", .invalidSettingValue(setting: "dry-run", value: "1", suggestion: nil))
        assertDiagnostic(
            "set concurrency 1️⃣65", .settingOutOfRange(setting: "concurrency", value: 65, range: 1...64))
        assertDiagnostic(
            "set concurrency 1️⃣0", .settingOutOfRange(setting: "concurrency", value: 0, range: 1...64))
        assertDiagnostic(
            "set retries 1️⃣11", .settingOutOfRange(setting: "retries", value: 11, range: 0...10))
        assertDiagnostic(
            "set timeout 1️⃣30", .invalidSettingValue(setting: "timeout", value: "30", suggestion: nil))
        assertDiagnostic(
            "set on-error 1️⃣stpo",
            .invalidSettingValue(setting: "on-error", value: "stpo", suggestion: "stop"))
        assertDiagnostics("set confirm off\nset output text\nset on-error continue", [])
    }

    func testExitAndHelp() {
        assertDiagnostic("exit 1️⃣256", .exitCodeOutOfRange(256))
        assertDiagnostics("exit 255", [])
        assertDiagnostic(
            "help 1️⃣deactivat", .unknownHelpTopic(name: "deactivat", suggestion: "deactivate"))
        assertDiagnostics("help concurrency\nhelp abort\nhelp wait\nhelp info", [])
    }

    func testAnyErrorMakesTheProgramNotRunnable() {
        XCTAssertFalse(checkMarked("status 1\nstatus 0").1.isRunnable)
        XCTAssertFalse(checkMarked("status 1\nstatus @").1.isRunnable)
        XCTAssertTrue(checkMarked("status 1\nhelp nothing").1.isRunnable)
    }

    func testDiagnosticsAreInSourceOrder() {
        let (_, checked) = checkMarked("status 0\nsleep 5\ndeactivate 1 now\n@")
        let lines = checked.diagnostics.map(\.range.start.line)
        XCTAssertEqual(lines, [1, 2, 3, 4])
    }

    func testSuggestionDistance() {
        XCTAssertEqual(Suggestion.editDistance("abrot", "abort"), 1)
        XCTAssertEqual(Suggestion.editDistance("", "abc"), 3)
        XCTAssertEqual(Suggestion.editDistance("kitten", "sitting"), 3)
        XCTAssertNil(Suggestion.closest(to: "xyz", among: ["abort", "now"]))
    }

    /// Every rule whose node-reading path is its own: strings with and without `$` (an escaped
    /// one is text), commands nested in targets, indexes and expressions, parentheses (an
    /// undefined name inside them is reported from the outermost `(`), `try`, `for` over a
    /// command, `wait`'s durations in either order, option rules, `set`, `exit`, `help` and
    /// `source`: whole diagnostics' first lines and ranges, in order, from `check` and `validate`.
    func testEveryRuleReadsTheParsersNodes() {
        let text = """
            echo "plain" "with $undefined" "escaped \\$x" "$defined_not.field"
            deactivate (status $t), $ids[(status $w).id] abort
            echo (status $u) ($missing) (($nested))
            try deactivate 0
            for c in status $nope { echo $c }
            wait 1 until active every 0s timeout 0s
            list active inactive limit 0 limit 2 tag "$tg" type nonsense
            activate 5 audience lst 0 limit 3
            log 1 since "yesterday"
            let z = $a.b[$i] == 1 or not (status $k)
            exit 300
            help nothing
            set retries 999
            source "$p"
            """
        let file = SourceFile(name: "t.cops", text: text)
        let expected = [
            "t.cops:1:20: error: variable '$undefined' is used before it is defined @1:20-1:30",
            "t.cops:1:47: error: variable '$defined_not' is used before it is defined @1:47-1:59",
            "t.cops:2:20: error: variable '$t' is used before it is defined @2:20-2:22",
            "t.cops:2:25: error: variable '$ids' is used before it is defined @2:25-2:29",
            "t.cops:2:38: error: variable '$w' is used before it is defined @2:38-2:40",
            "t.cops:3:14: error: variable '$u' is used before it is defined @3:14-3:16",
            "t.cops:3:18: error: variable '$missing' is used before it is defined @3:18-3:26",
            "t.cops:3:29: error: variable '$nested' is used before it is defined @3:29-3:36",
            "t.cops:4:16: error: campaign ID must be at least 1, not 0 @4:16-4:17",
            "t.cops:5:17: error: variable '$nope' is used before it is defined @5:17-5:22",
            "t.cops:6:27: error: wait every must be longer than zero @6:27-6:29",
            "t.cops:6:38: error: wait timeout must be longer than zero @6:38-6:40",
            "t.cops:7:13: error: options 'active' and 'inactive' cannot be used together @7:13-7:21",
            "t.cops:7:28: error: the value of 'limit' must be at least 1 @7:28-7:29",
            "t.cops:7:30: warning: option 'limit' is given more than once @7:30-7:35",
            "t.cops:7:43: error: variable '$tg' is used before it is defined @7:43-7:46",
            "t.cops:7:53: error: invalid value 'nonsense' for 'type' @7:53-7:61",
            "t.cops:8:12: error: 'audience' requires 'now' @8:12-8:20",
            "t.cops:8:21: error: invalid value 'lst' for 'audience'; did you mean 'list'? @8:21-8:24",
            "t.cops:8:25: error: the value of 'audience' must be at least 1 @8:25-8:26",
            "t.cops:8:27: error: 'limit' requires 'now' @8:27-8:32",
            "t.cops:9:13: error: 'yesterday' is not a time like \"2024-04-02T17:57:01Z\" or a duration like 1h @9:13-9:24",
            "t.cops:10:9: error: variable '$a' is used before it is defined @10:9-10:11",
            "t.cops:10:14: error: variable '$i' is used before it is defined @10:14-10:16",
            "t.cops:10:38: error: variable '$k' is used before it is defined @10:38-10:40",
            "t.cops:11:6: error: exit status must be between 0 and 255, not 300 @11:6-11:9",
            "t.cops:12:6: warning: no help for 'nothing' @12:6-12:13",
            "t.cops:13:13: error: 'retries' must be between 0 and 10, not 999 @13:13-13:16",
            "t.cops:14:9: error: variable '$p' is used before it is defined @14:9-14:11",
        ]
        func described(_ diagnostics: [Diagnostic]) -> [String] {
            zip(Self.firstLines(diagnostics, in: file), diagnostics).map { $0 + " @\($1.range)" }
        }
        XCTAssertEqual(described(Checker.check(file).diagnostics), expected)
        XCTAssertEqual(described(Checker.validate(file).diagnostics), expected)
    }

    /// Each diagnostic's first rendered line, as a reader sees it.
    private static func firstLines(_ diagnostics: [Diagnostic], in file: SourceFile) -> [String] {
        diagnostics.map {
            String(DiagnosticRenderer(colors: false).render([$0], in: file, sourced: []).split(separator: "\n")[0])
        }
    }
}
