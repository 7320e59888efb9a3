import Foundation

/// A value as it travels on the wire: the common tree behind both the JSON and the XML format.
///
/// The client decodes every response into this tree first and reads typed fields from it
/// second, so that nothing a server says is lost (a campaign record keeps fields we do not
/// model) and the tolerance rules for the docs' inconsistencies live in one place.
public enum WireValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([WireValue])
    case object(WireObject)
}

/// An object whose keys keep the order the server sent them in.
public struct WireObject: Sendable, Hashable, Sequence {
    public private(set) var fields: [(key: String, value: WireValue)]

    public init(_ fields: [(String, WireValue)] = []) {
        self.fields = fields.map { (key: $0.0, value: $0.1) }
    }

    public static func == (lhs: WireObject, rhs: WireObject) -> Bool {
        lhs.fields.count == rhs.fields.count
            && zip(lhs.fields, rhs.fields).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        for field in fields {
            hasher.combine(field.key)
            hasher.combine(field.value)
        }
    }

    public var keys: [String] { fields.map(\.key) }
    public var isEmpty: Bool { fields.isEmpty }
    public var count: Int { fields.count }

    public func makeIterator() -> IndexingIterator<[(key: String, value: WireValue)]> {
        fields.makeIterator()
    }

    /// Exact-key lookup, falling back to a case-insensitive match: the docs spell the same
    /// field `groups` and `Groups`, `id` and `Id`.
    public subscript(key: String) -> WireValue? {
        get {
            if let exact = fields.first(where: { $0.key == key }) { return exact.value }
            let lowered = key.lowercased()
            return fields.first(where: { $0.key.lowercased() == lowered })?.value
        }
        set {
            if let index = fields.firstIndex(where: { $0.key == key }) {
                if let newValue {
                    fields[index].value = newValue
                } else {
                    fields.remove(at: index)
                }
            } else if let newValue {
                fields.append((key: key, value: newValue))
            }
        }
    }

    /// Appends a field even when the key exists (XML repeats elements to make arrays).
    mutating func appendRepeating(_ key: String, _ value: WireValue) {
        if let index = fields.firstIndex(where: { $0.key == key }) {
            switch fields[index].value {
            case .array(var items) where repeatedKeys.contains(key):
                items.append(value)
                fields[index].value = .array(items)
            default:
                fields[index].value = .array([fields[index].value, value])
            }
            repeatedKeys.insert(key)
        } else {
            fields.append((key: key, value: value))
        }
    }

    // Remembers which keys became arrays through repetition, so that a repeated element whose
    // own value is an array is not flattened into its siblings.
    private var repeatedKeys: Set<String> = []
}

extension WireValue {
    /// The field of an object (case-insensitive fallback), or nil.
    public subscript(key: String) -> WireValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    public var objectValue: WireObject? {
        if case .object(let object) = self { return object }
        return nil
    }

    public var isNull: Bool { self == .null }

    /// An integer, also when sent as a string (`"id": "15"`) or as an integral double.
    public var intValue: Int64? {
        switch self {
        case .int(let value): return value
        case .double(let value):
            guard value.rounded() == value, abs(value) < 9.0e18 else { return nil }
            return Int64(value)
        case .string(let text):
            return Int64(text.trimmingCharacters(in: .whitespaces))
        case .bool, .null, .array, .object: return nil
        }
    }

    /// A boolean, also when sent as `"true"`/`"false"`, `"1"`/`"0"` or `1`/`0`.
    public var boolValue: Bool? {
        switch self {
        case .bool(let value): return value
        case .int(let value) where value == 0 || value == 1: return value == 1
        case .string(let text):
            switch text.trimmingCharacters(in: .whitespaces).lowercased() {
            case "true", "1": return true
            case "false", "0": return false
            default: return nil
            }
        default: return nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .double(let value): return value
        case .int(let value): return Double(value)
        case .string(let text): return Double(text.trimmingCharacters(in: .whitespaces))
        default: return nil
        }
    }

    /// A string; numbers and booleans are rendered as text, since XML carries no types.
    public var stringValue: String? {
        switch self {
        case .string(let text): return text
        case .int(let value): return String(value)
        case .double(let value): return String(value)
        case .bool(let value): return value ? "true" : "false"
        case .null, .array, .object: return nil
        }
    }

    /// An array; a lone value is a one-element array and null or an empty string is empty,
    /// because XML cannot tell a one-element array from a single value.
    public var arrayValue: [WireValue]? {
        switch self {
        case .array(let items): return items
        case .null: return []
        case .string(let text) where text.isEmpty: return []
        case .object, .string, .int, .double, .bool: return [self]
        }
    }
}

extension WireValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByNilLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(arrayLiteral elements: WireValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, WireValue)...) { self = .object(WireObject(elements)) }
}
