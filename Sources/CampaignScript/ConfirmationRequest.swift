/// A mutating statement about to be sent, for the prompt to ask a person about.
public struct ConfirmationRequest: Sendable, Equatable {
    /// The verb, e.g. `delete`.
    public var op: String
    /// The campaigns it will change, in order.
    public var ids: [Int64]
    /// The statement as written.
    public var text: String

    /// Creates a request.
    public init(op: String, ids: [Int64], text: String) {
        self.op = op
        self.ids = ids
        self.text = text
    }
}
