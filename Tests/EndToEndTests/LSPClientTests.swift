import CopsTestSupport
import Foundation
import XCTest

/// `cops lsp` as editors run it: over real pipes, with raw frames, and driven by a real LSP
/// client (Neovim's, headless; `make deps` installs Debian's neovim).
final class LSPClientTests: XCTestCase {
    /// Frames a JSON text as the base protocol does.
    private func frame(_ json: String) -> String { "Content-Length: \(json.utf8.count)\r\n\r\n\(json)" }

    /// The JSON bodies of the frames in `output`; fails on anything outside a frame.
    private func bodies(_ output: String) -> [String] {
        var rest = Substring(output)
        var result: [String] = []
        while !rest.isEmpty {
            guard rest.hasPrefix("Content-Length: "), let end = rest.range(of: "\r\n\r\n") else {
                XCTFail("stdout has text outside a frame: \(rest.debugDescription)")
                return result
            }
            let length = Int(rest[rest.index(rest.startIndex, offsetBy: 16)..<end.lowerBound])!
            let body = Array(rest[end.upperBound...].utf8.prefix(length))
            result.append(String(decoding: body, as: UTF8.self))
            rest = Substring(String(decoding: Array(rest[end.upperBound...].utf8.dropFirst(length)), as: UTF8.self))
        }
        return result
    }

    func testTheServerAnswersFramesOverPipesAndSurvivesJunk() throws {
        try CopsProcess.requireBinary()
        let cops = try CopsProcess()
        defer { cops.cleanUp() }
        let input =
            frame(#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#)
            + "Content-Type: nothing\r\n\r\n" + frame("{not json") + frame(#"{"jsonrpc":"2.0","id":2,"method":"nope"}"#)
            + frame(#"{"jsonrpc":"2.0","id":3,"method":"shutdown"}"#) + frame(#"{"jsonrpc":"2.0","method":"exit"}"#)
        let outcome = try cops.run(["lsp"], stdin: input, deadline: 60)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let answers = bodies(outcome.stdout)
        XCTAssertEqual(answers.count, 3, outcome.stdout)
        XCTAssertTrue(answers.first?.hasPrefix(#"{"jsonrpc":"2.0","id":1,"result":{"capabilities":"#) ?? false, outcome.stdout)
        XCTAssertEqual(
            answers.dropFirst().first,
            #"{"jsonrpc":"2.0","id":2,"error":{"code":-32601,"message":"cops lsp does not implement 'nope'"}}"#)
        XCTAssertEqual(answers.last, #"{"jsonrpc":"2.0","id":3,"result":null}"#)
        XCTAssertEqual(
            outcome.stderr.split(separator: "\n").map { String($0.prefix(40)) },
            ["cops lsp: skipped a header without a val", "cops lsp: skipped a message that is not "])
    }

    func testTheEndOfInputWithoutExitIsStatusOneAndExtraArgumentsAUsageError() throws {
        try CopsProcess.requireBinary()
        let cops = try CopsProcess()
        defer { cops.cleanUp() }
        let ended = try cops.run(["lsp", "--stdio"], stdin: "", deadline: 60)
        XCTAssertEqual(ended.status, 1)
        XCTAssertEqual(ended.stdout, "")
        XCTAssertEqual(ended.stderr, "cops lsp: standard input ended without 'exit'\n")
        let usage = try cops.run(["lsp", "--port", "1"], deadline: 60)
        XCTAssertEqual(usage.status, 64)
        XCTAssertEqual(
            usage.stderr, "usage: cops lsp [--stdio]: a language server on standard input and output (docs/editors.md)\n")
        // A script file named `lsp` still runs, by a path.
        _ = try cops.write("lsp", "echo \"ran\"\n")
        let file = try cops.run(["-o", "text", "./lsp"])
        XCTAssertEqual(file.status, 0, file.stderr)
        XCTAssertEqual(file.stdout, "ran\n")
    }

    /// Tests/LSPClient/nvim-client.lua drives the server through Neovim's LSP client: the
    /// diagnostic's range and words, completion, hover, definition, formatting, an
    /// incremental change, and shutdown with status 0.
    func testNeovimsLSPClientDrivesTheServer() throws {
        try CopsProcess.requireBinary()
        let nvim = try XCTUnwrap(
            (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/nvim" }
                .first { FileManager.default.isExecutableFile(atPath: $0) },
            "nvim is missing: `make deps` installs Debian's neovim")
        let cops = try CopsProcess()
        defer { cops.cleanUp() }
        let script = CopsProcess.packageRoot.appendingPathComponent("Tests/LSPClient/nvim-client.lua").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: nvim)
        process.arguments = ["--headless", "-u", "NONE", "-i", "NONE", "-n", "-c", "luafile \(script)"]
        var environment = cops.environment([
            "COPS_BINARY": CopsProcess.binary.path, "COPS_LSP_DIR": cops.stateHome.path,
            "XDG_CACHE_HOME": cops.stateHome.path, "XDG_DATA_HOME": cops.stateHome.path,
            "XDG_CONFIG_HOME": cops.stateHome.path,
        ])
        environment["NVIM_LISTEN_ADDRESS"] = nil
        process.environment = environment
        process.currentDirectoryURL = cops.stateHome
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        DispatchQueue.global().asyncAfter(deadline: .now() + 120) { if process.isRunning { process.terminate() } }
        let outcome = CopsProcess.finish(process, out: out, err: err)
        XCTAssertEqual(outcome.status, 0, outcome.stdout + outcome.stderr)
        XCTAssertTrue(outcome.stdout.contains("nvim-client: ok"), outcome.stdout + outcome.stderr)
    }
}
