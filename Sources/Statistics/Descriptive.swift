/// The descriptive statistics every module uses, written once: the median and the mean.
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
    public static func mean(_ v: [Double]) -> Double {
        v.isEmpty ? 0 : v.reduce(0, +) / Double(v.count)
    }
}
