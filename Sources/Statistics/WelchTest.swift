#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Welch's two-sample t-test (unequal variances), two-sided.
public enum WelchTest {
    /// The two-sided p-value of "equal means" for samples `a` and `b` (each ≥ 2 values). With no
    /// spread on either side p is 0 when the means differ, else 1; nil with fewer than 2 values.
    public static func pValue(_ a: [Double], _ b: [Double]) -> Double? {
        guard a.count >= 2, b.count >= 2 else { return nil }
        let (ma, va) = meanVariance(a), (mb, vb) = meanVariance(b)
        let sa = va / Double(a.count), sb = vb / Double(b.count)
        let se2 = sa + sb
        guard se2 > 0 else { return ma == mb ? 1 : 0 }
        let t = (mb - ma) / se2.squareRoot()
        let df = se2 * se2 / (sa * sa / Double(a.count - 1) + sb * sb / Double(b.count - 1))
        return min(1, 2 * Distributions.studentTCDF(-abs(t), df: df))
    }

    /// Mean and sample variance (n − 1 in the denominator); variance 0 for one value, NaNs for none.
    public static func meanVariance(_ xs: [Double]) -> (mean: Double, variance: Double) {
        guard !xs.isEmpty else { return (.nan, .nan) }
        let mean = xs.reduce(0, +) / Double(xs.count)
        guard xs.count > 1 else { return (mean, 0) }
        return (mean, xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(xs.count - 1))
    }

    /// The same on the log scale (a ratio's test), for strictly positive samples; nil otherwise.
    public static func pValueOfRatio(_ a: [Double], _ b: [Double]) -> Double? {
        guard a.allSatisfy({ $0 > 0 }), b.allSatisfy({ $0 > 0 }) else { return nil }
        return pValue(a.map { log($0) }, b.map { log($0) })
    }
}
