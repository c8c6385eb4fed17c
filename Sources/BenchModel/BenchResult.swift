/// One run's results: the source of truth every report and comparison is made from.
///
/// Encoded as `result.json`, schema ``BenchResult/schemaID`` (see the README for the field list).
/// Field names are stable snake_case so other tools can read them. Every figure is derived from a
/// ``Span`` by the ``MetricCatalogue`` the result records, and every span keeps its histograms, so
/// a percentile is always read from a histogram — of a trial, a phase, or all trials merged.
public struct BenchResult: Sendable, Codable, Equatable {
    /// The schema identifier written into every result.
    public static let schemaID = "phibench.result/2"

    public var schema: String
    /// The scenario as resolved: file, overrides applied, defaults filled in.
    public var scenario: ScenarioRecord
    public var machine: MachineInfo
    public var build: BuildInfo
    /// ISO 8601 UTC time the measured part started.
    public var startedAt: String
    /// Wall time of the measured part (warm-up excluded), seconds, all trials.
    public var durationSeconds: Double
    /// True when the run was stopped early by SIGINT/SIGTERM; what it measured is still here.
    public var interrupted: Bool
    /// Things a reader must know before trusting the numbers (debug build, jemalloc off, …).
    public var warnings: [RunWarning]
    /// What was driven: its name, its opaque details and the events it reported.
    public var workload: WorkloadRecord
    /// The metrics this result was measured with: histograms (the stage order) and every other metric.
    public var catalogue: MetricCatalogue
    /// Everything measured, all complete trials merged.
    public var summary: RunSummary
    /// One entry per scenario phase (a step phase has one per rate, a closed phase one per
    /// concurrency level), complete trials merged.
    public var phases: [PhaseSummary]
    /// One entry per trial, for statistics in `compare`.
    public var trials: [TrialSummary]
    /// Per-interval snapshots over the run (first trial, or the only one).
    public var timeseries: [TimeseriesPoint]
    /// Threshold expressions from the scenario, evaluated on ``summary``.
    public var thresholds: [ThresholdResult]
    /// Statistics of a leak analysis over the time series (soak runs).
    public var leak: LeakVerdict?
    /// CPU or heap profile produced with this run, if any.
    public var profile: ProfileInfo?
    /// The execution segment this run measured (`run --segment`), its common start and its
    /// generator's health; nil for a run of the whole test.
    public var segment: SegmentRun?
    /// How this result was merged from segment results (`merge`); nil otherwise.
    public var distributed: DistributedRun?
    /// Whether phibench itself kept up: its CPU (per episode and cores busy), the lateness of its
    /// open-loop starts, its drops. Every run has it; results written before it was added do not.
    public var generator: GeneratorHealth?

    public init(
        scenario: ScenarioRecord, machine: MachineInfo, build: BuildInfo, startedAt: String,
        durationSeconds: Double, interrupted: Bool = false, warnings: [RunWarning] = [],
        workload: WorkloadRecord, catalogue: MetricCatalogue, summary: RunSummary,
        phases: [PhaseSummary] = [], trials: [TrialSummary] = [], timeseries: [TimeseriesPoint] = [],
        thresholds: [ThresholdResult] = [], leak: LeakVerdict? = nil, profile: ProfileInfo? = nil
    ) {
        self.schema = Self.schemaID
        self.scenario = scenario
        self.machine = machine
        self.build = build
        self.startedAt = startedAt
        self.durationSeconds = durationSeconds
        self.interrupted = interrupted
        self.warnings = warnings
        self.workload = workload
        self.catalogue = catalogue
        self.summary = summary
        self.phases = phases
        self.trials = trials
        self.timeseries = timeseries
        self.thresholds = thresholds
        self.leak = leak
        self.profile = profile
    }

    enum CodingKeys: String, CodingKey {
        case schema, scenario, machine, build
        case startedAt = "started_at"
        case durationSeconds = "duration_s"
        case interrupted, warnings, workload, catalogue, summary, phases, trials, timeseries, thresholds
        case leak, profile, segment, distributed, generator
    }

    /// Trials that ran to their end (an interrupted trial is partial and left out of statistics).
    public var completeTrials: [TrialSummary] { trials.filter { !$0.partial } }
}

/// What a result measured: the workload's name, its opaque details (e.g. memory-layer statistics),
/// and the events it reported during the run (e.g. a controller's decisions).
public struct WorkloadRecord: Sendable, Codable, Equatable {
    /// `pipeline`, `noop`, `process`, `http` …
    public var name: String
    /// Whatever the workload reports about itself at the end of the last trial, as JSON.
    public var details: JSONValue?
    /// Events the workload reported, in order (first trial).
    public var events: [WorkloadEvent]

    public init(name: String, details: JSONValue? = nil, events: [WorkloadEvent] = []) {
        self.name = name
        self.details = details
        self.events = events
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        details = try c.decodeIfPresent(JSONValue.self, forKey: .details)
        events = try c.decodeIfPresent([WorkloadEvent].self, forKey: .events) ?? []
    }
}

/// Everything measured over a span of a run (the whole run, one phase or one trial): the raw span
/// and every catalogue metric derived from it.
///
/// In JSON the span's fields (`seconds`, `episodes`, `errors`, `dropped`, `histograms`,
/// `counters`, `gauges`) sit beside `metrics` (key → value in the metric's base unit).
public struct RunSummary: Sendable, Codable, Equatable {
    public var span: Span
    /// Catalogue metrics by key, in base units (ns, bytes, episodes/s, fractions for ratios).
    public var metrics: [String: Double]

    public init(span: Span = Span(), metrics: [String: Double] = [:]) {
        self.span = span
        self.metrics = metrics
    }

    public var episodes: UInt64 { span.episodes }
    public var errors: UInt64 { span.errors }
    public var dropped: UInt64 { span.dropped }

    /// The value of metric `key`, or nil when this span does not have it.
    public func metric(_ key: String) -> Double? { metrics[key == "throughput_eps" ? "throughput" : key] }

    /// The latency statistics of histogram `key`, or nil when it recorded nothing.
    public func latency(_ key: String) -> LatencySummary? {
        guard let h = span.histograms[key], h.count > 0 else { return nil }
        return LatencySummary(h)
    }

    enum CodingKeys: String, CodingKey { case metrics }

    public init(from decoder: any Decoder) throws {
        span = try Span(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metrics = try c.decodeIfPresent([String: Double].self, forKey: .metrics) ?? [:]
    }

    public func encode(to encoder: any Encoder) throws {
        try span.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(metrics, forKey: .metrics)
    }
}

/// Percentiles of one latency distribution, nanoseconds (read from its histogram).
public struct LatencySummary: Sendable, Equatable {
    public var count: UInt64
    public var min: Double
    public var mean: Double
    public var p50: Double
    public var p90: Double
    public var p95: Double
    public var p99: Double
    public var p999: Double
    public var max: Double

    public init(_ h: LatencyHistogram) {
        count = h.count
        min = h.value(of: .min)
        mean = h.value(of: .mean)
        p50 = h.value(of: .p50)
        p90 = h.value(of: .p90)
        p95 = h.value(of: .p95)
        p99 = h.value(of: .p99)
        p999 = h.value(of: .p999)
        max = h.value(of: .max)
    }
}

/// One scenario phase's results.
public struct PhaseSummary: Sendable, Codable, Equatable {
    /// Position in `phases[]`. A step phase contributes one entry per rate and a closed phase one per
    /// concurrency level, so this can differ from ``scenarioPhase``.
    public var index: Int
    /// Index of the scenario phase (in the YAML `phases:` list) this entry belongs to.
    public var scenarioPhase: Int
    /// `constant`, `ramp`, `step`, `spike`, `burst`, `closed`, or `closed@N` for one concurrency level.
    public var kind: String
    /// A short human label, e.g. `constant 15/s` or `closed c=20`.
    public var label: String
    /// Mean scheduled arrival rate (open loop), episodes/s; nil for closed loop.
    public var targetRate: Double?
    /// Concurrency (closed loop) or worker threads (open loop).
    public var concurrency: Int
    /// Largest number of arrivals waiting to start.
    public var maxQueueDepth: UInt64
    /// Seconds from the phase's start to the last episode completing (burst: the time to drain).
    public var drainSeconds: Double?
    public var startSeconds: Double
    public var durationSeconds: Double
    /// Open loop (not bursts): whether the gaps between actual starts fit the intended arrival process.
    public var arrivalCheck: ArrivalCheck?
    /// The phase's span and metrics.
    public var stats: RunSummary

    public init(index: Int, scenarioPhase: Int, kind: String, label: String, targetRate: Double?, concurrency: Int,
                maxQueueDepth: UInt64, drainSeconds: Double?, startSeconds: Double, durationSeconds: Double,
                arrivalCheck: ArrivalCheck? = nil, stats: RunSummary) {
        self.arrivalCheck = arrivalCheck
        self.index = index
        self.scenarioPhase = scenarioPhase
        self.kind = kind
        self.label = label
        self.targetRate = targetRate
        self.concurrency = concurrency
        self.maxQueueDepth = maxQueueDepth
        self.drainSeconds = drainSeconds
        self.startSeconds = startSeconds
        self.durationSeconds = durationSeconds
        self.stats = stats
    }

    /// Completed episodes per second of the phase (its throughput metric).
    public var achievedRate: Double { stats.metric("throughput") ?? 0 }

    enum CodingKeys: String, CodingKey {
        case index
        case scenarioPhase = "scenario_phase"
        case kind, label
        case targetRate = "target_rate"
        case achievedRate = "achieved_rate"
        case concurrency
        case maxQueueDepth = "max_queue_depth"
        case drainSeconds = "drain_s"
        case startSeconds = "start_s"
        case durationSeconds = "duration_s"
        case arrivalCheck = "arrival_check"
    }

    // The summary's fields sit beside the phase fields.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        index = try c.decode(Int.self, forKey: .index)
        scenarioPhase = try c.decode(Int.self, forKey: .scenarioPhase)
        kind = try c.decode(String.self, forKey: .kind)
        label = try c.decode(String.self, forKey: .label)
        targetRate = try c.decodeIfPresent(Double.self, forKey: .targetRate)
        concurrency = try c.decode(Int.self, forKey: .concurrency)
        maxQueueDepth = try c.decode(UInt64.self, forKey: .maxQueueDepth)
        drainSeconds = try c.decodeIfPresent(Double.self, forKey: .drainSeconds)
        startSeconds = try c.decode(Double.self, forKey: .startSeconds)
        durationSeconds = try c.decode(Double.self, forKey: .durationSeconds)
        arrivalCheck = try c.decodeIfPresent(ArrivalCheck.self, forKey: .arrivalCheck)
        stats = try RunSummary(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        try stats.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(index, forKey: .index)
        try c.encode(scenarioPhase, forKey: .scenarioPhase)
        try c.encode(kind, forKey: .kind)
        try c.encode(label, forKey: .label)
        try c.encodeIfPresent(targetRate, forKey: .targetRate)
        try c.encode(achievedRate, forKey: .achievedRate)
        try c.encode(concurrency, forKey: .concurrency)
        try c.encode(maxQueueDepth, forKey: .maxQueueDepth)
        try c.encodeIfPresent(drainSeconds, forKey: .drainSeconds)
        try c.encode(startSeconds, forKey: .startSeconds)
        try c.encode(durationSeconds, forKey: .durationSeconds)
        try c.encodeIfPresent(arrivalCheck, forKey: .arrivalCheck)
    }
}

/// One trial's results (a repetition of the whole scenario on a fresh workload).
public struct TrialSummary: Sendable, Codable, Equatable {
    public var trial: Int
    public var seed: UInt64
    public var durationSeconds: Double
    /// True when the trial was cut short by an interrupt: reported, but left out of merged figures
    /// and of compare's statistics.
    public var partial: Bool
    public var summary: RunSummary
    /// Per-phase summaries of this trial.
    public var phases: [PhaseSummary]
    /// What the warm-up ran and discarded; nil without a warm-up.
    public var warmup: WarmupSummary?

    public init(trial: Int, seed: UInt64, durationSeconds: Double, partial: Bool = false, summary: RunSummary, phases: [PhaseSummary],
                warmup: WarmupSummary? = nil) {
        self.trial = trial
        self.seed = seed
        self.durationSeconds = durationSeconds
        self.partial = partial
        self.summary = summary
        self.phases = phases
        self.warmup = warmup
    }

    enum CodingKeys: String, CodingKey {
        case trial, seed
        case durationSeconds = "duration_s"
        case partial, summary, phases, warmup
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        trial = try c.decode(Int.self, forKey: .trial)
        seed = try c.decode(UInt64.self, forKey: .seed)
        durationSeconds = try c.decode(Double.self, forKey: .durationSeconds)
        partial = try c.decodeIfPresent(Bool.self, forKey: .partial) ?? false
        summary = try c.decode(RunSummary.self, forKey: .summary)
        phases = try c.decodeIfPresent([PhaseSummary].self, forKey: .phases) ?? []
        warmup = try c.decodeIfPresent(WarmupSummary.self, forKey: .warmup)
    }
}

/// A trial's warm-up: how long it ran and, for a steady-state warm-up, when and whether latency settled.
public struct WarmupSummary: Sendable, Codable, Equatable {
    /// Seconds of warm-up load run (and discarded).
    public var seconds: Double
    /// Episodes completed during the warm-up (discarded).
    public var episodes: UInt64
    /// How the warm-up's length was decided.
    public var rule: Rule
    /// Steady rule: batches judged (one median of end-to-end latency each).
    public var batches: Int?
    /// Steady rule: MSER's truncation point in seconds from the warm-up's start — where the transient ended.
    public var transientSeconds: Double?
    /// Steady rule: false when the warm-up hit its `max` before latency settled (the run then measured anyway).
    public var settled: Bool?

    /// `fixed`: a set duration; `steady`: until latency settled (MSER on batch medians, ``SteadyWarmup``).
    public enum Rule: String, Sendable, Codable, Equatable {
        case fixed, steady
    }

    public init(seconds: Double, episodes: UInt64, rule: Rule, batches: Int? = nil, transientSeconds: Double? = nil, settled: Bool? = nil) {
        self.seconds = seconds
        self.episodes = episodes
        self.rule = rule
        self.batches = batches
        self.transientSeconds = transientSeconds
        self.settled = settled
    }

    enum CodingKeys: String, CodingKey {
        case seconds = "duration_s"
        case episodes, rule, batches
        case transientSeconds = "transient_s"
        case settled
    }
}

/// One interval's snapshot (default 1 s): where the run was, and every catalogue metric marked
/// `series` evaluated on the interval's span.
public struct TimeseriesPoint: Sendable, Codable, Equatable {
    /// End of the interval, seconds since the measured part started.
    public var tSeconds: Double
    /// Length of the interval, seconds.
    public var intervalSeconds: Double
    /// Index of the phase running at the end of the interval (−1 during warm-up).
    public var phase: Int
    /// Episodes completed in the interval.
    public var episodes: UInt64
    /// Episodes completed since the start of the measured part.
    public var episodesTotal: UInt64
    /// Scheduled arrivals per second in the interval (open loop), nil for closed loop.
    public var targetRate: Double?
    /// Largest number of open-loop arrivals waiting to start during the interval.
    public var queueDepth: UInt64
    /// Series metrics by catalogue key (`throughput`, `e2e.p99`, `memory.rss_end_bytes`, …).
    public var metrics: [String: Double]

    public init(tSeconds: Double, intervalSeconds: Double, phase: Int, episodes: UInt64, episodesTotal: UInt64,
                targetRate: Double?, queueDepth: UInt64, metrics: [String: Double]) {
        self.tSeconds = tSeconds
        self.intervalSeconds = intervalSeconds
        self.phase = phase
        self.episodes = episodes
        self.episodesTotal = episodesTotal
        self.targetRate = targetRate
        self.queueDepth = queueDepth
        self.metrics = metrics
    }

    /// The value of metric `key` in this interval.
    public func metric(_ key: String) -> Double? { metrics[key] }

    enum CodingKeys: String, CodingKey {
        case tSeconds = "t_s"
        case intervalSeconds = "interval_s"
        case phase, episodes
        case episodesTotal = "episodes_total"
        case targetRate = "target_rate"
        case queueDepth = "queue_depth"
        case metrics
    }
}
/// The scenario a result was produced from, as resolved.
public struct ScenarioRecord: Sendable, Codable, Equatable {
    public var name: String
    public var description: String
    /// Path of the scenario file as given on the command line.
    public var file: String
    /// `--set` overrides as given, in order.
    public var overrides: [String]
    /// The resolved scenario.
    public var spec: Scenario

    public init(name: String, description: String, file: String, overrides: [String], spec: Scenario) {
        self.name = name
        self.description = description
        self.file = file
        self.overrides = overrides
        self.spec = spec
    }
}

/// The machine a result was measured on.
public struct MachineInfo: Sendable, Codable, Equatable {
    public var hostname: String
    public var cpuModel: String
    /// Logical CPUs online.
    public var cores: Int
    public var memoryBytes: UInt64
    public var os: String
    public var kernel: String

    public init(hostname: String, cpuModel: String, cores: Int, memoryBytes: UInt64, os: String, kernel: String) {
        self.hostname = hostname
        self.cpuModel = cpuModel
        self.cores = cores
        self.memoryBytes = memoryBytes
        self.os = os
        self.kernel = kernel
    }

    enum CodingKeys: String, CodingKey {
        case hostname
        case cpuModel = "cpu_model"
        case cores
        case memoryBytes = "memory_bytes"
        case os, kernel
    }
}

/// How the measuring binary was built.
public struct BuildInfo: Sendable, Codable, Equatable {
    /// `release` or `debug`.
    public var configuration: String
    public var compiler: String
    /// Git commit of the source tree, or `unknown`.
    public var commit: String
    /// True when the tree had uncommitted changes.
    public var dirty: Bool
    /// True when jemalloc is the allocator (the `Jemalloc` trait).
    public var jemalloc: Bool
    public var phibenchVersion: String

    public init(configuration: String, compiler: String, commit: String, dirty: Bool, jemalloc: Bool, phibenchVersion: String) {
        self.configuration = configuration
        self.compiler = compiler
        self.commit = commit
        self.dirty = dirty
        self.jemalloc = jemalloc
        self.phibenchVersion = phibenchVersion
    }

    enum CodingKeys: String, CodingKey {
        case configuration, compiler, commit, dirty, jemalloc
        case phibenchVersion = "phibench_version"
    }
}

/// A threshold expression and how the result measured up to it.
public struct ThresholdResult: Sendable, Codable, Equatable {
    /// The expression as written, e.g. `e2e.p99 < 5ms`.
    public var expression: String
    /// The metric path, e.g. `e2e.p99`.
    public var metric: String
    /// `<`, `<=`, `>`, `>=`, `==` or `!=`.
    public var op: String
    /// The limit in the metric's base unit (ns for latency, episodes/s for throughput).
    public var limit: Double
    /// The measured value in the same unit, nil when the run did not produce the metric.
    public var value: Double?
    public var passed: Bool
    /// Why it passed or failed, in words (e.g. `e2e.p99 = 1.2ms, limit < 5ms`).
    public var reason: String?

    public init(expression: String, metric: String, op: String, limit: Double, value: Double?, passed: Bool, reason: String? = nil) {
        self.expression = expression
        self.metric = metric
        self.op = op
        self.limit = limit
        self.value = value
        self.passed = passed
        self.reason = reason
    }
}

/// What must be the same for two results' timings to be comparable: CPU model and count, kernel, OS,
/// build configuration and allocator. The host name is left out: a CI fleet's machines of one kind
/// differ in name only.
public struct MachineFingerprint: Sendable, Codable, Equatable, Hashable {
    public var cpuModel: String
    public var cores: Int
    public var kernel: String
    public var os: String
    public var configuration: String
    public var jemalloc: Bool

    public init(machine: MachineInfo, build: BuildInfo) {
        cpuModel = machine.cpuModel
        cores = machine.cores
        kernel = machine.kernel
        os = machine.os
        configuration = build.configuration
        jemalloc = build.jemalloc
    }

    public init(_ result: BenchResult) { self.init(machine: result.machine, build: result.build) }

    public init(cpuModel: String, cores: Int, kernel: String, os: String, configuration: String, jemalloc: Bool) {
        self.cpuModel = cpuModel
        self.cores = cores
        self.kernel = kernel
        self.os = os
        self.configuration = configuration
        self.jemalloc = jemalloc
    }

    /// The fields, readable: `AMD EPYC 7B13 · 2 cores · 6.1.0 · Debian 12 · release · jemalloc`.
    public var text: String {
        [cpuModel, "\(cores) cores", kernel, os, configuration, jemalloc ? "jemalloc" : "no jemalloc"]
            .joined(separator: " · ")
    }

    enum CodingKeys: String, CodingKey {
        case cpuModel = "cpu_model"
        case cores, kernel, os, configuration, jemalloc
    }

    /// What differs from `other`, in words (`CPU AMD EPYC 7B13 vs Intel Xeon 8375C`); empty when nothing does.
    public func differences(from other: MachineFingerprint) -> [String] {
        var out: [String] = []
        if cpuModel != other.cpuModel { out.append("CPU \(cpuModel) vs \(other.cpuModel)") }
        if cores != other.cores { out.append("\(cores) vs \(other.cores) cores") }
        if kernel != other.kernel { out.append("kernel \(kernel) vs \(other.kernel)") }
        if os != other.os { out.append("OS \(os) vs \(other.os)") }
        if configuration != other.configuration { out.append("\(configuration) vs \(other.configuration) build") }
        if jemalloc != other.jemalloc { out.append("jemalloc \(jemalloc ? "on" : "off") vs \(other.jemalloc ? "on" : "off")") }
        return out
    }

    /// A short stable identifier (hex) of the fingerprint, for file names and history series.
    public var id: String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(cpuModel)|\(cores)|\(kernel)|\(os)|\(configuration)|\(jemalloc)".utf8 {
            h = (h ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return String(h, radix: 16)
    }
}
