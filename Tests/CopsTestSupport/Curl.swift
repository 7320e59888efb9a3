import Foundation

/// The `curl` command as an independent client of the test servers: what it gets over https
/// is what any TLS client would, not what our own client makes of it.
public enum Curl {
    public struct Outcome: Sendable {
        /// curl's exit status (0: the exchange happened, whatever the HTTP status).
        public var exitStatus: Int32
        /// The HTTP status of the (last) answer; 0 when there was none.
        public var httpStatus: Int
        /// `1.1` or `2`: the protocol the answer came in.
        public var httpVersion: String
        public var body: String
        public var stderr: String
    }

    /// POSTs `body` (JSON) to `url`, with `--cacert caFile` when given, and `extra` arguments
    /// before the URL (e.g. `--proxy`, `--http1.1`). Never follows redirects, never waits
    /// longer than `timeout` seconds.
    public static func post(
        _ url: String, json body: String, caFile: String? = nil, extra: [String] = [], timeout: Int = 10
    ) throws -> Outcome {
        var arguments = ["-sS", "--max-time", String(timeout), "-X", "POST", "-H", "Content-Type: application/json"]
        arguments += ["--data-binary", body]
        if let caFile { arguments += ["--cacert", caFile] }
        return try run(arguments + extra + [url])
    }

    /// Runs curl with these arguments plus `-w` to learn the status and protocol.
    public static func run(_ arguments: [String]) throws -> Outcome {
        let marker = "\n--curl-outcome--"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // A proxy from the machine's environment must not send a test's requests elsewhere.
        var environment = ProcessInfo.processInfo.environment
        for name in ["http_proxy", "https_proxy", "all_proxy", "HTTPS_PROXY", "ALL_PROXY", "no_proxy", "NO_PROXY"] {
            environment[name] = nil
        }
        process.environment = environment
        process.arguments = ["curl", "-w", marker + "%{http_code} %{http_version}"] + arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw TestSupportError("cannot run curl (install Debian's curl): \(error.localizedDescription)")
        }
        nonisolated(unsafe) var errData = Data()
        let reader = DispatchGroup()
        reader.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            reader.leave()
        }
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        reader.wait()
        process.waitUntilExit()
        var body = output
        var status = 0
        var version = ""
        if let range = output.range(of: marker, options: .backwards) {
            body = String(output[..<range.lowerBound])
            let fields = output[range.upperBound...].split(separator: " ")
            status = fields.first.flatMap { Int($0) } ?? 0
            version = fields.count > 1 ? String(fields[1]) : ""
        }
        return Outcome(
            exitStatus: process.terminationStatus, httpStatus: status, httpVersion: version, body: body,
            stderr: String(decoding: errData, as: UTF8.self))
    }
}
