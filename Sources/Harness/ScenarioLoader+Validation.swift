import BenchModel

/// Turns a document tree into a validated ``Scenario``, recording where every value came from.
struct ScenarioValidator {
    /// The keys the harness itself reads; the registered workloads add their sections.
    static let harnessKeys = [
        "name", "description", "seed", "warmup", "interval", "workers", "max_queue", "spin", "arrivals",
        "phases", "inject", "thresholds", "affinity",
    ]

    var reader = ValueReader()
    /// The workloads whose sections a scenario may have.
    var workloads = WorkloadProviders()
    /// The structured workload sections the scenario has, as written (``WorkloadSection/structured``).
    var sections: [String: SettingValue] = [:]

    mutating func scenario(from root: DocNode) throws(ScenarioError) -> Scenario {
        let sections = workloads.sections
        let top = try reader.entries(root, key: "", allowed: Self.harnessKeys + sections.map(\.name),
                                     expected: "a mapping of scenario keys (name, phases, …)")
        for (key, entry) in top { reader.note(key, entry) }

        guard let nameEntry = top["name"] else {
            throw .missingKey(root.location, key: "name", hint: "expected a scenario name, e.g. `name: steady`")
        }
        let name = try reader.text(nameEntry.value, key: "name", expected: "a scenario name")
        guard !name.strippingBlanks.isEmpty else {
            throw .invalidValue(nameEntry.value.location, key: "name", value: "an empty name", expected: "a scenario name")
        }
        var scenario = Scenario(name: name, phases: [])
        if let e = top["description"] { scenario.description = try reader.text(e.value, key: "description") }
        if let e = top["seed"] { scenario.seed = try reader.unsigned(e.value, key: "seed") }
        if let e = top["warmup"] {
            if case .mapping = e.value.value {
                (scenario.warmup, scenario.steadyWarmup) = try steadyWarmup(e.value)
            } else {
                scenario.warmup = try reader.duration(e.value, key: "warmup", allowZero: true, maximum: ScenarioLimits.maxShort)
            }
        }
        if let e = top["affinity"] { scenario.affinity = try affinity(e.value) }
        if let e = top["interval"] {
            scenario.interval = try reader.duration(e.value, key: "interval", maximum: ScenarioLimits.maxShort)
            guard scenario.interval >= ScenarioLimits.minInterval else {
                throw .invalidValue(e.value.location, key: "interval", value: e.value.described, expected: "an interval of at least 1ms")
            }
        }
        if let e = top["workers"] { scenario.workers = try reader.integer(e.value, key: "workers", maximum: ScenarioLimits.maxWorkers) }
        if let e = top["max_queue"] { scenario.maxQueue = try reader.integer(e.value, key: "max_queue", maximum: ScenarioLimits.maxCount) }
        if let e = top["spin"] { scenario.spin = try reader.spinWindow(e.value, key: "spin") }
        if let e = top["arrivals"] { scenario.arrivals = try reader.arrivalProcess(e.value, key: "arrivals") }

        try workloadSections(top, into: &scenario)

        guard let phasesEntry = top["phases"] else {
            throw .missingKey(root.location, key: "phases",
                              hint: "expected a list of phases, e.g. `phases: [{ kind: constant, rate: 15, duration: 60s }]`")
        }
        let phaseNodes = try reader.list(phasesEntry.value, key: "phases", expected: "a list of phases")
        guard !phaseNodes.isEmpty else {
            throw .invalidValue(phasesEntry.value.location, key: "phases", value: "an empty list", expected: "at least one phase")
        }
        for (i, node) in phaseNodes.enumerated() {
            scenario.phases.append(try phase(node, key: "phases[\(i)]"))
        }

        if let e = top["inject"], !e.value.isNull {
            let items = try reader.list(e.value, key: "inject", expected: "a list of faults")
            for (i, node) in items.enumerated() {
                let fault = try fault(node, key: "inject[\(i)]")
                try rejectSecond(fault, of: scenario.inject, at: node, key: "inject[\(i)]")
                scenario.inject.append(fault)
            }
        }

        if let e = top["thresholds"], !e.value.isNull {
            let items = try reader.list(e.value, key: "thresholds", expected: "a list of threshold expressions")
            for (i, node) in items.enumerated() {
                let key = "thresholds[\(i)]"
                reader.note(key, node)
                guard case .scalar(let text, false, true) = node.value else {
                    throw .invalidValue(node.location, key: key, value: node.described,
                                        expected: "a threshold expression string like \"e2e.p99 < 5ms\"")
                }
                scenario.thresholds.append(text)
            }
        }
        return scenario
    }

    /// `warmup: { until: steady, min: 1s, max: 8s, batch: 100ms }`: the warm-up's upper bound and its
    /// steady-state rule.
    private mutating func steadyWarmup(_ node: DocNode) throws(ScenarioError) -> (Double, SteadyWarmup) {
        let example = "`warmup: { until: steady, min: 1s, max: 8s }`"
        let e = try reader.entries(node, key: "warmup", allowed: ["until", "min", "max", "batch"],
                                   expected: "a duration like 2s, or \(example)")
        for (key, entry) in e { reader.note("warmup.\(key)", entry) }
        guard let until = e["until"] else {
            throw .missingKey(node.location, key: "warmup.until", hint: "expected `until: steady`, e.g. \(example)")
        }
        guard try reader.text(until.value, key: "warmup.until", expected: "steady") == "steady" else {
            throw .invalidValue(until.value.location, key: "warmup.until", value: until.value.described, expected: "steady")
        }
        guard let maxEntry = e["max"] else {
            throw .missingKey(node.location, key: "warmup.max", hint: "a steady warm-up needs an upper bound, e.g. \(example)")
        }
        let maximum = try reader.duration(maxEntry.value, key: "warmup.max", maximum: ScenarioLimits.maxShort)
        let minimum = try e["min"].map { entry throws(ScenarioError) in
            try reader.duration(entry.value, key: "warmup.min", allowZero: true, maximum: ScenarioLimits.maxShort)
        } ?? 0
        guard minimum <= maximum else {
            throw .invalidValue(e["min"]!.value.location, key: "warmup.min", value: e["min"]!.value.described,
                                expected: "a duration no longer than warmup.max (\(ScenarioLimits.describe(seconds: maximum)))")
        }
        let batch = try e["batch"].map { entry throws(ScenarioError) in
            try reader.duration(entry.value, key: "warmup.batch", maximum: ScenarioLimits.maxShort)
        } ?? 0.1
        let batches = Double(SteadyWarmup.minimumBatches)
        guard batch >= ScenarioLimits.minInterval, batch * batches <= maximum else {
            let node = e["batch"]?.value ?? maxEntry.value
            throw .invalidValue(node.location, key: e["batch"] == nil ? "warmup.max" : "warmup.batch", value: node.described,
                                expected: "room for \(Int(batches)) batches of at least 1ms: warmup.max ≥ \(Int(batches)) × batch (batch \(ScenarioLimits.describe(seconds: batch)))")
        }
        return (maximum, SteadyWarmup(minimum: minimum, batch: batch))
    }

    /// `affinity: none`, `affinity: spread` or `affinity: { workers: [0, 1], sampler: 1 }`.
    private mutating func affinity(_ node: DocNode) throws(ScenarioError) -> Affinity? {
        let expected = "none, spread, or CPUs like `{ workers: [0, 1], sampler: 1 }`"
        guard case .mapping = node.value else {
            let word = try reader.text(node, key: "affinity", expected: expected).strippingBlanks
            switch word {
            case "none": return nil
            case "spread": return Affinity()
            default:
                let hint = KeySuggestion.closest(to: word, among: ["none", "spread"]).map { " (did you mean `\($0)`?)" } ?? ""
                throw .invalidValue(node.location, key: "affinity", value: node.described, expected: expected + hint)
            }
        }
        let e = try reader.entries(node, key: "affinity", allowed: ["workers", "sampler"], expected: expected)
        for (key, entry) in e { reader.note("affinity.\(key)", entry) }
        var affinity = Affinity()
        if let w = e["workers"] {
            let items = try reader.list(w.value, key: "affinity.workers", expected: "a list of CPU numbers, e.g. [0, 1]")
            guard !items.isEmpty else {
                throw .invalidValue(w.value.location, key: "affinity.workers", value: "an empty list", expected: "at least one CPU number")
            }
            for (i, item) in items.enumerated() {
                affinity.workers.append(try reader.integer(item, key: "affinity.workers[\(i)]", minimum: 0, maximum: ScenarioLimits.maxCPU))
            }
        }
        if let c = e["sampler"] {
            affinity.sampler = try reader.integer(c.value, key: "affinity.sampler", minimum: 0, maximum: ScenarioLimits.maxCPU)
        }
        return affinity
    }

    /// A workload's section (`stage: { delay_us: 20 }`): maps of any depth → fully qualified dotted keys with scalar text.
    mutating func flatten(_ node: DocNode, key: String, into workload: inout [String: String]) throws(ScenarioError) {
        switch node.value {
        case .mapping(let entries):
            for entry in entries {
                let child = "\(key).\(entry.key)"
                reader.note(child, entry)
                try flatten(entry.value, key: child, into: &workload)
            }
        case .scalar(let text, false, _):
            workload[key] = text
        case .scalar, .sequence:
            throw .invalidValue(node.location, key: key, value: node.described,
                                expected: "a value (number, word) or a nested mapping of settings")
        }
    }
}
