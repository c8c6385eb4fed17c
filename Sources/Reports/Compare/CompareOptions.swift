import BenchModel
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
    /// Metric key patterns whose regressions fail the comparison (exit status 1). `*` matches any run
    /// of characters, e.g. `*.p99` matches `e2e.p99` and `parse.p99`. nil: each metric's catalogue
    /// default (``MetricDescriptor/gated``); empty: nothing is gated. Metrics outside the gate are
    /// reported with a verdict but never fail the comparison. A pattern that matches no compared
    /// metric is an error, so a typo can never switch a gate off.
    public var gate: [String]?
    /// Minimum absolute difference (in the metric's own unit) a change must also exceed, for metrics
    /// whose relative change is meaningless near zero: `memory.rss_growth_pct` is already a percentage.
    public var absoluteFloors: [String: Double]
    /// Latency changes smaller than this many nanoseconds are never called a change, whatever their
    /// percentage: a stage that takes 30 ns moving to 40 ns is one tick of the clock, not +33%.
    public var latencyFloorNanoseconds: Double
    /// Compare results of different scenarios or schema versions anyway.
    public var force: Bool
    /// The probability with which a change of the MDE is detected (the MDE's power).
    public var power: Double
    /// An A/A calibration of the same scenario and machine: its noise estimates (from more trials)
    /// are used for the MDE instead of the compare's own trials.
    public var calibration: Calibration?
    /// Names shown for the two sides (default: scenario name and short commit).
    public var beforeLabel: String?
    public var afterLabel: String?

    public init(
        threshold: Double = 0.05, alpha: Double = 0.05, confidence: Double = 0.95, resamples: Int = 2000,
        seed: UInt64 = 0x5EED_CAFE, gate: [String]? = nil,
        absoluteFloors: [String: Double] = ["memory.rss_growth_pct": 1.0], latencyFloorNanoseconds: Double = 100,
        force: Bool = false, power: Double = 0.9, calibration: Calibration? = nil,
        beforeLabel: String? = nil, afterLabel: String? = nil
    ) {
        self.power = power
        self.calibration = calibration
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

    /// The keys of `compared` the gate covers.
    /// - Throws: ``CompareError/unknownGate(pattern:suggestion:known:)`` for a pattern that matches none.
    public func resolveGate(_ compared: [MetricDescriptor]) throws(CompareError) -> Set<String> {
        guard let gate else { return Set(compared.filter(\.gated).map(\.key)) }
        let keys = compared.map(\.key)
        var out = Set<String>()
        for pattern in gate {
            let matched = keys.filter { Self.matches(pattern: pattern, path: $0) }
            guard !matched.isEmpty else {
                throw .unknownGate(pattern: pattern, suggestion: KeySuggestion.closest(to: pattern, among: keys),
                                   known: MetricCatalogue.compactList(compared))
            }
            out.formUnion(matched)
        }
        return out
    }

    /// `*` in a pattern matches any run of characters within the path's stage part: `*.p99`
    /// matches `parse.p99` and `parse.cached.p99`, but `*` alone does not match `throughput`'s absence.
    static func matches(pattern: String, path: String) -> Bool {
        MetricSelection.matches(pattern: pattern, name: path)
    }

    func validate() throws(CompareError) {
        guard threshold.isFinite, threshold > 0, threshold < 1 else {
            throw .invalidOption("threshold must be between 0 and 100% (a fraction in (0, 1)), got \(threshold)")
        }
        guard alpha > 0, alpha < 1 else { throw .invalidOption("alpha must be between 0 and 1, got \(alpha)") }
        guard confidence > 0, confidence < 1 else {
            throw .invalidOption("confidence must be between 0 and 1, got \(confidence)")
        }
        guard latencyFloorNanoseconds >= 0, latencyFloorNanoseconds.isFinite else {
            throw .invalidOption("latency floor must be ≥ 0 ns, got \(latencyFloorNanoseconds)")
        }
        guard resamples >= 100 else { throw .invalidOption("resamples must be at least 100, got \(resamples)") }
        guard power > 0.5, power < 1 else { throw .invalidOption("power must be between 0.5 and 1, got \(power)") }
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
    /// A `--gate` pattern matches no metric both results have.
    case unknownGate(pattern: String, suggestion: String?, known: String)

    public var description: String {
        switch self {
        case .scenarioMismatch(let b, let a):
            "cannot compare results of different scenarios ('\(b)' before, '\(a)' after); use --force to compare anyway"
        case .schemaMismatch(let b, let a):
            "cannot compare results of different schema versions (\(b) before, \(a) after); use --force to compare anyway"
        case .invalidOption(let message):
            "invalid compare option: \(message)"
        case .unknownGate(let pattern, let suggestion, let known):
            "--gate \(pattern): matches no metric of these results; "
                + (suggestion.map { "did you mean \"\($0)\"? " } ?? "")
                + "metrics: \(known)"
        }
    }
}
