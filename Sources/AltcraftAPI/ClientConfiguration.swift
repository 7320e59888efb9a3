import AltcraftWire
import Foundation

/// How an `AltcraftClient` talks to its server.
public struct ClientConfiguration: Sendable {
    /// The wire format of request and response bodies.
    public typealias WireFormat = AltcraftWire.WireFormat

    /// Where the token travels: in the body as v72 documents, or as a bearer header as newer
    /// versions also accept.
    public enum TokenPlacement: String, Sendable {
        case body
        case bearerHeader = "bearer"
    }

    public var token: String
    public var tokenPlacement: TokenPlacement
    public var format: WireFormat
    /// Time for one request, connection to last byte.
    public var timeout: Duration
    /// How many times a failed call that is safe to repeat is sent again (0 = never).
    public var retries: Int
    /// The first backoff delay; each retry doubles it, up to `maximumBackoff`.
    public var initialBackoff: Duration
    public var maximumBackoff: Duration
    /// The longest `Retry-After` we wait for; a longer one is shortened to this.
    public var maximumRetryAfter: Duration
    /// A larger answer is an error.
    public var maximumResponseBytes: Int
    public var userAgent: String

    public init(
        token: String, tokenPlacement: TokenPlacement = .body, format: WireFormat = .json,
        timeout: Duration = .seconds(30), retries: Int = 3, initialBackoff: Duration = .milliseconds(200),
        maximumBackoff: Duration = .seconds(10), maximumRetryAfter: Duration = .seconds(60),
        maximumResponseBytes: Int = 16 << 20, userAgent: String = "cops"
    ) {
        self.token = token
        self.tokenPlacement = tokenPlacement
        self.format = format
        self.timeout = timeout
        self.retries = retries
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
        self.maximumRetryAfter = maximumRetryAfter
        self.maximumResponseBytes = maximumResponseBytes
        self.userAgent = userAgent
    }
}

/// Removes the token from any text before it leaves the client core.
public struct Redactor: Sendable {
    public static let mask = "[redacted]"
    /// Secrets shorter than this are not looked for: masking them would blank out ordinary
    /// words and numbers (a token `T` would mangle every `T` of the output).
    public static let shortestMasked = 4
    /// The shortest token cops accepts (issue 14: a token `T` was echoed as is). Refused rather
    /// than masked, because it is long enough to mask without mangling output, and every real
    /// Altcraft token is longer; see docs/client.md.
    public static let shortestToken = 8
    let secrets: [String]

    public init(secrets: [String]) {
        self.secrets = secrets.filter { $0.count >= Self.shortestMasked }
    }

    /// Whether a token is long enough to be masked wherever it appears.
    public static func isMaskable(token: String) -> Bool { token.count >= shortestToken }

    public func redact(_ text: String) -> String {
        var result = text
        // Looked for byte by byte first: this runs on every line of output, and Foundation's
        // search (NSString on Linux) cost more than printing the line.
        for secret in secrets where result.containsExactly(secret) {
            result = result.replacingOccurrences(of: secret, with: Redactor.mask)
        }
        return result
    }

    /// `redact` for bytes that are UTF-8 text (a journal line): the same bytes when no secret
    /// is in them, which is every line but one that quotes a secret.
    public func redact(_ bytes: [UInt8]) -> [UInt8] {
        guard secrets.contains(where: { bytes.containsExactly($0) }) else { return bytes }
        return Array(redact(String(decoding: bytes, as: UTF8.self)).utf8)
    }
}
