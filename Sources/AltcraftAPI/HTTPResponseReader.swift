import AltcraftWire

/// Reads one HTTP/1.x answer from a byte stream: the status line, the headers, and a body
/// framed by `Content-Length`, chunked encoding or the end of the stream. Knows nothing of
/// sockets: `fill` appends what the stream has (false at its end) or fails.
struct HTTPResponseReader {
    private let maximumBody: Int
    private let fill: (inout [UInt8]) -> Result<Bool, TransportError>
    private var buffer: [UInt8] = []
    private var position = 0

    /// A head larger than this is not an answer from an Altcraft panel.
    static let maximumHead = 64 * 1024

    init(maximumBody: Int, fill: @escaping (inout [UInt8]) -> Result<Bool, TransportError>) {
        self.maximumBody = maximumBody
        self.fill = fill
    }

    /// Bytes read after the end of the answer.
    var leftover: ArraySlice<UInt8> { buffer[position...] }

    /// The answer, and whether the connection may carry another request.
    mutating func response() -> Result<(TransportResponse, Bool), TransportError> {
        do {
            return .success(try readResponse())
        } catch {
            return .failure(error)
        }
    }

    private static let malformed = TransportError.connectionLost("malformed HTTP from the server")
    private static let closed = TransportError.connectionLost("the server closed the connection")
    /// Closed before a single byte came back: what a TLS port does with a plain request.
    static let closedWithoutAnswer = TransportError.connectionLost("the server closed the connection without answering")

    private mutating func readResponse() throws(TransportError) -> (TransportResponse, Bool) {
        while true {
            // Parsed as bytes: the status line and headers of every answer go through here,
            // and String splitting and trimming cost more than the rest of the exchange.
            let head = try readHead()
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
                headers.append(
                    (String(decoding: line[..<colon], as: UTF8.self), Self.trimmed(line[(colon + 1)...])))
            }
            // An interim answer (100 Continue) is followed by the real one.
            if status < 200 && status != 101 { continue }
            let response = TransportResponse(status: status, headers: headers, body: [])
            let connectionTokens = response.header("Connection") ?? ""
            var reusable =
                isHTTP11
                ? !connectionTokens.containsIgnoringASCIICase("close")
                : connectionTokens.containsIgnoringASCIICase("keep-alive")
            let body: [UInt8]
            if status == 204 || status == 304 {
                body = []
            } else if response.header("Transfer-Encoding")?.containsIgnoringASCIICase("chunked") == true {
                body = try readChunkedBody()
            } else if let declared = response.header("Content-Length") {
                guard let length = Int(declared), length >= 0 else { throw Self.malformed }
                guard length <= maximumBody else { throw .responseTooLarge(limit: maximumBody) }
                body = try readExactly(length)
            } else {
                body = try readToEnd()
                reusable = false
            }
            return (TransportResponse(status: status, headers: headers, body: body), reusable)
        }
    }

    /// The CRLF-separated lines of a head.
    private static func lines(_ head: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = head.startIndex
        var index = head.startIndex
        while index + 1 < head.endIndex {
            if head[index] == 13 && head[index + 1] == 10 {
                lines.append(head[start..<index])
                index += 2
                start = index
            } else {
                index += 1
            }
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

    /// More bytes into the buffer; the end of the stream here is a lost connection.
    private mutating func more() throws(TransportError) {
        switch fill(&buffer) {
        case .success(true): return
        case .success(false): throw buffer.isEmpty ? Self.closedWithoutAnswer : Self.closed
        case .failure(let error): throw error
        }
    }

    /// The status line and headers, without the blank line that ends them.
    private mutating func readHead() throws(TransportError) -> ArraySlice<UInt8> {
        var index = position  // kept across reads: bytes already searched are not searched again
        while true {
            while index + 3 < buffer.count {
                if buffer[index] == 13, buffer[index + 1] == 10, buffer[index + 2] == 13, buffer[index + 3] == 10 {
                    let head = buffer[position..<index]
                    position = index + 4
                    return head
                }
                index += 1
            }
            // A TLS record (alert 0x15 or handshake 0x16, version 3.x) where an HTTP status line
            // should be: the port speaks TLS and the endpoint should be https://.
            if position == 0, buffer.count >= 2, buffer[0] == 0x15 || buffer[0] == 0x16, buffer[1] == 0x03 {
                throw .tlsFailed("the server speaks TLS on this port; use https://")
            }
            if buffer.count - position > Self.maximumHead { throw Self.malformed }
            try more()
        }
    }

    private mutating func readExactly(_ count: Int) throws(TransportError) -> [UInt8] {
        while buffer.count - position < count { try more() }
        defer { position += count }
        return Array(buffer[position..<position + count])
    }

    /// One CRLF-terminated line of chunked framing.
    private mutating func readLine() throws(TransportError) -> String {
        var index = position
        while true {
            while index + 1 < buffer.count {
                if buffer[index] == 13, buffer[index + 1] == 10 {
                    defer { position = index + 2 }
                    return String(decoding: buffer[position..<index], as: UTF8.self)
                }
                index += 1
            }
            if buffer.count - position > 8 * 1024 { throw Self.malformed }
            try more()
        }
    }

    private mutating func readChunkedBody() throws(TransportError) -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let line = try readLine()
            let sizeText = line.prefix { $0 != ";" }.filter { $0 != " " && $0 != "\t" }
            guard !sizeText.isEmpty, sizeText.count <= 15, let size = Int(sizeText, radix: 16) else { throw Self.malformed }
            if size == 0 {
                while try !readLine().isEmpty {}  // trailers, up to the blank line
                return body
            }
            guard body.count + size <= maximumBody else { throw .responseTooLarge(limit: maximumBody) }
            body += try readExactly(size)
            guard try readLine().isEmpty else { throw Self.malformed }
        }
    }

    /// A body without framing: everything until the server closes the connection.
    private mutating func readToEnd() throws(TransportError) -> [UInt8] {
        while true {
            guard buffer.count - position <= maximumBody else { throw .responseTooLarge(limit: maximumBody) }
            switch fill(&buffer) {
            case .success(true): continue
            case .success(false):
                defer { position = buffer.count }
                return Array(buffer[position...])
            case .failure(let error): throw error
            }
        }
    }
}
