import AltcraftWire

/// Typed, tolerant reads of a response object, with errors that name the field.
struct WireReader {
    let object: WireObject
    let context: String

    init(_ value: WireValue, context: String) throws(WireDecodingError) {
        guard case .object(let object) = value else {
            throw WireDecodingError("\(context): expected an object, got \(value.kindName)")
        }
        self.object = object
        self.context = context
    }

    func int(_ key: String) throws(WireDecodingError) -> Int64 {
        guard let value = object[key] else { throw WireDecodingError("\(context): missing field '\(key)'") }
        guard let number = value.intValue else {
            throw WireDecodingError("\(context): field '\(key)' should be an integer, got \(value.kindName)")
        }
        return number
    }

    func bool(_ key: String, default fallback: Bool? = nil) throws(WireDecodingError) -> Bool {
        guard let value = object[key], !value.isNull else {
            if let fallback { return fallback }
            throw WireDecodingError("\(context): missing field '\(key)'")
        }
        guard let flag = value.boolValue else {
            throw WireDecodingError("\(context): field '\(key)' should be a boolean, got \(value.kindName)")
        }
        return flag
    }

    func string(_ key: String, default fallback: String? = nil) throws(WireDecodingError) -> String {
        guard let value = object[key], !value.isNull else {
            if let fallback { return fallback }
            throw WireDecodingError("\(context): missing field '\(key)'")
        }
        guard let text = value.stringValue else {
            throw WireDecodingError("\(context): field '\(key)' should be a string, got \(value.kindName)")
        }
        return text
    }

    func strings(_ key: String) throws(WireDecodingError) -> [String] {
        guard let value = object[key] else { return [] }
        guard let items = value.arrayValue else {
            throw WireDecodingError("\(context): field '\(key)' should be a list, got \(value.kindName)")
        }
        var result: [String] = []
        for item in items {
            guard let text = item.stringValue else {
                throw WireDecodingError("\(context): field '\(key)' should hold strings, got \(item.kindName)")
            }
            result.append(text)
        }
        return result
    }

    func array(_ key: String) throws(WireDecodingError) -> [WireValue] {
        guard let value = object[key] else { return [] }
        guard let items = value.arrayValue else {
            throw WireDecodingError("\(context): field '\(key)' should be a list, got \(value.kindName)")
        }
        return items
    }
}

/// A response whose shape is not what the endpoint returns.
public struct WireDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension WireValue {
    /// A short name of the value's kind for messages ("a string", "null").
    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int, .double: return "a number"
        case .string: return "a string"
        case .array: return "a list"
        case .object: return "an object"
        }
    }
}
