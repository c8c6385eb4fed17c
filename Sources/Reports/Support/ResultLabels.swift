import BenchModel

/// Names for results shown side by side: the scenario name, disambiguated by commit and then by
/// position when several results share it.
enum ResultLabels {
    static func make(_ results: [BenchResult], explicit: [String?] = []) -> [String] {
        var labels = results.indices.map { i -> String in
            if i < explicit.count, let e = explicit[i], !e.isEmpty { return e }
            return results[i].scenario.name
        }
        let explicitAt = { (i: Int) in i < explicit.count && explicit[i]?.isEmpty == false }
        if Set(labels).count < labels.count {
            for i in labels.indices where !explicitAt(i) {
                labels[i] += " @ " + Units.shortCommit(results[i].build.commit) + (results[i].build.dirty ? "+" : "")
            }
        }
        if Set(labels).count < labels.count {
            let original = labels
            for i in labels.indices where original.filter({ $0 == original[i] }).count > 1 {
                labels[i] += " #\(i + 1)"
            }
        }
        return labels
    }
}
