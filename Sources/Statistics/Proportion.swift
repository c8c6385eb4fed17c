/// Intervals for a proportion: k successes in n independent trials.
public enum Proportion {
    /// The Wilson score interval (Wilson 1927; Brown, Cai & DasGupta 2001 recommend it over the
    /// Wald interval, which collapses to a point at 0 or n successes), at the normal quantile `z`
    /// (1.959964: 95%). nil without trials or with k outside 0…n.
    public static func wilson(successes k: Int, trials n: Int, z: Double = 1.959964) -> ClosedRange<Double>? {
        guard n > 0, (0...n).contains(k) else { return nil }
        let nn = Double(n), p = Double(k) / nn
        let centre = (p + z * z / (2 * nn)) / (1 + z * z / nn)
        let half = z * (p * (1 - p) / nn + z * z / (4 * nn * nn)).squareRoot() / (1 + z * z / nn)
        return max(0, centre - half)...min(1, centre + half)
    }
}
