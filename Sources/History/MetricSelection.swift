/// Chooses metrics by the patterns of `--metric`, the syntax compare's `--gate` uses: a name, or a
/// pattern where `*` stands for any non-empty run of characters (`*.p99`, `e2e.*`).
package enum MetricSelection {
    /// Whether `name` matches `pattern`.
    package static func matches(pattern: String, name: String) -> Bool {
        guard let star = pattern.firstIndex(of: "*") else { return pattern == name }
        let prefix = pattern[..<star]
        let suffix = pattern[pattern.index(after: star)...]
        return name.count > prefix.count + suffix.count && name.hasPrefix(prefix) && name.hasSuffix(suffix)
    }

    /// The names among `known` that match any of `patterns`, or all of `known` when there are no patterns.
    /// - Throws: ``HistoryError/unknownMetric(pattern:known:)`` for the first pattern matching
    ///   nothing, so a typo never silently turns a check off.
    package static func select(_ patterns: [String], from known: [String]) throws(HistoryError) -> Set<String> {
        guard !patterns.isEmpty else { return Set(known) }
        var out: Set<String> = []
        for p in patterns {
            let hits = known.filter { matches(pattern: p, name: $0) }
            guard !hits.isEmpty else { throw .unknownMetric(pattern: p, known: known) }
            out.formUnion(hits)
        }
        return out
    }
}
