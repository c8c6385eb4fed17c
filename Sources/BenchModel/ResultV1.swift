/// A result of schema `phibench.result/1`, read so that old results (and committed baselines) still
/// load, report and compare. Version 1 kept one summary struct with fixed fields and histograms for
/// the whole run only; the upgrade keeps every figure as it was written (`metrics`), rebuilds spans
/// whose counters and gauges give the same figures again, and a catalogue: the harness's metrics,
/// the latency keys it had (alphabetical: version 1 did not record the stage order), and for each
/// workload-specific object of its summary (version 1 had one, a cache) its counters and hit rate.
/// Version 1 did not name its workload: the ``ResultV1Upgrade`` of the workload that wrote it (its
/// provider's) gives the name and which of the other top-level objects are the workload's details.
struct ResultV1: Decodable {
    static let schemaID = "phibench.result/1"

    var scenario: ScenarioRecord
    var machine: MachineInfo
    var build: BuildInfo
    var startedAt: String
    var durationSeconds: Double
    var interrupted: Bool
    var warnings: [String]
    var summary: [String: JSONValue]
    var phases: [[String: JSONValue]]
    var trials: [Trial]
    var timeseries: [[String: JSONValue]]
    var histograms: [String: LatencyHistogram]
    var thresholds: [ThresholdResult]
    /// Top-level objects version 1 did not define for every workload (a workload's own figures), by key.
    var extras: [String: JSONValue]
    var leak: LeakVerdict?
    var profile: ProfileInfo?

    struct Trial: Decodable {
        var trial: Int
        var seed: UInt64
        var durationSeconds: Double
        var summary: [String: JSONValue]
        var phases: [[String: JSONValue]]

        enum CodingKeys: String, CodingKey {
            case trial, seed, summary, phases
            case durationSeconds = "durationS"
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case scenario, machine, build, startedAt, interrupted, warnings, summary, phases, trials, timeseries, histograms
        case thresholds, leak, profile
        case durationSeconds = "durationS"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        scenario = try c.decode(ScenarioRecord.self, forKey: .scenario)
        machine = try c.decode(MachineInfo.self, forKey: .machine)
        build = try c.decode(BuildInfo.self, forKey: .build)
        startedAt = try c.decode(String.self, forKey: .startedAt)
        durationSeconds = try c.decode(Double.self, forKey: .durationSeconds)
        interrupted = try c.decodeIfPresent(Bool.self, forKey: .interrupted) ?? false
        warnings = try c.decodeIfPresent([String].self, forKey: .warnings) ?? []
        summary = try c.decode([String: JSONValue].self, forKey: .summary)
        guard summary["throughput_eps"]?.number != nil else {
            throw DecodingError.keyNotFound(JSONCoding.Key("throughput_eps"), .init(codingPath: [CodingKeys.summary], debugDescription: "missing"))
        }
        phases = try c.decodeIfPresent([[String: JSONValue]].self, forKey: .phases) ?? []
        trials = try c.decodeIfPresent([Trial].self, forKey: .trials) ?? []
        timeseries = try c.decodeIfPresent([[String: JSONValue]].self, forKey: .timeseries) ?? []
        histograms = try c.decodeIfPresent([String: LatencyHistogram].self, forKey: .histograms) ?? [:]
        thresholds = try c.decodeIfPresent([ThresholdResult].self, forKey: .thresholds) ?? []
        // The whole object as it is written: a keyed container's keys would come through the decoder's
        // key strategy (`memory_layer` read as `memoryLayer`); a string-keyed dictionary's do not.
        let all = try decoder.singleValueContainer().decode([String: JSONValue].self)
        let known = Set(["schema"] + CodingKeys.allCases.map { JSONCoding.jsonName(of: $0) })
        extras = all.filter { !known.contains($0.key) }
        leak = try c.decodeIfPresent(LeakVerdict.self, forKey: .leak)
        profile = try c.decodeIfPresent(ProfileInfo.self, forKey: .profile)
    }

    /// Summary keys the harness owned in version 1; any other object in a summary was the workload's.
    private static let harnessKeys: Set<String> = ["episodes", "errors", "dropped", "throughput_eps", "latency_ns", "memory", "cpu"]

    /// The result as schema version 2; `upgrade` is the workload's (nil: an unnamed workload without details).
    func upgraded(_ upgrade: ResultV1Upgrade?) -> BenchResult {
        let workload = upgrade?.workload ?? "unknown"
        var details: [String: JSONValue] = [:]
        for key in upgrade?.detailKeys ?? [] { details[key] = extras[key] }
        let catalogue = makeCatalogue(workload: workload)
        let trialSummaries = trials.map { t in
            TrialSummary(trial: t.trial, seed: t.seed, durationSeconds: t.durationSeconds,
                         summary: Self.summary(t.summary, histograms: [:]),
                         phases: t.phases.map { Self.phase($0) })
        }
        var w = warnings.map(Self.classify)
        if !w.contains(where: { $0.kind == .debugBuild }) && build.configuration != "release" { w.insert(.debugBuild(build.configuration), at: 0) }
        if !w.contains(where: { $0.kind == .jemallocOff }) && !build.jemalloc { w.append(.jemallocOff) }
        return BenchResult(
            scenario: scenario, machine: machine, build: build, startedAt: startedAt, durationSeconds: durationSeconds,
            interrupted: interrupted, warnings: w,
            workload: WorkloadRecord(name: workload, details: details.isEmpty ? nil : .object(details)),
            catalogue: catalogue, summary: Self.summary(summary, histograms: histograms),
            phases: phases.map { Self.phase($0) }, trials: trialSummaries,
            timeseries: timeseries.map(Self.point), thresholds: thresholds, leak: leak, profile: profile)
    }

    private func makeCatalogue(workload: String) -> MetricCatalogue {
        var latencyKeys = Set(histograms.keys)
        if case .object(let l)? = summary["latency_ns"] { latencyKeys.formUnion(l.keys) }
        latencyKeys.subtract(MetricCatalogue.harnessHistograms.map(\.key))
        let stages = latencyKeys.sorted().map { k -> WorkloadVocabulary.Stage in
            let parent = k.lastIndex(of: ".").map { String(k[..<$0]) }
            return WorkloadVocabulary.Stage(k, parent: parent.flatMap { latencyKeys.contains($0) ? $0 : nil })
        }
        var metrics: [MetricDescriptor] = []
        for (object, value) in summary.sorted(by: { $0.key < $1.key }) where !Self.harnessKeys.contains(object) {
            guard case .object(let fields) = value else { continue }
            for field in fields.keys.sorted() where fields[field]?.number != nil && field != "cache_hit_rate" {
                metrics.append(MetricDescriptor(key: "\(object).\(field)", label: "\(object) \(field)", unit: .count,
                                                direction: .informational, source: .counter("\(object).\(field)")))
            }
            if fields["hits"] != nil, fields["misses"] != nil {
                metrics.append(MetricDescriptor(
                    key: "\(object).cache_hit_rate", label: "\(object) cache hit rate", unit: .fraction, direction: .higherIsBetter,
                    source: .ratio(["\(object).hits"], over: ["\(object).hits", "\(object).misses"]),
                    summary: "hits ÷ (hits + misses)", gated: true, highlight: true, series: true))
            }
        }
        return MetricCatalogue.standard(for: WorkloadVocabulary(name: workload, stages: stages, metrics: metrics))
    }

    /// A version 1 summary object as a span (rebuilt counters and gauges) plus its figures as written.
    static func summary(_ s: [String: JSONValue], histograms: [String: LatencyHistogram]) -> RunSummary {
        func num(_ path: String...) -> Double? {
            var v: JSONValue? = .object(s)
            for p in path {
                guard case .object(let o)? = v else { return nil }
                v = o[p]
            }
            return v?.number
        }
        let episodes = num("episodes") ?? 0
        let throughput = num("throughput_eps") ?? 0
        var span = Span(seconds: throughput > 0 ? episodes / throughput : 0, episodes: UInt64(clamping: Int64(episodes.clamped)),
                        errors: UInt64(clamping: Int64((num("errors") ?? 0).clamped)), dropped: UInt64(clamping: Int64((num("dropped") ?? 0).clamped)),
                        histograms: histograms)
        var metrics: [String: Double] = ["throughput": throughput, "episodes": episodes,
                                         "errors": Double(span.errors), "dropped": Double(span.dropped)]
        metrics["error_rate"] = span.episodes == 0 ? 0 : Double(span.errors) / episodes
        if case .object(let latency)? = s["latency_ns"] {
            for (key, value) in latency {
                guard case .object(let stats) = value else { continue }
                for (stat, v) in stats { if let n = v.number { metrics["\(key).\(stat)"] = n } }
            }
        }
        if let start = num("memory", "rss_start_bytes"), let end = num("memory", "rss_end_bytes") {
            span.gauges[SpanKey.rss] = Gauge(start: start, end: end, peak: num("memory", "rss_peak_bytes"),
                                             slope: num("memory", "rss_slope_bytes_per_episode"))
        }
        for (field, key) in [("allocated", SpanKey.jemallocAllocated), ("active", SpanKey.jemallocActive),
                             ("resident", SpanKey.jemallocResident), ("mapped", SpanKey.jemallocMapped)] {
            if let v = num("memory", "jemalloc", field) { span.gauges[key] = Gauge(start: v, end: v) }
        }
        if let a = num("memory", "allocations_per_episode") { span.counters[SpanKey.allocations] = a * episodes }
        if let b = num("memory", "bytes_allocated_per_episode") { span.counters[SpanKey.allocatedBytes] = b * episodes }
        if let u = num("cpu", "user_s") { span.counters[SpanKey.cpuUser] = u }
        if let y = num("cpu", "system_s") { span.counters[SpanKey.cpuSystem] = y }
        for (path, key) in [(["memory", "rss_start_bytes"], "memory.rss_start_bytes"), (["memory", "rss_end_bytes"], "memory.rss_end_bytes"),
                            (["memory", "rss_peak_bytes"], "memory.rss_peak_bytes"), (["memory", "rss_growth_pct"], "memory.rss_growth_pct"),
                            (["memory", "rss_slope_bytes_per_episode"], "memory.rss_slope_bytes_per_episode"),
                            (["memory", "allocations_per_episode"], "memory.allocations_per_episode"),
                            (["memory", "bytes_allocated_per_episode"], "memory.bytes_allocated_per_episode"),
                            (["memory", "jemalloc", "allocated"], "memory.jemalloc.allocated"),
                            (["memory", "jemalloc", "active"], "memory.jemalloc.active"),
                            (["memory", "jemalloc", "resident"], "memory.jemalloc.resident"),
                            (["memory", "jemalloc", "mapped"], "memory.jemalloc.mapped"),
                            (["cpu", "user_s"], "cpu.user_s"), (["cpu", "system_s"], "cpu.system_s"), (["cpu", "utilization"], "cpu.utilization")] {
            var v: JSONValue? = .object(s)
            for p in path { if case .object(let o)? = v { v = o[p] } else { v = nil } }
            if let n = v?.number { metrics[key] = n }
        }
        for (object, value) in s where !harnessKeys.contains(object) {
            guard case .object(let fields) = value else { continue }
            for (field, v) in fields {
                guard let n = v.number else { continue }
                metrics["\(object).\(field)"] = n
                if field != "cache_hit_rate" { span.counters["\(object).\(field)"] = n }
            }
        }
        return RunSummary(span: span, metrics: metrics)
    }

    static func phase(_ p: [String: JSONValue]) -> PhaseSummary {
        func num(_ k: String) -> Double? { p[k]?.number }
        func text(_ k: String) -> String { if case .string(let s)? = p[k] { s } else { "" } }
        return PhaseSummary(
            index: Int(num("index") ?? 0), scenarioPhase: Int(num("scenario_phase") ?? 0), kind: text("kind"), label: text("label"),
            targetRate: num("target_rate"), concurrency: Int(num("concurrency") ?? 0), maxQueueDepth: UInt64((num("max_queue_depth") ?? 0).clamped),
            drainSeconds: num("drain_s"), startSeconds: num("start_s") ?? 0, durationSeconds: num("duration_s") ?? 0,
            stats: summary(p, histograms: [:]))
    }

    static func point(_ p: [String: JSONValue]) -> TimeseriesPoint {
        func num(_ k: String) -> Double? { p[k]?.number }
        let episodes = num("episodes") ?? 0
        var metrics: [String: Double] = [:]
        let renames = ["throughput_eps": "throughput", "p50_ns": "e2e.p50", "p99_ns": "e2e.p99", "max_ns": "e2e.max",
                       "rss_bytes": "memory.rss_end_bytes", "jemalloc_allocated": "memory.jemalloc.allocated",
                       "errors": "errors", "dropped": "dropped", "cpu_utilization": "cpu.utilization"]
        for (old, new) in renames { if let v = num(old) { metrics[new] = v } }
        if episodes > 0 {
            if let a = num("allocations") { metrics["memory.allocations_per_episode"] = a / episodes }
            if let b = num("bytes_allocated") { metrics["memory.bytes_allocated_per_episode"] = b / episodes }
        }
        for (k, v) in p where k.hasSuffix("_cache_hit_rate") {
            if let n = v.number { metrics[String(k.dropLast("_cache_hit_rate".count)) + ".cache_hit_rate"] = n }
        }
        return TimeseriesPoint(tSeconds: num("t_s") ?? 0, intervalSeconds: num("interval_s") ?? 0, phase: Int(num("phase") ?? -1),
                               episodes: UInt64(episodes.clamped), episodesTotal: UInt64((num("episodes_total") ?? 0).clamped),
                               targetRate: num("target_rate"), queueDepth: UInt64((num("queue_depth") ?? 0).clamped), metrics: metrics)
    }

    /// A version 1 warning (a sentence) as a typed warning.
    static func classify(_ text: String) -> RunWarning {
        let t = text.lowercased()
        let table: [(String, RunWarning.Kind, RunWarning.Severity)] = [
            ("debug build", .debugBuild, .bad), ("without jemalloc", .jemallocOff, .note), ("interrupted", .interrupted, .bad),
            ("uncommitted changes", .dirtyTree, .info), ("never started", .abandoned, .note), ("episodes failed", .failedEpisodes, .note),
            ("dropped at the queue", .dropped, .note), ("rebuilt from", .rebuilt, .note), ("no end line", .killed, .bad),
        ]
        for (needle, kind, severity) in table where t.contains(needle) { return RunWarning(kind, severity, text) }
        return RunWarning(.other, .note, text)
    }
}

extension Double {
    /// Clamped into 0…2^53 (version 1 counts written as numbers), NaN as 0.
    fileprivate var clamped: Double { isNaN ? 0 : Swift.min(Swift.max(self, 0), Double(Span.maxCount)) }
}
