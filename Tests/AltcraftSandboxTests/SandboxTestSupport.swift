import AltcraftSandbox
import AltcraftSandboxServer
import AltcraftWire
import CopsTestSupport
import Dispatch
import Foundation
import Synchronization
import XCTest

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The token the in-memory engines of these tests accept.
let sandboxToken = SandboxEngine.defaultToken
/// The token the reference's examples use.
let exampleToken = "abcdefghijklmnqrstuvwxyz"

/// Builds request parameters with the sandbox token first, as the examples do.
func params(_ fields: (String, WireValue)..., token: String? = sandboxToken) -> WireObject {
    var object = WireObject()
    if let token { object["token"] = .string(token) }
    for (key, value) in fields { object[key] = value }
    return object
}

extension SandboxEngine {
    /// Calls the engine with the sandbox token added.
    mutating func call(_ path: String, _ fields: (String, WireValue)...) -> SandboxReply {
        var object = WireObject([("token", .string(token))])
        for (key, value) in fields { object[key] = value }
        return handle(path: path, parameters: object)
    }

    /// The status word `get_status` reports.
    mutating func status(_ id: Int) -> String? {
        call("campaigns/get_status", ("id", .int(Int64(id)))).data["status"]?.stringValue
    }

    /// The campaign's whole log, oldest first.
    mutating func logEntries(_ id: Int) -> [WireValue] {
        call("campaigns/log_v2", ("id", .int(Int64(id)))).data.arrayValue ?? []
    }
}

extension SandboxReply {
    var code: Int? { envelope["error"]?.intValue.map(Int.init) }
    var text: String? { envelope["error_text"]?.stringValue }
    var data: WireValue { envelope["data"] ?? .null }
    var rows: [WireValue] { data.arrayValue ?? [] }
    var ids: [Int] { rows.compactMap { $0["id"]?.intValue.map(Int.init) } }
}

extension WireValue {
    var int: Int? { intValue.map(Int.init) }
}

/// Decodes a JSON or XML answer body into its envelope.
func envelope(_ response: TransportResponse) throws -> WireObject {
    let isXML = (response.header("content-type") ?? "").contains("xml")
    let value = isXML ? try XMLWire.decode(response.body) : try JSONWire.decode(response.body)
    return try XCTUnwrap(value.objectValue, "answer is not an object: \(String(decoding: response.body, as: UTF8.self))")
}

/// A fresh temporary directory, removed when the test ends.
func temporaryDirectory(for test: XCTestCase) throws -> String {
    let path = NSTemporaryDirectory() + "altcraft-sandbox-tests-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

// MARK: - Fixtures of the other target, read by path

/// One example request of the reference, with the HTTP path and content type of INDEX.tsv.
struct ExampleRequest {
    var file: String
    var path: String
    var contentType: String
    var section: String
    var body: [UInt8]
}

enum ReferenceExamples {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("AltcraftAPITests/Fixtures/requests")

    static func all() throws -> [ExampleRequest] {
        let index = try String(contentsOf: folder.appendingPathComponent("INDEX.tsv"), encoding: .utf8)
        var result: [ExampleRequest] = []
        for line in index.split(whereSeparator: \.isNewline).dropFirst() {
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard columns.count >= 4 else { continue }
            let body = Array(try Data(contentsOf: folder.appendingPathComponent(columns[0])))
            result.append(
                ExampleRequest(file: columns[0], path: columns[1], contentType: columns[2], section: columns[3], body: body))
        }
        return result
    }
}

// MARK: - A loopback server and a raw HTTP/1.1 client

/// Runs `body` with a `SandboxServer` listening on a loopback port, then stops it by
/// cancelling its task.
func withServer<T: Sendable>(
    _ sandbox: Sandbox, faults: FaultPlan = FaultPlan(), maximumBodyBytes: Int? = nil, _ body: (Int) async throws -> T
) async throws -> T {
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    var server = SandboxServer(sandbox: sandbox, faults: faults)
    if let maximumBodyBytes { server.maximumBodyBytes = maximumBodyBytes }
    let task = Task { try await server.run(onListening: { continuation.yield($0) }) }
    var iterator = ports.makeAsyncIterator()
    guard let port = await iterator.next(), port > 0 else {
        task.cancel()
        throw TestSupportError("the sandbox server did not start")
    }
    defer { task.cancel() }
    let result = try await body(port)
    task.cancel()
    _ = await task.result
    return result
}

/// Whether `task` ends within `seconds` (polled, so that a task that never ends cannot hang
/// the test).
func finishes<T: Sendable>(_ task: Task<T, any Error>, within seconds: Double) async -> Bool {
    let done = Mutex(false)
    Task.detached {
        _ = await task.result
        done.withLock { $0 = true }
    }
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if done.withLock({ $0 }) { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return done.withLock { $0 }
}

/// What came back on the socket, parsed as far as it goes.
struct RawHTTPResponse: Sendable {
    var bytes: [UInt8]
    /// The connection ended with an error (reset) rather than an orderly close.
    var resetByPeer: Bool
    var status: Int?
    var headers: [(name: String, value: String)] = []
    var body: [UInt8] = []
    /// Headers complete and, when a Content-Length was given, the whole body received.
    var isComplete: Bool = false

    init(bytes: [UInt8], resetByPeer: Bool) {
        self.bytes = bytes
        self.resetByPeer = resetByPeer
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = bytes.firstRange(of: separator) else { return }
        let head = String(decoding: bytes[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = head.first?.split(separator: " ") ?? []
        status = statusParts.count > 1 ? Int(statusParts[1]) : nil
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        body = Array(bytes[end.upperBound...])
        if let length = header("content-length").flatMap(Int.init) {
            isComplete = body.count == length
        } else {
            isComplete = !resetByPeer
        }
    }

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    var transportResponse: TransportResponse { TransportResponse(status: status ?? 0, headers: headers, body: body) }
}

enum RawHTTP {
    /// Sends `request` (the exact bytes) to the loopback port and reads until the server closes.
    static func exchange(port: Int, request: [UInt8], timeout: Double = 5) async throws -> RawHTTPResponse {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try blockingExchange(port: port, request: request, timeout: timeout) })
            }
        }
    }

    /// A POST with `Connection: close` and a Content-Length.
    static func post(
        port: Int, path: String, body: [UInt8], contentType: String? = "application/json", extraHeaders: [String] = [],
        method: String = "POST", timeout: Double = 5
    ) async throws -> RawHTTPResponse {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        if let contentType { head += "Content-Type: \(contentType)\r\n" }
        for line in extraHeaders { head += line + "\r\n" }
        head += "Content-Length: \(body.count)\r\n\r\n"
        return try await exchange(port: port, request: Array(head.utf8) + body, timeout: timeout)
    }

    struct SocketError: Error, CustomStringConvertible {
        var description: String
    }

    private static func blockingExchange(port: Int, request: [UInt8], timeout: Double) throws -> RawHTTPResponse {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SocketError(description: "socket: \(errno)") }
        defer { close(fd) }
        // Both fields: a timeout under a second with tv_sec 0 alone would mean "wait forever".
        var limit = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port)).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw SocketError(description: "connect: \(errno)") }
        var sent = 0
        while sent < request.count {
            let count = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw SocketError(description: "send: \(errno)") }
            sent += count
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count > 0 {
                received.append(contentsOf: buffer[0..<count])
            } else if count == 0 {
                return RawHTTPResponse(bytes: received, resetByPeer: false)
            } else if errno == EINTR {
                continue
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                throw SocketError(description: "timed out after \(timeout)s with \(received.count) bytes")
            } else {
                return RawHTTPResponse(bytes: received, resetByPeer: true)
            }
        }
    }
}
