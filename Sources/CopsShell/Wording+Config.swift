import AltcraftAPI

extension Wording {
    static let configUnreadable = "cannot read the configuration file"
    static let configNotUTF8 = "the configuration file is not UTF-8 text"
    static let configProfilesNotTable = "'profiles' must be a table: [profiles.NAME]"

    static func configUnknownKey(_ key: String, in profile: String?) -> String {
        if let profile { return "unknown setting '\(key)' in profile '\(profile)'" }
        return "unknown setting '\(key)'; expected 'default' or [profiles.NAME] tables"
    }

    static func configMustBeString(_ key: String) -> String { "'\(key)' must be a string" }
    static func configMustBeBool(_ key: String) -> String { "'\(key)' must be true or false" }
    static func configProfileNotTable(_ name: String) -> String { "profile '\(name)' must be a table: [profiles.\(name)]" }

    static func configUnknownDefault(_ name: String, known: [String]) -> String {
        let list = known.isEmpty ? "none is defined" : "defined: " + known.joined(separator: ", ")
        return "default profile '\(name)' is not defined (\(list))"
    }

    static func configMissingEndpoint(_ name: String) -> String { "profile '\(name)' has no endpoint" }
    static func configBadEndpoint(_ name: String, _ endpoint: String) -> String {
        "profile '\(name)': endpoint '\(endpoint)' is not an http(s) URL"
    }
    static func configMissingToken(_ name: String) -> String {
        "profile '\(name)' says nowhere where its token is: set token_env or token_file"
    }
    static func configTwoTokens(_ name: String) -> String { "profile '\(name)' sets both token_env and token_file; keep one" }
    static func configBadChoice(_ key: String, _ value: String, _ choices: [String]) -> String {
        "'\(key)' is '\(value)'; expected " + choices.map { "'\($0)'" }.joined(separator: " or ")
    }

    static func tokenVariableUnset(_ variable: String, profile: String) -> String {
        "profile '\(profile)' takes its token from $\(variable), which is not set"
    }
    static func tokenFileUnreadable(_ path: String, profile: String) -> String {
        "profile '\(profile)': cannot read token file \(path)"
    }
    /// A token too short to be masked safely; `source` says where it came from.
    public static func tokenTooShort(_ source: String) -> String {
        "\(source) is shorter than \(Redactor.shortestToken) characters, too short to be masked in output; "
            + "use the account's real API token"
    }
    static func tokenFileEmpty(_ path: String, profile: String) -> String { "profile '\(profile)': token file \(path) is empty" }
    static func tokenFileTooOpen(_ path: String) -> String {
        "warning: token file \(path) is readable by others; run: chmod 600 \(path)"
    }
    static func keyFileTooOpen(_ path: String) -> String {
        "warning: client key file \(path) is readable by others; run: chmod 600 \(path)"
    }
    static func configClientCertificateHalf(_ name: String) -> String {
        "profile '\(name)' sets only one of client_cert and client_key; mutual TLS needs both"
    }
    /// A trust or client-certificate file that cannot be used; `source` says where it was named.
    static func connectionFileUnusable(_ source: String, _ error: ConnectionSetupError) -> String {
        "cops: \(source) \(error.description)\n"
    }
    static func proxyUnusable(_ source: String, _ error: ProxyURLError) -> String { "cops: \(source): \(error.description)\n" }
    /// `-v`: which proxy a run uses, never with its credentials.
    static func proxyChosen(_ choice: ProxyRules.Choice) -> String {
        if let proxy = choice.proxy { return "proxy: \(proxy.displayURL) (from \(choice.reason))" }
        return "proxy: none (\(choice.reason))"
    }
}
