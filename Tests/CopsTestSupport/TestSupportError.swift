/// A test server or the test PKI could not be set up: the test fails with this (a missing
/// server is never a reason to skip).
public struct TestSupportError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) { self.description = description }
}
