/// Every metric a run has: the latency histograms (harness measures and the workload's stages, in
/// order) and the other metrics (harness-wide and the workload's own). Recorded in result.json, so
/// a result carries the vocabulary it was measured with.
public struct MetricCatalogue: Sendable, Codable, Equatable {
    /// Latency histograms in display order: episode measures, harness measures, then stages.
    public var histograms: [HistogramSpec]
    /// Non-latency metrics in display order.
    public var metrics: [MetricDescriptor]

    public init(histograms: [HistogramSpec], metrics: [MetricDescriptor]) {
        self.histograms = histograms
        self.metrics = metrics
    }

    /// Every descriptor: throughput and the other leading harness metrics, latency (histogram by
    /// histogram), then the rest in declaration order.
    public var descriptors: [MetricDescriptor] {
        let lead = metrics.prefix { $0.origin == .harness && MetricCatalogue.leadingKeys.contains($0.key) }
        return Array(lead) + histograms.flatMap(\.descriptors) + metrics.dropFirst(lead.count)
    }

    /// The keys listed before latency in ``descriptors``.
    static let leadingKeys: Set<String> = ["throughput", "episodes", "errors", "dropped", "error_rate"]

    /// The descriptor of `key` (`throughput_eps` is accepted for `throughput`, as version 1 wrote it).
    public func descriptor(_ key: String) -> MetricDescriptor? {
        let k = key == "throughput_eps" ? "throughput" : key
        if let dot = k.lastIndex(of: "."), let stat = LatencyStatistic(rawValue: String(k[k.index(after: dot)...])) {
            let h = String(k[..<dot])
            if let spec = histograms.first(where: { $0.key == h }) {
                return spec.descriptors.first { $0.source.statistic == stat.rawValue }
            }
        }
        return metrics.first { $0.key == k }
    }

    /// `keys` written compactly for a message: latency statistics grouped as
    /// `{e2e, parse}.{p50, p99, …}`, the other keys after them.
    public static func compactList(_ descriptors: [MetricDescriptor]) -> String {
        var histograms: [String] = []
        var stats: [String] = []
        var others: [String] = []
        for d in descriptors {
            if d.source.kind == .latency, let h = d.source.keys.first, let stat = d.source.statistic {
                if !histograms.contains(h) { histograms.append(h) }
                if !stats.contains(stat) { stats.append(stat) }
            } else {
                others.append(d.key)
            }
        }
        let latency = histograms.isEmpty ? [] : ["{\(histograms.joined(separator: ", "))}.{\(stats.joined(separator: ", "))}"]
        return (latency + others).joined(separator: ", ")
    }

    /// Keys of the workload's stages in order (sub-stages included).
    public var stageKeys: [String] { histograms.filter { $0.role == .stage || $0.role == .substage }.map(\.key) }

    /// Keys of top-level stages (what episode time divides into).
    public var topLevelStageKeys: [String] { histograms.filter { $0.role == .stage }.map(\.key) }

    /// Keys of every histogram.
    public var histogramKeys: [String] { histograms.map(\.key) }

    /// Every metric's value in `span` (metrics the span cannot give are absent).
    public func evaluate(_ span: Span, onlySeries: Bool = false) -> [String: Double] {
        var out: [String: Double] = [:]
        // Latency statistics come from one pass over each histogram.
        for spec in histograms {
            let wanted = onlySeries ? spec.series : LatencyStatistic.allCases
            guard !wanted.isEmpty, let h = span.histograms[spec.key], h.count > 0 else { continue }
            let values = h.allValues()
            for stat in wanted { out["\(spec.key).\(stat.rawValue)"] = values[stat] }
        }
        for d in metrics where !onlySeries || d.series {
            if let v = d.source.value(in: span) { out[d.key] = v }
        }
        return out
    }

    /// The summary of `span`: the span itself and every metric derived from it. The one derivation
    /// used by the runner, trial assembly, `merge` and the rebuild of a soak's log.
    public func summarize(_ span: Span) -> RunSummary {
        RunSummary(span: span, metrics: evaluate(span))
    }

    /// The catalogue for a workload: the harness's own measures plus the workload's vocabulary.
    public static func standard(for vocabulary: WorkloadVocabulary) -> MetricCatalogue {
        var histograms = harnessHistograms
        for stage in vocabulary.stages {
            histograms.append(HistogramSpec(
                key: stage.name, role: stage.parent == nil ? .stage : .substage, summary: stage.summary,
                gated: stage.parent == nil ? [.p50] : []))
        }
        return MetricCatalogue(histograms: histograms, metrics: harnessMetrics + vocabulary.metrics.map {
            var d = $0
            d.origin = .workload
            return d
        })
    }
}
