/// Which proxy, if any, a request to an endpoint goes through: the conventions curl taught
/// (docs/client.md, "Proxies").
public enum ProxyRules {
    /// Where the proxy setting comes from.
    public enum Setting: Sendable, Equatable {
        /// The `*_proxy` variables and `no_proxy`.
        case environment
        /// A profile's `proxy = "URL"`: used for its endpoint whatever the environment says.
        case url(String)
        /// A profile's `proxy = ""`: always direct.
        case direct
    }

    /// The proxy chosen and why, for `-v`.
    public struct Choice: Sendable, Equatable {
        public var proxy: ProxyServer?
        /// `https_proxy`, `profile`, `no_proxy entry`, …: where the decision came from.
        public var reason: String
    }

    /// The credentials of every proxy variable set, whether or not this run uses it: masked in
    /// all output all the same.
    public static func environmentSecrets(_ environment: [String: String]) -> [String] {
        ["https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"].flatMap { name in
            environment[name].flatMap { try? ProxyServer(url: $0) }?.secrets ?? []
        }
    }

    /// Decides the proxy for `endpoint`.
    ///
    /// From the environment: `https_proxy` (then `HTTPS_PROXY`) for https endpoints,
    /// `http_proxy` for http ones — never the uppercase `HTTP_PROXY`, which a CGI request can
    /// set through a `Proxy:` header — and `all_proxy`/`ALL_PROXY` when the scheme's own is
    /// unset; lowercase wins; an empty value is unset. `no_proxy` (then `NO_PROXY`) exempts
    /// hosts. A profile's explicit setting overrides all of that.
    public static func choose(endpoint: String, setting: Setting, environment: [String: String]) throws(ProxyURLError)
        -> Choice
    {
        switch setting {
        case .direct:
            return Choice(proxy: nil, reason: "the profile's proxy = \"\"")
        case .url(let text):
            return Choice(proxy: try ProxyServer(url: text), reason: "the profile's proxy")
        case .environment:
            break
        }
        guard let address = try? EndpointAddress(endpoint) else { return Choice(proxy: nil, reason: "no proxy") }
        let names = address.scheme == "https" ? ["https_proxy", "HTTPS_PROXY"] : ["http_proxy"]
        guard
            let (name, value) = (names + ["all_proxy", "ALL_PROXY"]).lazy.compactMap({ name in
                environment[name].flatMap { $0.isEmpty ? nil : (name, $0) }
            }).first
        else { return Choice(proxy: nil, reason: "no proxy variable set") }
        let exemptions = ["no_proxy", "NO_PROXY"].lazy.compactMap { environment[$0] }.first ?? ""
        if NoProxyList(exemptions).matches(host: address.host, port: address.port) {
            return Choice(proxy: nil, reason: "\(address.host) is in no_proxy")
        }
        return Choice(proxy: try ProxyServer(url: value), reason: name)
    }
}
