/// The E-Divisive energy statistic of Matteson & James ("A Nonparametric Approach for Multiple
/// Change Point Analysis of Multivariate Data", 2014), with exponent α = 1 as Otava uses it.
///
/// For a segment Z[s..<e], a split τ and an end κ (s < τ < κ ≤ e), with X = Z[s..<τ] (n points)
/// and Y = Z[τ..<κ] (m points):
///
///     Q̂(τ, κ) = 2/(m+n) · Σᵢⱼ |Xᵢ − Yⱼ|
///             − 2m/((m+n)(n−1)) · Σ_{i<k} |Xᵢ − Xₖ|
///             − 2n/((m+n)(m−1)) · Σ_{j<k} |Yⱼ − Yₖ|
///
/// (a within-part term is 0 when that part has one point). The candidate split of the segment is
/// the τ of the (τ, κ) maximising Q̂. Sums are kept incrementally from column prefix sums of the
/// distance matrix, so one segment costs O(len²), not O(len⁴).
public struct EnergyStatistic: Sendable {
    /// Number of points.
    public let count: Int
    /// `prefix[c * (count + 1) + r]` = Σ_{i<r} |z_i − z_c|.
    private let prefix: [Double]

    public init(_ values: ArraySlice<Double>) {
        let z = Array(values)
        let n = z.count
        count = n
        var prefix = [Double](repeating: 0, count: n * (n + 1))
        for c in 0..<n {
            var sum = 0.0
            let base = c * (n + 1)
            for r in 0..<n {
                sum += abs(z[r] - z[c])
                prefix[base + r + 1] = sum
            }
        }
        self.prefix = prefix
    }

    /// Σ_{i ∈ lo..<hi} |z_i − z_c|.
    private func distances(to c: Int, from lo: Int, to hi: Int) -> Double {
        let base = c * (count + 1)
        return prefix[base + hi] - prefix[base + lo]
    }

    /// The best split of [lo, hi) with at least `minSegment` points on each side and in Y:
    /// τ and the maximal Q̂, or nil when the segment is too short. Ties go to the smallest τ, then κ.
    public func bestSplit(from lo: Int, to hi: Int, minSegment: Int) -> (tau: Int, q: Double)? {
        let l = max(1, minSegment)
        guard hi - lo >= 2 * l else { return nil }
        var best: (tau: Int, q: Double)?
        var withinX = 0.0  // Σ_{i<k in [lo, tau)} |z_i − z_k|
        for tau in (lo + 1)...(hi - l) {
            withinX += distances(to: tau - 1, from: lo, to: tau - 1)
            guard tau - lo >= l else { continue }
            let n = Double(tau - lo)
            var cross = 0.0, withinY = 0.0
            for kappa in (tau + 1)...hi {
                let c = kappa - 1  // the point Y gains
                cross += distances(to: c, from: lo, to: tau)
                withinY += distances(to: c, from: tau, to: c)
                guard kappa - tau >= l else { continue }
                let m = Double(kappa - tau)
                var q = 2 / (m + n) * cross
                if n > 1 { q -= 2 * m / ((m + n) * (n - 1)) * withinX }
                if m > 1 { q -= 2 * n / ((m + n) * (m - 1)) * withinY }
                if best.map({ q > $0.q }) ?? true { best = (tau, q) }
            }
        }
        return best
    }

    /// E-Divisive on `values[start..<end]`: repeatedly the split τ of a segment that maximises Q̂, kept
    /// while Student's t-test of its two parts (computed on `tested`, the values or their ranks) has
    /// p ≤ `maxPValue`. Absolute indices of the change points it finds, sorted.
    public static func eDivisive(_ values: [Double], tested: [Double], start: Int, end: Int, maxPValue: Double, minSegment: Int) -> [Int] {
        guard end - start >= 2 * minSegment else { return [] }
        let energy = Self(values[start..<end])
        var points: [Int] = []  // relative to start
        while true {
            let bounds = [0] + points + [end - start]
            var best: (tau: Int, q: Double, lo: Int, hi: Int)?
            for k in 0..<(bounds.count - 1) {
                let lo = bounds[k], hi = bounds[k + 1]
                if let c = energy.bestSplit(from: lo, to: hi, minSegment: minSegment), best.map({ c.q > $0.q }) ?? true {
                    best = (c.tau, c.q, lo, hi)
                }
            }
            guard let b = best else { break }
            let test = SegmentComparison(before: tested[(start + b.lo)..<(start + b.tau)],
                                         after: tested[(start + b.tau)..<(start + b.hi)])
            guard test.pValue <= maxPValue else { break }
            points.append(b.tau)
            points.sort()
        }
        return points.map { $0 + start }
    }
}
