/// Which way a metric should move to be an improvement.
public enum MetricDirection: String, Sendable, Codable {
    case lowerIsBetter = "lower"
    case higherIsBetter = "higher"
    /// Reported but never called a regression (e.g. CPU utilisation, which depends on the load).
    case informational
}

/// The unit a metric's value is in; thresholds parse limits in it and every writer formats with it.
public enum MetricUnit: String, Sendable, Codable, CaseIterable {
    case nanoseconds = "ns"
    case perSecond = "/s"
    case bytes = "B"
    case percent = "%"
    /// A plain ratio (compression 3.1, cores busy 0.87).
    case ratio
    /// A share of 1 (a hit rate 0.82), shown as a percentage; thresholds take `0.8` or `80%`.
    case fraction
    case count
    case seconds = "s"
    case bytesPerEpisode = "B/episode"
    case perEpisode = "/episode"
}

/// A statistic of a latency histogram that a metric key may name (`e2e.p99`, `ESGT.mean`).
public enum LatencyStatistic: String, Sendable, Codable, CaseIterable {
    case p50, p90, p95, p99, p999, max, mean, min, count

    /// The percentile this statistic reads, or nil for max, mean, min and count.
    public var percentile: Double? {
        switch self {
        case .p50: 50
        case .p90: 90
        case .p95: 95
        case .p99: 99
        case .p999: 99.9
        case .max, .mean, .min, .count: nil
        }
    }

    /// How the statistic reads in a label: `p99.9` for `p999`.
    public var label: String { self == .p999 ? "p99.9" : rawValue }
}

/// A statistic of a gauge (a level sampled over a span, like RSS) that a metric may name.
public enum GaugeStatistic: String, Sendable, Codable, CaseIterable {
    case start, end, peak
    /// (end − start) / start × 100.
    case growthPct = "growth_pct"
    /// Theil–Sen slope against completed episodes, per episode.
    case slope
}

/// Where a metric's value comes from in a ``Span``: the declarative "extractor" of a catalogue
/// entry. Being data, it is written into result.json with the catalogue, so any tool (merge, the
/// rebuild of a killed soak, a report of an old result) derives the same figures from the same
/// span without knowing the workload that produced it.
public struct MetricSource: Sendable, Codable, Hashable {
    public enum Kind: String, Sendable, Codable {
        /// Episodes completed in the span.
        case episodes
        /// Episodes that failed.
        case errors
        /// Open-loop arrivals dropped at the queue bound.
        case dropped
        /// errors ÷ episodes.
        case errorRate = "error_rate"
        /// episodes ÷ seconds.
        case throughput
        /// A statistic of the histogram `keys[0]`.
        case latency
        /// Σ of the counters `keys` over the span.
        case counter
        /// Σ counters ÷ episodes.
        case perEpisode = "per_episode"
        /// Σ counters ÷ seconds.
        case perSecond = "per_second"
        /// Σ counters `keys` ÷ Σ counters `over`.
        case ratio
        /// A statistic of the gauge `keys[0]`.
        case gauge
        /// The mean of a per-episode sample: counter `keys[0]` ÷ counter `keys[0]#n`.
        case sampleMean = "sample_mean"
    }

    public var kind: Kind
    /// Counter, gauge, histogram or sample names, as the kind needs.
    public var keys: [String]
    /// A ratio's denominator counters.
    public var over: [String]
    /// A latency or gauge statistic's raw value.
    public var statistic: String?

    public init(kind: Kind, keys: [String] = [], over: [String] = [], statistic: String? = nil) {
        self.kind = kind
        self.keys = keys
        self.over = over
        self.statistic = statistic
    }

    public static let episodes = MetricSource(kind: .episodes)
    public static let errors = MetricSource(kind: .errors)
    public static let dropped = MetricSource(kind: .dropped)
    public static let errorRate = MetricSource(kind: .errorRate)
    public static let throughput = MetricSource(kind: .throughput)

    public static func latency(_ histogram: String, _ statistic: LatencyStatistic) -> MetricSource {
        MetricSource(kind: .latency, keys: [histogram], statistic: statistic.rawValue)
    }
    public static func counter(_ keys: String...) -> MetricSource { MetricSource(kind: .counter, keys: keys) }
    public static func perEpisode(_ keys: String...) -> MetricSource { MetricSource(kind: .perEpisode, keys: keys) }
    public static func perSecond(_ keys: String...) -> MetricSource { MetricSource(kind: .perSecond, keys: keys) }
    public static func ratio(_ keys: [String], over: [String]) -> MetricSource { MetricSource(kind: .ratio, keys: keys, over: over) }
    public static func gauge(_ key: String, _ statistic: GaugeStatistic) -> MetricSource {
        MetricSource(kind: .gauge, keys: [key], statistic: statistic.rawValue)
    }
    public static func sampleMean(_ name: String) -> MetricSource { MetricSource(kind: .sampleMean, keys: [name]) }

    /// The counter holding how many samples of `name` were recorded (its sum is counter `name`).
    public static func sampleCountKey(_ name: String) -> String { name + "#n" }

    /// How values of this source combine across trials, phases and processes, in words.
    public var aggregation: String {
        switch kind {
        case .latency: "percentile of the merged histogram"
        case .episodes, .errors, .dropped, .counter: "sum"
        case .throughput, .errorRate, .perEpisode, .perSecond, .ratio, .sampleMean: "ratio of sums"
        case .gauge:
            switch GaugeStatistic(rawValue: statistic ?? "") {
            case .peak: "maximum"
            case .start: "first (mean over parallel trials)"
            case .end: "last (mean over parallel trials)"
            default: "recomputed per span (mean over parallel trials)"
            }
        }
    }

    /// The value in `span`, or nil when the span does not have what it needs (no jemalloc, a stage
    /// that never ran, no episodes to divide by).
    public func value(in span: Span) -> Double? {
        func sum(_ keys: [String]) -> Double? {
            var total = 0.0
            var any = false
            for k in keys {
                if let v = span.counters[k] {
                    total += v
                    any = true
                }
            }
            return any ? total : nil
        }
        let episodes = Double(span.episodes)
        switch kind {
        case .episodes: return episodes
        case .errors: return Double(span.errors)
        case .dropped: return Double(span.dropped)
        case .errorRate: return span.episodes == 0 ? 0 : Double(span.errors) / episodes
        case .throughput: return span.seconds > 0 ? episodes / span.seconds : 0
        case .latency:
            guard let key = keys.first, let h = span.histograms[key], h.count > 0,
                  let stat = LatencyStatistic(rawValue: statistic ?? "") else { return nil }
            return h.value(of: stat)
        case .counter: return sum(keys)
        case .perEpisode:
            guard span.episodes > 0, let s = sum(keys) else { return nil }
            return s / episodes
        case .perSecond:
            guard span.seconds > 0, let s = sum(keys) else { return nil }
            return s / span.seconds
        case .ratio:
            guard let n = sum(keys), let d = sum(over), d != 0 else { return nil }
            return n / d
        case .gauge:
            guard let key = keys.first, let g = span.gauges[key], let stat = GaugeStatistic(rawValue: statistic ?? "") else { return nil }
            return g.value(of: stat)
        case .sampleMean:
            guard let name = keys.first, let s = span.counters[name], let n = span.counters[Self.sampleCountKey(name)], n > 0 else {
                return nil
            }
            return s / n
        }
    }
}

/// One metric: the one place its key, unit, direction, aggregation and extraction are written down.
/// Thresholds, compare's gate, CSV, Markdown, the terminal summary and the HTML report all read these.
public struct MetricDescriptor: Sendable, Codable, Equatable {
    /// Who declared the metric.
    public enum Origin: String, Sendable, Codable {
        /// The harness measures it for every workload.
        case harness
        /// The workload declared it (its own counters, gauges or per-episode samples).
        case workload
    }

    /// The path thresholds and compare name it by: `e2e.p99`, `throughput`, `phi.cache_hit_rate`.
    public var key: String
    /// A short human name: `e2e p99`, `Throughput`, `Φ cache hit rate`.
    public var label: String
    public var unit: MetricUnit
    public var direction: MetricDirection
    public var source: MetricSource
    /// One sentence on what it measures.
    public var summary: String
    /// In the default gate of `compare` (a significant regression beyond the threshold fails it).
    public var gated: Bool
    /// Shown up front: a card in the HTML report, a row of the key tables, a line of the terminal summary.
    public var highlight: Bool
    /// Computed for every time-series interval (and charted over time).
    public var series: Bool
    public var origin: Origin

    public init(key: String, label: String, unit: MetricUnit, direction: MetricDirection, source: MetricSource,
                summary: String = "", gated: Bool = false, highlight: Bool = false, series: Bool = false,
                origin: Origin = .harness) {
        self.key = key
        self.label = label
        self.unit = unit
        self.direction = direction
        self.source = source
        self.summary = summary
        self.gated = gated
        self.highlight = highlight
        self.series = series
        self.origin = origin
    }

    /// How the metric combines across trials, phases and processes, in words (from its source).
    public var aggregation: String { source.aggregation }

    enum CodingKeys: String, CodingKey {
        case key, label, unit, direction, source, summary, gated, highlight, series, origin, aggregation
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        key = try c.decode(String.self, forKey: .key)
        label = try c.decodeIfPresent(String.self, forKey: .label) ?? key
        unit = try c.decode(MetricUnit.self, forKey: .unit)
        direction = try c.decode(MetricDirection.self, forKey: .direction)
        source = try c.decode(MetricSource.self, forKey: .source)
        summary = try c.decodeIfPresent(String.self, forKey: .summary) ?? ""
        gated = try c.decodeIfPresent(Bool.self, forKey: .gated) ?? false
        highlight = try c.decodeIfPresent(Bool.self, forKey: .highlight) ?? false
        series = try c.decodeIfPresent(Bool.self, forKey: .series) ?? false
        origin = try c.decodeIfPresent(Origin.self, forKey: .origin) ?? .workload
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(key, forKey: .key)
        try c.encode(label, forKey: .label)
        try c.encode(unit, forKey: .unit)
        try c.encode(direction, forKey: .direction)
        try c.encode(source, forKey: .source)
        try c.encode(summary, forKey: .summary)
        try c.encode(gated, forKey: .gated)
        try c.encode(highlight, forKey: .highlight)
        try c.encode(series, forKey: .series)
        try c.encode(origin, forKey: .origin)
        try c.encode(aggregation, forKey: .aggregation)
    }
}

/// A latency histogram the run keeps: `e2e`, `service`, `lateness` or a workload stage. Each gives
/// the metrics `KEY.p50` … `KEY.max`, `KEY.mean`, `KEY.min` and `KEY.count`.
public struct HistogramSpec: Sendable, Codable, Equatable {
    public enum Role: String, Sendable, Codable {
        /// A whole-episode measure (`e2e` from the intended start, `service` from the actual start).
        case episode
        /// The harness's own delay (`lateness`: actual start − intended start).
        case harness
        /// A stage of the workload, in its order.
        case stage
        /// Part of another stage (`PHI.hit` is part of `PHI`): not counted again in time shares.
        case substage
    }

    public var key: String
    public var role: Role
    public var summary: String
    /// Statistics in the default gate.
    public var gated: [LatencyStatistic]
    /// Statistics computed per time-series interval.
    public var series: [LatencyStatistic]
    /// Statistics shown up front (cards, key tables).
    public var highlight: [LatencyStatistic]

    public init(key: String, role: Role, summary: String = "", gated: [LatencyStatistic] = [],
                series: [LatencyStatistic] = [], highlight: [LatencyStatistic] = []) {
        self.key = key
        self.role = role
        self.summary = summary
        self.gated = gated
        self.series = series
        self.highlight = highlight
    }

    enum CodingKeys: String, CodingKey { case key, role, summary, gated, series, highlight }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        key = try c.decode(String.self, forKey: .key)
        role = try c.decode(Role.self, forKey: .role)
        summary = try c.decodeIfPresent(String.self, forKey: .summary) ?? ""
        gated = try c.decodeIfPresent([LatencyStatistic].self, forKey: .gated) ?? []
        series = try c.decodeIfPresent([LatencyStatistic].self, forKey: .series) ?? []
        highlight = try c.decodeIfPresent([LatencyStatistic].self, forKey: .highlight) ?? []
    }

    /// The metric descriptors of this histogram, one per statistic.
    public var descriptors: [MetricDescriptor] {
        LatencyStatistic.allCases.map { stat in
            MetricDescriptor(
                key: "\(key).\(stat.rawValue)", label: "\(key) \(stat.label)",
                unit: stat == .count ? .count : .nanoseconds,
                direction: stat == .count ? .informational : .lowerIsBetter,
                source: .latency(key, stat), summary: summary, gated: gated.contains(stat),
                highlight: highlight.contains(stat), series: series.contains(stat),
                origin: role == .stage || role == .substage ? .workload : .harness)
        }
    }
}

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
    /// `{e2e, TIG}.{p50, p99, …}`, the other keys after them.
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
