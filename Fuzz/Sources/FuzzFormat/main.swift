// libFuzzer target: `cops fmt`'s invariants on arbitrary text, as a script and as a Markdown
// runbook. Whatever parses formats to text that parses to the same tree (compared by
// `SyntaxPrinter`'s canonical print), formatting that again changes nothing, and a runbook
// keeps every line outside its `cops` blocks byte for byte.
import CFuzzerDriver
import CampaignScript

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Fails the run (libFuzzer keeps the input as a crash artifact) when an invariant breaks.
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("invariant broken: \(message())") }
}

func tree(_ text: String) -> String {
    SyntaxPrinter.print(Parser.parse(SourceFile(name: "fuzz", text: text)).0)
}

func fuzzOne(_ bytes: [UInt8]) {
    // The formatter takes text; invalid UTF-8 is left alone by `cops fmt` before it gets there.
    guard let text = String(validating: bytes, as: UTF8.self) else { return }
    if let formatted = try? ScriptFormatter.format(text) {
        require(tree(formatted) == tree(text), "a different tree")
        let again = try? ScriptFormatter.format(formatted)
        require(again == formatted, "not idempotent")
    }
    let runbook = MarkdownRunbook(bytes: bytes)
    if let formatted = try? ScriptFormatter.formatMarkdown(text) {
        let after = MarkdownRunbook(bytes: Array(formatted.utf8))
        let program = String(decoding: runbook.program, as: UTF8.self)
        let formattedProgram = String(decoding: after.program, as: UTF8.self)
        require(tree(formattedProgram) == tree(program), "a runbook with a different tree")
        require((try? ScriptFormatter.formatMarkdown(formatted)) == formatted, "a runbook not idempotent")
        require(after.blocks.count == runbook.blocks.count, "a runbook with other blocks")
        // The lines before the first block, which formatting never moves, are kept exactly.
        let before = runbook.blocks.first?.contentLines.lowerBound ?? Int.max
        let kept = MarkdownRunbook.lines(of: bytes).prefix(before - 1)
        require(Array(MarkdownRunbook.lines(of: Array(formatted.utf8)).prefix(before - 1)) == Array(kept), "prose changed")
    }
}

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(
    LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        guard let data else { return 0 }
        fuzzOne(Array(UnsafeBufferPointer(start: data, count: size)))
        return 0
    })
