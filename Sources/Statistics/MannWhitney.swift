#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a Mann–Whitney U p-value was computed.
public enum MannWhitneyMethod: String, Sendable, Codable, Equatable {
    /// The exact null distribution of U (no ties, at least one sample of 8 or fewer).
    case exact
    /// The normal approximation with tie correction and continuity correction.
    case normalApproximation = "normal"

    /// A phrase for reports.
    public var description: String {
        switch self {
        case .exact: "exact"
        case .normalApproximation: "normal approximation, tie- and continuity-corrected"
        }
    }
}

/// The outcome of a two-sided Mann–Whitney U test.
public struct MannWhitneyResult: Sendable, Codable, Equatable {
    /// U of the first sample: the number of (x, y) pairs with x > y, ties counting one half.
    public var u: Double
    /// Two-sided p-value.
    public var p: Double
    public var method: MannWhitneyMethod
}

/// The two-sided Mann–Whitney U (Wilcoxon rank-sum) test, computed the way SciPy's
/// `scipy.stats.mannwhitneyu(x, y, alternative="two-sided", method="auto")` does, so its numbers can
/// be checked against SciPy: exact when either sample has 8 or fewer values and there are no ties,
/// otherwise the normal approximation with tie and continuity correction.
public enum MannWhitney {
    /// Tests whether `x` and `y` come from the same distribution.
    /// Returns nil when either sample is empty.
    public static func test(_ x: [Double], _ y: [Double]) -> MannWhitneyResult? {
        let n1 = x.count, n2 = y.count
        guard n1 > 0, n2 > 0 else { return nil }
        let (ranks, tieSizes) = Descriptive.midRanks(x + y)
        let r1 = ranks[..<n1].reduce(0, +)
        let u1 = r1 - Double(n1 * (n1 + 1)) / 2
        let u2 = Double(n1 * n2) - u1
        let u = Swift.max(u1, u2)
        let hasTies = tieSizes.contains { $0 > 1 }
        if (n1 <= 8 || n2 <= 8) && !hasTies {
            let p = Swift.min(1, 2 * exactSurvival(Int(u.rounded()), n1, n2))
            return MannWhitneyResult(u: u1, p: p, method: .exact)
        }
        let n = Double(n1 + n2)
        let tieTerm = tieSizes.reduce(0.0) { $0 + Double($1 * $1 * $1 - $1) }
        let variance = Double(n1 * n2) / 12 * ((n + 1) - tieTerm / (n * (n - 1)))
        guard variance > 0 else { return MannWhitneyResult(u: u1, p: 1, method: .normalApproximation) }
        let z = (u - Double(n1 * n2) / 2 - 0.5) / variance.squareRoot()
        let p = Swift.min(1, Swift.max(0, 2 * Distributions.normalSurvival(z)))
        return MannWhitneyResult(u: u1, p: p, method: .normalApproximation)
    }

    /// The smallest two-sided p-value the test can produce with samples of these sizes (no ties).
    /// When it is not below alpha, no difference can be significant, whatever the data.
    public static func smallestPossibleP(_ n1: Int, _ n2: Int) -> Double {
        guard n1 > 0, n2 > 0 else { return 1 }
        if n1 <= 8 || n2 <= 8 { return Swift.min(1, 2 * exactSurvival(n1 * n2, n1, n2)) }
        let n = Double(n1 + n2)
        let z = (Double(n1 * n2) / 2 - 0.5) / (Double(n1 * n2) * (n + 1) / 12).squareRoot()
        return 2 * Distributions.normalSurvival(z)
    }

    /// P(U ≥ u) under the null hypothesis, from the exact distribution of U for sizes m and n.
    ///
    /// The number of arrangements with U = k is the coefficient of q^k in the Gaussian binomial
    /// coefficient [m+n choose m]_q, built factor by factor as ∏ (1 − q^(n+i)) / (1 − q^i).
    public static func exactSurvival(_ u: Int, _ m: Int, _ n: Int) -> Double {
        let degree = m * n
        guard u > 0 else { return 1 }
        guard u <= degree else { return 0 }
        var c = [Double](repeating: 0, count: degree + 1)
        c[0] = 1
        for i in 1...Swift.min(m, n) {
            let big = Swift.max(m, n)
            // Multiply by (1 − q^(big+i)), then divide by (1 − q^i).
            let shift = big + i
            if shift <= degree {
                for k in stride(from: degree, through: shift, by: -1) { c[k] -= c[k - shift] }
            }
            for k in i...degree { c[k] += c[k - i] }
        }
        let total = c.reduce(0, +)
        let tail = c[u...].reduce(0, +)
        return tail / total
    }
}
