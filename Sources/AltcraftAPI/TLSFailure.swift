import AltcraftWire
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a TLS connection failed, in the words an operator can act on. Never retried: none of
/// these goes away by asking again, and the request was never sent.
enum TLSFailure: Sendable, Equatable {
    /// The chain did not verify (untrusted, expired or not yet valid: the certificate tells which).
    case certificateRejected
    /// The chain verified but names other hosts.
    case hostnameMismatch
    /// The server ended the handshake with an alert or offered nothing acceptable.
    case handshakeRefused(String)
    /// The server answered the ClientHello with something that is not TLS (a plain-http port).
    case notTLS

    /// The failure behind an error of the TLS stack, nil when it is not one.
    static func classify(_ error: any Error) -> TLSFailure? {
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname { return .hostnameMismatch }
        let boring: BoringSSLError
        if let sslError = error as? NIOSSLError, case .handshakeFailed(let inner) = sslError {
            boring = inner
        } else if let inner = error as? BoringSSLError {
            // In TLS 1.3 the server's verdict on a client certificate arrives after the
            // client's side of the handshake is done: as an error of the first read.
            boring = inner
        } else {
            return nil
        }
        // BoringSSL's reasons are the last field of each queued error: "…:SSL routines:…:REASON".
        let reasons = String(describing: boring).split(whereSeparator: { !($0.isUppercase || $0.isNumber || $0 == "_") })
            .map(String.init).filter { $0.count > 3 && $0.contains("_") }
        if reasons.contains("CERTIFICATE_VERIFY_FAILED") { return .certificateRejected }
        if reasons.contains(where: { ["WRONG_VERSION_NUMBER", "HTTP_REQUEST", "PACKET_LENGTH_TOO_LONG"].contains($0) }) {
            return .notTLS
        }
        if let alert = reasons.first(where: { $0.hasPrefix("TLSV1_ALERT_") || $0.hasPrefix("SSLV3_ALERT_") }) {
            let words = alert.split(separator: "_").dropFirst(2).joined(separator: " ").lowercased()
            return .handshakeRefused("alert: \(words)")
        }
        return .handshakeRefused(
            reasons.first.map { $0.replacingOccurrences(of: "_", with: " ").lowercased() } ?? "handshake failed")
    }

    /// The failure in words for `address`. A rejected certificate is read once more to name
    /// it (not through a proxy: the tunnel would have to be opened again just for the words).
    func explained(for address: EndpointAddress, readingCertificate: Bool = true) async -> String {
        var certificate: PeerCertificate?
        if readingCertificate, self == .certificateRejected || self == .hostnameMismatch {
            let serverName = NoProxyList.addressBytes(address.host) == nil ? address.host : nil
            certificate = await CertificateProbe.read(
                host: address.host, port: address.port, serverName: serverName, timeout: .seconds(5))
        }
        return message(origin: address.origin, host: address.host, certificate: certificate)
    }

    /// One line naming the endpoint, what is wrong, and what to do.
    func message(origin: String, host: String, certificate: PeerCertificate?, now: Date = Date()) -> String {
        switch self {
        case .certificateRejected:
            guard let certificate else {
                return "\(origin): the server's certificate was not accepted (untrusted, expired or not yet valid);"
                    + " if the panel uses a private CA, trust it with ca_file in the profile, --cacert FILE or SSL_CERT_FILE"
            }
            if now > certificate.notAfter {
                return
                    "\(origin): the server's certificate (\(certificate.subject)) expired on \(UTCTime.day(certificate.notAfter));"
                    + " the panel's certificate must be renewed"
            }
            if now < certificate.notBefore {
                return "\(origin): the server's certificate (\(certificate.subject)) is not valid before"
                    + " \(UTCTime.day(certificate.notBefore)); check this machine's clock"
            }
            return "\(origin): the server's certificate is not trusted: \(certificate.subject), issued by \(certificate.issuer);"
                + " trust that CA with ca_file in the profile, --cacert FILE or SSL_CERT_FILE"
        case .hostnameMismatch:
            let names = certificate.map { $0.names.isEmpty ? $0.subject : $0.names.joined(separator: ", ") }
            return "\(origin): the server's certificate is not valid for \(host)"
                + (names.map { " (it names \($0)); use an endpoint with one of those names" } ?? "")
        case .handshakeRefused(let why):
            return "\(origin): the server refused the TLS handshake (\(why)); it may want a client certificate"
                + " (client_cert, client_key) or a TLS version or cipher cops does not offer"
        case .notTLS:
            return "\(origin): the server does not speak TLS on this port; is the endpoint http://?"
        }
    }
}

/// What an operator needs to know of the server's certificate.
struct PeerCertificate: Sendable, Equatable {
    var subject: String
    var issuer: String
    /// The DNS names and IP addresses of its subjectAltName.
    var names: [String]
    var notBefore: Date
    var notAfter: Date

    init(_ certificate: NIOSSLCertificate) {
        subject = Self.name(certificate.subjectName)
        issuer = Self.name(certificate.issuerName)
        names = certificate._subjectAlternativeNames().compactMap { name in
            switch name.nameType {
            case .dnsName: return String(decoding: name.contents, as: UTF8.self)
            case .ipAddress: return Self.address(Array(name.contents))
            default: return nil
            }
        }
        notBefore = Date(timeIntervalSince1970: TimeInterval(certificate.notValidBefore))
        notAfter = Date(timeIntervalSince1970: TimeInterval(certificate.notValidAfter))
    }

    init(subject: String, issuer: String, names: [String], notBefore: Date, notAfter: Date) {
        self.subject = subject
        self.issuer = issuer
        self.names = names
        self.notBefore = notBefore
        self.notAfter = notAfter
    }

    /// An IP address of a subjectAltName (4 or 16 bytes) as text.
    static func address(_ bytes: [UInt8]) -> String? {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        var text = [CChar](repeating: 0, count: 64)
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        guard inet_ntop(family, bytes, &text, socklen_t(text.count)) != nil else { return nil }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `CN=…, O=…`, as OpenSSL's one-line form writes a name.
    static func name(_ parts: [SSLCertificateName]) -> String {
        let labels: [SSLCertificateNameType: String] = [
            .commonName: "CN", .organization: "O", .organizationalUnit: "OU", .country: "C", .state: "ST", .city: "L",
            .emailAddress: "emailAddress",
        ]
        let text = parts.map { "\(labels[$0.type] ?? "name")=\($0.value)" }.joined(separator: ", ")
        return text.isEmpty ? "(no name)" : "\"\(text)\""
    }
}

/// Reads the server's certificate with one TLS handshake that is aborted as soon as the
/// certificate arrives: nothing is sent over it. Used only after a certificate failure,
/// because neither async-http-client nor swift-nio-ssl's handler shows the certificate it
/// rejected, and the message must name it.
enum CertificateProbe {
    static func read(host: String, port: Int, serverName: String?, timeout: TimeAmount) async -> PeerCertificate? {
        let found = Mutex<PeerCertificate?>(nil)
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        guard let context = try? NIOSSLContext(configuration: configuration) else { return nil }
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handler = try NIOSSLClientHandler(
                        context: context, serverHostname: serverName,
                        customVerificationCallback: { chain, promise in
                            if let leaf = chain.first { found.withLock { $0 = PeerCertificate(leaf) } }
                            // Refused on purpose: this handshake only reads the certificate.
                            promise.succeed(.failed)
                        })
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
        guard let channel = try? await bootstrap.connect(host: host, port: port).get() else { return nil }
        let deadline = channel.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
        try? await channel.closeFuture.get()
        deadline.cancel()
        return found.withLock { $0 }
    }
}
