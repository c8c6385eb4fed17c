import BenchModel
import MemoryLayer

/// One pipeline setting, for `--help` and the docs.
package struct PipelineParameter: Sendable, Codable, Equatable {
    /// Fully qualified key, e.g. `pipeline.esgt.steps`.
    package var name: String
    /// The default, as a scenario would write it.
    package var defaultValue: String
    /// What the setting does, with its unit.
    package var description: String
    /// Accepted values, e.g. `an integer in 1...1000000`.
    package var expected: String

    package init(name: String, defaultValue: String, description: String, expected: String) {
        self.name = name
        self.defaultValue = defaultValue
        self.description = description
        self.expected = expected
    }

    enum CodingKeys: String, CodingKey {
        case name
        case defaultValue = "default"
        case description, expected
    }
}

extension PipelineConfig {
    /// Every setting, with its default, in pipeline order.
    package static let parameters: [PipelineParameter] = {
        let defaults = PipelineConfig()
        return ParameterSpec.all.map {
            PipelineParameter(name: $0.name, defaultValue: $0.text(of: defaults), description: $0.help,
                              expected: $0.kind.expected)
        }
    }()

    /// A configuration from scenario settings: fully qualified dotted keys (`pipeline.esgt.steps`,
    /// `stimulus.zipf`) with YAML scalar text values. Keys not given keep their defaults.
    /// Durations accept units (`200ms`) or bare seconds.
    /// - Throws: ``PipelineConfigError`` for an unknown key, a value of the wrong type or out of
    ///   range, or settings that contradict each other.
    package init(settings: [String: String]) throws(PipelineConfigError) {
        self.init()
        let specs = ParameterSpec.all
        var byName: [String: ParameterSpec] = [:]
        for spec in specs { byName[spec.name] = spec }
        for key in settings.keys.sorted() {
            guard let spec = byName[key] else {
                throw ParameterSpec.unknown(key, among: specs.map(\.name))
            }
            try spec.apply(settings[key]!, to: &self)
        }
        try validate()
    }

    /// Every setting with its current value as text; `PipelineConfig(settings: c.settings) == c`.
    package var settings: [String: String] {
        var out: [String: String] = [:]
        for spec in ParameterSpec.all { out[spec.name] = spec.text(of: self) }
        return out
    }

    /// Checks relations between settings that are each valid on their own.
    /// - Throws: ``PipelineConfigError/inconsistent(keys:reason:)``.
    package func validate() throws(PipelineConfigError) {
        if tig.nodes < tig.edgesPerNode + 1 {
            throw .inconsistent(keys: ["pipeline.tig.nodes", "pipeline.tig.edges_per_node"],
                                reason: "the graph needs more nodes (\(tig.nodes)) than edges per node (\(tig.edgesPerNode))")
        }
        if phi.nodes > tig.nodes {
            throw .inconsistent(keys: ["pipeline.phi.nodes", "pipeline.tig.nodes"],
                                reason: "Φ cannot use \(phi.nodes) nodes of a \(tig.nodes)-node graph")
        }
        if esgt.minNodes > tig.nodes {
            throw .inconsistent(keys: ["pipeline.esgt.min_nodes", "pipeline.tig.nodes"],
                                reason: "ESGT could never recruit \(esgt.minNodes) nodes of a \(tig.nodes)-node graph")
        }
        if tig.seeds > tig.nodes {
            throw .inconsistent(keys: ["pipeline.tig.seeds", "pipeline.tig.nodes"],
                                reason: "cannot inject into \(tig.seeds) distinct nodes of a \(tig.nodes)-node graph")
        }
    }
}

/// A setting's name, help text and how to read and write it.
struct ParameterSpec {
    enum Kind {
        case int(WritableKeyPath<PipelineConfig, Int>, ClosedRange<Int>)
        /// A real in `range`; `lowerOpen` excludes the lower bound.
        case real(WritableKeyPath<PipelineConfig, Double>, ClosedRange<Double>, lowerOpen: Bool)
        /// Seconds, with or without a unit.
        case duration(WritableKeyPath<PipelineConfig, Double>, ClosedRange<Double>, lowerOpen: Bool)
        /// Per second, `5` or `5/s`.
        case rate(WritableKeyPath<PipelineConfig, Double>, ClosedRange<Double>)
        case level(WritableKeyPath<PipelineConfig, MemoryLevel>)
        /// Bytes with an optional unit (`2MiB`, `500KB`, `1048576`), whole, in `range`.
        case bytes(WritableKeyPath<PipelineConfig, Int>, ClosedRange<Int>)
        /// A percentage written with its sign (`5%`), in (0 %, 100 %]; kept as a fraction.
        case percent(WritableKeyPath<PipelineConfig, Double>)

        var expected: String {
            switch self {
            case .int(_, let r): "an integer in \(r.lowerBound)...\(r.upperBound)"
            case .real(_, let r, let open): "a number in \(interval(r, open))"
            case .duration(_, let r, let open):
                "a duration in \(interval(r, open, unit: "s")) (e.g. 200ms, 0.2s or 0.2)"
            case .rate(_, let r): "a rate in \(interval(r, true, unit: "/s")) (e.g. 5 or 5/s)"
            case .level: "one of " + MemoryLevel.allCases.map(\.rawValue).joined(separator: ", ")
            case .bytes(_, let r): "a size in \(r.lowerBound)...\(r.upperBound) bytes (e.g. 2MiB, 500KB or 1048576)"
            case .percent: "a percentage in (0%, 100%] written with its % sign (e.g. 5%)"
            }
        }
    }

    let name: String
    let help: String
    let kind: Kind

    init(_ name: String, _ kind: Kind, _ help: String) {
        self.name = name
        self.kind = kind
        self.help = help
    }

    func text(of config: PipelineConfig) -> String {
        switch kind {
        case .int(let path, _): String(config[keyPath: path])
        case .real(let path, _, _), .duration(let path, _, _), .rate(let path, _): String(config[keyPath: path])
        case .level(let path): config[keyPath: path].rawValue
        case .bytes(let path, _): String(config[keyPath: path])
        case .percent(let path): String(config[keyPath: path] * 100) + "%"
        }
    }

    func apply(_ raw: String, to config: inout PipelineConfig) throws(PipelineConfigError) {
        let text = raw.trimmingSpaces
        let invalid = PipelineConfigError.invalidValue(key: name, value: raw, expected: kind.expected)
        switch kind {
        case .int(let path, let range):
            guard let v = Self.integer(text), range.contains(v) else { throw invalid }
            config[keyPath: path] = v
        case .real(let path, let range, let open):
            guard let v = Double(text), v.isFinite, Self.contains(range, open, v) else { throw invalid }
            config[keyPath: path] = v
        case .duration(let path, let range, let open):
            guard let v = Units.duration(text, bareSeconds: true), Self.contains(range, open, v) else { throw invalid }
            config[keyPath: path] = v
        case .rate(let path, let range):
            guard let v = Units.rate(text), Self.contains(range, true, v) else { throw invalid }
            config[keyPath: path] = v
        case .level(let path):
            // YAML 1.1 readers turn a bare `off` into a boolean; accept its spellings too.
            let lowered = text.lowercased()
            let name = ["false", "no", "0"].contains(lowered) ? "off" : lowered
            guard let level = MemoryLevel(rawValue: name) else { throw invalid }
            config[keyPath: path] = level
        case .bytes(let path, let range):
            // Compared as Doubles first: a size of 1e30 bytes is refused, not trapped on.
            guard let v = Units.bytes(text), v == v.rounded(), v >= Double(range.lowerBound), v <= Double(range.upperBound)
            else { throw invalid }
            config[keyPath: path] = Int(v)
        case .percent(let path):
            guard text.hasSuffix("%"), let v = Double(text.dropLast().trimmingSpaces), v.isFinite, v > 0, v <= 100
            else { throw invalid }
            config[keyPath: path] = v / 100
        }
    }

    static func integer(_ text: String) -> Int? {
        let digits = String(text.filter { $0 != "_" })
        if let v = Int(digits) { return v }
        if let d = Double(digits), d.isFinite, d == d.rounded(), abs(d) < 1e15 { return Int(d) }
        return nil
    }

    static func contains(_ range: ClosedRange<Double>, _ lowerOpen: Bool, _ v: Double) -> Bool {
        range.contains(v) && !(lowerOpen && v == range.lowerBound)
    }

    static func unknown(_ key: String, among names: [String]) -> PipelineConfigError {
        let leaf = key.split(separator: ".").last.map(String.init) ?? key
        let budget = max(2, key.count / 5)
        let distances = names.map { editDistance($0, key) }
        let closest = distances.min() ?? .max
        var suggestions = closest <= budget ? zip(names, distances).filter { $0.1 == closest }.map(\.0) : []
        if suggestions.isEmpty {
            suggestions = names.filter { $0.hasSuffix("." + leaf) }
        }
        let section = key.split(separator: ".").dropLast().joined(separator: ".")
        var valid = names.filter { !section.isEmpty && $0.hasPrefix(section + ".") }
        if valid.isEmpty { valid = names }
        return .unknownKey(key: key, suggestions: suggestions, valid: valid)
    }

    /// Levenshtein distance, for "did you mean" suggestions.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        if a.isEmpty { return b.count }
        var row = Array(0...b.count)
        for i in 1...a.count {
            var diagonal = row[0]
            row[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let above = row[j]
                row[j] = min(above + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1))
                diagonal = above
            }
        }
        return row[b.count]
    }
}

private func interval(_ r: ClosedRange<Double>, _ lowerOpen: Bool, unit: String = "") -> String {
    (lowerOpen ? "(" : "[") + String(r.lowerBound) + unit + ", " + String(r.upperBound) + unit + "]"
}

extension StringProtocol {
    fileprivate var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
