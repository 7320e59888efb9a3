import AltcraftAPI
import Foundation
import TOMLKit

/// The user's configuration: `$XDG_CONFIG_HOME/cops/config.toml`.
///
/// ```toml
/// default = "staging"
/// [profiles.staging]
/// endpoint = "https://staging.example.com"
/// token_env = "ALTCRAFT_STAGING_TOKEN"     # or token_file = "~/.config/cops/staging.token"
/// format = "json"                          # or "xml"
/// token_placement = "body"                 # or "bearer"
/// confirm = true                           # ask before every mutating statement
/// require_plan = true                      # scripts change nothing unless a reviewed plan is applied
/// ca_file = "~/.config/cops/corp-ca.pem"   # trust these CAs instead of the system's
/// client_cert = "…/cops.crt"               # mutual TLS: certificate chain and key (PEM)
/// client_key = "…/cops.key"
/// proxy = "http://proxy.corp:3128"         # overrides https_proxy/no_proxy; "" for none
/// ```
public struct CopsConfig: Sendable, Equatable {
    public var defaultProfile: String?
    public var profiles: [String: Profile]

    /// Where one profile sends requests and where its token comes from.
    public struct Profile: Sendable, Equatable {
        public var name: String
        public var endpoint: String
        public var tokenSource: TokenSource
        public var format: ClientConfiguration.WireFormat
        public var tokenPlacement: ClientConfiguration.TokenPlacement
        public var confirm: Bool
        /// `require_plan`: scripts, pipes, `-c` and `--stream` send no change except by `cops
        /// apply` of a plan or with `--yes` (docs/changes.md, "Requiring review").
        public var requirePlan = false
        /// `ca_file`: a PEM bundle that replaces the system roots (`~/` expanded when used).
        public var caFile: String? = nil
        /// `client_cert` and `client_key`: both or neither.
        public var clientCertificate: String? = nil
        public var clientKey: String? = nil
        /// `proxy`: absent means the environment decides.
        public var proxy: ProxyRules.Setting = .environment
    }

    /// A token is never written in the config itself: it comes from the environment or a file.
    public enum TokenSource: Sendable, Equatable {
        case environment(String)
        case file(String)
    }

    public static let empty = CopsConfig(defaultProfile: nil, profiles: [:])

    /// A path of the config file with a leading `~/` made the home directory's.
    static func expandingHome(_ path: String, environment: [String: String]) -> String {
        path.hasPrefix("~/") ? (environment["HOME"] ?? NSHomeDirectory()) + path.dropFirst(1) : path
    }

    /// The config file's path for this environment.
    public static func path(environment: [String: String]) -> String {
        if let config = environment["XDG_CONFIG_HOME"], config.hasPrefix("/") { return config + "/cops/config.toml" }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.config/cops/config.toml"
    }

    /// Reads the config file; a missing file is an empty configuration.
    public static func load(path: String) throws(ConfigError) -> CopsConfig {
        guard FileManager.default.fileExists(atPath: path) else { return .empty }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(path: path, message: Wording.configUnreadable)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(path: path, message: Wording.configNotUTF8)
        }
        return try parse(text, path: path)
    }

    /// Parses the TOML text; every problem names the file, and the line where TOML says one.
    public static func parse(_ text: String, path: String) throws(ConfigError) -> CopsConfig {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigError(path: path, line: error.source.begin.line, message: error.description)
        } catch {
            throw ConfigError(path: path, message: String(describing: error))
        }
        for key in table.keys where !["default", "profiles"].contains(key) {
            throw ConfigError(path: path, message: Wording.configUnknownKey(key, in: nil))
        }
        var config = CopsConfig(defaultProfile: nil, profiles: [:])
        if let value = table["default"] {
            guard let name = value.string else { throw ConfigError(path: path, message: Wording.configMustBeString("default")) }
            config.defaultProfile = name
        }
        if let value = table["profiles"] {
            guard let profiles = value.table else { throw ConfigError(path: path, message: Wording.configProfilesNotTable) }
            for name in profiles.keys {
                guard let profile = profiles[name]?.table else {
                    throw ConfigError(path: path, message: Wording.configProfileNotTable(name))
                }
                config.profiles[name] = try parseProfile(name, profile, path: path)
            }
        }
        if let name = config.defaultProfile, config.profiles[name] == nil {
            throw ConfigError(path: path, message: Wording.configUnknownDefault(name, known: config.profiles.keys.sorted()))
        }
        return config
    }

    static func parseProfile(_ name: String, _ table: TOMLTable, path: String) throws(ConfigError) -> Profile {
        let known = [
            "endpoint", "token_env", "token_file", "format", "token_placement", "confirm", "ca_file", "client_cert", "client_key",
            "proxy", "require_plan",
        ]
        for key in table.keys where !known.contains(key) {
            throw ConfigError(path: path, message: Wording.configUnknownKey(key, in: name))
        }
        func string(_ key: String) throws(ConfigError) -> String? {
            guard let value = table[key] else { return nil }
            guard let text = value.string else {
                throw ConfigError(path: path, message: Wording.configMustBeString("profiles.\(name).\(key)"))
            }
            return text
        }
        guard let endpoint = try string("endpoint"), !endpoint.isEmpty else {
            throw ConfigError(path: path, message: Wording.configMissingEndpoint(name))
        }
        guard let url = URL(string: endpoint), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
            throw ConfigError(path: path, message: Wording.configBadEndpoint(name, endpoint))
        }
        let source: TokenSource
        switch (try string("token_env"), try string("token_file")) {
        case (let variable?, nil): source = .environment(variable)
        case (nil, let file?): source = .file(file)
        case (nil, nil): throw ConfigError(path: path, message: Wording.configMissingToken(name))
        case (.some, .some): throw ConfigError(path: path, message: Wording.configTwoTokens(name))
        }
        var format = ClientConfiguration.WireFormat.json
        if let text = try string("format") {
            guard let parsed = ClientConfiguration.WireFormat(rawValue: text) else {
                throw ConfigError(path: path, message: Wording.configBadChoice("profiles.\(name).format", text, ["json", "xml"]))
            }
            format = parsed
        }
        var placement = ClientConfiguration.TokenPlacement.body
        if let text = try string("token_placement") {
            guard let parsed = ClientConfiguration.TokenPlacement(rawValue: text) else {
                throw ConfigError(
                    path: path, message: Wording.configBadChoice("profiles.\(name).token_placement", text, ["body", "bearer"]))
            }
            placement = parsed
        }
        var confirm = false
        if let value = table["confirm"] {
            guard let flag = value.bool else {
                throw ConfigError(path: path, message: Wording.configMustBeBool("profiles.\(name).confirm"))
            }
            confirm = flag
        }
        var profile = Profile(
            name: name, endpoint: endpoint, tokenSource: source, format: format, tokenPlacement: placement, confirm: confirm)
        if let value = table["require_plan"] {
            guard let flag = value.bool else {
                throw ConfigError(path: path, message: Wording.configMustBeBool("profiles.\(name).require_plan"))
            }
            profile.requirePlan = flag
        }
        profile.caFile = try string("ca_file")
        profile.clientCertificate = try string("client_cert")
        profile.clientKey = try string("client_key")
        guard (profile.clientCertificate == nil) == (profile.clientKey == nil) else {
            throw ConfigError(path: path, message: Wording.configClientCertificateHalf(name))
        }
        if let proxy = try string("proxy") {
            if proxy.isEmpty {
                profile.proxy = .direct
            } else {
                do throws(ProxyURLError) {
                    _ = try ProxyServer(url: proxy)
                } catch {
                    throw ConfigError(path: path, message: "profiles.\(name).proxy: " + error.description)
                }
                profile.proxy = .url(proxy)
            }
        }
        return profile
    }
}

/// A broken configuration: cops exits 78 with this message.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var line: Int?
    public var message: String

    public init(path: String, line: Int? = nil, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    public var description: String {
        if let line { return "\(path):\(line): error: \(message)" }
        return "\(path): error: \(message)"
    }
}

/// Reads a profile's token from where the profile says, warning about loose file modes.
public enum TokenLoader {
    public static func load(
        _ source: CopsConfig.TokenSource, profile: String, environment: [String: String], configPath: String,
        warn: (String) -> Void
    ) throws(ConfigError) -> String {
        switch source {
        case .environment(let variable):
            guard let token = environment[variable], !token.isEmpty else {
                throw ConfigError(path: configPath, message: Wording.tokenVariableUnset(variable, profile: profile))
            }
            guard Redactor.isMaskable(token: token) else {
                throw ConfigError(
                    path: configPath, message: Wording.tokenTooShort("profile '\(profile)': the token in $\(variable)"))
            }
            return token
        case .file(let file):
            let expanded = CopsConfig.expandingHome(file, environment: environment)
            guard let data = FileManager.default.contents(atPath: expanded),
                let text = String(data: data, encoding: .utf8)
            else {
                throw ConfigError(path: configPath, message: Wording.tokenFileUnreadable(expanded, profile: profile))
            }
            var info = stat()
            if stat(expanded, &info) == 0, info.st_mode & 0o077 != 0 {
                warn(Wording.tokenFileTooOpen(expanded))
            }
            let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty else {
                throw ConfigError(path: configPath, message: Wording.tokenFileEmpty(expanded, profile: profile))
            }
            guard Redactor.isMaskable(token: token) else {
                throw ConfigError(
                    path: configPath, message: Wording.tokenTooShort("profile '\(profile)': the token in \(expanded)"))
            }
            return token
        }
    }
}
