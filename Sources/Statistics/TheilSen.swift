/// A robust slope estimate with a confidence interval (Theil–Sen with Sen's 1968 interval).
///
/// The median of all pairwise slopes: one outlier (a GC spike, a page-cache hiccup) cannot drag it
/// the way it drags least squares, which is why leak verdicts use it.
public struct TheilSen: Sendable, Equatable {
    public var slope: Double
    public var intercept: Double
    /// 95% confidence interval of the slope.
    public var low: Double
    public var high: Double
    /// Points used (after thinning).
    public var points: Int

    /// Fits `y` against `x`. Uses at most `maxPoints` evenly spaced points (pairwise slopes grow as n²).
    /// - Returns: nil with fewer than 3 points or when every x is the same.
    public static func fit(x: [Double], y: [Double], maxPoints: Int = 400) -> TheilSen? {
        precondition(x.count == y.count, "x and y must pair up")
        var xs = x, ys = y
        if xs.count > maxPoints {
            let step = Double(xs.count - 1) / Double(maxPoints - 1)
            let idx = (0..<maxPoints).map { Int((Double($0) * step).rounded()) }
            xs = idx.map { x[$0] }
            ys = idx.map { y[$0] }
        }
        let n = xs.count
        guard n >= 3 else { return nil }
        var slopes: [Double] = []
        slopes.reserveCapacity(n * (n - 1) / 2)
        for i in 0..<n {
            for j in (i + 1)..<n where xs[j] != xs[i] {
                slopes.append((ys[j] - ys[i]) / (xs[j] - xs[i]))
            }
        }
        guard !slopes.isEmpty else { return nil }
        slopes.sort()
        let slope = Descriptive.median(sorted: slopes)
        let intercept = Descriptive.median(sorted: zip(xs, ys).map { $1 - slope * $0 }.sorted())
        // Sen's (1968) interval as scipy.stats.theilslopes computes it: σ² of Kendall's S with the
        // tie correction for repeated x and y values, then ranks round((N − zσ)/2) − 1 and
        // round((N + zσ)/2) (round half to even, as NumPy does) in the sorted slopes.
        func ties(_ v: [Double]) -> Double {
            var counts: [Double: Int] = [:]
            for x in v { counts[x, default: 0] += 1 }
            return counts.values.filter { $0 > 1 }.reduce(0.0) { t, k in t + Double(k * (k - 1) * (2 * k + 5)) }
        }
        let nn = Double(n)
        let variance = (nn * (nn - 1) * (2 * nn + 5) - ties(xs) - ties(ys)) / 18
        let c = 1.959963984540054 * Swift.max(variance, 0).squareRoot()
        let count = Double(slopes.count)
        let lowerRank = Swift.max(Int(((count - c) / 2).rounded(.toNearestOrEven)) - 1, 0)
        let upperRank = Swift.min(Int(((count + c) / 2).rounded(.toNearestOrEven)), slopes.count - 1)
        let low = slopes[Swift.min(lowerRank, slopes.count - 1)]
        let high = slopes[Swift.max(upperRank, 0)]
        return TheilSen(slope: slope, intercept: intercept, low: low, high: high, points: n)
    }
}
