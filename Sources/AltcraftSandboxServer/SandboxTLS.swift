import NIOSSL

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The certificate chain and private key the sandbox serves https with, loaded and checked
/// when made, so that a bad file is reported before the server starts rather than as a
/// handshake failure of the first client.
public struct SandboxTLS: Sendable {
    public let certificateChainPath: String
    public let privateKeyPath: String
    /// When set, clients must present a certificate signed by this CA (mutual TLS), as a
    /// panel behind a client-certificate gateway demands.
    public let clientCAPath: String?
    /// Offer HTTP/2 beside HTTP/1.1 (ALPN `h2`, `http/1.1`), so that each client picks; a
    /// client that offers nothing (wrk) gets HTTP/1.1.
    public var offersHTTP2 = true
    let configuration: TLSConfiguration

    public init(certificateChainPath: String, privateKeyPath: String, clientCAPath: String? = nil) throws(SandboxTLSError) {
        self.certificateChainPath = certificateChainPath
        self.privateKeyPath = privateKeyPath
        self.clientCAPath = clientCAPath
        let chainBytes = try Self.contents(of: certificateChainPath, as: .certificate)
        let keyBytes = try Self.contents(of: privateKeyPath, as: .key)
        // The libraries' own errors are BoringSSL stacks; a person needs only which file.
        guard let chain = try? NIOSSLCertificate.fromPEMBytes(chainBytes), !chain.isEmpty else {
            throw SandboxTLSError(file: .certificate, path: certificateChainPath, problem: .notPEM)
        }
        guard let key = try? NIOSSLPrivateKey(bytes: keyBytes, format: .pem) else {
            throw SandboxTLSError(file: .key, path: privateKeyPath, problem: .notPEM)
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        if let clientCAPath {
            let authorityBytes = try Self.contents(of: clientCAPath, as: .clientCA)
            guard let authorities = try? NIOSSLCertificate.fromPEMBytes(authorityBytes), !authorities.isEmpty else {
                throw SandboxTLSError(file: .clientCA, path: clientCAPath, problem: .notPEM)
            }
            // A server verifying peers refuses a handshake without a client certificate.
            configuration.trustRoots = .certificates(authorities)
            configuration.certificateVerification = .noHostnameVerification
        }
        // Making a context is where BoringSSL checks that the key belongs to the certificate.
        guard (try? NIOSSLContext(configuration: configuration)) != nil else {
            throw SandboxTLSError(
                file: .key, path: privateKeyPath, problem: .keyDoesNotMatch(certificatePath: certificateChainPath))
        }
        self.configuration = configuration
    }

    /// The whole file, or the system's reason it cannot be read.
    private static func contents(of path: String, as file: SandboxTLSError.File) throws(SandboxTLSError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw SandboxTLSError(file: file, path: path, problem: .unreadable(String(cString: strerror(errno)).lowercased()))
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else {
                throw SandboxTLSError(file: file, path: path, problem: .unreadable(String(cString: strerror(errno)).lowercased()))
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: buffer[0..<count])
            // A PEM bundle is kilobytes; stop a mistaken path to a huge file early.
            if bytes.count > 1 << 20 { throw SandboxTLSError(file: file, path: path, problem: .notPEM) }
        }
    }
}

/// Why a `SandboxTLS` could not be made; the words for people are `cops`'s (Wording).
public struct SandboxTLSError: Error, Sendable, Equatable {
    public enum File: Sendable, Equatable {
        case certificate
        case key
        case clientCA
    }

    public enum Problem: Sendable, Equatable {
        /// The file cannot be opened or read; the system's reason, in lower case.
        case unreadable(String)
        /// It holds no PEM certificate (or, for the key, no unencrypted PEM private key).
        case notPEM
        /// The key is not the one the certificate was issued for.
        case keyDoesNotMatch(certificatePath: String)
    }

    public var file: File
    public var path: String
    public var problem: Problem

    public init(file: File, path: String, problem: Problem) {
        self.file = file
        self.path = path
        self.problem = problem
    }
}
