import AltcraftWire
import CampaignScript
import CopsShell
import LineEditor

/// The language features, each a function of one document's state: what `cops --check` and
/// the prompt's completion already know, turned into LSP's shapes.
extension LanguageServer {
    /// LSP's `DiagnosticSeverity`, `CompletionItemKind` and `SymbolKind` numbers used here.
    private enum Number {
        static func severity(_ severity: Severity) -> WireValue {
            switch severity {
            case .error: 1
            case .warning: 2
            case .note: 3
            }
        }
        static let completionFunction: WireValue = 3
        static let completionVariable: WireValue = 6
        static let completionProperty: WireValue = 10
        static let completionKeyword: WireValue = 14
        static let completionValue: WireValue = 12
        static let symbolVariable: WireValue = 13
    }

    // MARK: Diagnostics

    /// The checker's diagnostics in the words `cops --check` prints: the message of the
    /// header line, then each note as its own `note:` line; a note about other text also
    /// points there (`relatedInformation`).
    static func diagnostics(of document: TextDocument, encoding: PositionEncoding) -> [WireValue] {
        guard let checked = document.checked else { return [] }
        let map = PositionMap(file: document.program, encoding: encoding)
        return checked.diagnostics.map { diagnostic in
            let message =
                ([DiagnosticRenderer.message(for: diagnostic, in: document.program)]
                + diagnostic.notes.map { "note: " + DiagnosticRenderer.message(for: $0.kind) }).joined(separator: "\n")
            var fields: [(String, WireValue)] = [
                ("range", json(map.range(of: diagnostic.range))), ("severity", Number.severity(diagnostic.severity)),
                ("source", "cops"), ("message", .string(message)),
            ]
            let related: [WireValue] = diagnostic.notes.compactMap { note in
                guard let range = note.range else { return nil }
                return [
                    "location": ["uri": .string(document.uri), "range": json(map.range(of: range))],
                    "message": .string(DiagnosticRenderer.message(for: note.kind)),
                ]
            }
            if !related.isEmpty { fields.append(("relatedInformation", .array(related))) }
            return .object(WireObject(fields))
        }
    }

    // MARK: Completion

    /// The prompt's completion (`CompletionEngine`) of the line up to the cursor, with the
    /// variables defined above it; each item replaces the word being completed.
    static func completion(in document: TextDocument, at offset: Int, encoding: PositionEncoding) -> WireValue {
        let location = document.program.location(atOffset: offset)
        guard document.isCode(line: location.line) else { return [] }
        let lineStart = document.program.lineStarts[location.line - 1]
        let line = String(decoding: document.program.bytes[lineStart..<location.offset], as: UTF8.self)
        let engine = CompletionEngine(variables: document.index.variables(before: location.offset), origin: .runbook)
        let result = engine.complete(line)
        let map = PositionMap(file: document.program, encoding: encoding)
        let replaced = json(
            (map.position(ofOffset: location.offset - result.word.utf8.count), map.position(ofOffset: location.offset)))
        return .array(
            result.candidates.map { candidate in
                var fields: [(String, WireValue)] = [
                    ("label", .string(candidate.display)), ("kind", kind(of: candidate.text)),
                    ("textEdit", ["range": replaced, "newText": .string(candidate.text)]),
                ]
                if let summary = summary(of: candidate.text) { fields.append(("detail", .string(summary))) }
                return .object(WireObject(fields))
            })
    }

    private static func kind(of word: String) -> WireValue {
        if word.hasPrefix("$") { return Number.completionVariable }
        if GrammarTable.verb(named: word) != nil { return Number.completionFunction }
        if GrammarTable.keyword(named: word) != nil || GrammarTable.clauseSpecs.contains(where: { $0.name == word }) {
            return Number.completionKeyword
        }
        if GrammarTable.option(named: word) != nil || GrammarTable.setting(named: word) != nil {
            return Number.completionProperty
        }
        return Number.completionValue
    }

    /// The one-line summary the grammar table has for a word, if any.
    private static func summary(of word: String) -> String? {
        GrammarTable.verb(named: word)?.summary ?? GrammarTable.keyword(named: word)?.summary
            ?? GrammarTable.option(named: word)?.summary ?? GrammarTable.setting(named: word)?.summary
    }

    // MARK: Hover and definition

    /// What the cursor is on, for hover and definition.
    private enum Subject {
        /// A bare word (verb, option, setting, keyword, value).
        case word(String, SourceRange)
        /// A `$variable`, alone or inside a string.
        case variable(String, SourceRange)
        /// A string literal (a `source` path, perhaps).
        case string(SourceRange)
    }

    private static func subject(in document: TextDocument, at offset: Int) -> Subject? {
        // The token under the cursor, or the one just before it (the cursor at a word's end).
        let tokens = Lexer.tokenize(document.program)
        guard
            let token = tokens.first(where: { $0.range.start.offset <= offset && offset < $0.range.end.offset })
                ?? tokens.last(where: { $0.range.end.offset == offset && $0.range.start.offset < offset })
        else { return nil }
        switch token.kind {
        case .word(let word): return .word(word, token.range)
        case .variable(let name): return .variable(name, token.range)
        case .string(let parts):
            for case .variable(let reference) in parts
            where reference.range.start.offset <= offset && offset <= reference.range.end.offset {
                return .variable(reference.name, reference.range)
            }
            return .string(token.range)
        default: return nil
        }
    }

    /// The help text of the word under the cursor (what `help WORD` prints), or where the
    /// `$variable` under it is defined.
    static func hover(in document: TextDocument, at offset: Int, encoding: PositionEncoding) -> WireValue {
        guard let subject = subject(in: document, at: offset) else { return .null }
        let text: String
        let range: SourceRange
        switch subject {
        case .word(let word, let wordRange):
            guard let help = GrammarTable.helpText(for: word) else { return .null }
            (text, range) = (help, wordRange)
        case .variable(let name, let nameRange):
            if let definition = document.index.definition(of: name, before: offset) {
                text = Wording.lspVariableDefined(
                    name, by: definition.kind.rawValue, line: definition.nameRange.start.line)
            } else if GrammarTable.predefinedVariables.contains(name) {
                text = Wording.lspVariablePredefined(name)
            } else {
                return .null
            }
            range = nameRange
        case .string:
            return .null
        }
        let map = PositionMap(file: document.program, encoding: encoding)
        return ["contents": ["kind": "plaintext", "value": .string(text)], "range": json(map.range(of: range))]
    }

    /// A `$variable`'s `let` or `for`; a `source` path's file, resolved as `source` resolves
    /// it (relative to the document).
    static func definition(in document: TextDocument, at offset: Int, encoding: PositionEncoding) -> WireValue {
        guard let subject = subject(in: document, at: offset) else { return .null }
        switch subject {
        case .variable(let name, _):
            guard let definition = document.index.definition(of: name, before: offset) else { return .null }
            let map = PositionMap(file: document.program, encoding: encoding)
            return ["uri": .string(document.uri), "range": json(map.range(of: definition.nameRange))]
        case .string(let range):
            guard let source = document.index.sources.first(where: { $0.range == range }) else { return .null }
            let path = SourceLoader.resolve(source.path, relativeTo: document.file.name)
            let start = LSPPosition(line: 0, character: 0)
            return ["uri": .string(TextDocument.uri(ofPath: path)), "range": json((start, start))]
        case .word:
            return .null
        }
    }

    // MARK: Formatting and symbols

    /// One edit replacing the whole text with `cops fmt`'s, none when it is already
    /// formatted or does not parse (its diagnostics say why).
    static func formatting(of document: TextDocument, encoding: PositionEncoding) -> WireValue {
        formatting(of: document, encoding: encoding) { text, kind in
            switch kind {
            case .script: try ScriptFormatter.format(text)
            case .markdown: try ScriptFormatter.formatMarkdown(text)
            }
        }
    }

    /// `formatting` with the formatter given (tests give one whose output they know).
    static func formatting(
        of document: TextDocument, encoding: PositionEncoding,
        formatter: (String, DocumentKind) throws -> String
    ) -> WireValue {
        let text = document.text
        guard let formatted = try? formatter(text, document.kind), formatted != text else { return [] }
        let map = PositionMap(file: document.file, encoding: encoding)
        return [["range": json(map.wholeText), "newText": .string(formatted)]]
    }

    /// The names the script defines, in source order.
    static func symbols(of document: TextDocument, encoding: PositionEncoding) -> WireValue {
        let map = PositionMap(file: document.program, encoding: encoding)
        return .array(
            document.index.definitions.map { definition in
                // A `for` symbol covers its header only, so it never contains its body's lets.
                let range =
                    definition.kind == .for
                    ? SourceRange(start: definition.statementRange.start, end: definition.nameRange.end)
                    : definition.statementRange
                return [
                    "name": .string("$" + definition.name), "detail": .string(definition.kind.rawValue),
                    "kind": Number.symbolVariable, "range": json(map.range(of: range)),
                    "selectionRange": json(map.range(of: definition.nameRange)),
                ]
            })
    }
}
