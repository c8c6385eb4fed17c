/// Where a value in a resolved scenario came from: a line of the scenario file or a `--set` override.
public struct ScenarioLocation: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The origin of a value.
    public enum Origin: Sendable, Equatable, Hashable {
        /// The scenario file (path as given), 1-based line and column.
        case file(String, line: Int, column: Int)
        /// A `--set KEY=VALUE` (or `KEY+=VALUE`) override; the associated value is `KEY`.
        case override(String)
    }

    public var origin: Origin

    public init(_ origin: Origin) {
        self.origin = origin
    }

    /// A file position.
    public static func file(_ path: String, line: Int, column: Int = 1) -> ScenarioLocation {
        ScenarioLocation(.file(path, line: line, column: column))
    }

    /// A `--set KEY` override.
    public static func override(_ key: String) -> ScenarioLocation {
        ScenarioLocation(.override(key))
    }

    /// The line in the scenario file, nil for an override.
    public var line: Int? {
        if case .file(_, let line, _) = origin { return line }
        return nil
    }

    /// `path:line` for a file, `--set KEY` for an override: the prefix of every located message.
    public var description: String {
        switch origin {
        case .file(let path, let line, _): "\(path):\(line)"
        case .override(let key): "--set \(key)"
        }
    }
}

/// Why a scenario could not be loaded. Every case names where the problem is (file and line, or the
/// `--set` override) and, for a bad value, the key, the value and what was expected.
///
/// Messages read `FILE:LINE: KEY: PROBLEM`, for example
/// `scenarios/smoke.yaml:12: phases[0].duration: got "10", expected a duration with a unit, like 10s`
/// or, for a value from an override, `--set seed: got "-1", expected a non-negative integer, e.g. 42`.
public enum ScenarioError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be read (missing, a directory, no permission).
    case unreadable(file: String, reason: String)
    /// The file holds no YAML document (empty or only comments).
    case empty(file: String)
    /// The YAML itself is malformed; line and column are Yams' (1-based) when it gave them.
    case malformedYAML(file: String, line: Int?, column: Int?, problem: String)
    /// A `--set` argument that is not `KEY=VALUE` / `KEY+=VALUE`, or cannot be applied to the document.
    case badOverride(String, reason: String)
    /// A key the scenario format does not have at this place. `key` is the full dotted path.
    case unknownKey(ScenarioLocation, key: String, suggestion: String?, valid: [String])
    /// A required key is absent. `key` is the full dotted path; `hint` says what it should hold.
    case missingKey(ScenarioLocation, key: String, hint: String)
    /// A value of the wrong type, with bad units or out of range.
    case invalidValue(ScenarioLocation, key: String, value: String, expected: String)
    /// A value rejected by a later check (the workload's own settings, stage names, thresholds).
    case rejected(ScenarioLocation, key: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            return "\(file): cannot read scenario: \(reason)"
        case .empty(let file):
            return "\(file): the scenario is empty; expected a mapping with at least `name` and `phases`"
        case .malformedYAML(let file, let line, let column, let problem):
            let position = line.map { l in column.map { ":\(l):\($0)" } ?? ":\(l)" } ?? ""
            return "\(file)\(position): malformed YAML: \(problem)"
        case .badOverride(let text, let reason):
            return "--set \(text): \(reason)"
        case .unknownKey(let at, let key, let suggestion, let valid):
            var s = "\(Self.prefix(at, key))unknown key"
            if let suggestion { s += "; did you mean `\(suggestion)`?" }
            if !valid.isEmpty { s += " (valid here: \(valid.joined(separator: ", ")))" }
            return s
        case .missingKey(let at, let key, let hint):
            return "\(Self.prefix(at, key))missing; \(hint)"
        case .invalidValue(let at, let key, let value, let expected):
            return "\(Self.prefix(at, key))got \(value), expected \(expected)"
        case .rejected(let at, let key, let reason):
            return "\(Self.prefix(at, key))\(reason)"
        }
    }

    /// `file:line: key: `, or `--set key: ` when the override set exactly that key.
    private static func prefix(_ at: ScenarioLocation, _ key: String) -> String {
        if case .override(let overridden) = at.origin, overridden == key { return "\(at): " }
        return "\(at): \(key): "
    }

    /// Where the problem is, when it is inside the document.
    public var location: ScenarioLocation? {
        switch self {
        case .unknownKey(let at, _, _, _), .missingKey(let at, _, _), .invalidValue(let at, _, _, _),
             .rejected(let at, _, _):
            at
        case .unreadable, .empty, .malformedYAML, .badOverride:
            nil
        }
    }
}
