/// Yuen's trimmed-means test (Yuen 1974; Wilcox, "Introduction to Robust Estimation and Hypothesis
/// Testing", §5.3): Welch's test on γ-trimmed means, with the standard error from the γ-winsorized
/// variance. A few outlying values — a process whose whole run the host disturbed — move a trimmed
/// mean by little and its standard error not at all, where they can make Welch's t on plain means
/// significant by themselves. With `trim` 0 it is exactly Welch's test.
public enum YuenTest {
    /// One side's trimmed mean, the squared standard error of it and the degrees of freedom it
    /// contributes (h − 1, with h the values kept).
    public struct Side: Sendable, Equatable {
        public var count: Int
        public var trimmedMean: Double
        public var squaredStandardError: Double
        public var kept: Int

        /// `xs` trimmed by `trim` (a fraction in [0, 0.5)) at each end: g = ⌊trim·n⌋ values cut from
        /// each end, but never so many that fewer than 2 stay. NaNs for an empty sample.
        public init(_ xs: [Double], trim: Double) {
            let n = xs.count
            count = n
            guard n > 0 else {
                trimmedMean = .nan
                squaredStandardError = .nan
                kept = 0
                return
            }
            let sorted = xs.sorted()
            let wanted = trim > 0 && trim < 0.5 ? Int((trim * Double(n)).rounded(.down)) : 0
            let g = max(0, min(wanted, (n - 2) / 2))
            let h = n - 2 * g
            kept = h
            trimmedMean = sorted[g..<(n - g)].reduce(0, +) / Double(h)
            guard n > 1, h > 1 else {
                squaredStandardError = 0
                return
            }
            // The winsorized sample: the g lowest raised to the (g+1)-th, the g highest lowered to the (n−g)-th.
            let low = sorted[g], high = sorted[n - g - 1]
            let w = sorted.map { min(max($0, low), high) }
            let wm = w.reduce(0, +) / Double(n)
            let winsorizedVariance = w.reduce(0) { $0 + ($1 - wm) * ($1 - wm) } / Double(n - 1)
            squaredStandardError = Double(n - 1) * winsorizedVariance / (Double(h) * Double(h - 1))
        }
    }

    /// B's trimmed mean minus A's, its standard error and the Welch–Satterthwaite degrees of freedom
    /// (Yuen's form). Standard error 0 when neither side has spread.
    public static func difference(_ a: [Double], _ b: [Double], trim: Double) -> (difference: Double, standardError: Double, degreesOfFreedom: Double) {
        let sa = Side(a, trim: trim), sb = Side(b, trim: trim)
        let se2 = sa.squaredStandardError + sb.squaredStandardError
        let denominator = sa.squaredStandardError * sa.squaredStandardError / Double(max(1, sa.kept - 1))
            + sb.squaredStandardError * sb.squaredStandardError / Double(max(1, sb.kept - 1))
        let df = denominator > 0 ? se2 * se2 / denominator : .infinity
        return (sb.trimmedMean - sa.trimmedMean, se2.squareRoot(), df)
    }

    /// The two-sided p-value of "equal trimmed means"; nil with fewer than 2 values a side.
    public static func pValue(_ a: [Double], _ b: [Double], trim: Double) -> Double? {
        guard a.count >= 2, b.count >= 2 else { return nil }
        let (d, se, df) = difference(a, b, trim: trim)
        guard se > 0 else { return d == 0 ? 1 : 0 }
        return min(1, 2 * Distributions.studentTCDF(-abs(d / se), df: df))
    }
}
