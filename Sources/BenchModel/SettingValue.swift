/// A provider's structured scenario section as written (``WorkloadSection/structured``): lists,
/// mappings in file order and quoted strings are kept, where plain sections become dotted scalar keys.
public indirect enum SettingValue: Sendable, Equatable {
    /// `~`, `null` or nothing.
    case null
    /// Scalar text as written; `isString` when YAML resolves it to a string (quoted, or plain text
    /// that is not a number, bool or null).
    case scalar(String, isString: Bool)
    case list([SettingValue])
    /// Entries in scenario order (a key appears once).
    case mapping([SettingEntry])

    /// How the value reads in an error message: `"10"`, `nothing`, `a list`, `a mapping`, as the
    /// scenario loader's own messages say it.
    public var described: String {
        switch self {
        case .null: "nothing"
        case .scalar(let text, _): "\"\(text)\""
        case .list: "a list"
        case .mapping: "a mapping"
        }
    }

    /// Whether the value is null.
    public var isNull: Bool { self == .null }

    /// The value of `key` in a mapping; nil when absent or not a mapping.
    public subscript(key: String) -> SettingValue? {
        guard case .mapping(let entries) = self else { return nil }
        return entries.first { $0.key == key }?.value
    }

    /// The value as JSON, scalars resolved as YAML resolves them (numbers, booleans, null, strings).
    public var json: JSONValue {
        switch self {
        case .null: return .null
        case .scalar(let text, true): return .string(text)
        case .scalar(let text, false):
            switch text {
            case "true", "True", "TRUE": return .bool(true)
            case "false", "False", "FALSE": return .bool(false)
            default:
                if let d = Double(text), d.isFinite { return .number(d) }
                return .string(text)
            }
        case .list(let items): return .array(items.map(\.json))
        case .mapping(let entries):
            var out: [String: JSONValue] = [:]
            for e in entries { out[e.key] = e.value.json }
            return .object(out)
        }
    }
}

/// One key of a structured section's mapping.
public struct SettingEntry: Sendable, Equatable {
    public var key: String
    public var value: SettingValue

    public init(_ key: String, _ value: SettingValue) {
        self.key = key
        self.value = value
    }
}
