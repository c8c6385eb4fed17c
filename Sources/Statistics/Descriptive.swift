/// The descriptive statistics every module uses, written once: the median, the mean, quantiles and ranks.
public enum Descriptive {
    /// The median of an already sorted, non-empty array (the mean of the middle two for an even count).
    public static func median(sorted v: [Double]) -> Double {
        precondition(!v.isEmpty, "the median of nothing")
        let m = v.count / 2
        return v.count % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2
    }

    /// The median of `values`, in any order; nil when empty.
    public static func median(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : median(sorted: values.sorted())
    }

    /// The arithmetic mean; 0 for no values.
    public static func mean<C: Collection<Double>>(_ v: C) -> Double {
        v.isEmpty ? 0 : v.reduce(0, +) / Double(v.count)
    }

    /// The linear-interpolated quantile of sorted, non-empty `s` at q in [0, 1].
    public static func quantile(sorted s: [Double], _ q: Double) -> Double {
        let pos = q * Double(s.count - 1)
        let lo = Int(pos.rounded(.down))
        let hi = Swift.min(lo + 1, s.count - 1)
        return s[lo] + (s[hi] - s[lo]) * (pos - Double(lo))
    }

    /// Mid-ranks 1…n of `values` (ties share their mean rank) and the sizes of the tie groups.
    public static func midRanks(_ values: [Double]) -> (ranks: [Double], tieSizes: [Int]) {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var tieSizes: [Int] = []
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && values[order[j + 1]] == values[order[i]] { j += 1 }
            let mid = Double(i + j + 2) / 2
            for k in i...j { ranks[order[k]] = mid }
            tieSizes.append(j - i + 1)
            i = j + 1
        }
        return (ranks, tieSizes)
    }
}
