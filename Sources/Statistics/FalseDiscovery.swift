/// Benjamini–Hochberg false-discovery-rate control: with many metrics each tested at α, a few always
/// look significant by chance; the adjusted p-values (q-values) keep the expected share of false
/// findings among the ones called at most α (under independence or positive dependence, which the
/// metrics of one run have).
public enum FalseDiscovery {
    /// BH-adjusted p-values, in the order of `pValues`: q_(i) = min over j ≥ i of p_(j)·m/j, capped at 1.
    public static func benjaminiHochberg(_ pValues: [Double]) -> [Double] {
        let m = pValues.count
        guard m > 0 else { return [] }
        let order = pValues.indices.sorted { pValues[$0] < pValues[$1] }
        var adjusted = [Double](repeating: 1, count: m)
        var running = 1.0
        for rank in stride(from: m, through: 1, by: -1) {
            let i = order[rank - 1]
            running = min(running, pValues[i] * Double(m) / Double(rank))
            adjusted[i] = min(1, running)
        }
        return adjusted
    }
}
