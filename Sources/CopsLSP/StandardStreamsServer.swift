import AltcraftWire
import CopsShell

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `cops lsp`: the server on standard input and output. One message is handled at a time, in
/// order, so a `$/cancelRequest` always arrives after its request was answered. Standard
/// output carries nothing but frames; everything else goes to standard error.
public enum StandardStreamsServer {
    /// Serves until `exit` (status 0 after `shutdown`, 1 otherwise) or the end of the input (1).
    public static func run(input: Int32 = 0, output: Int32 = 1, errors: Int32 = 2) -> Int32 {
        let log: @Sendable (String) -> Void = { message in write(Array(Wording.lspLog(message).utf8), to: errors) }
        var server = LanguageServer(readFile: { ScriptFileReader.read($0) }, log: log)
        var reader = FrameReader()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            while let frame = reader.next() {
                switch frame {
                case .malformed(let why):
                    log(Wording.lspMalformedFrame(why))
                case .body(let body):
                    for message in server.handle(body) {
                        write(FrameReader.frame(JSONWire.encode(message)), to: output)
                    }
                    if let status = server.exitStatus { return status }
                }
            }
            let count = chunk.withUnsafeMutableBytes { systemRead(input, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count < 0 { log(Wording.lspReadFailed(ScriptFileReader.reason(errno))) }
            if count <= 0 {
                log(Wording.lspEndOfInput)
                return 1
            }
            reader.append(chunk[0..<count])
        }
    }

    /// Writes all of `bytes` (a pipe may take them in pieces); a closed pipe ends the attempt.
    private static func write(_ bytes: [UInt8], to descriptor: Int32) {
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { systemWrite(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return }
            written += count
        }
    }
}

/// `read(2)` and `write(2)`, named apart from the methods above.
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.read(descriptor, buffer, count)
    #else
        Darwin.read(descriptor, buffer, count)
    #endif
}

private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.write(descriptor, buffer, count)
    #else
        Darwin.write(descriptor, buffer, count)
    #endif
}
