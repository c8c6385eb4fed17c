import BenchModel

/// Typed readers over a structured section's values (``SettingValue``) for workload providers: each
/// returns the value or throws a ``WorkloadSettingError`` naming the key, quoting the value and saying
/// what was expected, worded as the scenario loader's own messages (`got "x", expected …`).
public enum SettingReader {
    /// The entries of mapping `value` by key, after checking that every key is one of `allowed`.
    /// - Throws: when `value` is not a mapping (`expected` says what it should be) or has another key.
    public static func entries(_ value: SettingValue, key: String, allowed: [String],
                               expected: String) throws(WorkloadSettingError) -> [String: SettingValue] {
        var out: [String: SettingValue] = [:]
        for entry in try mapping(value, key: key, expected: expected) {
            guard allowed.contains(entry.key) else {
                let suggestion = KeySuggestion.closest(to: entry.key, among: allowed).map { "; did you mean `\($0)`?" } ?? ""
                throw WorkloadSettingError(key: "\(key).\(entry.key)",
                                           "unknown key\(suggestion) (valid here: \(allowed.joined(separator: ", ")))")
            }
            out[entry.key] = entry.value
        }
        return out
    }

    /// The entries of a mapping, in scenario order.
    public static func mapping(_ value: SettingValue, key: String, expected: String) throws(WorkloadSettingError) -> [SettingEntry] {
        guard case .mapping(let entries) = value else { throw invalid(value, key: key, expected: expected) }
        return entries
    }

    /// The items of a list.
    public static func list(_ value: SettingValue, key: String, expected: String) throws(WorkloadSettingError) -> [SettingValue] {
        guard case .list(let items) = value else { throw invalid(value, key: key, expected: expected) }
        return items
    }

    /// The text of a scalar that is not null.
    public static func text(_ value: SettingValue, key: String, expected: String = "a string") throws(WorkloadSettingError) -> String {
        guard case .scalar(let text, _) = value else { throw invalid(value, key: key, expected: expected) }
        return text
    }

    /// A whole number from `minimum` to `maximum`.
    public static func integer(_ value: SettingValue, key: String, minimum: Int = 1, maximum: Int) throws(WorkloadSettingError) -> Int {
        let expected = "a whole number from \(minimum) to \(Units.grouped(UInt64(maximum)))"
        let s = try text(value, key: key, expected: expected)
        guard let v = Int(s.strippingBlanks), v >= minimum, v <= maximum else {
            throw invalid(value, key: key, expected: expected)
        }
        return v
    }

    /// Seconds, from a positive duration with a unit (`500us`, `100ms`, `5s`), at most `maximum` seconds.
    public static func duration(_ value: SettingValue, key: String,
                                maximum: Double = ScenarioLimits.maxShort) throws(WorkloadSettingError) -> Double {
        let range = "a positive duration up to \(ScenarioLimits.describe(seconds: maximum))"
        let s = try text(value, key: key, expected: "\(range) like 5s")
        guard let seconds = Units.duration(s) else {
            if Double(s.strippingBlanks) != nil {
                throw invalid(value, key: key, expected: "a duration with a unit, like \(s.strippingBlanks)s or \(s.strippingBlanks)ms")
            }
            throw invalid(value, key: key, expected: "\(range) with a unit: ns, us, ms, s, m or h (e.g. 100ms, 5s)")
        }
        guard seconds > 0, seconds <= maximum else { throw invalid(value, key: key, expected: range) }
        return seconds
    }

    /// `key: got VALUE, expected EXPECTED`.
    public static func invalid(_ value: SettingValue, key: String, expected: String) -> WorkloadSettingError {
        WorkloadSettingError(key: key, "got \(value.described), expected \(expected)")
    }

    /// `key: missing; HINT`.
    public static func missing(_ key: String, hint: String) -> WorkloadSettingError {
        WorkloadSettingError(key: key, "missing; \(hint)")
    }
}
