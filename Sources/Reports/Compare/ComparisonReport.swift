import BenchModel
import Statistics

/// What a comparison says about one metric (or about all of them, for the overall verdict).
public enum Verdict: String, Sendable, Codable, Equatable, CaseIterable {
    /// Significantly better, by more than the threshold.
    case improved
    /// Significantly worse, by more than the threshold.
    case regressed
    /// Within the threshold (by confidence interval, or not significant with a small effect).
    case unchanged
    /// Beyond the threshold but not significant, or too few trials to tell.
    case inconclusive
    /// Significantly different, beyond the threshold, for a metric without a good direction.
    case changed
    /// Not called a change, but the gate could not have seen one of the threshold's size: its
    /// minimum detectable effect is larger than the threshold (or the trials cannot reach α).
    case belowDetectionLimit = "below_detection_limit"

    /// The verdict in words.
    public var text: String { self == .belowDetectionLimit ? "below detection limit" : rawValue }
}

/// One metric of a comparison.
public struct MetricComparison: Sendable, Codable, Equatable {
    /// Metric path, e.g. `e2e.p99`, `throughput`, `cache.hit_rate`.
    public var metric: String
    public var unit: MetricUnit
    public var direction: MetricDirection
    /// Whether a regression of this metric fails the comparison.
    public var gated: Bool
    /// The value before, in the metric's base unit: the median over trials (the value itself with
    /// one trial).
    public var before: Double
    /// The value after, likewise.
    public var after: Double
    /// (after − before) / before; nil when before is 0 and after is not.
    public var change: Double?
    /// Per-trial values the statistics were computed from.
    public var beforeTrials: [Double]
    public var afterTrials: [Double]
    /// Two-sided Mann–Whitney U test over the trials; nil with fewer than two trials on a side.
    public var test: MannWhitneyResult?
    /// Bootstrap interval of the relative change of medians; nil with fewer than two trials on a side.
    public var interval: ConfidenceInterval?
    /// The noise and minimum detectable effect (gated metrics only).
    public var sensitivity: Sensitivity?
    public var verdict: Verdict
    /// Why the verdict is what it is, in words.
    public var reason: String

    public init(metric: String, unit: MetricUnit, direction: MetricDirection, gated: Bool, before: Double, after: Double,
                change: Double?, beforeTrials: [Double], afterTrials: [Double], test: MannWhitneyResult?,
                interval: ConfidenceInterval?, sensitivity: Sensitivity? = nil, verdict: Verdict, reason: String) {
        self.metric = metric
        self.unit = unit
        self.direction = direction
        self.gated = gated
        self.before = before
        self.after = after
        self.change = change
        self.beforeTrials = beforeTrials
        self.afterTrials = afterTrials
        self.test = test
        self.interval = interval
        self.sensitivity = sensitivity
        self.verdict = verdict
        self.reason = reason
    }
}

/// Identification of one side of a comparison.
public struct ComparedRun: Sendable, Codable, Equatable {
    public var label: String
    public var scenario: String
    public var schema: String
    public var commit: String
    public var dirty: Bool
    /// `release` or `debug`.
    public var configuration: String
    public var jemalloc: Bool
    public var trials: Int
    public var startedAt: String
    public var hostname: String

    public init(_ r: BenchResult, label: String) {
        self.label = label
        scenario = r.scenario.name
        schema = r.schema
        commit = r.build.commit
        dirty = r.build.dirty
        configuration = r.build.configuration
        jemalloc = r.build.jemalloc
        trials = Swift.max(1, r.trials.count)
        startedAt = r.startedAt
        hostname = r.machine.hostname
    }
}

/// The result of comparing two runs: every paired metric with its verdict, and an overall verdict.
///
/// Render it with ``text()``, ``markdown()``, ``json()`` or ``html(before:after:)``;
/// ``exitStatus`` is what `phibench compare` exits with.
public struct ComparisonReport: Sendable, Codable, Equatable {
    /// Schema of the JSON rendering.
    public static let schemaID = "phibench.compare/1"

    public var schema: String
    public var before: ComparedRun
    public var after: ComparedRun
    /// Relative threshold (fraction).
    public var threshold: Double
    public var alpha: Double
    public var confidence: Double
    public var resamples: Int
    public var seed: UInt64
    /// The statistics used, in words (test and its method(s), interval).
    public var statistic: String
    public var metrics: [MetricComparison]
    /// Things a reader should know: stage sets that differ, metrics only on one side, build differences.
    public var notes: [String]
    /// Conditions that make the verdict less trustworthy (a machine mismatch), shown loudly by every writer.
    public var warnings: [RunWarning]
    /// Regressed if any gated metric regressed; else improved if any gated metric improved; else
    /// inconclusive if any gated metric is; else below the detection limit if any gated metric is;
    /// else unchanged.
    public var verdict: Verdict
    /// Paths of gated metrics that regressed.
    public var gatedRegressions: [String]

    public init(schema: String, before: ComparedRun, after: ComparedRun, threshold: Double, alpha: Double, confidence: Double,
                resamples: Int, seed: UInt64, statistic: String, metrics: [MetricComparison], notes: [String],
                warnings: [RunWarning], verdict: Verdict, gatedRegressions: [String]) {
        self.schema = schema
        self.before = before
        self.after = after
        self.threshold = threshold
        self.alpha = alpha
        self.confidence = confidence
        self.resamples = resamples
        self.seed = seed
        self.statistic = statistic
        self.metrics = metrics
        self.notes = notes
        self.warnings = warnings
        self.verdict = verdict
        self.gatedRegressions = gatedRegressions
    }

    /// 1 when any gated metric regressed, else 0.
    public var exitStatus: Int32 { gatedRegressions.isEmpty ? 0 : 1 }

    /// Metrics with the given verdict.
    public func metrics(_ verdict: Verdict) -> [MetricComparison] { metrics.filter { $0.verdict == verdict } }
}
