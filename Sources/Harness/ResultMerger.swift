import BenchModel
import Histogram

/// Combines results of the same scenario run separately (e.g. interleaved A/B trials) into one
/// result with every trial in `trials[]`, so compare's statistics see them all.
public enum ResultMerger {
    public enum MergeError: Error, CustomStringConvertible, Equatable {
        case nothingToMerge
        case mismatch(file: String, field: String, expected: String, found: String)
        case badHistogram(file: String, key: String, reason: String)

        public var description: String {
            switch self {
            case .nothingToMerge: "merge needs at least one result"
            case .mismatch(let f, let field, let e, let found):
                "\(f): \(field) is '\(found)' but the first result has '\(e)'; only results of the same scenario and schema merge"
            case .badHistogram(let f, let k, let r): "\(f): histograms.\(k): \(r)"
            }
        }
    }

    /// Merges `results` (named by `files` for errors). Latency comes from the merged histograms;
    /// counts add up; per-phase latency is the median over trials of each percentile (phases carry
    /// no histograms); memory and CPU figures are averaged; the time series is the first result's.
    public static func merge(_ results: [BenchResult], files: [String]) throws(MergeError) -> BenchResult {
        guard var merged = results.first else { throw .nothingToMerge }
        for (r, file) in zip(results, files).dropFirst() {
            if r.schema != merged.schema { throw .mismatch(file: file, field: "schema", expected: merged.schema, found: r.schema) }
            if r.scenario.name != merged.scenario.name {
                throw .mismatch(file: file, field: "scenario.name", expected: merged.scenario.name, found: r.scenario.name)
            }
        }
        var histograms: [String: Histogram<UInt64>] = [:]
        for (r, file) in zip(results, files) {
            for (key, encoded) in r.histograms {
                let h: Histogram<UInt64>
                do { h = try encoded.histogram() } catch { throw .badHistogram(file: file, key: key, reason: error.description) }
                if histograms[key] == nil { histograms[key] = h } else { histograms[key]!.add(h) }
            }
        }
        let trials = results.flatMap(\.trials).enumerated().map { i, t in
            var t = t
            t.trial = i
            return t
        }
        merged.trials = trials
        merged.histograms = histograms.mapValues { EncodedHistogram($0) }
        merged.durationSeconds = results.reduce(0) { $0 + $1.durationSeconds }
        merged.interrupted = results.contains { $0.interrupted }
        merged.warnings = Array(Set(results.flatMap(\.warnings))).sorted()
        merged.summary = combine(trials.map(\.summary), latency: histograms.mapValues(\.latencySummary),
                                 seconds: trials.map(\.durationSeconds))
        merged.phases = merged.phases.enumerated().map { i, base in
            var p = base
            let same = trials.compactMap { $0.phases.count > i ? $0.phases[i] : nil }
            p.stats = combine(same.map(\.stats), latency: medianLatency(same.map(\.stats)),
                              seconds: same.map(\.durationSeconds))
            p.achievedRate = mean(same.map(\.achievedRate))
            p.maxQueueDepth = same.map(\.maxQueueDepth).max() ?? 0
            return p
        }
        return merged
    }

    /// One summary from several spans' summaries: counts summed, throughput over the summed time,
    /// `latency` as given (from merged histograms where there are any), memory and CPU averaged
    /// (peak: the largest, jemalloc: the last span's).
    static func combine(_ parts: [RunSummary], latency: [String: LatencySummary], seconds: [Double]) -> RunSummary {
        guard !parts.isEmpty else { return RunSummary() }
        let episodes = parts.reduce(0) { $0 + $1.episodes }
        let total = seconds.reduce(0, +)
        var s = RunSummary(
            episodes: episodes, errors: parts.reduce(0) { $0 + $1.errors }, dropped: parts.reduce(0) { $0 + $1.dropped },
            throughputEps: total > 0 ? Double(episodes) / total : 0, latencyNs: latency,
            phi: PhiStats(hits: parts.reduce(0) { $0 + $1.phi.hits }, misses: parts.reduce(0) { $0 + $1.phi.misses },
                          evictions: parts.reduce(0) { $0 + $1.phi.evictions }))
        let m = parts.map(\.memory)
        s.memory = MemoryStats(
            rssStartBytes: UInt64(mean(m.map { Double($0.rssStartBytes) })), rssEndBytes: UInt64(mean(m.map { Double($0.rssEndBytes) })),
            rssPeakBytes: m.map(\.rssPeakBytes).max() ?? 0, rssGrowthPct: mean(m.map(\.rssGrowthPct)),
            rssSlopeBytesPerEpisode: mean(m.map(\.rssSlopeBytesPerEpisode)),
            allocationsPerEpisode: m.allSatisfy { $0.allocationsPerEpisode != nil } ? mean(m.map { $0.allocationsPerEpisode! }) : nil,
            bytesAllocatedPerEpisode: m.allSatisfy { $0.bytesAllocatedPerEpisode != nil } ? mean(m.map { $0.bytesAllocatedPerEpisode! }) : nil,
            jemalloc: m.last?.jemalloc)
        s.cpu = CPUStats(userSeconds: parts.reduce(0) { $0 + $1.cpu.userSeconds },
                         systemSeconds: parts.reduce(0) { $0 + $1.cpu.systemSeconds },
                         utilization: mean(parts.map(\.cpu.utilization)))
        return s
    }

    /// Element-wise median of each latency statistic over `parts`.
    private static func medianLatency(_ parts: [RunSummary]) -> [String: LatencySummary] {
        var out: [String: LatencySummary] = [:]
        for key in Set(parts.flatMap(\.latencyNs.keys)) {
            let ls = parts.compactMap { $0.latencyNs[key] }
            func med(_ f: (LatencySummary) -> UInt64) -> UInt64 { UInt64(median(sorted: ls.map { Double(f($0)) }.sorted())) }
            out[key] = LatencySummary(count: ls.reduce(0) { $0 + $1.count }, min: ls.map(\.min).min() ?? 0,
                                      mean: median(sorted: ls.map(\.mean).sorted()), p50: med(\.p50), p90: med(\.p90),
                                      p95: med(\.p95), p99: med(\.p99), p999: med(\.p999), max: ls.map(\.max).max() ?? 0)
        }
        return out
    }
}
