/// Prints syntax trees back as canonical source (one statement per line, two-space blocks);
/// parsing the output gives the same tree apart from source ranges.
public enum SyntaxPrinter {
    /// The canonical source of a program.
    public static func print(_ program: Program) -> String {
        program.statements.map { print($0, indent: "") + "\n" }.joined()
    }

    /// The canonical source of one statement.
    public static func print(_ statement: Statement, indent: String = "") -> String {
        indent + body(statement, indent: indent)
    }

    private static func body(_ statement: Statement, indent: String) -> String {
        switch statement.kind {
        case .command(let command):
            return print(command)
        case .let(let name, let value):
            switch value {
            case .command(let command): return "let \(name.name) = \(print(command))"
            case .expression(let expression): return "let \(name.name) = \(print(expression))"
            case .invalid: return "let \(name.name) = <invalid>"
            }
        case .param(let parameter):
            var text = "param \(parameter.name.name)"
            if let description = parameter.description { text += " " + print(description.parts) }
            if let defaultValue = parameter.defaultValue { text += " = " + print(defaultValue) }
            return text
        case .if(let branches, let elseBlock):
            var text = ""
            for (index, branch) in branches.enumerated() {
                text +=
                    (index == 0 ? "if " : " elif ") + print(branch.condition) + " "
                    + print(branch.body, indent: indent)
            }
            if let elseBlock { text += " else " + print(elseBlock, indent: indent) }
            return text
        case .for(let variable, let source, let block):
            let sourceText: String
            switch source {
            case .targets(let targets): sourceText = print(targets)
            case .command(let command): sourceText = print(command)
            }
            return "for \(variable.name) in \(sourceText) \(print(block, indent: indent))"
        case .wait(let targets, let state, let timeout, let every):
            var text = "wait \(print(targets)) until "
            switch state.kind {
            case .active: text += "active"
            case .inactive: text += "inactive"
            case .completed: text += "completed"
            case .deleted: text += "deleted"
            case .status(let literal): text += "status " + print(literal.parts)
            }
            if let timeout { text += " timeout " + Value.durationText(timeout.milliseconds) }
            if let every { text += " every " + Value.durationText(every.milliseconds) }
            return text
        case .assert(let condition, let message):
            return "assert \(print(condition))" + (message.map { " else " + print($0.parts) } ?? "")
        case .try(let inner):
            return "try " + body(inner, indent: indent)
        case .set(let setting, let value):
            let valueText: String
            switch value {
            case .word(let word): valueText = word.name
            case .integer(let integer): valueText = String(integer.value)
            case .duration(let duration): valueText = Value.durationText(duration.milliseconds)
            }
            return "set \(setting.name) \(valueText)"
        case .echo(let values):
            return "echo " + values.map(print).joined(separator: " ")
        case .sleep(let duration):
            return "sleep " + Value.durationText(duration.milliseconds)
        case .source(let path):
            return "source " + print(path.parts)
        case .help(let topic):
            return topic.map { "help \($0.name)" } ?? "help"
        case .exit(let code):
            return code.map { "exit \($0.value)" } ?? "exit"
        }
    }

    private static func print(_ block: Block, indent: String) -> String {
        let inner = indent + ScriptFormatter.indentUnit
        return "{\n" + block.statements.map { print($0, indent: inner) + "\n" }.joined() + indent + "}"
    }

    /// The canonical source of a command.
    public static func print(_ command: Command) -> String {
        var words = [command.verbName.name]
        if let targets = command.targets { words.append(print(targets)) }
        for option in command.options {
            words.append(option.name.name)
            switch option.value {
            case .none: break
            case .integer(let integer): words.append(String(integer.value))
            case .text(let text): words.append(print(text.parts))
            case .word(let word): words.append(word.name)
            case .audience(let source, let id): words.append("\(source.name) \(id.value)")
            case .duration(let duration): words.append(Value.durationText(duration.milliseconds))
            }
        }
        return words.joined(separator: " ")
    }

    private static func print(_ targets: Targets) -> String {
        targets.items.map { item in
            switch item.kind {
            case .id(let id): String(id.value)
            case .range(let low, let high): "\(low.value)..\(high.value)"
            case .variable(let expression): print(expression)
            case .command(let command): "(\(print(command)))"
            }
        }.joined(separator: ",")
    }

    /// The canonical source of an expression (fully parenthesized where precedence matters).
    public static func print(_ expression: Expr) -> String {
        switch expression.kind {
        case .integer(let value): return String(value)
        case .string(let parts): return print(parts)
        case .bool(let value): return value ? "true" : "false"
        case .null: return "null"
        case .duration(let milliseconds): return Value.durationText(milliseconds)
        case .variable(let name): return "$" + name
        case .field(let base, let name): return print(base) + "." + name
        case .index(let base, let index): return print(base) + "[" + print(index) + "]"
        case .command(let command): return "(" + print(command) + ")"
        case .comparison(let op, let left, let right):
            return "(\(print(left)) \(op.rawValue) \(print(right)))"
        case .and(let left, let right): return "(\(print(left)) and \(print(right)))"
        case .or(let left, let right): return "(\(print(left)) or \(print(right)))"
        case .not(let operand): return "(not \(print(operand)))"
        }
    }

    /// A string literal with escapes, interpolations written back as `$name.field`.
    public static func print(_ parts: [StringPart]) -> String {
        var text = "\""
        var afterVariable = false
        for part in parts {
            switch part {
            case .text(let literal):
                for (position, scalar) in literal.unicodeScalars.enumerated() {
                    // Text right after `$name` must not extend the name or add a `.field`.
                    let extendsName =
                        scalar.properties.isAlphabetic || scalar == "_" || ("0"..."9").contains(scalar)
                        || scalar == "."
                    if position == 0 && afterVariable && extendsName {
                        text += ScriptLiteral.unicodeEscape(scalar)
                    } else {
                        ScriptLiteral.append(scalar, to: &text)
                    }
                }
                afterVariable = false
            case .variable(let reference):
                text += "$" + ([reference.name] + reference.fields).joined(separator: ".")
                afterVariable = true
            }
        }
        return text + "\""
    }
}
