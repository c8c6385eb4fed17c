/// Whether the gaps between the episodes an open-loop phase actually started fit the arrival
/// process it was meant to follow (Lancet's self-check).
///
/// Start times are mapped through the phase's integrated rate Λ(t) (the time-rescaling theorem):
/// a Poisson process following the rate curve becomes one of rate 1, whose gaps are Exp(1); a
/// uniform schedule becomes gaps of exactly 1. For `poisson` the rescaled gaps are tested against
/// Exp(1) with a one-sample Kolmogorov–Smirnov test; for `uniform` their spread around 1 is
/// measured (the 99th percentile of |gap − 1|, in mean gaps). A failed check means the harness
/// did not deliver the load it meant: starts bunched behind a full queue or late wake-ups.
public struct ArrivalCheck: Sendable, Codable, Equatable {
    /// What was tested.
    public enum Method: String, Sendable, Codable, Equatable {
        /// Kolmogorov–Smirnov against Exp(1): `statistic` is D, `pValue` its asymptotic p-value.
        case kolmogorovSmirnovExponential = "ks_exp1"
        /// Spread of rescaled gaps around 1: `statistic` is the p99 of |gap − 1|.
        case uniformSpread = "uniform_spread"
    }

    /// The outcome.
    public enum Verdict: String, Sendable, Codable, Equatable {
        case pass
        case fail
        /// Too few gaps to say (fewer than ``ArrivalCheck/minimumGaps``).
        case insufficient
    }

    /// The process the phase was meant to follow.
    public var process: ArrivalProcess
    public var method: Method
    /// Gaps tested (a bounded sample: at most about 100,000 starts per phase).
    public var gaps: Int
    /// KS D, or the p99 of |gap − 1| for uniform.
    public var statistic: Double
    /// The KS p-value (nil for uniform, which has no null distribution to test against).
    public var pValue: Double?
    /// The largest statistic that passes: the KS critical D at `significance`, or the uniform tolerance.
    public var criticalValue: Double
    /// Significance level of the KS test (nil for uniform).
    public var significance: Double?
    /// Mean rescaled gap (1 when the achieved mean rate matches the rate curve).
    public var meanGap: Double
    /// Coefficient of variation of the rescaled gaps (1 for Poisson, 0 for a perfect uniform schedule).
    public var coefficientOfVariation: Double
    public var verdict: Verdict

    /// Below this many gaps the check says `insufficient` rather than pass or fail.
    public static let minimumGaps = 20

    public init(process: ArrivalProcess, method: Method, gaps: Int, statistic: Double, pValue: Double?,
                criticalValue: Double, significance: Double?, meanGap: Double, coefficientOfVariation: Double,
                verdict: Verdict) {
        self.process = process
        self.method = method
        self.gaps = gaps
        self.statistic = statistic
        self.pValue = pValue
        self.criticalValue = criticalValue
        self.significance = significance
        self.meanGap = meanGap
        self.coefficientOfVariation = coefficientOfVariation
        self.verdict = verdict
    }

    enum CodingKeys: String, CodingKey {
        case process, method, gaps, statistic, pValue, criticalValue, significance, meanGap, verdict
        case coefficientOfVariation = "cv"
    }

    /// One line for a phase table: `poisson KS D=0.012 p=0.41 (n=4999) pass`.
    public var summary: String {
        let n = "n=\(gaps)"
        switch method {
        case .kolmogorovSmirnovExponential:
            let p = pValue.map { "p=\(Units.fixed($0, digits: 3))" } ?? ""
            return "\(process.rawValue) KS D=\(Units.fixed(statistic, digits: 4)) \(p) (\(n)) \(verdict.rawValue)"
        case .uniformSpread:
            return "\(process.rawValue) p99|gap−1|=\(Units.fixed(statistic, digits: 3)) ≤ \(Units.fixed(criticalValue, digits: 2)) (\(n)) \(verdict.rawValue)"
        }
    }
}
