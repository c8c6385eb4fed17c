import Foundation

/// Any JSON value: the form of a workload's opaque details in result.json, and a way to walk any
/// `Codable` value generically (a table of every field, without knowing the type).
public enum JSONValue: Sendable, Codable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let d = try? c.decode(Double.self) {
            self = .number(d)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    /// The JSON form of any `Encodable` value (through `encoder`: ``JSONCoding/encoder(_:nonFinite:)``
    /// for types whose keys it spells), or nil if it cannot be encoded.
    public static func of(_ value: some Encodable, encoder: JSONEncoder = JSONEncoder()) -> JSONValue? {
        guard let data = try? encoder.encode(value) else { return nil }
        return try? JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// Leaves as dotted paths in key order: `tiers.hot` → value. Arrays of objects are indexed
    /// (`decisions[0].what`); arrays of plain values are one leaf.
    public func flattened(prefix: String = "") -> [(path: String, value: JSONValue)] {
        switch self {
        case .object(let o):
            return o.keys.sorted().flatMap { k in o[k]!.flattened(prefix: prefix.isEmpty ? k : prefix + "." + k) }
        case .array(let a) where a.contains(where: { if case .object = $0 { true } else { false } }):
            return a.enumerated().flatMap { i, v in v.flattened(prefix: "\(prefix)[\(i)]") }
        default:
            return [(prefix, self)]
        }
    }

    /// The number, when this is one.
    public var number: Double? {
        if case .number(let d) = self { return d }
        return nil
    }
}
