import CampaignScript

/// What a runbook says about how to run it: its usage line built from its `param`
/// declarations, each parameter's description, and its own description (the leading comment
/// block). `cops --usage FILE` prints it; a run with too few or too many arguments prints the
/// usage part and stops with 64 before anything is sent.
struct RunbookUsage {
    /// The file's name as given on the command line, without its directory.
    var name: String
    /// The declared parameters, in order.
    var parameters: [Parameter]

    init(file: SourceFile, parameters: [Parameter]) {
        name = file.name.split(separator: "/").last.map(String.init) ?? file.name
        self.parameters = parameters
    }

    /// Why `arguments` do not fit the declarations (nil when they do, or when the runbook
    /// declares nothing: then it takes any number, as before parameters existed).
    func problem(with arguments: [String]) -> String? {
        guard !parameters.isEmpty else { return nil }
        let required = parameters.filter { $0.defaultValue == nil }.count
        if arguments.count < required { return Wording.missingArgument(parameters[arguments.count].name.name) }
        if arguments.count > parameters.count { return Wording.unexpectedArgument(arguments[parameters.count]) }
        return nil
    }

    /// The usage line and a line per parameter that has a description or a default.
    var text: String {
        let words = parameters.map { $0.defaultValue == nil ? $0.name.name : "[\($0.name.name)]" }
        var lines = [Wording.runbookUsageLine(name: name, words: words)]
        let width = parameters.map(\.name.name.count).max() ?? 0
        for parameter in parameters {
            let explanation = Wording.parameterExplanation(
                description: parameter.description?.constantText, defaultText: parameter.defaultText)
            guard !explanation.isEmpty else { continue }
            let padding = String(repeating: " ", count: width - parameter.name.name.count)
            lines.append("  \(parameter.name.name)\(padding)  \(explanation)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The runbook's own description: the comment lines it starts with (after a `#!` line),
    /// without their `#`, and without the `# example-args:` line that scripts/run-examples
    /// reads; for a Markdown runbook, its first heading (its title) without the `#`s. Empty
    /// when there is neither.
    static func description(of file: SourceFile) -> String {
        if let title = file.headings.first {
            return String(title.text.drop { $0 == "#" }.drop { $0 == " " || $0 == "\t" }) + "\n"
        }
        var lines = file.withBytes { String(decoding: $0, as: UTF8.self) }.split(
            separator: "\n", omittingEmptySubsequences: false
        )
        .map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        if lines.first?.hasPrefix("#!") == true { lines.removeFirst() }
        var comment: [String] = []
        for line in lines {
            guard line.hasPrefix("#") else { break }
            var text = line.dropFirst()
            if text.hasPrefix(" ") { text = text.dropFirst() }
            if text.hasPrefix("example-args:") { continue }
            comment.append(String(text))
        }
        while comment.last?.allSatisfy(\.isWhitespace) == true { comment.removeLast() }
        return comment.isEmpty ? "" : comment.joined(separator: "\n") + "\n"
    }
}
