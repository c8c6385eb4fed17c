import BenchModel

/// One line on what the trials' warm-ups ran and discarded, for the terminal and Markdown summaries:
/// "2.0 s fixed, 1,412,000 episodes discarded" or "0.9–1.4 s until steady (MSER; transient 0.1–0.3 s),
/// 1 of 5 trials reached max unsettled, …". nil when no trial warmed up.
enum WarmupText {
    static func describe(_ r: BenchResult) -> String? {
        let all = r.trials.compactMap(\.warmup)
        guard !all.isEmpty else { return nil }
        let episodes = all.reduce(UInt64(0)) { $0 &+ $1.episodes }
        let discarded = "\(Units.grouped(episodes)) episodes discarded"
        let seconds = range(all.map(\.seconds))
        let steady = all.filter { $0.rule == .steady }
        guard !steady.isEmpty else { return "\(seconds) fixed, \(discarded)" }
        let transient = range(steady.compactMap(\.transientSeconds))
        let unsettled = steady.filter { $0.settled == false }.count
        let capped = unsettled == 0 ? "" : ", \(unsettled) of \(steady.count) trial\(steady.count == 1 ? "" : "s") reached max unsettled"
        return "\(seconds) until steady (MSER on batch medians; transient \(transient))\(capped), \(discarded)"
    }

    /// "1.2 s" or "0.9–1.4 s".
    private static func range(_ values: [Double]) -> String {
        guard let lo = values.min(), let hi = values.max() else { return "–" }
        let a = Units.fixed(lo, digits: 1), b = Units.fixed(hi, digits: 1)
        return a == b ? "\(a) s" : "\(a)–\(b) s"
    }
}
