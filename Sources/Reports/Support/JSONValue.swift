import Foundation

/// Any JSON value, used to show and compare structures the reports do not know field by field
/// (the memory-layer statistics grow as that module grows).
enum JSONValue: Decodable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
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

    /// The JSON form of any `Encodable` value, or nil if it cannot be encoded.
    static func of(_ value: some Encodable) -> JSONValue? {
        guard let data = try? JSONEncoder().encode(value) else { return nil }
        return try? JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// Leaves as dotted paths in key order: `tiers.hot.bytes` → value.
    func flattened(prefix: String = "") -> [(path: String, value: JSONValue)] {
        switch self {
        case .object(let o):
            return o.keys.sorted().flatMap { k in o[k]!.flattened(prefix: prefix.isEmpty ? k : prefix + "." + k) }
        case .array(let a) where a.contains(where: { if case .object = $0 { true } else { false } }):
            return a.enumerated().flatMap { i, v in v.flattened(prefix: "\(prefix)[\(i)]") }
        default:
            return [(prefix, self)]
        }
    }

    /// Text for a table cell.
    var display: String {
        switch self {
        case .null: "–"
        case .bool(let b): b ? "yes" : "no"
        case .number(let d): d == d.rounded() && abs(d) < 1e15 ? Fmt.grouped(UInt64(abs(d))).withSign(d < 0) : Fmt.number(d)
        case .string(let s): s
        case .array(let a): a.map(\.display).joined(separator: ", ")
        case .object: "{…}"
        }
    }

    var number: Double? {
        if case .number(let d) = self { return d }
        return nil
    }
}

extension String {
    fileprivate func withSign(_ negative: Bool) -> String { negative ? "-" + self : self }
}
