import BenchModel

/// `phases:` entries: the load shapes and their fields.
extension ScenarioValidator {
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

    mutating func phase(_ node: DocNode, key: String) throws(ScenarioError) -> Phase {
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
        /// The list field `name` (`what`: one item's name, `example`: a sample list), not empty, each
        /// item read by `read` with its key (`phases[0].rates[2]`).
        func nonEmptyList<T>(_ name: String, of what: String, like example: String,
                             _ read: (DocNode, String) throws(ScenarioError) -> T) throws(ScenarioError) -> [T] {
            let listNode = try required(name)
            let items = try reader.list(listNode, key: "\(key).\(name)", expected: "a list of \(what)s like \(example)")
            guard !items.isEmpty else {
                throw .invalidValue(listNode.location, key: "\(key).\(name)", value: "an empty list",
                                    expected: "at least one \(what), like \(example)")
            }
            var values: [T] = []
            for (i, item) in items.enumerated() { values.append(try read(item, "\(key).\(name)[\(i)]")) }
            return values
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
            let rates = try nonEmptyList("rates", of: "rate", like: "[50, 100, 200]") { item, itemKey throws(ScenarioError) in
                try reader.rate(item, key: itemKey)
            }
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
            let levels = try nonEmptyList("concurrency", of: "concurrency level", like: "[1, 5, 10]") { item, itemKey throws(ScenarioError) in
                try reader.integer(item, key: itemKey, maximum: ScenarioLimits.maxWorkers)
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

    func seconds(_ s: Double) -> String {
        Units.formatNanoseconds(s * 1e9)
    }
}
