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
        case index, scenarioPhase, kind, label, targetRate, achievedRate, concurrency, maxQueueDepth, arrivalCheck
        case drainSeconds = "drainS"
        case startSeconds = "startS"
        case durationSeconds = "durationS"
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
        case trial, seed, partial, summary, phases, warmup
        case durationSeconds = "durationS"
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
        case episodes, rule, batches, settled
        case seconds = "durationS"
        case transientSeconds = "transientS"
    }
}
