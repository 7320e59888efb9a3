// libFuzzer target: arbitrary bytes as the body of an API answer. The bytes go through the
// JSON and XML readers directly, then through `AltcraftClient` (a transport that answers
// every request with them) for every endpoint, so the envelope checks, the typed decoding
// of each endpoint, HTTP-status handling, `Retry-After` and list paging all see them.
// Any trap, sanitizer report or broken invariant below is a finding.
import AltcraftAPI
import AltcraftWire
import CFuzzerDriver
import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Fails the run (libFuzzer keeps the input as a crash artifact) when an invariant breaks.
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("invariant broken: \(message())") }
}

/// Answers every request with the same response, at once.
struct CannedTransport: AltcraftTransport {
    let response: TransportResponse
    func send(_ request: TransportRequest) async throws(TransportError) -> TransportResponse { response }
}

/// The Content-Type and HTTP status an answer comes with, picked from the input so that
/// every combination is reached without a prefix byte that seeds would have to carry.
let contentTypes = [
    "application/json", "application/xml", "", "text/plain; charset=utf-8", "text/xml", "text/html",
]
/// The token, as a hostile answer might echo it.
let token = "fuzz-token-0123"
let statuses = [200, 200, 200, 200, 201, 400, 404, 429, 500, 503]

func fuzzOne(_ bytes: [UInt8]) {
    // 1. The readers alone. JSON must round-trip through our own writer.
    if let value = try? JSONWire.decode(bytes) {
        let again = try? JSONWire.decode(JSONWire.encode(value))
        require(again == value, "JSON does not round-trip: \(JSONWire.encodeString(value))")
        _ = XMLWire.encode(value)
    }
    if let value = try? XMLWire.decode(bytes) {
        _ = JSONWire.encode(value)
        _ = XMLWire.encode(value)
    }

    // 2. The client, every endpoint, with a header set and status chosen by the input.
    var hash: UInt32 = 2_166_136_261
    for byte in bytes { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
    let contentType = contentTypes[Int(hash % UInt32(contentTypes.count))]
    let status = statuses[Int((hash / 7) % UInt32(statuses.count))]
    // For one input in eight, the first line (at most 40 bytes) doubles as a Retry-After
    // value; not always, as parsing an HTTP date builds an ICU formatter, which would
    // otherwise take most of the time.
    var headers: [(name: String, value: String)] = []
    if (hash >> 8) % 8 == 0 {
        let firstLine = bytes.prefix(40).prefix { $0 != UInt8(ascii: "\n") }
        headers.append(("Retry-After", String(decoding: firstLine, as: UTF8.self)))
    }
    if !contentType.isEmpty { headers.append(("Content-Type", contentType)) }
    let response = TransportResponse(status: status, headers: headers, body: bytes)
    let format: ClientConfiguration.WireFormat = hash & 1 == 0 ? .json : .xml
    let client = AltcraftClient(
        configuration: ClientConfiguration(
            token: token, format: format, retries: 1, maximumRetryAfter: .seconds(60)),
        transport: CannedTransport(response: response), sleep: { _ in }, jitter: { 0.5 })

    let done = DispatchSemaphore(value: 0)
    Task {
        /// Runs one call; a failure must be an `AltcraftError` whose text never holds the token,
        /// even when a hostile answer echoes it.
        func probe(_ body: () async throws(AltcraftError) -> Void) async {
            do throws(AltcraftError) {
                try await body()
            } catch {
                require(!error.description.contains(token), "the token leaked into an error: \(error)")
            }
        }
        await probe { () async throws(AltcraftError) in _ = try await client.status(id: 15) }
        await probe { () async throws(AltcraftError) in _ = try await client.get(id: 15) }
        await probe { () async throws(AltcraftError) in
            _ = try await client.log(id: 15, fromTime: "2024-04-02T17:57:01Z", limit: 10)
        }
        await probe { () async throws(AltcraftError) in _ = try await client.list() }
        await probe { () async throws(AltcraftError) in _ = try await client.clone(id: 15, name: "copy") }
        await probe { () async throws(AltcraftError) in try await client.activate(id: 15, runNow: true) }
        await probe { () async throws(AltcraftError) in try await client.deactivate(id: 15, abortIfRunning: true) }
        await probe { () async throws(AltcraftError) in try await client.delete(id: 15) }
        await probe { () async throws(AltcraftError) in _ = try await client.broadcasts.get(id: 15) }
        await probe { () async throws(AltcraftError) in _ = try await client.regulars.list() }
        await probe { () async throws(AltcraftError) in try await client.regulars.start(id: 15) }
        await probe { () async throws(AltcraftError) in _ = try await client.triggers.get(id: 15) }
        await probe { () async throws(AltcraftError) in _ = try await client.perform(.status(id: 15)).data.kindName }
        // Paging must end even when the server never says "no more" (at most 64 items read).
        await probe { () async throws(AltcraftError) in
            var seen = 0
            for try await _ in client.listAll() {
                seen += 1
                if seen >= 64 { break }
            }
        }
        await probe { () async throws(AltcraftError) in
            var seen = 0
            for try await _ in client.broadcasts.listAll() {
                seen += 1
                if seen >= 64 { break }
            }
        }
        done.signal()
    }
    done.wait()
}

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(
    LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        guard let data else { return 0 }
        fuzzOne(Array(UnsafeBufferPointer(start: data, count: size)))
        return 0
    })
