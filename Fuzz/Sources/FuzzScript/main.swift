// libFuzzer target: arbitrary bytes through every stage that runs before a script is sent
// anywhere: lexer, parser, checker (with `source` resolution), both diagnostic renderers and
// the syntax printer. Any trap, sanitizer report or broken invariant below is a finding.
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

func fuzzOne(_ bytes: [UInt8]) {
    let file = SourceFile(name: "fuzz/input.cops", bytes: bytes)

    // Tokens cover the input in order and never point past its end.
    var previousEnd = 0
    for token in Lexer.tokenize(file) {
        require(token.range.start.offset <= token.range.end.offset, "token range reversed")
        require(token.range.end.offset <= bytes.count, "token ends past the input")
        require(token.range.start.offset >= previousEnd, "tokens overlap or go backwards")
        previousEnd = token.range.end.offset
    }

    // `source "…"` reads the input itself for short paths, so cycles and nesting are
    // exercised without touching the file system.
    let checked = Checker.check(
        file, readFile: { path in path.utf8.count <= 64 ? .success(bytes) : .failure(FileReadError(why: "no such file")) })
    for diagnostic in checked.diagnostics {
        require(diagnostic.range.start.offset <= diagnostic.range.end.offset, "diagnostic range reversed")
        require(diagnostic.range.end.offset <= bytes.count, "diagnostic points past the input")
        require(diagnostic.range.start.line >= 1 && diagnostic.range.start.line <= file.lineCount, "diagnostic line")
    }
    _ = DiagnosticRenderer().render(checked.diagnostics, in: file)
    _ = DiagnosticRenderer(colors: true, tabWidth: 8).render(checked.diagnostics, in: file)
    _ = SyntaxPrinter.print(checked.program)
    _ = Parser.isIncomplete(String(decoding: bytes, as: UTF8.self))
}

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(
    LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        guard let data else { return 0 }
        fuzzOne(Array(UnsafeBufferPointer(start: data, count: size)))
        return 0
    })
