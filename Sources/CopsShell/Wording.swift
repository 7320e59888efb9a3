import AltcraftSandbox
import AltcraftSandboxServer

/// Every sentence cops says to a person, in one place.
public enum Wording {
    public static func sandboxListening(scheme: String = "http", host: String, port: Int) -> String {
        let shown = host.contains(":") ? "[\(host)]" : host
        return "cops sandbox listening on \(scheme)://\(shown):\(port)"
    }

    /// `--tls-cert`, `--tls-key` or `--tls-client-ca` cannot be used: one line naming the
    /// file, never the TLS library's error stack.
    static func sandboxTLSUnusable(_ error: SandboxTLSError) -> String {
        let option: String
        switch error.file {
        case .certificate: option = "--tls-cert"
        case .key: option = "--tls-key"
        case .clientCA: option = "--tls-client-ca"
        }
        switch error.problem {
        case .unreadable(let why):
            return "cops: \(option) \(error.path): cannot read it (\(why))\n"
        case .notPEM where error.file != .key:
            return "cops: \(option) \(error.path): no PEM certificate in it\n"
        case .notPEM:
            return "cops: \(option) \(error.path): no unencrypted PEM private key in it\n"
        case .keyDoesNotMatch(let certificatePath):
            return "cops: \(option) \(error.path): this key does not belong to the certificate in \(certificatePath)\n"
        }
    }

    /// `--request-log FILE` cannot be opened for appending.
    static func sandboxRequestLogUnwritable(_ error: SandboxRequestLogError) -> String {
        "cops: --request-log \(error.path): cannot write it (\(error.reason))\n"
    }

    public static let usageTLSPair = "--tls-cert and --tls-key go together: give both or neither"
    public static let usageTLSClientCA = "--tls-client-ca needs --tls-cert and --tls-key"

    static func sandboxServeHint(usesDefaultToken: Bool) -> String {
        if usesDefaultToken {
            return "accepting the default sandbox token '\(SandboxEngine.defaultToken)'; stop with Ctrl-C\n"
        }
        return "accepting only the token given with --token; stop with Ctrl-C\n"
    }

    static func sandboxReset(path: String) -> String {
        "sandbox reset to its seed campaigns (\(path))"
    }

    public static let sandboxServeAbstract = "Run the simulated Altcraft v72 Campaigns API over HTTP or https."
    public static let sandboxServeDiscussion = """
        Speaks the Altcraft API's wire protocol (POST, JSON or XML bodies, the {data, error, \
        error_text} envelope) on a loopback port. Without --token it accepts the default token \
        '\(SandboxEngine.defaultToken)'. Faults are reproducible with --seed.

        With --tls-cert and --tls-key (PEM files) it serves https, offering HTTP/2 and \
        HTTP/1.1; with --tls-client-ca as well, clients must present a certificate signed by \
        that CA (mutual TLS). A file that cannot be used ends it with exit status 78.

        With --request-log FILE it appends one JSON line per request it answered (path, \
        campaign id, HTTP status, API error, injected fault; never the token): what a \
        rehearsed runbook really sent.

        Example:
          cops sandbox serve --port 8080 &
          curl -s -X POST http://127.0.0.1:8080/api/v1.1/campaigns/get_status \\
               -H 'Content-Type: application/json' \\
               -d '{"token": "\(SandboxEngine.defaultToken)", "id": 15}'
          cops sandbox serve --port 8443 --tls-cert server.pem --tls-key server.key &
          curl -s --cacert ca.pem -X POST \\
               https://127.0.0.1:8443/api/v1.1/campaigns/get_status \\
               -H 'Content-Type: application/json' \\
               -d '{"token": "\(SandboxEngine.defaultToken)", "id": 15}'
        """
    public static let sandboxResetAbstract = "Restore the built-in sandbox's seed campaigns."
}
