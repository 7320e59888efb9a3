import AltcraftSandbox

/// Every sentence cops says to a person, in one place.
public enum Wording {
    public static func sandboxListening(host: String, port: Int) -> String {
        let shown = host.contains(":") ? "[\(host)]" : host
        return "cops sandbox listening on http://\(shown):\(port)"
    }

    static func sandboxServeHint(usesDefaultToken: Bool) -> String {
        if usesDefaultToken {
            return "accepting the default sandbox token '\(SandboxEngine.defaultToken)'; stop with Ctrl-C\n"
        }
        return "accepting only the token given with --token; stop with Ctrl-C\n"
    }

    static func sandboxReset(path: String) -> String {
        "sandbox reset to its seed campaigns (\(path))"
    }

    public static let sandboxServeAbstract = "Run the simulated Altcraft v72 Campaigns API over HTTP."
    public static let sandboxServeDiscussion = """
        Speaks the reference's wire protocol (POST, JSON or XML bodies, the {data, error, \
        error_text} envelope) on a loopback port. Without --token it accepts the default token \
        '\(SandboxEngine.defaultToken)'. Faults are reproducible with --seed.

        Example:
          cops sandbox serve --port 8080 &
          curl -s -X POST http://127.0.0.1:8080/api/v1.1/campaigns/get_status \\
               -H 'Content-Type: application/json' \\
               -d '{"token": "\(SandboxEngine.defaultToken)", "id": 15}'
        """
    public static let sandboxResetAbstract = "Restore the built-in sandbox's seed campaigns."
}
