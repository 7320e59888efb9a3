import Foundation
import XCTest

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How a child process ended when it was given a time limit.
struct TimedOutcome {
    var status: Int32
    /// True when the process was ended by a signal (a crash), not by `exit`.
    var signalled: Bool
    /// True when the time limit passed and the process was killed (a hang).
    var timedOut: Bool
    var stdout: Data
    var stderr: Data
    var seconds: Double

    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    var stderrText: String { String(decoding: stderr, as: UTF8.self) }

    /// The exit statuses docs/language.md documents.
    static let documentedStatuses: Set<Int32> = [0, 1, 64, 65, 66, 69, 77, 78, 130]
}

/// Runs an executable to its end or until `limit` passes (then kills it: a hang).
func runWithTimeLimit(
    _ executable: URL, _ arguments: [String], environment: [String: String], directory: URL, stdin: Data? = nil,
    limit: TimeInterval
) throws -> TimedOutcome {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.environment = environment
    process.currentDirectoryURL = directory
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let input = stdin.map { _ in Pipe() }
    process.standardInput = input ?? FileHandle.nullDevice
    let ended = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in ended.signal() }
    let started = Date()
    try process.run()
    if let input, let stdin {
        DispatchQueue.global().async {
            try? input.fileHandleForWriting.write(contentsOf: stdin)
            try? input.fileHandleForWriting.close()
        }
    }
    // Read both pipes while waiting, so a full pipe cannot block the child.
    let readers = DispatchGroup()
    nonisolated(unsafe) var outData = Data()
    nonisolated(unsafe) var errData = Data()
    readers.enter()
    DispatchQueue.global().async {
        outData = out.fileHandleForReading.readDataToEndOfFile()
        readers.leave()
    }
    readers.enter()
    DispatchQueue.global().async {
        errData = err.fileHandleForReading.readDataToEndOfFile()
        readers.leave()
    }
    var timedOut = false
    if ended.wait(timeout: .now() + limit) == .timedOut {
        timedOut = true
        kill(process.processIdentifier, SIGKILL)
        ended.wait()
    }
    readers.wait()
    return TimedOutcome(
        status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal, timedOut: timedOut,
        stdout: outData, stderr: errData, seconds: Date().timeIntervalSince(started))
}

/// A loopback TCP listener that accepts and counts connections, answering nothing: any
/// connection means a request was on its way.
final class CountingListener: @unchecked Sendable {
    let port: Int
    private let descriptor: Int32
    private let lock = NSLock()
    private var accepted = 0
    private var stopped = false
    private let done = DispatchSemaphore(value: 0)

    var url: String { "http://127.0.0.1:\(port)" }

    /// Connections accepted so far.
    var connections: Int { lock.withLock { accepted } }

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EMFILE) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0, listen(descriptor, 16) == 0 else {
            close(descriptor)
            throw POSIXError(.EADDRINUSE)
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    private func acceptLoop() {
        defer { done.signal() }
        while !lock.withLock({ stopped }) {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 50) > 0 else { continue }
            let client = accept(descriptor, nil, nil)
            if client >= 0 {
                lock.withLock { accepted += 1 }
                close(client)
            }
        }
    }

    func stop() {
        lock.withLock { stopped = true }
        done.wait()
        close(descriptor)
    }
}

/// Every file below `directory`, as paths relative to it (for "the state directory stays empty").
func filesBelow(_ directory: URL) -> [String] {
    guard let enumerator = FileManager.default.enumerator(atPath: directory.path) else { return [] }
    return enumerator.compactMap { $0 as? String }.sorted()
}

/// A `cops sandbox serve` child process and its URL.
final class SandboxServerProcess {
    let process: Process
    let url: String
    private let stdout: Pipe
    private let stderr: Pipe

    /// Starts `cops sandbox serve --port 0 ARGUMENTS…` and waits for its "listening on" line.
    init(_ arguments: [String], environment: [String: String], tls: Bool = false) throws {
        process = Process()
        process.executableURL = CopsProcess.binary
        process.arguments = ["sandbox", "serve", "--port", "0"] + arguments + (tls ? try CopsProcess.tlsServeArguments() : [])
        process.environment = environment
        stdout = Pipe()
        stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let prefix = "cops sandbox listening on "
        guard let line = readLine(from: stdout.fileHandleForReading), line.hasPrefix(prefix) else {
            process.terminate()
            let why = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw NSError(domain: "SandboxServerProcess", code: 1, userInfo: [NSLocalizedDescriptionKey: why])
        }
        url = String(line.dropFirst(prefix.count))
        // Whatever the server prints later must not fill a pipe and block it.
        for handle in [stdout.fileHandleForReading, stderr.fileHandleForReading] {
            DispatchQueue.global().async { _ = handle.readDataToEndOfFile() }
        }
    }

    func stop() {
        if process.isRunning {
            process.terminate()
        }
        process.waitUntilExit()
    }
}
