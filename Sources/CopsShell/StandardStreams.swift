#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes to stdout and stderr with plain `write(2)`.
///
/// Foundation's `FileHandle.write` traps on EPIPE, and SwiftNIO ignores SIGPIPE process-wide
/// as soon as it opens a socket, so `cops --endpoint … | head -1` crashed with a Foundation
/// fatal error once `head` had gone. A closed stdout now ends cops the way it ends other Unix
/// tools: quietly, by SIGPIPE. A closed stderr is ignored (there is nowhere left to say so).
enum StandardStreams {
    static func write(_ text: String, to descriptor: Int32) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                systemWrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written >= 0 {
                offset += written
                continue
            }
            if errno == EINTR || errno == EAGAIN { continue }
            if errno == EPIPE, descriptor == STDOUT_FILENO {
                signal(SIGPIPE, SIG_DFL)
                raise(SIGPIPE)
            }
            return
        }
    }

    static func out(_ text: String) { write(text, to: STDOUT_FILENO) }
    static func err(_ text: String) { write(text, to: STDERR_FILENO) }
}

/// `write(2)`, named apart from the `write` methods of the types here (which hide it).
func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.write(descriptor, bytes, count)
    #else
        Darwin.write(descriptor, bytes, count)
    #endif
}
