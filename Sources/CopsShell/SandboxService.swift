import AltcraftSandbox
import AltcraftSandboxServer
import CampaignScript
import Foundation

/// `cops sandbox serve` and `cops sandbox reset`.
public enum SandboxService {
    public struct ServeOptions: Sendable {
        public var host = "127.0.0.1"
        public var port = 0
        public var token = SandboxEngine.defaultToken
        public var faults = FaultPlan()
        /// Generate campaigns so that every ID up to this one exists.
        public var fillTo = 0
        /// Serve the embedded sandbox's saved state instead of a fresh seed.
        public var stateDirectory: String?
        /// Serve https with this certificate chain and private key (PEM files; both or
        /// neither, which the command line checks).
        public var tlsCertificatePath: String?
        public var tlsKeyPath: String?
        /// Demand client certificates signed by this CA (mutual TLS); needs the two above.
        public var tlsClientCAPath: String?
        /// Append one JSON line per answered request to this file.
        public var requestLogPath: String?

        public init() {}
    }

    /// Serves until interrupted. Prints the URL on stdout first, so scripts can read the port.
    /// Returns `.configuration` (78), having said why in one line, when the TLS files are
    /// unusable or the request log cannot be opened.
    public static func serve(_ options: ServeOptions) async throws -> ExitStatus {
        var tls: SandboxTLS?
        if let certificate = options.tlsCertificatePath, let key = options.tlsKeyPath {
            do {
                tls = try SandboxTLS(
                    certificateChainPath: certificate, privateKeyPath: key, clientCAPath: options.tlsClientCAPath)
            } catch {
                StandardStreams.err(Wording.sandboxTLSUnusable(error))
                return .configuration
            }
        }
        let sandbox: Sandbox
        if let directory = options.stateDirectory {
            sandbox = try Sandbox(store: SandboxStore(directory: directory, fillTo: options.fillTo), token: options.token)
        } else {
            sandbox = Sandbox(engine: SandboxEngine(token: options.token, clock: SystemSandboxClock(), fillTo: options.fillTo))
        }
        var server = SandboxServer(
            sandbox: sandbox, host: options.host, port: options.port, faults: options.faults, tls: tls)
        if let path = options.requestLogPath {
            do {
                server.requestLog = try SandboxRequestLog(path: path, token: options.token)
            } catch {
                StandardStreams.err(Wording.sandboxRequestLogUnwritable(error))
                return .configuration
            }
        }
        let usesDefaultToken = options.token == SandboxEngine.defaultToken
        let scheme = server.scheme
        try await server.run { port in
            // Written straight to the descriptor so that a reader of a pipe sees it at once.
            StandardStreams.out(Wording.sandboxListening(scheme: scheme, host: options.host, port: port) + "\n")
            StandardStreams.err(Wording.sandboxServeHint(usesDefaultToken: usesDefaultToken))
        }
        return .success
    }

    /// Puts the embedded sandbox back to its seed data.
    public static func reset(stateDirectory: String? = nil, fillTo: Int = 0) throws {
        let directory = stateDirectory ?? SandboxStore.defaultDirectory()
        try SandboxStore.reset(directory: directory, fillTo: fillTo)
        print(Wording.sandboxReset(path: SandboxStore.databasePath(directory: directory)))
    }
}
