import History

/// Settings of a before/after comparison.
public struct CompareOptions: Sendable, Equatable {
    /// Smallest relative change (fraction: 0.05 = 5%) that counts as a change at all.
    public var threshold: Double
    /// Significance level of the Mann–Whitney U test.
    public var alpha: Double
    /// Confidence level of the bootstrap interval of the relative change of medians.
    public var confidence: Double
    /// Bootstrap resamples per metric.
    public var resamples: Int
    /// Seed of the bootstrap; the same inputs and seed give the same intervals.
    public var seed: UInt64
    /// Metric path patterns whose regressions fail the comparison (exit status 1). `*` matches one
    /// path segment or a stage name, e.g. `*.p99` matches `e2e.p99` and `ESGT.p99`.
    /// Metrics outside the gate are reported with a verdict but never fail the comparison.
    public var gate: [String]
    /// Minimum absolute difference (in the metric's own unit) a change must also exceed, for metrics
    /// whose relative change is meaningless near zero: `memory.rss_growth_pct` is already a percentage.
    public var absoluteFloors: [String: Double]
    /// Latency changes smaller than this many nanoseconds are never called a change, whatever their
    /// percentage: a stage that takes 30 ns moving to 40 ns is one tick of the clock, not +33%.
    public var latencyFloorNanoseconds: Double
    /// Compare results of different scenarios or schema versions anyway.
    public var force: Bool
    /// Names shown for the two sides (default: scenario name and short commit).
    public var beforeLabel: String?
    public var afterLabel: String?

    /// The default gate: e2e p50/p90/p99, every stage's p50, throughput, allocations per episode,
    /// RSS growth and Φ cache hit rate. Per-stage tails (p99 and beyond) and e2e p999/max are
    /// reported but not gated: on a shared machine they move with preemption and I/O, and a slower
    /// stage tail that matters shows up in e2e.p99.
    public static let defaultGate = [
        "e2e.p50", "e2e.p90", "e2e.p99", "*.p50", "throughput",
        "memory.allocations_per_episode", "memory.rss_growth_pct", "phi.cache_hit_rate",
    ]

    public init(
        threshold: Double = 0.05, alpha: Double = 0.05, confidence: Double = 0.95, resamples: Int = 2000,
        seed: UInt64 = 0x5EED_CAFE, gate: [String] = CompareOptions.defaultGate,
        absoluteFloors: [String: Double] = ["memory.rss_growth_pct": 1.0], latencyFloorNanoseconds: Double = 100,
        force: Bool = false,
        beforeLabel: String? = nil, afterLabel: String? = nil
    ) {
        self.threshold = threshold
        self.alpha = alpha
        self.confidence = confidence
        self.resamples = resamples
        self.seed = seed
        self.gate = gate
        self.absoluteFloors = absoluteFloors
        self.latencyFloorNanoseconds = latencyFloorNanoseconds
        self.force = force
        self.beforeLabel = beforeLabel
        self.afterLabel = afterLabel
    }

    /// Parses a threshold as given on the command line: `5%`, `5`, or `0.05` (a fraction when below 1
    /// without a percent sign). Returns nil for anything else or a negative value.
    public static func parseThreshold(_ text: String) -> Double? {
        var s = Substring(text)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        let percent = s.hasSuffix("%")
        if percent { s = s.dropLast() }
        guard let v = Double(s), v.isFinite, v >= 0 else { return nil }
        return percent || v >= 1 ? v / 100 : v
    }

    /// Whether `path` is in the gate.
    public func isGated(_ path: String) -> Bool {
        gate.contains { Self.matches(pattern: $0, path: path) }
    }

    /// `*` in a pattern matches any run of characters within the path's stage part: `*.p99`
    /// matches `ESGT.p99` and `PHI.hit.p99`, but `*` alone does not match `throughput`'s absence.
    static func matches(pattern: String, path: String) -> Bool {
        MetricSelection.matches(pattern: pattern, name: path)
    }

    func validate() throws(CompareError) {
        guard threshold.isFinite, threshold >= 0 else { throw .invalidOption("threshold must be ≥ 0, got \(threshold)") }
        guard alpha > 0, alpha < 1 else { throw .invalidOption("alpha must be between 0 and 1, got \(alpha)") }
        guard confidence > 0, confidence < 1 else {
            throw .invalidOption("confidence must be between 0 and 1, got \(confidence)")
        }
        guard latencyFloorNanoseconds >= 0, latencyFloorNanoseconds.isFinite else {
            throw .invalidOption("latency floor must be ≥ 0 ns, got \(latencyFloorNanoseconds)")
        }
        guard resamples >= 100 else { throw .invalidOption("resamples must be at least 100, got \(resamples)") }
    }
}

/// Why two results cannot be compared.
public enum CompareError: Error, CustomStringConvertible, Equatable {
    /// The results come from different scenarios; pass `force` (`--force`) to compare anyway.
    case scenarioMismatch(before: String, after: String)
    /// The results have different schema versions; pass `force` to compare anyway.
    case schemaMismatch(before: String, after: String)
    /// An option is out of range.
    case invalidOption(String)

    public var description: String {
        switch self {
        case .scenarioMismatch(let b, let a):
            "cannot compare results of different scenarios ('\(b)' before, '\(a)' after); use --force to compare anyway"
        case .schemaMismatch(let b, let a):
            "cannot compare results of different schema versions (\(b) before, \(a) after); use --force to compare anyway"
        case .invalidOption(let message):
            "invalid compare option: \(message)"
        }
    }
}
