#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Blocking POSIX socket calls on 127.0.0.1, for the test servers of this target: each
/// connection gets a thread, which keeps the servers simple and their bytes easy to follow.
enum LoopbackSocket {
    /// A listening socket on 127.0.0.1 with a free port.
    static func makeListener() throws -> (descriptor: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSupportError("socket: \(systemWords())") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = loopbackAddress(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            let words = systemWords()
            close(fd)
            throw TestSupportError("cannot listen on 127.0.0.1: \(words)")
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// Waits up to `milliseconds` for a connection; nil when none came (so that a caller can
    /// look at its stop flag) or the listener was closed.
    static func nextConnection(_ listener: Int32, milliseconds: Int32 = 50) -> Int32? {
        var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, milliseconds) > 0 else { return nil }
        let client = accept(listener, nil, nil)
        return client >= 0 ? client : nil
    }

    /// A connected socket to 127.0.0.1:port, or nil.
    static func connectToLoopback(port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = loopbackAddress(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(fd)
            return nil
        }
        return fd
    }

    /// Sends every byte; false when the peer is gone.
    @discardableResult
    static func sendAll(_ fd: Int32, _ bytes: some Collection<UInt8>) -> Bool {
        let bytes = Array(bytes)
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return false }
            sent += count
        }
        return true
    }

    /// One `recv`: the bytes, or nil at the end of the stream or on an error.
    static func receiveSome(_ fd: Int32, limit: Int = 65536) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: limit)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return nil }
            return Array(buffer[0..<count])
        }
    }

    /// Reads until the end of an HTTP head (`\r\n\r\n`): the head (without the blank line)
    /// and whatever came after it. Nil when the peer closed first.
    /// Nil also once `stopped` says so (a peer that never sends must not hold a thread).
    static func readHead(_ fd: Int32, pending: inout [UInt8], stopped: () -> Bool) -> [UInt8]? {
        let separator = Array("\r\n\r\n".utf8)
        while true {
            if let end = pending.firstRange(of: separator) {
                let head = Array(pending[..<end.lowerBound])
                pending = Array(pending[end.upperBound...])
                return head
            }
            // A head larger than this is not from one of our clients.
            guard pending.count < 1 << 16, waitReadable(fd, stopped: stopped), let more = receiveSome(fd) else { return nil }
            pending += more
        }
    }

    /// Reads until `pending` holds `count` bytes; false when the peer closed first.
    static func read(_ fd: Int32, atLeast count: Int, into pending: inout [UInt8], stopped: () -> Bool) -> Bool {
        while pending.count < count {
            guard waitReadable(fd, stopped: stopped), let more = receiveSome(fd) else { return false }
            pending += more
        }
        return true
    }

    /// Waits until `fd` has something to read (or has ended); false once `stopped` says so.
    static func waitReadable(_ fd: Int32, stopped: () -> Bool) -> Bool {
        while !stopped() {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, 200)
            if ready > 0 { return true }
            if ready < 0, errno != EINTR { return false }
        }
        return false
    }

    /// Copies bytes both ways until both directions have ended, passing on each half-close;
    /// then closes both sockets. The bytes are never looked at (a TLS tunnel stays opaque).
    /// Ends early, within a fifth of a second, once `stopped` says so (a client's idle keep-alive
    /// connection must not outlive its server).
    static func splice(_ a: Int32, _ b: Int32, stopped: () -> Bool) {
        var open = (aToB: true, bToA: true)
        while open.aToB || open.bToA, !stopped() {
            var pollers = [
                pollfd(fd: open.aToB ? a : -1, events: Int16(POLLIN), revents: 0),
                pollfd(fd: open.bToA ? b : -1, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&pollers, 2, 200)
            if ready < 0, errno != EINTR { break }
            if ready <= 0 { continue }
            if open.aToB, pollers[0].revents != 0, !forward(from: a, to: b) {
                open.aToB = false
                shutdown(b, Int32(SHUT_WR))
            }
            if open.bToA, pollers[1].revents != 0, !forward(from: b, to: a) {
                open.bToA = false
                shutdown(a, Int32(SHUT_WR))
            }
        }
        close(a)
        close(b)
    }

    /// Moves what one `recv` gives; false when that direction has ended.
    private static func forward(from source: Int32, to destination: Int32) -> Bool {
        guard let bytes = receiveSome(source) else { return false }
        return sendAll(destination, bytes)
    }

    static func loopbackAddress(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port)).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    static func systemWords() -> String { String(cString: strerror(errno)) }
}

extension LoopbackSocket {
    /// `close(2)`, named here so that callers without the C module in scope can use it.
    static func close(_ fd: Int32) {
        #if canImport(Glibc)
            _ = Glibc.close(fd)
        #elseif canImport(Darwin)
            _ = Darwin.close(fd)
        #endif
    }
}
