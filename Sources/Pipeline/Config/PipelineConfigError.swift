/// Why scenario settings could not be turned into a ``PipelineConfig``.
package enum PipelineConfigError: Error, CustomStringConvertible, Equatable {
    /// `key` is not a pipeline setting. `suggestions` are close spellings, `valid` the keys of the
    /// same section (or every key when the section is unknown).
    case unknownKey(key: String, suggestions: [String], valid: [String])
    /// `value` is not acceptable for `key`; `expected` says what is (type and range).
    case invalidValue(key: String, value: String, expected: String)
    /// Individually valid settings that cannot go together.
    case inconsistent(keys: [String], reason: String)

    package var description: String {
        switch self {
        case .unknownKey(let key, let suggestions, let valid):
            var text = "unknown setting '\(key)'"
            if !suggestions.isEmpty {
                text += "; did you mean " + suggestions.map { "'\($0)'" }.joined(separator: " or ") + "?"
            }
            if !valid.isEmpty {
                text += " Valid settings: " + valid.joined(separator: ", ")
            }
            return text
        case .invalidValue(let key, let value, let expected):
            return "\(key): '\(value)' is not valid; expected \(expected)"
        case .inconsistent(let keys, let reason):
            return keys.joined(separator: ", ") + ": " + reason
        }
    }
}
