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

    /// The path thresholds and compare name it by: `e2e.p99`, `throughput`, `cache.hit_rate`.
    public var key: String
    /// A short human name: `e2e p99`, `Throughput`, `Cache hit rate`.
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
        /// Part of another stage (`parse.cached` is part of `parse`): not counted again in time shares.
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
