import BenchModel

/// `inject:` entries: stalls, slow stages and leaks.
extension ScenarioValidator {
    static let faultShapes = "{ stall: 100ms, every: 1000 }, { stall: 100ms, at: 20s }, { slow: STAGE, extra: 200us }, "
        + "{ slow: STAGE, work: 20000 } or { leak: 16KB }"

    /// Most `work:` iterations per episode: about a second of work, far beyond any useful slowdown, and
    /// small enough that no count derived from it can overflow.
    static let maxWorkIterations: UInt64 = 1_000_000_000

    /// The harness injects one wall-time slow stage and one `work:` stage; a second of either kind
    /// would silently replace the first, so it is an error.
    func rejectSecond(_ fault: Fault, of earlier: [Fault], at node: DocNode, key: String) throws(ScenarioError) {
        func kind(_ f: Fault) -> String? {
            switch f {
            case .slow: "extra"
            case .slowWork: "work"
            case .stall, .leak: nil
            }
        }
        guard let mine = kind(fault), let first = earlier.firstIndex(where: { kind($0) == mine }) else { return }
        throw .rejected(node.location, key: key,
                        reason: "only one `slow: …, \(mine): …` fault per scenario (inject[\(first)] already has one)")
    }

    mutating func fault(_ node: DocNode, key: String) throws(ScenarioError) -> Fault {
        reader.note(key, node)
        guard case .mapping(let list) = node.value else {
            throw .invalidValue(node.location, key: key, value: node.described, expected: "a fault: \(Self.faultShapes)")
        }
        let kinds = list.map(\.key).filter { ["stall", "slow", "leak"].contains($0) }
        guard kinds.count == 1, let kind = kinds.first else {
            if kinds.isEmpty {
                let known = ["stall", "every", "at", "slow", "extra", "work", "leak"]
                if let odd = list.first(where: { !known.contains($0.key) }) {
                    throw .unknownKey(odd.keyLocation, key: "\(key).\(odd.key)",
                                      suggestion: KeySuggestion.closest(to: odd.key, among: known), valid: ["stall", "slow", "leak"])
                }
            }
            throw .invalidValue(node.location, key: key, value: kinds.isEmpty ? node.described : "\(kinds.joined(separator: " and ")) in one entry",
                                expected: "exactly one fault per entry: \(Self.faultShapes)")
        }
        let allowed = ["stall": ["stall", "every", "at"], "slow": ["slow", "extra", "work"], "leak": ["leak"]][kind] ?? []
        let fields = try reader.entries(node, key: key, allowed: allowed, expected: "a fault: \(Self.faultShapes)")
        for (name, entry) in fields { reader.note("\(key).\(name)", entry) }
        switch kind {
        case "stall":
            let duration = try reader.duration(fields["stall"]!.value, key: "\(key).stall", maximum: ScenarioLimits.maxShort)
            switch (fields["every"], fields["at"]) {
            case (let every?, nil):
                return .stall(duration: duration, every: UInt64(try reader.integer(every.value, key: "\(key).every", maximum: ScenarioLimits.maxEvery)),
                              at: nil)
            case (nil, let at?):
                return .stall(duration: duration, every: nil, at: try reader.duration(at.value, key: "\(key).at", allowZero: true))
            case (.some, .some):
                throw .rejected(node.location, key: key,
                                reason: "a stall takes either `every: N` (episodes) or `at: 20s` (into the measured part), not both")
            case (nil, nil):
                throw .missingKey(node.location, key: "\(key).every",
                                  hint: "a stall needs `every: N` (every N episodes) or `at: 20s` (once, into the measured part)")
            }
        case "slow":
            let stageNode = fields["slow"]!.value
            let stage = try reader.text(stageNode, key: "\(key).slow", expected: "a stage name of the workload")
            guard !stage.strippingBlanks.isEmpty else {
                throw .invalidValue(stageNode.location, key: "\(key).slow", value: "an empty name", expected: "a stage name of the workload")
            }
            switch (fields["extra"], fields["work"]) {
            case (let extra?, nil):
                return .slow(stage: stage.strippingBlanks,
                             extra: try reader.duration(extra.value, key: "\(key).extra", maximum: ScenarioLimits.maxExtra))
            case (nil, let work?):
                return .slowWork(stage: stage.strippingBlanks, iterations: try workIterations(work.value, key: "\(key).work"))
            case (.some, .some):
                throw .rejected(node.location, key: key,
                                reason: "a slow stage takes either `extra: 200us` (wall time) or `work: 20000` (loop iterations), not both")
            case (nil, nil):
                throw .missingKey(node.location, key: "\(key).extra",
                                  hint: "expected the extra work per episode: `extra: 200us` (wall time) or `work: 20000` (loop iterations)")
            }
        default: // leak
            return .leak(bytes: try reader.bytes(fields["leak"]!.value, key: "\(key).leak", maximum: ScenarioLimits.maxLeakBytes))
        }
    }

    /// A `work:` count: a whole number of loop iterations in 0…``maxWorkIterations``.
    func workIterations(_ node: DocNode, key: String) throws(ScenarioError) -> UInt64 {
        let expected = "a whole number of loop iterations from 0 to \(Self.maxWorkIterations)"
        let s = try reader.text(node, key: key, expected: expected)
        guard let v = UInt64(s.strippingBlanks), v <= Self.maxWorkIterations else {
            throw .invalidValue(node.location, key: key, value: node.described, expected: expected)
        }
        return v
    }
}
