/// Everything measured over a span of a run (the whole run, one phase or one trial): the raw span
/// and every catalogue metric derived from it.
///
/// In JSON the span's fields (`seconds`, `episodes`, `errors`, `dropped`, `histograms`,
/// `counters`, `gauges`) sit beside `metrics` (key → value in the metric's base unit).
public struct RunSummary: Sendable, Codable, Equatable {
    public var span: Span
    /// Catalogue metrics by key, in base units (ns, bytes, episodes/s, fractions for ratios).
    public var metrics: [String: Double]

    public init(span: Span = Span(), metrics: [String: Double] = [:]) {
        self.span = span
        self.metrics = metrics
    }

    public var episodes: UInt64 { span.episodes }
    public var errors: UInt64 { span.errors }
    public var dropped: UInt64 { span.dropped }

    /// The value of metric `key`, or nil when this span does not have it.
    public func metric(_ key: String) -> Double? { metrics[key == "throughput_eps" ? "throughput" : key] }

    /// The latency statistics of histogram `key`, or nil when it recorded nothing.
    public func latency(_ key: String) -> LatencySummary? {
        guard let h = span.histograms[key], h.count > 0 else { return nil }
        return LatencySummary(h)
    }

    enum CodingKeys: String, CodingKey { case metrics }

    public init(from decoder: any Decoder) throws {
        span = try Span(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metrics = try c.decodeIfPresent([String: Double].self, forKey: .metrics) ?? [:]
    }

    public func encode(to encoder: any Encoder) throws {
        try span.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(metrics, forKey: .metrics)
    }
}

/// Percentiles of one latency distribution, nanoseconds (read from its histogram).
public struct LatencySummary: Sendable, Equatable {
    public var count: UInt64
    public var min: Double
    public var mean: Double
    public var p50: Double
    public var p90: Double
    public var p95: Double
    public var p99: Double
    public var p999: Double
    public var max: Double

    public init(_ h: LatencyHistogram) {
        count = h.count
        min = h.value(of: .min)
        mean = h.value(of: .mean)
        p50 = h.value(of: .p50)
        p90 = h.value(of: .p90)
        p95 = h.value(of: .p95)
        p99 = h.value(of: .p99)
        p999 = h.value(of: .p999)
        max = h.value(of: .max)
    }
}

/// One interval's snapshot (default 1 s): where the run was, and every catalogue metric marked
/// `series` evaluated on the interval's span.
public struct TimeseriesPoint: Sendable, Codable, Equatable {
    /// End of the interval, seconds since the measured part started.
    public var tSeconds: Double
    /// Length of the interval, seconds.
    public var intervalSeconds: Double
    /// Index of the phase running at the end of the interval (−1 during warm-up).
    public var phase: Int
    /// Episodes completed in the interval.
    public var episodes: UInt64
    /// Episodes completed since the start of the measured part.
    public var episodesTotal: UInt64
    /// Scheduled arrivals per second in the interval (open loop), nil for closed loop.
    public var targetRate: Double?
    /// Largest number of open-loop arrivals waiting to start during the interval.
    public var queueDepth: UInt64
    /// Series metrics by catalogue key (`throughput`, `e2e.p99`, `memory.rss_end_bytes`, …).
    public var metrics: [String: Double]

    public init(tSeconds: Double, intervalSeconds: Double, phase: Int, episodes: UInt64, episodesTotal: UInt64,
                targetRate: Double?, queueDepth: UInt64, metrics: [String: Double]) {
        self.tSeconds = tSeconds
        self.intervalSeconds = intervalSeconds
        self.phase = phase
        self.episodes = episodes
        self.episodesTotal = episodesTotal
        self.targetRate = targetRate
        self.queueDepth = queueDepth
        self.metrics = metrics
    }

    /// The value of metric `key` in this interval.
    public func metric(_ key: String) -> Double? { metrics[key] }

    enum CodingKeys: String, CodingKey {
        case phase, episodes, episodesTotal, targetRate, queueDepth, metrics
        case tSeconds = "tS"
        case intervalSeconds = "intervalS"
    }
}
