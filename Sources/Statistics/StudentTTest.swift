#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Two segments of a series compared by Student's two-sample t-test (pooled variance, two-sided),
/// the significance test Apache Otava applies to every change point.
public struct SegmentComparison: Sendable, Equatable {
    public var countBefore: Int
    public var countAfter: Int
    public var meanBefore: Double
    public var meanAfter: Double
    /// Sample standard deviations (n − 1 in the denominator); 0 for a segment of one point.
    public var stddevBefore: Double
    public var stddevAfter: Double
    /// Two-sided p-value of "both segments have the same mean".
    public var pValue: Double

    /// Relative change from before to after, `(after − before) / |before|`; 0 when `before` is 0
    /// (as Otava does; ``magnitude`` then carries the change).
    public var relativeChange: Double {
        meanBefore == 0 ? 0 : (meanAfter - meanBefore) / abs(meanBefore)
    }

    /// Otava's magnitude: the larger of the relative change measured from either side, so a halving
    /// and a doubling count the same (both 1.0). Compared with the minimum magnitude.
    public var magnitude: Double {
        let d = abs(meanAfter - meanBefore)
        let forward = meanBefore == 0 ? 0 : d / abs(meanBefore)
        let backward = meanAfter == 0 ? 0 : d / abs(meanAfter)
        return max(forward, backward)
    }

    /// Compares `before` and `after` (both non-empty).
    ///
    /// The pooled variance uses each segment's sum of squared deviations over n₁ + n₂ − 2 degrees of
    /// freedom; the p-value is 2·P(T > |t|) = I_{df/(df+t²)}(df/2, 1/2). With no degrees of freedom
    /// (one point each) p is 1; with zero variance on both sides p is 0 when the means differ, else 1.
    public init(before: ArraySlice<Double>, after: ArraySlice<Double>) {
        precondition(!before.isEmpty && !after.isEmpty, "segments must be non-empty")
        let (m1, ss1) = Self.meanAndSquares(before)
        let (m2, ss2) = Self.meanAndSquares(after)
        let n1 = before.count, n2 = after.count
        countBefore = n1
        countAfter = n2
        meanBefore = m1
        meanAfter = m2
        stddevBefore = n1 > 1 ? (ss1 / Double(n1 - 1)).squareRoot() : 0
        stddevAfter = n2 > 1 ? (ss2 / Double(n2 - 1)).squareRoot() : 0
        let df = Double(n1 + n2 - 2)
        guard df > 0 else {
            pValue = 1
            return
        }
        let pooled = (ss1 + ss2) / df
        let diff = m2 - m1
        guard pooled > 0 else {
            pValue = diff == 0 ? 1 : 0
            return
        }
        let t = diff / (pooled * (1 / Double(n1) + 1 / Double(n2))).squareRoot()
        guard t.isFinite else {
            pValue = t.isNaN ? 1 : 0
            return
        }
        pValue = min(1, max(0, Distributions.regularizedIncompleteBeta(x: df / (df + t * t), a: df / 2, b: 0.5)))
    }

    /// Mean and sum of squared deviations, in two passes (stable for values far from zero, such as
    /// latencies in nanoseconds).
    static func meanAndSquares(_ xs: ArraySlice<Double>) -> (Double, Double) {
        let mean = Descriptive.mean(xs)
        let ss = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return (mean, ss)
    }
}
