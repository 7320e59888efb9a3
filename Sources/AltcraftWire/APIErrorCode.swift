/// The API error codes Altcraft documents, plus the one the sandbox infers (docs/sandbox.md).
public enum APIErrorCode {
    public static let success = 0
    public static let badRequest = 400
    public static let tokenRequired = 401
    public static let tariffLimit = 402
    public static let forbidden = 403
    /// INFERRED: the reference's code table is cut off after 403; the sandbox answers 404
    /// for an unknown campaign ID.
    public static let notFound = 404
}
