import BenchModel

/// Turns a document tree into a validated ``Scenario``, recording where every value came from.
struct ScenarioValidator {
    static let topLevelKeys = [
        "name", "description", "seed", "warmup", "interval", "workers", "max_queue", "spin", "arrivals",
        "pipeline", "stimulus", "workload", "phases", "inject", "thresholds", "affinity",
    ]

    /// Fields of each phase kind, in the order a message lists them.
    static let phaseFields: [(kind: String, fields: [String], example: String)] = [
        ("constant", ["rate", "duration"], "{ kind: constant, rate: 15, duration: 60s }"),
        ("ramp", ["from", "to", "duration"], "{ kind: ramp, from: 10, to: 500, duration: 30s }"),
        ("step", ["rates", "each"], "{ kind: step, rates: [50, 100, 200], each: 10s }"),
        ("spike", ["base", "peak", "at", "hold", "duration"],
         "{ kind: spike, base: 50, peak: 2000, at: 5s, hold: 1s, duration: 15s }"),
        ("burst", ["count"], "{ kind: burst, count: 100 }"),
        ("closed", ["concurrency", "each"], "{ kind: closed, concurrency: [1, 5, 10], each: 10s }"),
    ]
    static let openLoopPhaseKeys = ["workers", "max_queue", "spin", "arrivals"]
    /// Keys of rate phases only: a burst's arrivals are all due at once, so they have no spacing to
    /// choose and nothing to spin for.
    static let ratePhaseKeys = ["spin", "arrivals"]

    var reader = ValueReader()
    /// The scenario file's folder (absolute): where an external workload's children start.
    var directory = ""

    mutating func scenario(from root: DocNode) throws(ScenarioError) -> Scenario {
        let top = try reader.entries(root, key: "", allowed: Self.topLevelKeys,
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

        for section in ["pipeline", "stimulus"] {
            guard let e = top[section], !e.value.isNull else { continue }
            guard case .mapping = e.value.value else {
                throw .invalidValue(e.value.location, key: section, value: e.value.described,
                                    expected: "a mapping of settings, e.g. `\(section): { \(section == "pipeline" ? "memory: off" : "zipf: 1.1") }`")
            }
            try flatten(e.value, key: section, into: &scenario.workload)
        }

        if let e = top["workload"], !e.value.isNull {
            if let section = ["pipeline", "stimulus"].first(where: { top[$0].map { !$0.value.isNull } ?? false }) {
                throw .rejected(top[section]!.keyLocation, key: section,
                                reason: "`\(section):` configures the built-in pipeline, but `workload:` (line \(e.keyLocation.line ?? 1)) drives an external one; remove one of them")
            }
            scenario.external = try external(e.value, directory: directory)
        }

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

        if let external = scenario.external { try fit(&scenario, to: external) }

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

    /// `pipeline:` / `stimulus:` maps of any depth → fully qualified dotted keys with scalar text.
    private mutating func flatten(_ node: DocNode, key: String, into workload: inout [String: String]) throws(ScenarioError) {
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

    private mutating func phase(_ node: DocNode, key: String) throws(ScenarioError) -> Phase {
        reader.note(key, node)
        let kinds = Self.phaseFields.map(\.kind)
        let expectedPhase = "a phase mapping like \(Self.phaseFields[0].example)"
        guard case .mapping(let list) = node.value else {
            throw .invalidValue(node.location, key: key, value: node.described, expected: expectedPhase)
        }
        guard let kindNode = list.first(where: { $0.key == "kind" })?.value else {
            throw .missingKey(node.location, key: "\(key).kind", hint: "expected one of \(kinds.joined(separator: ", "))")
        }
        let kind = try reader.text(kindNode, key: "\(key).kind", expected: "one of \(kinds.joined(separator: ", "))")
        guard let spec = Self.phaseFields.first(where: { $0.kind == kind }) else {
            let hint = KeySuggestion.closest(to: kind, among: kinds).map { " (did you mean `\($0)`?)" } ?? ""
            throw .invalidValue(kindNode.location, key: "\(key).kind", value: kindNode.described,
                                expected: "one of \(kinds.joined(separator: ", "))\(hint)")
        }
        if kind == "closed", let extra = list.first(where: { Self.openLoopPhaseKeys.contains($0.key) }) {
            let reason = Self.ratePhaseKeys.contains(extra.key)
                ? "a closed phase has no arrival schedule: each worker starts its next episode when the last ends"
                : "a closed phase has no arrival queue or worker pool; its `concurrency` sets the workers"
            throw .rejected(extra.keyLocation, key: "\(key).\(extra.key)", reason: reason)
        }
        if kind == "burst", let extra = list.first(where: { Self.ratePhaseKeys.contains($0.key) }) {
            throw .rejected(extra.keyLocation, key: "\(key).\(extra.key)",
                            reason: "a burst's arrivals are all due at once, so `\(extra.key)` does not apply; use it on constant, ramp, step or spike phases")
        }
        let allowed = ["kind"] + spec.fields + (kind == "closed" ? [] : Self.openLoopPhaseKeys)
        let fields = try reader.entries(node, key: key, allowed: allowed, expected: expectedPhase)
        for (name, entry) in fields { reader.note("\(key).\(name)", entry) }

        func required(_ name: String) throws(ScenarioError) -> DocNode {
            guard let entry = fields[name] else {
                throw .missingKey(node.location, key: "\(key).\(name)",
                                  hint: "a \(kind) phase needs \(spec.fields.joined(separator: ", ")), e.g. \(spec.example)")
            }
            return entry.value
        }
        let load: LoadShape
        switch kind {
        case "constant":
            load = .constant(rate: try reader.rate(try required("rate"), key: "\(key).rate"),
                             duration: try reader.duration(try required("duration"), key: "\(key).duration"))
        case "ramp":
            load = .ramp(from: try reader.rate(try required("from"), key: "\(key).from", allowZero: true),
                         to: try reader.rate(try required("to"), key: "\(key).to", allowZero: true),
                         duration: try reader.duration(try required("duration"), key: "\(key).duration"))
        case "step":
            let ratesNode = try required("rates")
            let items = try reader.list(ratesNode, key: "\(key).rates", expected: "a list of rates like [50, 100, 200]")
            guard !items.isEmpty else {
                throw .invalidValue(ratesNode.location, key: "\(key).rates", value: "an empty list",
                                    expected: "at least one rate, like [50, 100, 200]")
            }
            var rates: [Double] = []
            for (i, item) in items.enumerated() { rates.append(try reader.rate(item, key: "\(key).rates[\(i)]")) }
            load = .step(rates: rates, each: try reader.duration(try required("each"), key: "\(key).each"))
        case "spike":
            let base = try reader.rate(try required("base"), key: "\(key).base", allowZero: true)
            let peakNode = try required("peak")
            let peak = try reader.rate(peakNode, key: "\(key).peak")
            guard peak >= base else {
                throw .invalidValue(peakNode.location, key: "\(key).peak", value: peakNode.described,
                                    expected: "a peak ≥ base (\(Units.format(base, "/s")))")
            }
            let at = try reader.duration(try required("at"), key: "\(key).at", allowZero: true)
            let holdNode = try required("hold")
            let hold = try reader.duration(holdNode, key: "\(key).hold")
            let duration = try reader.duration(try required("duration"), key: "\(key).duration")
            guard at + hold <= duration else {
                throw .invalidValue(holdNode.location, key: "\(key).hold", value: holdNode.described,
                                    expected: "at + hold ≤ duration, but \(seconds(at)) + \(seconds(hold)) > \(seconds(duration))")
            }
            load = .spike(base: base, peak: peak, at: at, hold: hold, duration: duration)
        case "burst":
            load = .burst(count: try reader.integer(try required("count"), key: "\(key).count", maximum: ScenarioLimits.maxCount))
        default: // closed
            let levelsNode = try required("concurrency")
            let items = try reader.list(levelsNode, key: "\(key).concurrency", expected: "a list of concurrency levels like [1, 5, 10]")
            guard !items.isEmpty else {
                throw .invalidValue(levelsNode.location, key: "\(key).concurrency", value: "an empty list",
                                    expected: "at least one concurrency level, like [1, 5, 10]")
            }
            var levels: [Int] = []
            for (i, item) in items.enumerated() {
                levels.append(try reader.integer(item, key: "\(key).concurrency[\(i)]", maximum: ScenarioLimits.maxWorkers))
            }
            load = .closed(concurrency: levels, each: try reader.duration(try required("each"), key: "\(key).each"))
        }
        // A phase must schedule something: a ramp from 0 to 0 (or a spike of base 0 and no hold) would
        // run for its whole duration and measure nothing.
        if let mean = load.meanRate, mean <= 0 {
            throw .invalidValue(node.location, key: key, value: "a \(kind) phase whose rate is 0 throughout",
                                expected: "a phase that schedules at least one arrival (a rate above 0 somewhere)")
        }
        var phase = Phase(load)
        if let e = fields["workers"] { phase.workers = try reader.integer(e.value, key: "\(key).workers", maximum: ScenarioLimits.maxWorkers) }
        if let e = fields["max_queue"] {
            phase.maxQueue = try reader.integer(e.value, key: "\(key).max_queue", maximum: ScenarioLimits.maxCount)
        }
        if let e = fields["spin"] { phase.spin = try reader.spinWindow(e.value, key: "\(key).spin") }
        if let e = fields["arrivals"] { phase.arrivals = try reader.arrivalProcess(e.value, key: "\(key).arrivals") }
        return phase
    }

    private static let faultShapes = "{ stall: 100ms, every: 1000 }, { stall: 100ms, at: 20s }, { slow: ESGT, extra: 200us }, "
        + "{ slow: ESGT, work: 20000 } or { leak: 16KB }"

    /// Most `work:` iterations per episode: about a second of work, far beyond any useful slowdown, and
    /// small enough that no count derived from it can overflow.
    static let maxWorkIterations: UInt64 = 1_000_000_000

    /// The harness injects one wall-time slow stage and one `work:` stage; a second of either kind
    /// would silently replace the first, so it is an error.
    private func rejectSecond(_ fault: Fault, of earlier: [Fault], at node: DocNode, key: String) throws(ScenarioError) {
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

    private mutating func fault(_ node: DocNode, key: String) throws(ScenarioError) -> Fault {
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
            let stage = try reader.text(stageNode, key: "\(key).slow", expected: "a stage name like ESGT")
            guard !stage.strippingBlanks.isEmpty else {
                throw .invalidValue(stageNode.location, key: "\(key).slow", value: "an empty name", expected: "a stage name like ESGT")
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
    private func workIterations(_ node: DocNode, key: String) throws(ScenarioError) -> UInt64 {
        let expected = "a whole number of loop iterations from 0 to \(Self.maxWorkIterations)"
        let s = try reader.text(node, key: key, expected: expected)
        guard let v = UInt64(s.strippingBlanks), v <= Self.maxWorkIterations else {
            throw .invalidValue(node.location, key: key, value: node.described, expected: expected)
        }
        return v
    }

    private func seconds(_ s: Double) -> String {
        Units.formatNanoseconds(s * 1e9)
    }
}
