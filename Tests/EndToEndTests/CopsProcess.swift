import CopsTestSupport
import Foundation
import XCTest

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The built `cops` binary and a fresh state directory, so runs never touch the user's sandbox.
struct CopsProcess {
    /// What one run printed and how it ended.
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `.build/debug/cops`, next to the test bundle or under the package root.
    static var binary: URL {
        let nextToBundle = Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("cops")
        if FileManager.default.isExecutableFile(atPath: nextToBundle.path) { return nextToBundle }
        for product in Bundle.allBundles.map(\.bundleURL) {
            let candidate = product.deletingLastPathComponent().appendingPathComponent("cops")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return packageRoot.appendingPathComponent(".build/debug/cops")
    }

    let stateHome: URL

    /// These tests run the built binary: without it they fail (never skip), saying what to do.
    static func requireBinary() throws {
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw TestSupportError("\(binary.path) is missing: build cops first (swift build)")
        }
    }

    init() throws {
        stateHome = FileManager.default.temporaryDirectory.appendingPathComponent("cops-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: stateHome, withIntermediateDirectories: true)
    }

    func cleanUp() { try? FileManager.default.removeItem(at: stateHome) }

    static let connectionVariables = [
        "https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY",
        "SSL_CERT_FILE", "SSL_CERT_DIR",
    ]

    /// The environment entry that makes cops trust the test PKI's CA.
    static func trustingTestCA() throws -> [String: String] { ["SSL_CERT_FILE": try TestPKI.shared().caCertificatePath] }

    /// `--tls-cert` and `--tls-key` of the test PKI's server certificate, for `sandbox serve`.
    static func tlsServeArguments() throws -> [String] {
        let pki = try TestPKI.shared()
        return ["--tls-cert", pki.server.certificatePath, "--tls-key", pki.server.keyPath]
    }

    /// The environment of a run: a private state home, no token unless given.
    func environment(_ extra: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["ALTCRAFT_TOKEN"] = nil
        // The machine's proxy and trust settings must not reach the tests (these machines
        // set SSL_CERT_FILE and SSL_CERT_DIR); a test sets what it means to test.
        for name in Self.connectionVariables { environment[name] = nil }
        environment["XDG_STATE_HOME"] = stateHome.path
        environment["NO_COLOR"] = "1"
        for (key, value) in extra { environment[key] = value }
        return environment
    }

    /// Starts `cops` with arguments; stdin is the given text (a pipe) or /dev/null.
    func start(_ arguments: [String], stdin: String? = nil, environment extra: [String: String] = [:]) throws -> (
        Process, Pipe, Pipe
    ) {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.environment = environment(extra)
        process.currentDirectoryURL = stateHome
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        if let stdin {
            let input = Pipe()
            process.standardInput = input
            try process.run()
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
        } else {
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }
        return (process, out, err)
    }

    /// Runs `cops` to the end; with a `deadline` (seconds), a run still going then is terminated
    /// (for tests of commands that would otherwise not end, such as a server).
    func run(
        _ arguments: [String], stdin: String? = nil, environment extra: [String: String] = [:], deadline: Double? = nil
    ) throws -> Outcome {
        let (process, out, err) = try start(arguments, stdin: stdin, environment: extra)
        if let deadline {
            DispatchQueue.global().asyncAfter(deadline: .now() + deadline) { if process.isRunning { process.terminate() } }
        }
        return Self.finish(process, out: out, err: err)
    }

    /// Reads both pipes to their end, then waits for the process: reading before waiting, so
    /// a full pipe cannot block the child.
    static func finish(_ process: Process, out: Pipe, err: Pipe) -> Outcome {
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Starts `cops sandbox serve --port 0 ARGUMENTS` and returns it with its URL (the first
    /// line it prints). The caller terminates it.
    func serve(_ arguments: [String]) throws -> (Process, String) {
        let (server, out, _) = try start(["sandbox", "serve", "--port", "0"] + arguments)
        guard let line = readLine(from: out.fileHandleForReading), line.hasPrefix("cops sandbox listening on ") else {
            server.terminate()
            throw CocoaError(.fileReadUnknown)
        }
        return (server, String(line.dropFirst("cops sandbox listening on ".count)))
    }

    /// Writes a script into the state directory and returns its path.
    func write(_ name: String, _ text: String) throws -> String {
        let url = stateHome.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }
}

/// Reads a child's stdout line by line (for the sandbox server's "listening on" line).
func readLine(from handle: FileHandle) -> String? {
    var bytes: [UInt8] = []
    while true {
        let chunk = handle.readData(ofLength: 1)
        guard let byte = chunk.first else { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
        if byte == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
        bytes.append(byte)
    }
}
