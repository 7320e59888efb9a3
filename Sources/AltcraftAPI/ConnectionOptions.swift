import NIOSSL

/// How the connection to a panel is made beyond its URL: which CAs are trusted, the client
/// certificate for mutual TLS, and the proxy.
public struct ConnectionOptions: Sendable, Equatable {
    /// Where the trusted CA certificates come from.
    public enum Trust: Sendable, Equatable {
        /// The system's roots (Debian's /etc/ssl/certs bundle).
        case system
        /// A PEM bundle that replaces the system roots (`ca_file`, `--cacert`, `SSL_CERT_FILE`).
        case file(String)
        /// An OpenSSL hashed directory (`SSL_CERT_DIR`), with an optional PEM bundle beside it.
        case directory(String, file: String?)
    }

    /// A client certificate chain and its private key, both PEM files.
    public struct ClientCertificate: Sendable, Equatable {
        public var certificateFile: String
        public var keyFile: String

        public init(certificateFile: String, keyFile: String) {
            self.certificateFile = certificateFile
            self.keyFile = keyFile
        }
    }

    public var trust: Trust
    public var clientCertificate: ClientCertificate?
    public var proxy: ProxyServer?
    /// HTTP/1.1 only, or HTTP/2 where the server offers it over TLS.
    public var allowsHTTP2: Bool

    public init(
        trust: Trust = .system, clientCertificate: ClientCertificate? = nil, proxy: ProxyServer? = nil,
        allowsHTTP2: Bool = false
    ) {
        self.trust = trust
        self.clientCertificate = clientCertificate
        self.proxy = proxy
        self.allowsHTTP2 = allowsHTTP2
    }

    /// The trust from the environment alone: `SSL_CERT_FILE` and `SSL_CERT_DIR`, OpenSSL's own
    /// variables, which NIOSSL does not read by itself; the system roots without them.
    public static func environmentTrust(_ environment: [String: String]) -> Trust {
        let file = environment["SSL_CERT_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        if let directory = environment["SSL_CERT_DIR"].flatMap({ $0.isEmpty ? nil : $0 }) {
            // OpenSSL's SSL_CERT_DIR may list several directories; the first is used.
            let first = String(directory.split(separator: ":").first ?? Substring(directory))
            return .directory(first, file: file)
        }
        return file.map(Trust.file) ?? .system
    }
}

/// A trust or client-certificate file that cannot be used: cops stops before connecting.
public struct ConnectionSetupError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "'\(path)': \(reason)" }
}

/// Connection options checked and loaded once per run: the CA bundle and client certificate
/// are read here, so a bad file stops cops before anything is sent.
public struct PreparedConnection: Sendable {
    public let options: ConnectionOptions
    /// Only for https endpoints (nil: the client's defaults, never used for plain http).
    let tls: TLSConfiguration?

    /// A direct connection trusting the system roots.
    public static let direct = PreparedConnection(options: ConnectionOptions(), tls: nil)

    private init(options: ConnectionOptions, tls: TLSConfiguration?) {
        self.options = options
        self.tls = tls
    }

    /// Loads what `options` names for a connection to `endpoint` (TLS files only for https).
    public init(_ options: ConnectionOptions, endpoint: String) throws(ConnectionSetupError) {
        self.options = options
        let secure = (try? EndpointAddress(endpoint))?.scheme == "https"
        tls = secure ? try TLSSetup.configuration(options) : nil
    }
}
