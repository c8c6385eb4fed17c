import Statistics

/// A load scenario as resolved from `scenarios/*.yaml` plus `--set` overrides.
///
/// Durations are seconds, rates episodes per second. Parsing and validation (with file, line and key
/// in every error) live in the Harness module's `ScenarioLoader`; this is the validated value.
public struct Scenario: Sendable, Codable, Equatable {
    public var name: String
    public var description: String
    public var seed: UInt64
    /// Seconds of load at the first phase's shape that are run and discarded before measuring.
    public var warmup: Double
    /// Length of a time-series interval, seconds.
    public var interval: Double
    /// Worker threads for open-loop phases (nil: one per core).
    public var workers: Int?
    /// Bound on queued open-loop arrivals; arrivals beyond it are dropped and counted. nil: unbounded.
    public var maxQueue: Int?
    /// Open loop: seconds before each arrival is due at which a worker stops sleeping and busy-waits
    /// (0: sleep all the way, cheapest on CPU, least precise). nil: the harness's default, which
    /// depends on the phase's peak rate (150 µs up to 200/s, 50 µs from 600/s, shrunk so that rate × window ≤ 0.4: 20 µs at 20,000/s).
    public var spin: Double?
    /// Open loop: how arrivals are spaced, for phases that do not say. nil: uniform.
    public var arrivals: ArrivalProcess?
    /// Settings for the workload under test, as fully qualified dotted keys
    /// of the registered workloads' sections (`stage.delay_us`) with their YAML scalar text. The workload's provider validates them.
    public var workload: [String: String]
    /// The settings of a workload configured by a structured section (e.g. worker processes or an
    /// HTTP service under `workload:`), as its provider resolved them (``PreparedWorkload/record``).
    /// nil: the workload is configured by ``workload`` alone.
    public var external: JSONValue?
    public var phases: [Phase]
    public var inject: [Fault]
    /// k6-style threshold expressions, e.g. `e2e.p99 < 5ms`.
    public var thresholds: [String]
    /// Where worker threads and the time-series sampler run (nil: wherever the OS puts them).
    public var affinity: Affinity?
    /// With a value, the warm-up ends as soon as latency is steady (after at least its `minimum`
    /// seconds), and ``warmup`` is its upper bound; nil: the warm-up lasts ``warmup`` seconds.
    public var steadyWarmup: SteadyWarmup?

    public init(name: String, description: String = "", seed: UInt64 = 42, warmup: Double = 0, interval: Double = 1,
                workers: Int? = nil, maxQueue: Int? = nil, spin: Double? = nil, arrivals: ArrivalProcess? = nil,
                workload: [String: String] = [:], external: JSONValue? = nil, phases: [Phase], inject: [Fault] = [],
                thresholds: [String] = []) {
        self.name = name
        self.description = description
        self.seed = seed
        self.warmup = warmup
        self.interval = interval
        self.workers = workers
        self.maxQueue = maxQueue
        self.spin = spin
        self.arrivals = arrivals
        self.workload = workload
        self.external = external
        self.phases = phases
        self.inject = inject
        self.thresholds = thresholds
    }

    enum CodingKeys: String, CodingKey {
        case name, description, seed, warmup, interval, workers, maxQueue, spin, arrivals, workload, external, phases
        case inject, thresholds, affinity
        case steadyWarmup = "warmupSteady"
    }

    /// Nominal measured duration in seconds (bursts count as zero: they last as long as they drain).
    public var nominalDuration: Double {
        phases.reduce(0) { $0 + $1.load.nominalDuration }
    }
}

/// Which CPUs the harness's threads are pinned to (`sched_setaffinity`): fewer migrations and a
/// worker's caches staying on its core; the measured effect is in the README ("The CI gate").
public struct Affinity: Sendable, Codable, Equatable {
    /// Worker i runs on `workers[i % count]`; empty: spread over the CPUs the process may use
    /// (worker i on the i-th allowed CPU, wrapping).
    public var workers: [Int]
    /// The CPU of the time-series sampler; nil: the last allowed CPU.
    public var sampler: Int?

    public init(workers: [Int] = [], sampler: Int? = nil) {
        self.workers = workers
        self.sampler = sampler
    }

    /// The CPUs to use, given the CPUs the process may run on (ascending, non-empty): the workers'
    /// list (worker i takes `workers[i % count]`) and the sampler's CPU.
    public func resolve(allowed: [Int]) -> (workers: [Int], sampler: Int) {
        (workers.isEmpty ? allowed : workers, sampler ?? allowed.last ?? 0)
    }
}

/// A warm-up that ends when the metric is steady: the Marginal Standard Error Rule (MSER, White 1997)
/// applied to the medians of `batch`-second batches of end-to-end latency. After each batch the
/// truncation point d* minimising MSER(d) = Σᵢ₌d..n (yᵢ − ȳ_d)² / (n − d)² is found over the whole
/// series; the warm-up is over when d* lies in the first half (the rule's own reliability condition:
/// at least as much steady data as transient) and `minimum` seconds have passed.
public struct SteadyWarmup: Sendable, Codable, Equatable {
    /// Seconds the warm-up lasts at least.
    public var minimum: Double
    /// Seconds per batch.
    public var batch: Double

    public init(minimum: Double, batch: Double = 0.1) {
        self.minimum = minimum
        self.batch = batch
    }

    enum CodingKeys: String, CodingKey {
        case minimum = "min"
        case batch
    }

    /// Batches a decision needs at least, whatever `minimum` is (MSER on fewer is unstable).
    public static let minimumBatches = 10

    /// MSER's truncation point for `series`: the d minimising Σᵢ≥d (yᵢ − ȳ_d)² / (n − d)². A d that
    /// leaves fewer than max(5, n/4) points is not a candidate: MSER's known end effect (a few last
    /// points that happen to agree score near zero) would otherwise stop a steady series from ever
    /// being called steady.
    public static func truncationPoint(_ series: [Double]) -> Int {
        let n = series.count
        let tail = Swift.max(5, n / 4)
        guard n > tail else { return 0 }
        // Suffix sums, so every d costs O(1).
        var sum = 0.0, sumSquares = 0.0
        var best = (d: 0, value: Double.infinity)
        for d in stride(from: n - 1, through: 0, by: -1) {
            sum += series[d]
            sumSquares += series[d] * series[d]
            let k = Double(n - d)
            guard n - d >= tail else { continue }
            let squares = Swift.max(0, sumSquares - sum * sum / k)
            let value = squares / (k * k)
            if value <= best.value { best = (d, value) }
        }
        return best.d
    }

    /// Whether a warm-up that has produced `series` (one median per batch) after `elapsed` seconds
    /// is over: at least `minimum` seconds and ``minimumBatches`` batches, and d* ≤ n/2.
    public func isSteady(_ series: [Double], elapsed: Double) -> (steady: Bool, truncation: Int) {
        let d = Self.truncationPoint(series)
        let steady = elapsed >= minimum && series.count >= Self.minimumBatches && 2 * d <= series.count
        return (steady, d)
    }
}

/// One phase of a scenario: a load shape and its per-phase settings.
public struct Phase: Sendable, Codable, Equatable {
    public var load: LoadShape
    /// Worker threads for an open-loop phase (overrides the scenario's `workers`).
    public var workers: Int?
    /// Queue bound for an open-loop phase (overrides the scenario's `max_queue`).
    public var maxQueue: Int?
    /// Spin window in seconds for an open-loop phase (overrides the scenario's `spin`; nil: inherit).
    public var spin: Double?
    /// Arrival process for an open-loop phase (overrides the scenario's `arrivals`).
    public var arrivals: ArrivalProcess?

    public init(_ load: LoadShape, workers: Int? = nil, maxQueue: Int? = nil, spin: Double? = nil,
                arrivals: ArrivalProcess? = nil) {
        self.load = load
        self.workers = workers
        self.maxQueue = maxQueue
        self.spin = spin
        self.arrivals = arrivals
    }

    enum CodingKeys: String, CodingKey {
        case workers, maxQueue, spin, arrivals
    }

    public init(from decoder: any Decoder) throws {
        load = try LoadShape(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        workers = try c.decodeIfPresent(Int.self, forKey: .workers)
        maxQueue = try c.decodeIfPresent(Int.self, forKey: .maxQueue)
        spin = try c.decodeIfPresent(Double.self, forKey: .spin)
        arrivals = try c.decodeIfPresent(ArrivalProcess.self, forKey: .arrivals)
    }

    public func encode(to encoder: any Encoder) throws {
        try load.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(workers, forKey: .workers)
        try c.encodeIfPresent(maxQueue, forKey: .maxQueue)
        try c.encodeIfPresent(spin, forKey: .spin)
        try c.encodeIfPresent(arrivals, forKey: .arrivals)
    }
}

/// How an open-loop phase spaces its arrivals along its rate curve.
public enum ArrivalProcess: String, Sendable, Codable, Equatable, CaseIterable {
    /// Evenly spaced (wrk2, k6's arrival-rate executors): arrival i is due when the integrated rate reaches i.
    case uniform
    /// Exponential gaps, the bursts real independent clients produce (Lancet, Treadmill): a Poisson
    /// process following the rate curve, seeded, with the phase's arrival count.
    case poisson
}

/// The shape of load in one phase.
public enum LoadShape: Sendable, Equatable, Codable {
    /// Open loop, `rate` arrivals/s for `duration` s.
    case constant(rate: Double, duration: Double)
    /// Open loop, rate rising linearly from `from` to `to` over `duration` s.
    case ramp(from: Double, to: Double, duration: Double)
    /// Open loop, each rate in turn for `each` s.
    case step(rates: [Double], each: Double)
    /// Open loop at `base`, `peak` from `at` for `hold` s, `duration` s in all.
    case spike(base: Double, peak: Double, at: Double, hold: Double, duration: Double)
    /// `count` arrivals queued at once; measured until they drain.
    case burst(count: Int)
    /// Closed loop: each concurrency level in turn for `each` s, every worker running back to back.
    case closed(concurrency: [Int], each: Double)

    /// The `kind:` name in a scenario file.
    public var kind: String {
        switch self {
        case .constant: "constant"
        case .ramp: "ramp"
        case .step: "step"
        case .spike: "spike"
        case .burst: "burst"
        case .closed: "closed"
        }
    }

    /// Mean scheduled arrival rate (arrivals/s) of an open-loop shape; nil for a burst or closed loop.
    public var meanRate: Double? {
        switch self {
        case .constant(let r, _): r
        case .ramp(let a, let b, _): (a + b) / 2
        case .step(let rates, _): Descriptive.mean(rates)
        case .spike(let base, let peak, _, let hold, let d): d > 0 ? (base * (d - hold) + peak * hold) / d : base
        case .burst, .closed: nil
        }
    }

    /// Scheduled duration in seconds (0 for a burst).
    public var nominalDuration: Double {
        switch self {
        case .constant(_, let d), .ramp(_, _, let d), .spike(_, _, _, _, let d): d
        case .step(let rates, let each): Double(rates.count) * each
        case .burst: 0
        case .closed(let levels, let each): Double(levels.count) * each
        }
    }

    enum CodingKeys: String, CodingKey {
        case kind, rate, duration, from, to, rates, each, base, peak, at, hold, count, concurrency
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try c.decode(String.self, forKey: .kind)
        switch kind {
        case "constant":
            self = .constant(rate: try c.decode(Double.self, forKey: .rate), duration: try c.decode(Double.self, forKey: .duration))
        case "ramp":
            self = .ramp(from: try c.decode(Double.self, forKey: .from), to: try c.decode(Double.self, forKey: .to),
                         duration: try c.decode(Double.self, forKey: .duration))
        case "step":
            self = .step(rates: try c.decode([Double].self, forKey: .rates), each: try c.decode(Double.self, forKey: .each))
        case "spike":
            self = .spike(base: try c.decode(Double.self, forKey: .base), peak: try c.decode(Double.self, forKey: .peak),
                          at: try c.decode(Double.self, forKey: .at), hold: try c.decode(Double.self, forKey: .hold),
                          duration: try c.decode(Double.self, forKey: .duration))
        case "burst":
            self = .burst(count: try c.decode(Int.self, forKey: .count))
        case "closed":
            self = .closed(concurrency: try c.decode([Int].self, forKey: .concurrency), each: try c.decode(Double.self, forKey: .each))
        default:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: c, debugDescription: "unknown phase kind '\(kind)'")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        switch self {
        case .constant(let rate, let duration):
            try c.encode(rate, forKey: .rate)
            try c.encode(duration, forKey: .duration)
        case .ramp(let from, let to, let duration):
            try c.encode(from, forKey: .from)
            try c.encode(to, forKey: .to)
            try c.encode(duration, forKey: .duration)
        case .step(let rates, let each):
            try c.encode(rates, forKey: .rates)
            try c.encode(each, forKey: .each)
        case .spike(let base, let peak, let at, let hold, let duration):
            try c.encode(base, forKey: .base)
            try c.encode(peak, forKey: .peak)
            try c.encode(at, forKey: .at)
            try c.encode(hold, forKey: .hold)
            try c.encode(duration, forKey: .duration)
        case .burst(let count):
            try c.encode(count, forKey: .count)
        case .closed(let concurrency, let each):
            try c.encode(concurrency, forKey: .concurrency)
            try c.encode(each, forKey: .each)
        }
    }
}

/// A fault the harness injects, to prove it sees what it should.
public enum Fault: Sendable, Equatable, Codable {
    /// The worker stops for `duration` s every `every` episodes, or once at `at` s into the measured part.
    case stall(duration: Double, every: UInt64?, at: Double?)
    /// `extra` s of busy work inside stage `stage`, every episode.
    case slow(stage: String, extra: Double)
    /// `iterations` rounds of ``busyWork(iterations:)`` inside stage `stage`, every episode: a fixed
    /// amount of work, so the same instruction count on every run (`{ slow: parse, work: 20000 }`).
    case slowWork(stage: String, iterations: UInt64)
    /// `bytes` retained per episode and never freed.
    case leak(bytes: Int)

    enum CodingKeys: String, CodingKey {
        case stall, every, at, slow, extra, work, leak
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let d = try c.decodeIfPresent(Double.self, forKey: .stall) {
            self = .stall(duration: d, every: try c.decodeIfPresent(UInt64.self, forKey: .every),
                          at: try c.decodeIfPresent(Double.self, forKey: .at))
        } else if let s = try c.decodeIfPresent(String.self, forKey: .slow) {
            if let iterations = try c.decodeIfPresent(UInt64.self, forKey: .work) {
                self = .slowWork(stage: s, iterations: iterations)
            } else {
                self = .slow(stage: s, extra: try c.decode(Double.self, forKey: .extra))
            }
        } else {
            self = .leak(bytes: try c.decode(Int.self, forKey: .leak))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .stall(let d, let every, let at):
            try c.encode(d, forKey: .stall)
            try c.encodeIfPresent(every, forKey: .every)
            try c.encodeIfPresent(at, forKey: .at)
        case .slow(let stage, let extra):
            try c.encode(stage, forKey: .slow)
            try c.encode(extra, forKey: .extra)
        case .slowWork(let stage, let iterations):
            try c.encode(stage, forKey: .slow)
            try c.encode(iterations, forKey: .work)
        case .leak(let bytes):
            try c.encode(bytes, forKey: .leak)
        }
    }
}
