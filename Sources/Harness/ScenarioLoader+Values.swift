import BenchModel

/// Typed readers over ``DocNode``s: each returns the value or throws a located ``ScenarioError`` that
/// names the key, quotes the value and says what was expected.
struct ValueReader {
    /// Where each value came from, by dotted path (`seed`, `phases[0].rate`, `stage.delay_us`).
    var locations: [String: ScenarioLocation] = [:]

    mutating func note(_ key: String, _ node: DocNode) {
        locations[key] = node.location
    }

    mutating func note(_ key: String, _ entry: DocNode.Entry) {
        locations[key] = entry.location
    }

    /// The entries of mapping `node` by key, after checking that every key is one of `allowed`.
    func entries(_ node: DocNode, key: String, allowed: [String], expected: String) throws(ScenarioError)
        -> [String: DocNode.Entry] {
        guard case .mapping(let list) = node.value else {
            throw .invalidValue(node.location, key: key, value: node.described, expected: expected)
        }
        var out: [String: DocNode.Entry] = [:]
        for entry in list {
            guard allowed.contains(entry.key) else {
                throw .unknownKey(entry.keyLocation, key: key.isEmpty ? entry.key : "\(key).\(entry.key)",
                                  suggestion: KeySuggestion.closest(to: entry.key, among: allowed), valid: allowed)
            }
            out[entry.key] = entry
        }
        return out
    }

    /// The text of a scalar that is not null.
    func text(_ node: DocNode, key: String, expected: String = "a string") throws(ScenarioError) -> String {
        guard case .scalar(let text, false, _) = node.value else {
            throw .invalidValue(node.location, key: key, value: node.described, expected: expected)
        }
        return text
    }

    /// A whole number from `minimum` to `maximum`.
    func integer(_ node: DocNode, key: String, minimum: Int = 1, maximum: Int) throws(ScenarioError) -> Int {
        let expected = "a whole number from \(minimum) to \(Units.grouped(UInt64(maximum)))"
        let s = try text(node, key: key, expected: expected)
        guard let v = Int(s.strippingBlanks), v >= minimum, v <= maximum else {
            throw .invalidValue(node.location, key: key, value: node.described, expected: expected)
        }
        return v
    }

    /// A non-negative integer that fits 64 bits (a seed).
    func unsigned(_ node: DocNode, key: String) throws(ScenarioError) -> UInt64 {
        let expected = "a non-negative integer, e.g. 42"
        let s = try text(node, key: key, expected: expected)
        guard let v = UInt64(s.strippingBlanks) else {
            throw .invalidValue(node.location, key: key, value: node.described, expected: expected)
        }
        return v
    }

    /// Seconds, from a duration with a unit (`500us`, `100ms`, `5s`, `1.5m`), at most `maximum`
    /// seconds. A bare `0` is accepted where zero is, since zero is zero in any unit; any other bare
    /// number is rejected as ambiguous.
    func duration(_ node: DocNode, key: String, allowZero: Bool = false,
                  maximum: Double = ScenarioLimits.maxDuration) throws(ScenarioError) -> Double {
        let range = (allowZero ? "a duration ≥ 0" : "a positive duration") + " up to \(ScenarioLimits.describe(seconds: maximum))"
        let s = try text(node, key: key, expected: "\(range) like 5s")
        guard let seconds = Units.duration(s) else {
            if let bare = Double(s.strippingBlanks) {
                if bare == 0 && allowZero { return 0 }
                throw .invalidValue(node.location, key: key, value: node.described,
                                    expected: "a duration with a unit, like \(s.strippingBlanks)s or \(s.strippingBlanks)ms")
            }
            throw .invalidValue(node.location, key: key, value: node.described,
                                expected: "\(range) with a unit: ns, us, ms, s, m or h (e.g. 100ms, 5s)")
        }
        guard seconds > 0 || (allowZero && seconds == 0), seconds <= maximum else {
            throw .invalidValue(node.location, key: key, value: node.described, expected: range)
        }
        return seconds
    }

    /// An open-loop spin window in seconds, from `20us`, `0.05ms`, `0`: at least 0, at most
    /// ``OpenLoopPlan/maximumSpin``.
    func spinWindow(_ node: DocNode, key: String) throws(ScenarioError) -> Double {
        let limit = "\(Int((OpenLoopPlan.maximumSpin * 1e3).rounded()))ms"
        let expected = "a spin window from 0 to \(limit) with a unit, like 20us (0 turns spinning off)"
        let s = try text(node, key: key, expected: expected)
        if Double(s.strippingBlanks) == 0 { return 0 }
        guard let seconds = Units.duration(s), seconds >= 0, seconds <= OpenLoopPlan.maximumSpin else {
            throw .invalidValue(node.location, key: key, value: node.described, expected: expected)
        }
        return seconds
    }

    /// `uniform` or `poisson`.
    func arrivalProcess(_ node: DocNode, key: String) throws(ScenarioError) -> ArrivalProcess {
        let names = ArrivalProcess.allCases.map(\.rawValue)
        let expected = names.joined(separator: " or ")
        let s = try text(node, key: key, expected: expected)
        guard let process = ArrivalProcess(rawValue: s.strippingBlanks) else {
            let hint = KeySuggestion.closest(to: s.strippingBlanks, among: names).map { " (did you mean `\($0)`?)" } ?? ""
            throw .invalidValue(node.location, key: key, value: node.described, expected: "\(expected)\(hint)")
        }
        return process
    }

    /// Episodes per second, from `15`, `15/s`, `900/m`.
    func rate(_ node: DocNode, key: String, allowZero: Bool = false) throws(ScenarioError) -> Double {
        let limit = "\(Units.grouped(UInt64(ScenarioLimits.maxRate)))/s"
        let expected = allowZero ? "a rate from 0 to \(limit), like 15 or 15/s" : "a positive rate up to \(limit), like 15 or 15/s"
        let s = try text(node, key: key, expected: expected)
        guard let v = Units.rate(s), v > 0 || (allowZero && v == 0), v <= ScenarioLimits.maxRate else {
            throw .invalidValue(node.location, key: key, value: node.described, expected: expected)
        }
        return v
    }

    /// A positive whole number of bytes, from `512`, `512B`, `16KB`, `16KiB`, `1MB`.
    func bytes(_ node: DocNode, key: String, maximum: Int) throws(ScenarioError) -> Int {
        let expected = "a positive size like 512B, 16KB or 1MiB, at most \(Units.formatBytes(Double(maximum)))"
        let s = try text(node, key: key, expected: expected)
        guard let v = Units.bytes(s), v >= 1, v <= Double(maximum), v == v.rounded() else {
            throw .invalidValue(node.location, key: key, value: node.described, expected: expected)
        }
        return Int(v)
    }

    /// The items of a list.
    func list(_ node: DocNode, key: String, expected: String) throws(ScenarioError) -> [DocNode] {
        guard case .sequence(let items) = node.value else {
            throw .invalidValue(node.location, key: key, value: node.described, expected: expected)
        }
        return items
    }
}


/// The bounds of every number a scenario can hold: beyond them a value is an error naming the key and
/// the range (README, "Scenarios"), never an overflow in the arithmetic that uses it.
public enum ScenarioLimits {
    /// Longest phase, warm-up offset or duration of any kind: a year.
    public static let maxDuration = 366.0 * 86_400
    /// Longest warm-up, interval, stall: an hour.
    public static let maxShort = 3_600.0
    /// Longest slow-stage `extra`: 10 s of busy work per episode.
    public static let maxExtra = 10.0
    /// Shortest time-series interval: 1 ms.
    public static let minInterval = 0.001
    /// Highest rate: ten million episodes a second.
    public static let maxRate = 10_000_000.0
    /// Most worker threads or closed-loop concurrency.
    public static let maxWorkers = 4_096
    /// Highest CPU number `affinity:` may name (glibc's CPU_SETSIZE is 1,024).
    public static let maxCPU = 1_023
    /// Largest burst and queue bound.
    public static let maxCount = 100_000_000
    /// Largest leak per episode: 1 GiB.
    public static let maxLeakBytes = 1 << 30
    /// Largest `every` of a stall.
    public static let maxEvery = 1_000_000_000_000

    /// `366 days`, `1 h`, `10 s`.
    static func describe(seconds: Double) -> String {
        if seconds >= 86_400 { return "\(Int(seconds / 86_400)) days" }
        if seconds >= 3_600 { return "\(Int(seconds / 3_600)) h" }
        return seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(Units.number(seconds)) s"
    }
}
