import BenchModel
import Foundation
import Statistics

/// One gated metric of a sequential A/B: which way is worse, its share of the family's false-alarm
/// rate, and the smallest regression it must catch.
public struct GatedMetric: Sendable, Equatable, Codable {
    public var key: String
    /// True when a higher value is worse (latency, allocations); false when lower is worse (throughput).
    public var higherIsWorse: Bool
    /// This metric's one-sided false-alarm rate: its weighted-Bonferroni share of the family's α.
    public var alpha: Double
    /// The regression (fraction, 0.05 = 5%) it must detect with the gate's power; raised above the
    /// gate's threshold where an absolute floor (100 ns for latency) is the larger change.
    public var threshold: Double
    /// True for the primary metric (the larger α share).
    public var primary: Bool
    /// The unit its values are in (for display).
    public var unit: MetricUnit

    public init(key: String, higherIsWorse: Bool, alpha: Double, threshold: Double, primary: Bool, unit: MetricUnit = .ratio) {
        self.unit = unit
        self.key = key
        self.higherIsWorse = higherIsWorse
        self.alpha = alpha
        self.threshold = threshold
        self.primary = primary
    }
}

/// A metric's decision at a look.
public enum SequentialVerdict: String, Sendable, Codable, Equatable {
    /// B is worse, beyond the efficacy boundary and by at least half the threshold: the gate fails.
    case regressed
    /// B is better, beyond the efficacy boundary (mirrored).
    case improved
    /// A regression of the threshold's size is ruled out (the futility boundary): a real answer.
    case within
    /// Neither yet; at the last look, "inconclusive" with the MDE reached.
    case undecided
    case inconclusive
}

/// What one look saw of one metric. Values are on the log scale of the per-process geometric means
/// (a difference d is a ratio e^d), signed so that positive is worse.
public struct MetricLook: Sendable, Equatable, Codable {
    public var key: String
    public var unitsA: Int
    public var unitsB: Int
    /// exp(trimmed mean of the per-process log values) of each side: its typical value in the metric's unit.
    public var levelA: Double
    public var levelB: Double
    /// Relative change B vs A (B/A − 1, in the metric's own direction of values).
    public var change: Double
    /// The z-equivalent of Yuen's t for "B worse than A" (t mapped through its CDF onto the normal).
    public var z: Double
    /// The z-equivalent of the test against a regression of the threshold (negative: below it).
    public var zThreshold: Double
    /// The efficacy and futility boundaries in force at this look (z scale).
    public var efficacyBoundary: Double
    public var futilityBoundary: Double
    /// The standard error of the log difference of the trimmed means (Yuen's).
    public var standardError: Double
    /// The regression that the full design detects with the gate's power, from this look's noise.
    public var mdeAtBudget: Double?
    public var verdict: SequentialVerdict
}

/// The group-sequential rule over a family of gated metrics.
///
/// The unit is a *process*: its value for a metric is the mean of the log values of the workload
/// instances (trials) it ran, so instances that share a process never count as independent. At each
/// look Yuen's t of the log difference (Welch's on the sides' trimmed means, so a few processes the
/// host disturbed as a whole do not decide it) is mapped to the normal scale and compared with
/// Lan–DeMets boundaries at the information fraction n/N (N the planned processes a side):
/// - efficacy (regression) at the metric's α share, spent O'Brien–Fleming-like, so early looks stop
///   only for large effects and the overall false-alarm rate of the family stays ≤ α (weighted
///   Bonferroni over the metrics, each with its own spending);
/// - futility ("within the threshold") at β = 1 − power, tested against a regression of the
///   threshold's size, non-binding (computed as if the other boundary did not exist, so both error
///   rates are at most their nominal values).
public struct SequentialGate: Sendable {
    public var metrics: [GatedMetric]
    /// Planned processes a side at each look; the last is the design's maximum.
    public private(set) var looks: [Int]
    public var power: Double
    public var efficacySpending: SpendingFunction
    public var futilitySpending: SpendingFunction
    /// The fraction of processes trimmed from each end of a side before its mean is taken (Yuen's
    /// test); 0 is Welch's test on plain means.
    public var trim: Double
    /// Boundaries per metric (by α share) and the futility boundaries, per look.
    private var efficacy: [Double: [Double]] = [:]
    private var futility: [Double] = []
    private var drift: [Double: Double] = [:]
    private let cache: GroupSequential.Cache

    public init(metrics: [GatedMetric], looks: [Int], power: Double, trim: Double = ABPlan.defaultTrim,
                efficacySpending: SpendingFunction = .obrienFleming,
                futilitySpending: SpendingFunction = .hwangShihDeCani(gamma: -2), cache: GroupSequential.Cache = .init()) {
        self.cache = cache
        self.metrics = metrics
        self.looks = looks
        self.power = power
        self.trim = trim
        self.efficacySpending = efficacySpending
        self.futilitySpending = futilitySpending
        computeBoundaries()
    }

    /// Information fractions of the planned looks.
    public var fractions: [Double] {
        let n = Double(looks.last ?? 1)
        return looks.map { Double($0) / n }
    }

    /// Ends the design at `units` processes a side (the budget ran out before the plan): that look
    /// becomes the last and spends what is left. Only looks not yet taken change.
    public mutating func truncate(at units: Int) {
        guard let last = looks.last, units < last else { return }
        looks = looks.filter { $0 < units } + [units]
        computeBoundaries()
    }

    private mutating func computeBoundaries() {
        let f = fractions
        efficacy = [:]
        for alpha in Set(metrics.map(\.alpha)) {
            efficacy[alpha] = cache.upperBoundaries(fractions: f, alpha: alpha, spending: efficacySpending)
            drift[alpha] = cache.detectableDrift(fractions: f, alpha: alpha, spending: efficacySpending, power: power)
        }
        futility = cache.upperBoundaries(fractions: f, alpha: 1 - power, spending: futilitySpending)
    }

    /// The detectable effect of the whole design in standard errors at full information, per α share.
    public func detectableDrift(alpha: Double) -> Double {
        drift[alpha] ?? .infinity
    }

    /// The efficacy boundary of `metric` at look `index` (z scale).
    public func efficacyBoundary(_ metric: GatedMetric, look index: Int) -> Double { efficacy[metric.alpha]?[index] ?? .infinity }
    public func futilityBoundary(look index: Int) -> Double { futility[index] }

    /// Judges one metric at look `index` from the per-process values (log scale, one per process) of
    /// both sides and their instance-level geometric means.
    public func judge(_ metric: GatedMetric, look index: Int, a: [Double], b: [Double]) -> MetricLook {
        let sign = metric.higherIsWorse ? 1.0 : -1.0
        let sa = YuenTest.Side(a, trim: trim), sb = YuenTest.Side(b, trim: trim)
        let (ma, mb) = (sa.trimmedMean, sb.trimmedMean)
        let (difference, se, df) = YuenTest.difference(a, b, trim: trim)
        let na = Double(a.count), nb = Double(b.count)
        let d = sign * difference
        let tau = log1p(metric.threshold)
        let c = efficacyBoundary(metric, look: index), f = futilityBoundary(look: index)
        let z: Double, zt: Double
        if se > 0 && se.isFinite {
            // Yuen's t (Welch's on trimmed means) with its Welch–Satterthwaite degrees of freedom,
            // mapped onto the normal by its CDF, so the boundaries (derived for normal statistics)
            // hold at a few processes a side too.
            z = Self.tToZ(d / se, df: df)
            zt = Self.tToZ((d - tau) / se, df: df)
        } else {
            // No spread at all (exact counts): the difference is what it is.
            z = d > 0 ? .infinity : d < 0 ? -.infinity : 0
            zt = d >= tau ? .infinity : -.infinity
        }
        var verdict: SequentialVerdict = .undecided
        if z >= c && d >= tau / 2 {
            verdict = .regressed
        } else if -z >= c {
            verdict = .improved
        } else if zt <= -f {
            verdict = .within
        }
        let last = index == looks.count - 1
        if last && verdict == .undecided { verdict = .inconclusive }
        // The design's MDE from this look's noise: the SE shrinks as 1/√n up to the planned maximum,
        // and the degrees of freedom grow with n. The boundaries are on the normal scale, but the test
        // is a t-test mapped onto it: at the last look its boundary c is t_df(Φ(c)) in t units, so the
        // normal-theory drift is stretched by that ratio (at 16 processes a side and 20% trimmed,
        // about 12%; without it the printed MDE promised more power than the rule has).
        let n = Double(looks.last ?? 1), m = min(na, nb)
        let seFull = se * (m / n).squareRoot()
        let dfFull = df.isFinite ? df * n / max(1, m) : Double.infinity
        let finalBoundary = efficacyBoundary(metric, look: looks.count - 1)
        let stretch = finalBoundary.isFinite && finalBoundary > 0
            ? Distributions.studentTQuantile(Distributions.normalCDF(finalBoundary), df: dfFull) / finalBoundary : 1
        // A regression must also be ≥ τ/2: where the noise is low that, not the boundary, limits the MDE.
        let mde = se.isFinite
            ? expm1(max(detectableDrift(alpha: metric.alpha) * stretch * seFull,
                        tau / 2 + Distributions.studentTQuantile(power, df: dfFull) * seFull)) : nil
        return MetricLook(key: metric.key, unitsA: a.count, unitsB: b.count, levelA: exp(ma), levelB: exp(mb),
                          change: expm1(mb - ma), z: z, zThreshold: zt, efficacyBoundary: c, futilityBoundary: f,
                          standardError: se, mdeAtBudget: mde, verdict: verdict)
    }

    /// Maps Student's t with `df` degrees of freedom to the standard normal with the same tail probability.
    static func tToZ(_ t: Double, df: Double) -> Double {
        guard df.isFinite, df > 0 else { return t }
        if df > 1_000 { return t }
        let p = Distributions.studentTCDF(-abs(t), df: df)
        guard p > 0 else { return t > 0 ? .infinity : -.infinity }
        let z = -Distributions.normalQuantile(p)
        return t >= 0 ? z : -z
    }

    /// The weighted-Bonferroni split of the family's α: the primary metric gets `primaryShare` of it
    /// (all of it when alone), the others share the rest equally.
    public static func alphaShares(count: Int, primaryIndex: Int?, familyAlpha: Double, primaryShare: Double) -> [Double] {
        guard count > 0 else { return [] }
        guard let primaryIndex, count > 1 else { return Array(repeating: familyAlpha / Double(count), count: count) }
        let rest = familyAlpha * (1 - primaryShare) / Double(count - 1)
        return (0..<count).map { $0 == primaryIndex ? familyAlpha * primaryShare : rest }
    }
}
