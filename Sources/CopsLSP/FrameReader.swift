/// Splits a byte stream into JSON-RPC messages framed by LSP's base protocol: header lines
/// (`Content-Length: N`, others ignored) ending with an empty line, then N bytes of body.
/// Bad framing is reported and skipped, never fatal: the next header starts a new frame.
struct FrameReader {
    /// What the next frame held.
    enum Frame: Equatable {
        /// A message body.
        case body([UInt8])
        /// A header block the reader could not use, and why (the caller logs it).
        case malformed(String)
    }

    /// Bodies larger than this are refused (and skipped) rather than buffered.
    let maximumBody: Int

    /// A header longer than this is junk (a real one is two short lines).
    static let maximumHeader = 64 << 10

    /// Creates a reader; the default limit lets the largest script `cops` reads (256 MiB)
    /// through, with room for its JSON escaping.
    init(maximumBody: Int = 512 << 20) {
        self.maximumBody = maximumBody
    }

    private var buffer: [UInt8] = []
    private var start = 0
    /// Bytes of a refused body still to drop.
    private var skipping = 0

    /// Adds bytes read from the stream.
    mutating func append(_ bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// The next complete frame, or nil until more bytes arrive.
    mutating func next() -> Frame? {
        if skipping > 0 {
            let dropped = min(skipping, buffer.count - start)
            start += dropped
            skipping -= dropped
            compact()
            if skipping > 0 { return nil }
        }
        guard let headerEnd = findHeaderEnd() else {
            // Junk that never ends a header would otherwise be kept for ever.
            guard buffer.count - start > Self.maximumHeader else { return nil }
            let dropped = buffer.count - start
            start = buffer.count
            compact()
            return .malformed("\(dropped) bytes without the end of a header")
        }
        let header = String(decoding: buffer[start..<headerEnd], as: UTF8.self)
        let bodyStart = headerEnd + 4
        var length: Int?
        for line in header.split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingSpaces.lowercased()
            if name == "content-length" { length = Int(line[line.index(after: colon)...].trimmingSpaces) }
        }
        guard let length, length >= 0 else {
            start = bodyStart
            compact()
            return .malformed("a header without a valid Content-Length: \(header.debugDescription)")
        }
        guard length <= maximumBody else {
            start = bodyStart
            skipping = length
            compact()
            return .malformed("a message of \(length) bytes, more than \(maximumBody)")
        }
        guard buffer.count - bodyStart >= length else { return nil }
        let body = Array(buffer[bodyStart..<bodyStart + length])
        start = bodyStart + length
        compact()
        return .body(body)
    }

    /// The index of the `\r\n\r\n` that ends the header at `start`.
    private func findHeaderEnd() -> Int? {
        var index = start
        while index + 3 < buffer.count {
            if buffer[index] == 13, buffer[index + 1] == 10, buffer[index + 2] == 13, buffer[index + 3] == 10 {
                return index
            }
            index += 1
        }
        return nil
    }

    /// Drops consumed bytes once they are most of the buffer, so reading stays linear.
    private mutating func compact() {
        if start > 0, start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
    }

    /// A frame around a message body, as the server writes it.
    static func frame(_ body: [UInt8]) -> [UInt8] {
        Array("Content-Length: \(body.count)\r\n\r\n".utf8) + body
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var text = self
        while text.first == " " || text.first == "\t" { text.removeFirst() }
        while text.last == " " || text.last == "\t" { text.removeLast() }
        return text
    }
}
