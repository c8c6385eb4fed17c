/// A percentile-bootstrap confidence interval.
public struct ConfidenceInterval: Sendable, Codable, Equatable {
    public var low: Double
    public var high: Double
    /// Confidence level, e.g. 0.95.
    public var level: Double
}

public enum Bootstrap {

    /// A percentile-bootstrap interval for the relative change of medians, (median(after) −
    /// median(before)) / median(before), resampling each side with replacement `resamples` times.
    /// Returns nil when either side is empty or too few resamples had a non-zero `before` median.
    public static func relativeChangeOfMedians(
        before: [Double], after: [Double], resamples: Int, level: Double, seed: UInt64
    ) -> ConfidenceInterval? {
        guard !before.isEmpty, !after.isEmpty, resamples > 0 else { return nil }
        var rng = SplitMix64(seed: seed)
        var changes: [Double] = []
        changes.reserveCapacity(resamples)
        var a = [Double](repeating: 0, count: before.count)
        var b = [Double](repeating: 0, count: after.count)
        for _ in 0..<resamples {
            for i in a.indices { a[i] = before[Int(rng.next() % UInt64(before.count))] }
            for i in b.indices { b[i] = after[Int(rng.next() % UInt64(after.count))] }
            let mb = sortedMedian(&a), ma = sortedMedian(&b)
            guard mb != 0 else { continue }
            changes.append((ma - mb) / mb)
        }
        guard changes.count >= resamples / 2 else { return nil }
        changes.sort()
        let tail = (1 - level) / 2
        return ConfidenceInterval(low: Descriptive.quantile(sorted: changes, tail),
                                  high: Descriptive.quantile(sorted: changes, 1 - tail), level: level)
    }

    /// Sorts `v` in place (insertion sort: trial counts are small) and returns its median.
    private static func sortedMedian(_ v: inout [Double]) -> Double {
        v.withUnsafeMutableBufferPointer { p in
            for i in 1..<max(p.count, 1) {
                let x = p[i]
                var j = i - 1
                while j >= 0 && p[j] > x {
                    p[j + 1] = p[j]
                    j -= 1
                }
                p[j + 1] = x
            }
        }
        return Descriptive.median(sorted: v)
    }
}
