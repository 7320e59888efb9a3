import AltcraftAPI
import AltcraftSandbox
import CampaignScript
import Foundation
import Logging

/// Where the requests of a session (`Session`) go: the built-in sandbox, a profile of the
/// config file, or `--endpoint` with `ALTCRAFT_TOKEN`.
public struct SessionTarget: Sendable {
    /// What kind of target, for the prompt and messages.
    public enum Kind: Sendable, Equatable {
        /// The built-in sandbox; its state file.
        case sandbox(path: String)
        /// A profile of the config file.
        case profile(String)
        /// `--endpoint URL` with the token from `ALTCRAFT_TOKEN`.
        case endpoint(String)
    }

    public var kind: Kind
    /// The name in the prompt (`cops(prod)>`) and in the history file's name.
    public var label: String
    /// A profile with `confirm = true`: every mutating statement at the prompt asks first.
    public var confirmsEveryMutation: Bool
    /// The token, kept only to scrub it from everything cops writes.
    public var token: String
    /// Everything to scrub: the token and any proxy credentials.
    public var secrets: [String]
    /// The operations over the client.
    public var operations: AltcraftOperations
    /// The endpoint's host (nil for the built-in sandbox), for the run journal.
    public var host: String? = nil
    /// A profile with `require_plan = true`: scripts change nothing without a reviewed plan.
    public var requiresPlan = false
}

/// Why no target could be chosen: the message (ending in a newline) and the exit status.
struct TargetFailure: Error {
    var message: String
    var status: ExitStatus
}

/// Picks the target from the flags, the environment and the config file, in this order:
/// `--sandbox`; `--endpoint` (+ `ALTCRAFT_TOKEN`); `-p/--profile`; `COPS_PROFILE`; the
/// config's `default`; the built-in sandbox. The config file is read only when a profile may
/// be wanted, so `--endpoint` and `--sandbox` still work with a broken one.
enum TargetResolver {
    struct Request {
        var sandbox = false
        var endpoint: String?
        var profile: String?
        var format: ClientConfiguration.WireFormat?
        var timeoutMilliseconds: Int64
        var retries: Int
        /// `--cacert FILE`.
        var caFile: String? = nil
        /// `-v`: the HTTP trace goes here (already redacted by the client and again by the sink).
        var trace: (@Sendable (String) -> Void)?
    }

    /// The profile name asked for, if any: the flag, else `COPS_PROFILE`.
    static func requestedProfile(_ request: Request, environment: [String: String]) -> String? {
        if let profile = request.profile { return profile }
        if let named = environment["COPS_PROFILE"], !named.isEmpty { return named }
        return nil
    }

    /// Where a request would go, decided from flags, environment and config without building
    /// anything (no state file, no client): output can mask the token from the first byte,
    /// before the script is checked, and the config and token file are read once.
    struct Choice {
        enum Place {
            case sandbox
            case http(
                endpoint: String, placement: ClientConfiguration.TokenPlacement, format: ClientConfiguration.WireFormat,
                kind: SessionTarget.Kind, label: String, confirm: Bool)
        }
        var place: Place
        var token: String?
        /// The profile's `require_plan`.
        var requiresPlan = false
        /// Trust, client certificate and proxy of an http target.
        var connection = ConnectionOptions()
        /// Why that proxy (or none), for `-v`.
        var proxyChoice: ProxyRules.Choice?
        /// Said when the target is built (a token file readable by others).
        var warnings: [String] = []

        /// What output must mask: the token and the proxy's credentials.
        var secrets: [String] { [token].compactMap { $0 } + (connection.proxy?.secrets ?? []) }

        /// The target's name as the prompt shows it (`sandbox`, the profile, the endpoint's
        /// host), known before anything is built: a transcript's header names it.
        var label: String {
            switch place {
            case .sandbox: return "sandbox"
            case .http(_, _, _, _, let label, _): return label
            }
        }
    }

    /// The trust, client certificate and proxy for `endpoint`: `--cacert`, else the profile's
    /// `ca_file`, else `SSL_CERT_FILE`/`SSL_CERT_DIR`, else the system roots; the profile's
    /// `proxy`, else the environment's.
    static func connection(
        endpoint: String, request: Request, profile: CopsConfig.Profile?, environment: [String: String],
        warn: (String) -> Void
    ) -> Result<(ConnectionOptions, ProxyRules.Choice), TargetFailure> {
        var options = ConnectionOptions()
        func expanded(_ path: String) -> String { CopsConfig.expandingHome(path, environment: environment) }
        if let file = request.caFile {
            options.trust = .file(expanded(file))
        } else if let file = profile?.caFile {
            options.trust = .file(expanded(file))
        } else {
            options.trust = ConnectionOptions.environmentTrust(environment)
        }
        if let certificate = profile?.clientCertificate, let key = profile?.clientKey {
            options.clientCertificate = .init(certificateFile: expanded(certificate), keyFile: expanded(key))
            var info = stat()
            if stat(expanded(key), &info) == 0, info.st_mode & 0o077 != 0 {
                warn("cops: " + Wording.keyFileTooOpen(expanded(key)) + "\n")
            }
        }
        options.allowsHTTP2 = environment["COPS_HTTP2"] == "1"
        do throws(ProxyURLError) {
            let choice = try ProxyRules.choose(
                endpoint: endpoint, setting: profile?.proxy ?? .environment, environment: environment)
            options.proxy = choice.proxy
            return .success((options, choice))
        } catch {
            let source = profile.map { "profile '\($0.name)'" } ?? "the proxy variable"
            return .failure(TargetFailure(message: Wording.proxyUnusable(source, error), status: .configuration))
        }
    }

    static func choose(_ request: Request, environment: [String: String]) -> Result<Choice, TargetFailure> {
        if request.sandbox { return .success(Choice(place: .sandbox)) }
        if let endpoint = request.endpoint {
            guard let token = environment["ALTCRAFT_TOKEN"], !token.isEmpty else {
                return .failure(TargetFailure(message: Wording.tokenMissing, status: .configuration))
            }
            guard Redactor.isMaskable(token: token) else {
                return .failure(
                    TargetFailure(
                        message: "cops: " + Wording.tokenTooShort("the token in ALTCRAFT_TOKEN") + "\n",
                        status: .configuration))
            }
            let host = URL(string: endpoint)?.host ?? "endpoint"
            var warnings: [String] = []
            return connection(endpoint: endpoint, request: request, profile: nil, environment: environment) {
                warnings.append($0)
            }.map { connection, proxyChoice in
                Choice(
                    place: .http(
                        endpoint: endpoint, placement: .body, format: request.format ?? .json, kind: .endpoint(endpoint),
                        label: host, confirm: false), token: token, connection: connection, proxyChoice: proxyChoice,
                    warnings: warnings)
            }
        }
        let path = CopsConfig.path(environment: environment)
        let config: CopsConfig
        do throws(ConfigError) {
            config = try CopsConfig.load(path: path)
        } catch {
            return .failure(TargetFailure(message: "cops: \(error.description)\n", status: .configuration))
        }
        guard let name = requestedProfile(request, environment: environment) ?? config.defaultProfile,
            name != "sandbox" || config.profiles[name] != nil
        else { return .success(Choice(place: .sandbox)) }
        guard let profile = config.profiles[name] else {
            return .failure(
                TargetFailure(
                    message: Wording.unknownProfile(name, path: path, known: config.profiles.keys.sorted()),
                    status: .configuration))
        }
        var warnings: [String] = []
        let token: String
        do throws(ConfigError) {
            token = try TokenLoader.load(
                profile.tokenSource, profile: name, environment: environment, configPath: path,
                warn: { warnings.append("cops: " + $0 + "\n") })
        } catch {
            return .failure(TargetFailure(message: "cops: \(error.description)\n", status: .configuration))
        }
        return connection(endpoint: profile.endpoint, request: request, profile: profile, environment: environment) {
            warnings.append($0)
        }.map { connection, proxyChoice in
            Choice(
                place: .http(
                    endpoint: profile.endpoint, placement: profile.tokenPlacement, format: request.format ?? profile.format,
                    kind: .profile(name), label: name, confirm: profile.confirm), token: token, requiresPlan: profile.requirePlan,
                connection: connection, proxyChoice: proxyChoice, warnings: warnings)
        }
    }

    /// Builds the chosen target: the sandbox (opening its state file) or an HTTP client.
    static func build(_ choice: Choice, _ request: Request, environment: [String: String], warn: (String) -> Void) -> Result<
        SessionTarget, TargetFailure
    > {
        choice.warnings.forEach(warn)
        switch choice.place {
        case .sandbox:
            return sandbox(request, environment: environment)
        case .http(let endpoint, let placement, let format, let kind, let label, let confirm):
            let prepared: PreparedConnection
            do throws(ConnectionSetupError) {
                prepared = try PreparedConnection(choice.connection, endpoint: endpoint)
            } catch {
                return .failure(
                    TargetFailure(
                        message: Wording.connectionFileUnusable(trustSource(request, choice, error), error),
                        status: .configuration))
            }
            if let proxyChoice = choice.proxyChoice { request.trace?("cops: " + Wording.proxyChosen(proxyChoice) + "\n") }
            return http(
                endpoint: endpoint, token: choice.token ?? "", secrets: choice.secrets, placement: placement, format: format,
                connection: prepared, request: request, kind: kind, label: label, confirm: confirm
            ).map { target in
                var target = target
                target.requiresPlan = choice.requiresPlan
                return target
            }
        }
    }

    static func resolve(_ request: Request, environment: [String: String], warn: (String) -> Void) -> Result<
        SessionTarget, TargetFailure
    > {
        choose(request, environment: environment).flatMap { build($0, request, environment: environment, warn: warn) }
    }

    /// The profile names of the config file, for completion (nothing when it cannot be read).
    static func profileNames(environment: [String: String]) -> [String] {
        let config = (try? CopsConfig.load(path: CopsConfig.path(environment: environment))) ?? .empty
        return (config.profiles.keys.sorted() + ["sandbox"])
    }

    private static func logger(_ request: Request, secrets: [String]) -> Logger {
        guard let trace = request.trace else { return Logger(label: "cops.api", factory: { _ in SwiftLogNoOpLogHandler() }) }
        var logger = Logger(label: "cops.api", factory: { _ in TraceLogHandler(write: trace, secrets: secrets) })
        logger.logLevel = .trace
        return logger
    }

    /// Which setting named a file that could not be used.
    private static func trustSource(_ request: Request, _ choice: Choice, _ error: ConnectionSetupError) -> String {
        if choice.connection.clientCertificate.map({ [$0.certificateFile, $0.keyFile].contains(error.path) }) == true {
            return "client certificate"
        }
        if request.caFile != nil { return "--cacert" }
        if case .http(_, _, _, .profile(let name), _, _) = choice.place { return "profile '\(name)' ca_file" }
        return "SSL_CERT_FILE/SSL_CERT_DIR"
    }

    private static func http(
        endpoint: String, token: String, secrets: [String], placement: ClientConfiguration.TokenPlacement,
        format: ClientConfiguration.WireFormat, connection: PreparedConnection, request: Request, kind: SessionTarget.Kind,
        label: String, confirm: Bool
    ) -> Result<SessionTarget, TargetFailure> {
        let transport: any AltcraftTransport
        do throws(AltcraftError) {
            transport = try SocketTransport.forEndpoint(endpoint, connection: connection)
        } catch {
            return .failure(TargetFailure(message: Wording.badEndpoint(error.summary), status: .usage))
        }
        let configuration = ClientConfiguration(
            token: token, tokenPlacement: placement, format: format, timeout: .milliseconds(request.timeoutMilliseconds),
            retries: request.retries)
        return .success(
            SessionTarget(
                kind: kind, label: label, confirmsEveryMutation: confirm, token: token, secrets: secrets,
                operations: operations(configuration, transport: transport, logger: logger(request, secrets: secrets)),
                host: URL(string: endpoint)?.host))
    }

    private static func sandbox(_ request: Request, environment: [String: String]) -> Result<SessionTarget, TargetFailure> {
        let directory = SandboxStore.defaultDirectory(environment: environment)
        let transport: InProcessTransport
        do throws(SandboxStoreError) {
            transport = InProcessTransport(sandbox: try Sandbox(store: SandboxStore(directory: directory)))
        } catch {
            return .failure(TargetFailure(message: Wording.sandboxUnusable(error.description), status: .configuration))
        }
        let token = SandboxEngine.defaultToken
        let configuration = ClientConfiguration(
            token: token, format: request.format ?? .json, timeout: .milliseconds(request.timeoutMilliseconds),
            retries: request.retries)
        return .success(
            SessionTarget(
                kind: .sandbox(path: SandboxStore.databasePath(directory: directory)), label: "sandbox",
                confirmsEveryMutation: false, token: token,
                secrets: [token],
                operations: operations(configuration, transport: transport, logger: logger(request, secrets: []))))
    }

    private static func operations(_ configuration: ClientConfiguration, transport: any AltcraftTransport, logger: Logger)
        -> AltcraftOperations
    {
        AltcraftOperations(
            client: AltcraftClient(configuration: configuration, transport: transport, logger: logger),
            makeClient: { AltcraftClient(configuration: $0, transport: transport, logger: logger) })
    }
}
