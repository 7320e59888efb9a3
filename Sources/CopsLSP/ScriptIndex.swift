import CampaignScript

/// What a script names: its variable definitions and its `source` paths, in source order —
/// one walk over the syntax tree that completion, hover, definition and document symbols
/// share. A new way to define a name is one more case in `visit`.
struct ScriptIndex: Sendable {
    /// A name a statement defines.
    struct Definition: Sendable, Equatable {
        /// How it is defined: the keyword that does it.
        enum Kind: String, Sendable {
            case `let`, `for`, param
        }
        var name: String
        var kind: Kind
        /// The name as written.
        var nameRange: SourceRange
        /// The whole defining statement.
        var statementRange: SourceRange
    }

    /// A `source` statement whose path is a constant.
    struct SourcePath: Sendable, Equatable {
        var path: String
        var range: SourceRange
    }

    private(set) var definitions: [Definition] = []
    private(set) var sources: [SourcePath] = []

    init(_ program: Program) {
        for statement in program.statements { visit(statement) }
    }

    private mutating func visit(_ statement: Statement) {
        switch statement.kind {
        case .param(let parameter):
            definitions.append(
                Definition(
                    name: parameter.name.name, kind: .param, nameRange: parameter.name.range,
                    statementRange: statement.range))
        case .let(let name, _):
            definitions.append(Definition(name: name.name, kind: .let, nameRange: name.range, statementRange: statement.range))
        case .for(let variable, _, let body):
            definitions.append(
                Definition(name: variable.name, kind: .for, nameRange: variable.range, statementRange: statement.range))
            for inner in body.statements { visit(inner) }
        case .if(let branches, let elseBlock):
            for branch in branches { for inner in branch.body.statements { visit(inner) } }
            for inner in elseBlock?.statements ?? [] { visit(inner) }
        case .try(let inner):
            visit(inner)
        case .source(let path):
            if let constant = path.constantText { sources.append(SourcePath(path: constant, range: path.range)) }
        case .command, .wait, .assert, .set, .echo, .sleep, .help, .exit:
            break
        }
    }

    /// The definition a use of `$name` at `offset` refers to: the last one before it (the
    /// checker's one flat scope in source order), or, for a use the checker rejects as
    /// undefined, none.
    func definition(of name: String, before offset: Int) -> Definition? {
        definitions.last { $0.name == name && $0.nameRange.start.offset < offset }
    }

    /// The variable names defined before `offset`, predefined ones included (what `$`
    /// completes to there).
    func variables(before offset: Int) -> [String] {
        var seen = Set<String>()
        let defined = definitions.filter { $0.nameRange.end.offset <= offset }.map(\.name)
        return (GrammarTable.predefinedVariables + defined).filter { seen.insert($0).inserted }
    }
}
