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

/// A statistic of a latency histogram that a metric key may name (`e2e.p99`, `parse.mean`).
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
