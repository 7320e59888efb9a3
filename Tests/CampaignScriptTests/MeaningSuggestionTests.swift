import CampaignScript
import XCTest

/// Suggestions by meaning: the words operators say for the verbs (`stop`, `rm`, `print`), the
/// shapes other tools taught them (`--active`, `abort=true`, `deactivate all`), and the rule
/// that a word meaning a change is never pointed at a read, or the reverse.
final class MeaningSuggestionTests: XCTestCase {
    /// The first error's message and its notes, as `--check` words them.
    private func messages(_ text: String) -> [String] {
        let (_, diagnostics) = Parser.parse(SourceFile(name: "t.cops", text: text))
        guard let first = diagnostics.first else { return [] }
        return [DiagnosticRenderer.message(for: first.kind)]
            + first.notes.map { DiagnosticRenderer.message(for: $0.kind) }
    }

    func testWordsPeopleSayAreAnsweredWithTheVerbAndTheFix() {
        let cases: [(String, [String])] = [
            (
                "stop 15",
                [
                    "unknown command 'stop'; did you mean 'deactivate'?",
                    "'stop' is not a cops word; write 'deactivate 15'",
                ]
            ),
            (
                "pause 15, 16",
                [
                    "unknown command 'pause'; did you mean 'deactivate'?",
                    "'pause' is not a cops word; write 'deactivate 15, 16'",
                ]
            ),
            (
                "abort 15",
                [
                    "unknown command 'abort'; did you mean 'deactivate'?",
                    "'abort' is not a cops word; write 'deactivate 15 abort'",
                ]
            ),
            (
                "kill 15 abort",
                [
                    "unknown command 'kill'; did you mean 'deactivate'?",
                    "'kill' is not a cops word; write 'deactivate 15 abort'",
                ]
            ),
            (
                "start 15 now",
                [
                    "unknown command 'start'; did you mean 'activate'?",
                    "'start' is not a cops word; write 'activate 15 now'",
                ]
            ),
            (
                "rm 20..25",
                [
                    "unknown command 'rm'; did you mean 'delete'?",
                    "'rm' is not a cops word; write 'delete 20..25'",
                ]
            ),
            (
                "copy 15 as \"Spring (copy)\"",
                [
                    "unknown command 'copy'; did you mean 'clone'?",
                    "'copy' is not a cops word; write 'clone 15 as \"Spring (copy)\"'",
                ]
            ),
            ("ls", ["unknown command 'ls'; did you mean 'list'?", "'ls' is not a cops word; write 'list'"]),
            (
                "logs 15 since 1h",
                [
                    "unknown command 'logs'; did you mean 'log'?",
                    "'logs' is not a cops word; write 'log 15 since 1h'",
                ]
            ),
            (
                "print \"done\" ; status 1",
                [
                    "unknown command 'print'; did you mean 'echo'?",
                    "'print' is not a cops word; write 'echo \"done\"'",
                ]
            ),
            (
                "let s = (get 15)",
                [
                    "unknown command 'get'; did you mean 'show'?",
                    "'get' is not a cops word; write 'show 15'",
                ]
            ),
            // Capitals are the same word.
            (
                "Stop 15",
                [
                    "unknown command 'Stop'; did you mean 'deactivate'?",
                    "'Stop' is not a cops word; write 'deactivate 15'",
                ]
            ),
            // A typo of a said-as word leads to its verb; only the did-you-mean, no rewrite.
            ("stopp 15", ["unknown command 'stopp'; did you mean 'deactivate'?"]),
            // Plain typos of cops words are unchanged.
            ("deactivte 15", ["unknown command 'deactivte'; did you mean 'deactivate'?"]),
            ("frobnicate 15", ["unknown command 'frobnicate'"]),
            // A said-as word is matched by spelling only one letter away.
            ("bogus 3", ["unknown command 'bogus'"]),
            // A keyword where a command must be (inside parentheses) is not "meant" as another.
            ("let x = (echo 1)", ["unknown command 'echo'"]),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(messages(text), expected, text)
        }
    }

    func testShapesFromOtherToolsGetTheirFix() {
        let cases: [(String, [String])] = [
            (
                "list --active",
                [
                    "unexpected character '-' (U+002D HYPHEN-MINUS)",
                    "options are plain words: write 'active', not '--active'",
                ]
            ),
            (
                "deactivate 15 -abort",
                [
                    "unexpected character '-' (U+002D HYPHEN-MINUS)",
                    "options are plain words: write 'abort', not '-abort'",
                ]
            ),
            (
                "list --force",
                [
                    "unexpected character '-' (U+002D HYPHEN-MINUS)",
                    "options are plain words, written without dashes; '--force' is not one of them",
                ]
            ),
            (
                "deactivate campaign 15",
                [
                    "expected a campaign ID, range, '$variable' or '(command)', found 'campaign'",
                    "'campaign' is not needed: write 'deactivate 15'",
                ]
            ),
            (
                "status campaigns 1..3",
                [
                    "expected a campaign ID, range, '$variable' or '(command)', found 'campaigns'",
                    "'campaigns' is not needed: write 'status 1..3'",
                ]
            ),
            (
                "deactivate 15 abort=true",
                [
                    "expected end of statement (newline or ';'), found '='",
                    "options take no '=': write 'abort', not 'abort=true'",
                ]
            ),
            (
                "deactivate 15 abort = false",
                [
                    "expected end of statement (newline or ';'), found '='",
                    "options take no '=', and a flag left out is off: remove 'abort=false'",
                ]
            ),
            (
                "list limit=5",
                ["expected an integer, found '='", "options take no '=': write 'limit 5', not 'limit=5'"]
            ),
            (
                "deactivate all",
                [
                    "expected a campaign ID, range, '$variable' or '(command)', found 'all'",
                    "'all' is not a target; every active campaign: write 'deactivate (list active)'",
                ]
            ),
            (
                "activate all now",
                [
                    "expected a campaign ID, range, '$variable' or '(command)', found 'all'",
                    "'all' is not a target; every inactive campaign: write 'activate (list inactive)'",
                ]
            ),
            (
                "delete all",
                [
                    "expected a campaign ID, range, '$variable' or '(command)', found 'all'",
                    "'all' is not a target; every campaign: write 'delete (list)'",
                ]
            ),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(messages(text), expected, text)
        }
    }

    /// Every fix a note offers is itself a valid statement: the advice can be pasted.
    func testEveryFixParses() throws {
        let texts = [
            "stop 15", "pause 15, 16", "abort 15", "start 15 now", "rm 20..25", "copy 15 as \"x\"", "ls",
            "logs 15 since 1h", "print \"done\"", "deactivate campaign 15", "deactivate 15 abort=true",
            "list limit=5", "deactivate all", "activate all", "delete all",
        ]
        for text in texts {
            let (_, diagnostics) = Parser.parse(SourceFile(name: "t.cops", text: text))
            let notes = try XCTUnwrap(diagnostics.first?.notes, text)
            let fixes = notes.compactMap { note -> String? in
                switch note.kind {
                case .saidAs(_, let fix), .wordNotNeeded(_, let fix), .everyCampaign(_, _, let fix): fix
                case .optionWithoutEquals(let written, let fix?): text.replacingOccurrences(of: written, with: fix)
                default: nil
                }
            }
            XCTAssertEqual(fixes.count, 1, text)
            for fix in fixes {
                let (_, fixDiagnostics) = Parser.parse(SourceFile(name: "fix.cops", text: fix))
                XCTAssertEqual(fixDiagnostics, [], "\(text) → \(fix)")
            }
        }
    }

    func testEverySaidAsWordMeansOneCopsWordAndIsNotOne() {
        var seen: [String: String] = [:]
        let owners: [(String, [SaidAs])] =
            GrammarTable.verbs.map { ($0.name, $0.saidAs) } + GrammarTable.keywords.map { ($0.name, $0.saidAs) }
        for (owner, words) in owners {
            for said in words {
                XCTAssertNil(seen[said.word], "'\(said.word)' is said for both \(seen[said.word] ?? "") and \(owner)")
                seen[said.word] = owner
                XCTAssertFalse(GrammarTable.statementWords.contains(said.word), "'\(said.word)' is already a cops word")
                XCTAssertEqual(said.word, said.word.lowercased())
                XCTAssertEqual(GrammarTable.meaning(ofStatementWord: said.word)?.word, owner, said.word)
            }
        }
        XCTAssertEqual(seen.count, GrammarTable.saidAsWords.count)
        // The words the issue names, each with its verb.
        let named: [String: String] = [
            "stop": "deactivate", "pause": "deactivate", "disable": "deactivate", "start": "activate",
            "enable": "activate", "resume": "activate", "remove": "delete", "rm": "delete", "copy": "clone",
            "duplicate": "clone", "ls": "list", "logs": "log",
        ]
        for (word, verb) in named { XCTAssertEqual(seen[word], verb, word) }
    }

    /// A suggestion by spelling never offers a mutating verb for a word that means a read, or
    /// the reverse: every one-letter typo of a said-as word (dropped, doubled or changed
    /// letter) that gets a suggestion at all gets one of the same kind as the word's meaning.
    func testSpellingNeverCrossesBetweenReadsAndChanges() {
        func mutates(_ word: String) -> Bool? { GrammarTable.verb(named: word)?.mutates }
        var checked = 0
        for (said, meant) in GrammarTable.saidAsWords where said.count >= 4 {
            guard let expected = mutates(meant.word) else { continue }
            let letters = Array(said)
            var typos: Set<String> = []
            for index in letters.indices {
                var dropped = letters
                dropped.remove(at: index)
                typos.insert(String(dropped))
                var doubled = letters
                doubled.insert(letters[index], at: index)
                typos.insert(String(doubled))
                for replacement in "aeiouxz" where replacement != letters[index] {
                    var changed = letters
                    changed[index] = replacement
                    typos.insert(String(changed))
                }
            }
            // A typo exactly as close to a word of the other kind (`shop`: `stop` or `show`) is
            // ambiguous, not a typo of this word.
            let otherKind = (GrammarTable.statementWords + GrammarTable.saidAsWords.keys).filter { word in
                let meaning = GrammarTable.saidAsWords[word]?.word ?? word
                return mutates(GrammarTable.verb(named: meaning)?.name ?? "") == !expected
            }
            for typo in typos where GrammarTable.saidAsWords[typo] == nil && !GrammarTable.statementWords.contains(typo) {
                let distance = Suggestion.editDistance(typo, said)
                guard otherKind.allSatisfy({ Suggestion.editDistance(typo, $0) > distance }) else { continue }
                guard let suggestion = GrammarTable.meaning(ofStatementWord: typo),
                    let kind = mutates(suggestion.word)
                else { continue }
                checked += 1
                XCTAssertEqual(kind, expected, "'\(typo)' (a typo of '\(said)') → '\(suggestion.word)'")
            }
        }
        XCTAssertGreaterThan(checked, 100)
    }
}
