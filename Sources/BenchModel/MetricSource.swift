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
