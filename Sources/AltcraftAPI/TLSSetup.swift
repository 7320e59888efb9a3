import Foundation
import NIOSSL

/// The TLS configuration of an https connection, built from `ConnectionOptions` once per run.
///
/// Verification is always full (chain and host name): there is no switch to turn it off,
/// because a tool that holds an API token must not offer the `--insecure` that other tools'
/// incidents come from (docs/client.md, "Trust").
enum TLSSetup {
    static func configuration(_ options: ConnectionOptions) throws(ConnectionSetupError) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .fullVerification
        tls.minimumTLSVersion = .tlsv12
        switch options.trust {
        case .system:
            break
        case .file(let path):
            tls.trustRoots = .certificates(try certificates(path))
        case .directory(let directory, let file):
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ConnectionSetupError(path: directory, reason: "not a directory of CA certificates")
            }
            tls.trustRoots = .file(directory)
            if let file { tls.additionalTrustRoots = [.certificates(try certificates(file))] }
        }
        if let client = options.clientCertificate {
            tls.certificateChain = try certificates(client.certificateFile).map { .certificate($0) }
            guard FileManager.default.isReadableFile(atPath: client.keyFile) else {
                throw ConnectionSetupError(path: client.keyFile, reason: "cannot be read")
            }
            do {
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: client.keyFile, format: .pem))
            } catch {
                throw ConnectionSetupError(path: client.keyFile, reason: "not a PEM private key (or one with a passphrase)")
            }
        }
        return tls
    }

    /// The certificates of a PEM file; an unreadable, empty or non-PEM file names itself.
    static func certificates(_ path: String) throws(ConnectionSetupError) -> [NIOSSLCertificate] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConnectionSetupError(path: path, reason: "cannot be read")
        }
        let found = (try? NIOSSLCertificate.fromPEMBytes(Array(data))) ?? []
        guard !found.isEmpty else { throw ConnectionSetupError(path: path, reason: "holds no PEM certificate") }
        return found
    }
}
