/// One run's results: the source of truth every report and comparison is made from.
///
/// Encoded as `result.json`, schema ``BenchResult/schemaID``. Field names are stable snake_case so
/// other tools can read them; the README documents them.
public struct BenchResult: Sendable, Codable, Equatable {
    /// The schema identifier written into every result.
    public static let schemaID = "phibench.result/1"

    public var schema: String
    /// The scenario as resolved: file, overrides applied, defaults filled in.
    public var scenario: ScenarioRecord
    public var machine: MachineInfo
    public var build: BuildInfo
    /// ISO 8601 UTC time the measured part started.
    public var startedAt: String
    /// Wall time of the measured part (warm-up excluded), seconds.
    public var durationSeconds: Double
    /// True when the run was stopped early by SIGINT/SIGTERM; what it measured is still here.
    public var interrupted: Bool
    /// Things a reader must know before trusting the numbers (debug build, jemalloc off, …).
    public var warnings: [String]
    /// Everything measured, all trials merged.
    public var summary: RunSummary
    /// One entry per scenario phase, in order (trials merged).
    public var phases: [PhaseSummary]
    /// One entry per trial, for statistics in `compare`.
    public var trials: [TrialSummary]
    /// Per-interval snapshots over the run (first trial, or the only one).
    public var timeseries: [TimeseriesPoint]
    /// HdrHistograms of latency (ns) per stage and `e2e`, so percentiles can be recomputed and merged.
    public var histograms: [String: EncodedHistogram]
    /// Threshold expressions from the scenario, evaluated on ``summary``.
    public var thresholds: [ThresholdResult]
    /// Memory-layer statistics, when the workload ran with a memory layer.
    public var memoryLayer: MemoryLayerStats?
    /// Statistics of a leak analysis over the time series (soak runs).
    public var leak: LeakVerdict?
    /// CPU or heap profile produced with this run, if any.
    public var profile: ProfileInfo?

    public init(
        scenario: ScenarioRecord, machine: MachineInfo, build: BuildInfo, startedAt: String,
        durationSeconds: Double, interrupted: Bool = false, warnings: [String] = [],
        summary: RunSummary, phases: [PhaseSummary] = [], trials: [TrialSummary] = [],
        timeseries: [TimeseriesPoint] = [], histograms: [String: EncodedHistogram] = [:],
        thresholds: [ThresholdResult] = [], memoryLayer: MemoryLayerStats? = nil,
        leak: LeakVerdict? = nil, profile: ProfileInfo? = nil
    ) {
        self.schema = Self.schemaID
        self.scenario = scenario
        self.machine = machine
        self.build = build
        self.startedAt = startedAt
        self.durationSeconds = durationSeconds
        self.interrupted = interrupted
        self.warnings = warnings
        self.summary = summary
        self.phases = phases
        self.trials = trials
        self.timeseries = timeseries
        self.histograms = histograms
        self.thresholds = thresholds
        self.memoryLayer = memoryLayer
        self.leak = leak
        self.profile = profile
    }

    enum CodingKeys: String, CodingKey {
        case schema, scenario, machine, build
        case startedAt = "started_at"
        case durationSeconds = "duration_s"
        case interrupted, warnings, summary, phases, trials, timeseries, histograms, thresholds
        case memoryLayer = "memory_layer"
        case leak, profile
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

/// Everything measured over a span of a run (the whole run, one phase or one trial).
public struct RunSummary: Sendable, Codable, Equatable {
    /// Episodes completed (errors included).
    public var episodes: UInt64
    /// Episodes whose workload threw.
    public var errors: UInt64
    /// Open-loop arrivals dropped because the queue was at `max_queue`.
    public var dropped: UInt64
    /// Completed episodes per second of wall time.
    public var throughputEps: Double
    /// Latency summaries in nanoseconds, keyed `e2e` and by stage name.
    public var latencyNs: [String: LatencySummary]
    public var phi: PhiStats
    public var memory: MemoryStats
    public var cpu: CPUStats

    public init(
        episodes: UInt64 = 0, errors: UInt64 = 0, dropped: UInt64 = 0, throughputEps: Double = 0,
        latencyNs: [String: LatencySummary] = [:], phi: PhiStats = PhiStats(),
        memory: MemoryStats = MemoryStats(), cpu: CPUStats = CPUStats()
    ) {
        self.episodes = episodes
        self.errors = errors
        self.dropped = dropped
        self.throughputEps = throughputEps
        self.latencyNs = latencyNs
        self.phi = phi
        self.memory = memory
        self.cpu = cpu
    }

    enum CodingKeys: String, CodingKey {
        case episodes, errors, dropped
        case throughputEps = "throughput_eps"
        case latencyNs = "latency_ns"
        case phi, memory, cpu
    }
}

/// Percentiles of one latency distribution, nanoseconds.
public struct LatencySummary: Sendable, Codable, Equatable {
    public var count: UInt64
    public var min: UInt64
    public var mean: Double
    public var p50: UInt64
    public var p90: UInt64
    public var p95: UInt64
    public var p99: UInt64
    public var p999: UInt64
    public var max: UInt64

    public init(count: UInt64 = 0, min: UInt64 = 0, mean: Double = 0, p50: UInt64 = 0, p90: UInt64 = 0,
                p95: UInt64 = 0, p99: UInt64 = 0, p999: UInt64 = 0, max: UInt64 = 0) {
        self.count = count
        self.min = min
        self.mean = mean
        self.p50 = p50
        self.p90 = p90
        self.p95 = p95
        self.p99 = p99
        self.p999 = p999
        self.max = max
    }
}

/// Φ computation and cache counters.
public struct PhiStats: Sendable, Codable, Equatable {
    public var hits: UInt64
    public var misses: UInt64
    public var evictions: UInt64
    /// hits / (hits + misses); 0 when nothing was looked up.
    public var cacheHitRate: Double

    public init(hits: UInt64 = 0, misses: UInt64 = 0, evictions: UInt64 = 0) {
        self.hits = hits
        self.misses = misses
        self.evictions = evictions
        let total = hits + misses
        self.cacheHitRate = total == 0 ? 0 : Double(hits) / Double(total)
    }

    /// Counters accumulated between `earlier` and `self`.
    public func since(_ earlier: PhiStats) -> PhiStats {
        PhiStats(hits: hits &- earlier.hits, misses: misses &- earlier.misses, evictions: evictions &- earlier.evictions)
    }

    enum CodingKeys: String, CodingKey {
        case hits, misses, evictions
        case cacheHitRate = "cache_hit_rate"
    }
}

/// Memory figures over a span of a run.
public struct MemoryStats: Sendable, Codable, Equatable {
    public var rssStartBytes: UInt64
    public var rssEndBytes: UInt64
    public var rssPeakBytes: UInt64
    /// (end − start) / start × 100.
    public var rssGrowthPct: Double
    /// Robust (Theil–Sen) slope of RSS against completed episodes, bytes per episode.
    public var rssSlopeBytesPerEpisode: Double
    /// Allocator calls per episode (jemalloc small + large requests), or nil without jemalloc.
    public var allocationsPerEpisode: Double?
    /// Bytes allocated per episode (jemalloc per-thread counters), or nil without jemalloc.
    public var bytesAllocatedPerEpisode: Double?
    /// jemalloc's own statistics at the end of the span, or nil without jemalloc.
    public var jemalloc: JemallocStats?

    public init(
        rssStartBytes: UInt64 = 0, rssEndBytes: UInt64 = 0, rssPeakBytes: UInt64 = 0,
        rssGrowthPct: Double = 0, rssSlopeBytesPerEpisode: Double = 0,
        allocationsPerEpisode: Double? = nil, bytesAllocatedPerEpisode: Double? = nil,
        jemalloc: JemallocStats? = nil
    ) {
        self.rssStartBytes = rssStartBytes
        self.rssEndBytes = rssEndBytes
        self.rssPeakBytes = rssPeakBytes
        self.rssGrowthPct = rssGrowthPct
        self.rssSlopeBytesPerEpisode = rssSlopeBytesPerEpisode
        self.allocationsPerEpisode = allocationsPerEpisode
        self.bytesAllocatedPerEpisode = bytesAllocatedPerEpisode
        self.jemalloc = jemalloc
    }

    enum CodingKeys: String, CodingKey {
        case rssStartBytes = "rss_start_bytes"
        case rssEndBytes = "rss_end_bytes"
        case rssPeakBytes = "rss_peak_bytes"
        case rssGrowthPct = "rss_growth_pct"
        case rssSlopeBytesPerEpisode = "rss_slope_bytes_per_episode"
        case allocationsPerEpisode = "allocations_per_episode"
        case bytesAllocatedPerEpisode = "bytes_allocated_per_episode"
        case jemalloc
    }
}

/// jemalloc `stats.*` (bytes), read after refreshing `epoch`.
public struct JemallocStats: Sendable, Codable, Equatable {
    public var allocated: UInt64
    public var active: UInt64
    public var resident: UInt64
    public var mapped: UInt64

    public init(allocated: UInt64 = 0, active: UInt64 = 0, resident: UInt64 = 0, mapped: UInt64 = 0) {
        self.allocated = allocated
        self.active = active
        self.resident = resident
        self.mapped = mapped
    }
}

/// Process CPU time over a span (getrusage).
public struct CPUStats: Sendable, Codable, Equatable {
    public var userSeconds: Double
    public var systemSeconds: Double
    /// (user + system) / wall time; 2.0 means two cores busy.
    public var utilization: Double

    public init(userSeconds: Double = 0, systemSeconds: Double = 0, utilization: Double = 0) {
        self.userSeconds = userSeconds
        self.systemSeconds = systemSeconds
        self.utilization = utilization
    }

    enum CodingKeys: String, CodingKey {
        case userSeconds = "user_s"
        case systemSeconds = "system_s"
        case utilization
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
    /// Completed episodes per second.
    public var achievedRate: Double
    /// Concurrency (closed loop) or worker threads (open loop).
    public var concurrency: Int
    /// Largest number of arrivals waiting to start.
    public var maxQueueDepth: UInt64
    /// Seconds from the phase's start to the last episode completing (burst: the time to drain).
    public var drainSeconds: Double?
    public var startSeconds: Double
    public var durationSeconds: Double
    /// The same figures as a run summary, for this phase.
    public var stats: RunSummary

    public init(index: Int, scenarioPhase: Int, kind: String, label: String, targetRate: Double?, achievedRate: Double, concurrency: Int,
                maxQueueDepth: UInt64, drainSeconds: Double?, startSeconds: Double, durationSeconds: Double, stats: RunSummary) {
        self.index = index
        self.scenarioPhase = scenarioPhase
        self.kind = kind
        self.label = label
        self.targetRate = targetRate
        self.achievedRate = achievedRate
        self.concurrency = concurrency
        self.maxQueueDepth = maxQueueDepth
        self.drainSeconds = drainSeconds
        self.startSeconds = startSeconds
        self.durationSeconds = durationSeconds
        self.stats = stats
    }

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
    }

    // The run-summary fields sit beside the phase fields, as DESIGN.md's schema has them.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        index = try c.decode(Int.self, forKey: .index)
        scenarioPhase = try c.decode(Int.self, forKey: .scenarioPhase)
        kind = try c.decode(String.self, forKey: .kind)
        label = try c.decode(String.self, forKey: .label)
        targetRate = try c.decodeIfPresent(Double.self, forKey: .targetRate)
        achievedRate = try c.decode(Double.self, forKey: .achievedRate)
        concurrency = try c.decode(Int.self, forKey: .concurrency)
        maxQueueDepth = try c.decode(UInt64.self, forKey: .maxQueueDepth)
        drainSeconds = try c.decodeIfPresent(Double.self, forKey: .drainSeconds)
        startSeconds = try c.decode(Double.self, forKey: .startSeconds)
        durationSeconds = try c.decode(Double.self, forKey: .durationSeconds)
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
    }
}

/// One trial's summary (a repetition of the whole scenario on a fresh workload).
public struct TrialSummary: Sendable, Codable, Equatable {
    public var trial: Int
    public var seed: UInt64
    public var durationSeconds: Double
    public var summary: RunSummary
    /// Per-phase summaries of this trial.
    public var phases: [PhaseSummary]

    public init(trial: Int, seed: UInt64, durationSeconds: Double, summary: RunSummary, phases: [PhaseSummary]) {
        self.trial = trial
        self.seed = seed
        self.durationSeconds = durationSeconds
        self.summary = summary
        self.phases = phases
    }

    enum CodingKeys: String, CodingKey {
        case trial, seed
        case durationSeconds = "duration_s"
        case summary, phases
    }
}

/// One interval's snapshot (default 1 s).
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
    public var throughputEps: Double
    /// Scheduled arrivals per second in the interval (open loop), nil for closed loop.
    public var targetRate: Double?
    public var p50Ns: UInt64
    public var p99Ns: UInt64
    public var maxNs: UInt64
    public var rssBytes: UInt64
    /// jemalloc `stats.allocated`, or nil without jemalloc.
    public var jemallocAllocated: UInt64?
    /// Allocator calls in the interval, or nil without jemalloc. Approximate per interval: jemalloc
    /// merges its thread caches' counts in batches, so an interval can show 0 and the next a burst.
    public var allocations: UInt64?
    /// Bytes allocated by worker threads during the interval's episodes (exact: jemalloc's
    /// per-thread counters), or nil without jemalloc.
    public var bytesAllocated: UInt64?
    public var queueDepth: UInt64
    public var dropped: UInt64
    public var errors: UInt64
    /// Process CPU (user + system) over the interval divided by its length.
    public var cpuUtilization: Double
    /// Φ cache hit rate within the interval (nil when Φ was not looked up).
    public var phiCacheHitRate: Double?

    public init(tSeconds: Double, intervalSeconds: Double, phase: Int, episodes: UInt64, episodesTotal: UInt64,
                throughputEps: Double, targetRate: Double?, p50Ns: UInt64, p99Ns: UInt64, maxNs: UInt64,
                rssBytes: UInt64, jemallocAllocated: UInt64?, allocations: UInt64?, bytesAllocated: UInt64? = nil,
                queueDepth: UInt64, dropped: UInt64, errors: UInt64, cpuUtilization: Double, phiCacheHitRate: Double?) {
        self.tSeconds = tSeconds
        self.intervalSeconds = intervalSeconds
        self.phase = phase
        self.episodes = episodes
        self.episodesTotal = episodesTotal
        self.throughputEps = throughputEps
        self.targetRate = targetRate
        self.p50Ns = p50Ns
        self.p99Ns = p99Ns
        self.maxNs = maxNs
        self.rssBytes = rssBytes
        self.jemallocAllocated = jemallocAllocated
        self.allocations = allocations
        self.bytesAllocated = bytesAllocated
        self.queueDepth = queueDepth
        self.dropped = dropped
        self.errors = errors
        self.cpuUtilization = cpuUtilization
        self.phiCacheHitRate = phiCacheHitRate
    }

    enum CodingKeys: String, CodingKey {
        case tSeconds = "t_s"
        case intervalSeconds = "interval_s"
        case phase, episodes
        case episodesTotal = "episodes_total"
        case throughputEps = "throughput_eps"
        case targetRate = "target_rate"
        case p50Ns = "p50_ns"
        case p99Ns = "p99_ns"
        case maxNs = "max_ns"
        case rssBytes = "rss_bytes"
        case jemallocAllocated = "jemalloc_allocated"
        case allocations
        case bytesAllocated = "bytes_allocated"
        case queueDepth = "queue_depth"
        case dropped, errors
        case cpuUtilization = "cpu_utilization"
        case phiCacheHitRate = "phi_cache_hit_rate"
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
