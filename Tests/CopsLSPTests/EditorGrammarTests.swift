import CampaignScript
import Foundation
import XCTest

/// The editor grammars under editors/ name the language's words; these tests hold them to
/// the grammar table, so a new verb, option, keyword or setting fails here until the
/// grammars learn it.
final class EditorGrammarTests: XCTestCase {
    private static let editors = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("editors")

    /// Each word list of the grammars and what the grammar table says it holds.
    private static let expected: [String: Set<String>] = [
        "verbs": Set(GrammarTable.verbs.flatMap { [$0.name] + $0.aliases }),
        "keywords": Set(GrammarTable.keywords.map(\.name)),
        "options": Set(GrammarTable.options.map(\.name)),
        "settings": Set(GrammarTable.settings.map(\.name)),
        "clauses": Set(GrammarTable.clauseSpecs.map(\.name)),
        "expression-keywords": Set(GrammarTable.expressionKeywords),
        "wait-states": Set(GrammarTable.waitStates),
        "values": Set(
            GrammarTable.options.flatMap { GrammarTable.valueWords($0.shape) }
                + GrammarTable.settings.flatMap { setting -> [String] in
                    if case .choices(let words) = setting.values { return words }
                    return []
                }),
    ]

    private func json(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: Self.editors.appendingPathComponent(path))
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any], path)
    }

    func testTheTextMateGrammarsWordListsAreTheGrammarTables() throws {
        let grammar = try json("vscode/syntaxes/cops.tmLanguage.json")
        let repository = try XCTUnwrap(grammar["repository"] as? [String: Any])
        for (name, words) in Self.expected {
            let entry = try XCTUnwrap(repository[name] as? [String: Any], "no '\(name)' in the grammar")
            let match = try XCTUnwrap(entry["match"] as? String)
            // `(?<![\w-])(?:a|b|c)(?![\w-])`: the words between `(?:` and `)(?!`.
            let start = try XCTUnwrap(match.range(of: "(?:")).upperBound
            let end = try XCTUnwrap(match.range(of: ")(?!")).lowerBound
            let alternatives = match[start..<end].split(separator: "|").map(String.init)
            XCTAssertEqual(Set(alternatives), words, name)
            XCTAssertEqual(alternatives.count, words.count, "\(name) repeats a word")
        }
        // Every list is used, and every include names a list.
        let included = Set(
            try XCTUnwrap(grammar["patterns"] as? [[String: String]]).compactMap { $0["include"] }.map { String($0.dropFirst()) })
        XCTAssertEqual(included, Set(repository.keys))
        XCTAssertEqual(grammar["scopeName"] as? String, "source.cops")
    }

    func testEveryRegexOfTheTextMateGrammarCompiles() throws {
        var patterns: [String] = []
        func collect(_ value: Any) {
            if let object = value as? [String: Any] {
                for (key, inner) in object {
                    if ["match", "begin", "end"].contains(key), let pattern = inner as? String {
                        patterns.append(pattern)
                    } else {
                        collect(inner)
                    }
                }
            } else if let array = value as? [Any] {
                array.forEach(collect)
            }
        }
        collect(try json("vscode/syntaxes/cops.tmLanguage.json"))
        XCTAssertGreaterThan(patterns.count, 10)
        for pattern in patterns {
            XCTAssertNoThrow(try NSRegularExpression(pattern: pattern), pattern)
        }
        // The word lists match whole words only, dashes included.
        let settings = try NSRegularExpression(
            pattern: try XCTUnwrap(
                (try json("vscode/syntaxes/cops.tmLanguage.json")["repository"] as? [String: [String: Any]])?["settings"]?[
                    "match"] as? String))
        let line = "set on-error stop; set dry-run on; set retries-x 1; set xtimeout 1"
        let found = settings.matches(in: line, range: NSRange(line.startIndex..., in: line)).map {
            String(line[Range($0.range, in: line)!])
        }
        XCTAssertEqual(found, ["on-error", "dry-run"])
    }

    func testTheVimSyntaxFilesKeywordsAreTheGrammarTables() throws {
        let text = try String(contentsOf: Self.editors.appendingPathComponent("nvim/syntax/cops.vim"), encoding: .utf8)
        let groups = [
            "copsVerb": "verbs", "copsKeyword": "keywords", "copsOption": "options", "copsSetting": "settings",
            "copsClause": "clauses", "copsExpression": "expression-keywords", "copsState": "wait-states", "copsValue": "values",
        ]
        var found: [String: [String]] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("syntax keyword ") {
            let words = line.split(separator: " ").dropFirst(2).map(String.init)
            found[words[0], default: []] += words.dropFirst()
        }
        XCTAssertEqual(Set(found.keys), Set(groups.keys))
        for (group, list) in groups {
            XCTAssertEqual(Set(found[group] ?? []), Self.expected[list], group)
        }
    }

    func testTheVSCodeExtensionDeclaresTheLanguage() throws {
        let package = try json("vscode/package.json")
        let contributes = try XCTUnwrap(package["contributes"] as? [String: Any])
        let language = try XCTUnwrap((contributes["languages"] as? [[String: Any]])?.first)
        XCTAssertEqual(language["id"] as? String, "cops")
        XCTAssertEqual(language["extensions"] as? [String], [".cops"])
        let grammar = try XCTUnwrap((contributes["grammars"] as? [[String: Any]])?.first)
        XCTAssertEqual(grammar["scopeName"] as? String, "source.cops")
        for path in [grammar["path"], language["configuration"]].compactMap({ $0 as? String }) {
            _ = try json("vscode/" + path)
        }
    }
}
