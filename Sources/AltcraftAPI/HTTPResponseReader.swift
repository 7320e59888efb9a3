import AltcraftWire

#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

/// Reads one HTTP/1.x answer as its bytes arrive: the status line, the headers, and a body
/// framed by `Content-Length`, chunked encoding or the end of the stream. Knows nothing of
/// sockets: the caller pushes what it received (`receive`) and says when the stream ended
/// (`receiveEnd`); each says whether the answer is complete, malformed or still partial, so
/// a caller never blocks a thread waiting for the rest.
struct HTTPResponseReader {
    /// What the bytes so far amount to.
    enum Progress {
        case needsMore
        /// The answer, and whether the connection may carry another request.
        case complete(TransportResponse, reusable: Bool)
        case failed(TransportError)
    }

    /// Where in the answer the next bytes belong.
    private enum Phase {
        case head
        /// A `Content-Length` body of this many bytes.
        case sized(Int)
        case chunkSize
        case chunkData(Int)
        /// The CRLF after a chunk's data.
        case chunkEnd
        case trailers
        /// No framing: the body ends when the server closes the connection.
        case untilEnd
    }

    private let maximumBody: Int
    private var buffer: [UInt8] = []
    private var position = 0
    /// Where the search for the end of the head or of a line goes on: bytes already
    /// searched are not searched again when more arrive.
    private var searched = 0
    private var phase = Phase.head
    private var status = 0
    private var headers: [(name: String, value: String)] = []
    private var reusable = true
    private var body: [UInt8] = []

    /// A head larger than this is not an answer from an Altcraft panel.
    static let maximumHead = 64 * 1024
    /// A line of chunked framing larger than this is not one.
    private static let maximumLine = 8 * 1024

    init(maximumBody: Int) {
        self.maximumBody = maximumBody
    }

    /// Bytes received after the end of the answer.
    var leftover: ArraySlice<UInt8> { buffer[position...] }

    private static let malformed = TransportError.connectionLost("malformed HTTP from the server")
    private static let closed = TransportError.connectionLost("the server closed the connection")
    /// Closed before a single byte came back: what a TLS port does with a plain request.
    static let closedWithoutAnswer = TransportError.connectionLost("the server closed the connection without answering")

    /// Takes the next bytes of the stream.
    mutating func receive(_ bytes: UnsafeRawBufferPointer) -> Progress {
        buffer.append(contentsOf: bytes)
        do {
            return try advance()
        } catch {
            return .failed(error)
        }
    }

    /// The stream ended: only a body without framing may end so.
    mutating func receiveEnd() -> Progress {
        guard case .untilEnd = phase else { return .failed(buffer.isEmpty ? Self.closedWithoutAnswer : Self.closed) }
        body = Array(buffer[position...])
        position = buffer.count
        return .complete(TransportResponse(status: status, headers: headers, body: body), reusable: false)
    }

    /// Parses as far as the bytes go.
    private mutating func advance() throws(TransportError) -> Progress {
        while true {
            switch phase {
            case .head:
                guard let head = nextHead() else {
                    // A TLS record (alert 0x15 or handshake 0x16, version 3.x) where an HTTP
                    // status line should be: the port speaks TLS and the endpoint should be https://.
                    if position == 0, buffer.count >= 2, buffer[0] == 0x15 || buffer[0] == 0x16, buffer[1] == 0x03 {
                        throw .tlsFailed("the server speaks TLS on this port; use https://")
                    }
                    if buffer.count - position > Self.maximumHead { throw Self.malformed }
                    return .needsMore
                }
                try takeHead(head)
            case .sized(let length):
                guard buffer.count - position >= length else { return .needsMore }
                body = Array(buffer[position..<position + length])
                position += length
                return finished()
            case .chunkSize:
                guard let line = try nextLine() else { return .needsMore }
                let sizeText = line.prefix { $0 != ";" }.filter { $0 != " " && $0 != "\t" }
                guard !sizeText.isEmpty, sizeText.count <= 15, let size = Int(sizeText, radix: 16) else {
                    throw Self.malformed
                }
                guard size > 0 else {
                    phase = .trailers
                    continue
                }
                guard body.count + size <= maximumBody else { throw .responseTooLarge(limit: maximumBody) }
                phase = .chunkData(size)
            case .chunkData(let size):
                guard buffer.count - position >= size else { return .needsMore }
                body += buffer[position..<position + size]
                position += size
                phase = .chunkEnd
            case .chunkEnd:
                guard let line = try nextLine() else { return .needsMore }
                guard line.isEmpty else { throw Self.malformed }
                phase = .chunkSize
            case .trailers:
                guard let line = try nextLine() else { return .needsMore }
                if line.isEmpty { return finished() }  // trailers end at the blank line
            case .untilEnd:
                guard buffer.count - position <= maximumBody else { throw .responseTooLarge(limit: maximumBody) }
                return .needsMore
            }
        }
    }

    private func finished() -> Progress {
        .complete(TransportResponse(status: status, headers: headers, body: body), reusable: reusable)
    }

    /// The status line and headers, without the blank line that ends them, once all arrived.
    private mutating func nextHead() -> ArraySlice<UInt8>? {
        var index = max(searched, position)
        defer { searched = index }
        while index + 3 < buffer.count {
            if buffer[index] == 13, buffer[index + 1] == 10, buffer[index + 2] == 13, buffer[index + 3] == 10 {
                let head = buffer[position..<index]
                position = index + 4
                index = position
                return head
            }
            index += 1
        }
        return nil
    }

    /// One CRLF-terminated line of chunked framing, once it all arrived.
    private mutating func nextLine() throws(TransportError) -> String? {
        var index = max(searched, position)
        defer { searched = index }
        while index + 1 < buffer.count {
            if buffer[index] == 13, buffer[index + 1] == 10 {
                let line = String(decoding: buffer[position..<index], as: UTF8.self)
                position = index + 2
                index = position
                return line
            }
            index += 1
        }
        if buffer.count - position > Self.maximumLine { throw Self.malformed }
        return nil
    }

    /// Reads the status and headers and decides how the body is framed.
    private mutating func takeHead(_ head: ArraySlice<UInt8>) throws(TransportError) {
        // Parsed as bytes: the status line and headers of every answer go through here,
        // and String splitting and trimming cost more than the rest of the exchange.
        var lines = Self.lines(head)
        let statusLine = lines.removeFirst()
        // "HTTP/1.1 200 OK": the version, a space, three digits, then a space or the end.
        let prefix = Array("HTTP/1.".utf8)
        guard statusLine.count >= 12, statusLine.starts(with: prefix),
            statusLine[statusLine.startIndex + 8] == UInt8(ascii: " ")
        else { throw Self.malformed }
        let digits = statusLine[(statusLine.startIndex + 9)..<(statusLine.startIndex + 12)]
        guard digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            statusLine.count == 12 || statusLine[statusLine.startIndex + 12] == UInt8(ascii: " ")
        else { throw Self.malformed }
        let status = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        guard status >= 100 else { throw Self.malformed }
        let isHTTP11 = statusLine[statusLine.startIndex + 7] == UInt8(ascii: "1")
        var headers: [(name: String, value: String)] = []
        for line in lines where !line.isEmpty {
            if line.first == UInt8(ascii: " ") || line.first == UInt8(ascii: "\t"), !headers.isEmpty {
                headers[headers.count - 1].value += " " + Self.trimmed(line)  // an obsolete folded line
                continue
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon != line.startIndex else {
                throw Self.malformed
            }
            headers.append((String(decoding: line[..<colon], as: UTF8.self), Self.trimmed(line[(colon + 1)...])))
        }
        // An interim answer (100 Continue) is followed by the real one.
        if status < 200 && status != 101 { return }
        self.status = status
        self.headers = headers
        let response = TransportResponse(status: status, headers: headers, body: [])
        let connectionTokens = response.header("Connection") ?? ""
        reusable =
            isHTTP11
            ? !connectionTokens.containsIgnoringASCIICase("close")
            : connectionTokens.containsIgnoringASCIICase("keep-alive")
        if status == 204 || status == 304 {
            phase = .sized(0)
        } else if response.header("Transfer-Encoding")?.containsIgnoringASCIICase("chunked") == true {
            phase = .chunkSize
        } else if let declared = response.header("Content-Length") {
            guard let length = Int(declared), length >= 0 else { throw Self.malformed }
            guard length <= maximumBody else { throw .responseTooLarge(limit: maximumBody) }
            phase = .sized(length)
        } else {
            phase = .untilEnd
            reusable = false
        }
    }

    /// The CRLF-separated lines of a head.
    private static func lines(_ head: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        // Each LF found by `memchr`, a line ending where a CR precedes it (a lone LF is text);
        // room for a usual head's lines at once. A byte-by-byte scan and a growing array were a
        // third of reading a head (docs/performance.md, "Ninth round").
        var ends: [Int] = []
        ends.reserveCapacity(16)
        head.withUnsafeBufferPointer { bytes in
            guard let base = bytes.baseAddress else { return }
            var from = 1  // an LF at 0 has no CR before it
            while from < bytes.count, let hit = memchr(base + from, 10, bytes.count - from) {
                let index = UnsafePointer(hit.assumingMemoryBound(to: UInt8.self)) - base
                if bytes[index - 1] == 13 { ends.append(index - 1) }
                from = index + 1
            }
        }
        var lines: [ArraySlice<UInt8>] = []
        lines.reserveCapacity(ends.count + 1)
        var start = head.startIndex
        for end in ends {
            lines.append(head[start..<(head.startIndex + end)])
            start = head.startIndex + end + 2
        }
        lines.append(head[start..<head.endIndex])
        return lines
    }

    /// The text without spaces and tabs around it.
    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> String {
        var lower = bytes.startIndex
        var upper = bytes.endIndex
        while lower < upper, bytes[lower] == 32 || bytes[lower] == 9 { lower += 1 }
        while upper > lower, bytes[upper - 1] == 32 || bytes[upper - 1] == 9 { upper -= 1 }
        return String(decoding: bytes[lower..<upper], as: UTF8.self)
    }
}
