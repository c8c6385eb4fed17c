import Histogram
import Statistics

/// A latency histogram (nanoseconds) as a value: stored in result.json in the compact sparse form of
/// ``EncodedHistogram`` and validated when read, so a hostile file cannot make the arithmetic trap.
public struct LatencyHistogram: Sendable, Codable, Equatable {
    public var histogram: Histogram<UInt64>

    /// An empty histogram (1 ns … 1 ms, 3 significant digits, growing as larger values arrive).
    public init() {
        var h = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 1_000_000, numberOfSignificantValueDigits: .three)
        h.autoResize = true
        histogram = h
    }

    public init(_ histogram: Histogram<UInt64>) { self.histogram = histogram }

    public init(from decoder: any Decoder) throws {
        let encoded = try EncodedHistogram(from: decoder)
        do {
            histogram = try encoded.histogram()
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws { try EncodedHistogram(histogram).encode(to: encoder) }

    /// Values recorded.
    public var count: UInt64 { histogram.totalCount }

    /// Records one value, ns (values beyond 2^62 are clamped: they cannot come from a clock).
    @inlinable
    public mutating func record(_ value: UInt64) {
        _ = histogram.record(Swift.min(value, EncodedHistogram.maxValue))
    }

    /// Adds `other`'s counts. A histogram too small for `other`'s range is regrown in one allocation
    /// first: the library's own resize, unspecialised across the module boundary, allocates element by
    /// element, which showed up as most of the process's allocations when phases were merged.
    public mutating func add(_ other: LatencyHistogram) {
        if other.histogram.highestTrackableValue > histogram.highestTrackableValue {
            var grown = Histogram<UInt64>(
                lowestDiscernibleValue: histogram.lowestDiscernibleValue, highestTrackableValue: other.histogram.highestTrackableValue,
                numberOfSignificantValueDigits: histogram.numberOfSignificantValueDigits)
            grown.autoResize = true
            if histogram.totalCount > 0 { grown.add(histogram) }
            histogram = grown
        }
        histogram.add(other.histogram)
    }

    public mutating func reset() { histogram.reset() }

    /// The value of `statistic` (0 for an empty histogram).
    public func value(of statistic: LatencyStatistic) -> Double {
        guard count > 0 else { return 0 }
        switch statistic {
        case .count: return Double(count)
        case .min: return Double(histogram.min)
        case .max: return Double(histogram.max)
        case .mean: return histogram.mean
        default: return Double(histogram.valueAtPercentile(statistic.percentile ?? 50))
        }
    }

    /// Every statistic at once, in one pass over the buckets (what ``value(of:)`` gives for each).
    public func allValues() -> [LatencyStatistic: Double] {
        guard count > 0 else { return Dictionary(uniqueKeysWithValues: LatencyStatistic.allCases.map { ($0, 0) }) }
        let minimum = histogram.min, maxRecorded = histogram.maxRecorded
        var out: [LatencyStatistic: Double] = [.count: Double(count), .min: Double(minimum), .max: Double(histogram.max)]
        // The count each percentile needs, as Histogram.valueAtPercentile derives it.
        var pending = LatencyStatistic.allCases.compactMap { stat -> (LatencyStatistic, UInt64)? in
            guard let p = stat.percentile else { return nil }
            let requested = Swift.min(Swift.max(p.nextDown, 0), 100)
            return (stat, Swift.max(1, UInt64((requested * Double(count) / 100).rounded(.up))))
        }.sorted { $0.1 < $1.1 }
        // The mean in the same walk, as Histogram.mean sums it (a second walk of its own, unspecialised,
        // was most of a result's summary time).
        var cumulative: UInt64 = 0
        var total = 0.0
        for v in histogram.recordedValues() {
            cumulative += UInt64(v.count)
            total += Double(histogram.medianEquivalentForValue(v.value)) * Double(v.count)
            while let first = pending.first, cumulative >= first.1 {
                out[first.0] = Double(Swift.max(Swift.min(v.value, maxRecorded), minimum))
                pending.removeFirst()
            }
        }
        out[.mean] = total / Double(histogram.totalCount)
        return out
    }

    public static func == (a: LatencyHistogram, b: LatencyHistogram) -> Bool { a.histogram == b.histogram }
}

/// A level sampled over a span (RSS, jemalloc allocated, a workload's resident bytes).
public struct Gauge: Sendable, Codable, Equatable {
    public var start: Double
    public var end: Double
    public var peak: Double
    /// Theil–Sen slope against completed episodes over the span's intervals, per episode; nil when
    /// the span had too few intervals to fit.
    public var slope: Double?

    public init(start: Double, end: Double, peak: Double? = nil, slope: Double? = nil) {
        self.start = start
        self.end = end
        self.peak = Swift.max(peak ?? end, start, end)
        self.slope = slope
    }

    /// The value of `statistic`, nil when undefined (growth from 0, no slope).
    public func value(of statistic: GaugeStatistic) -> Double? {
        switch statistic {
        case .start: start
        case .end: end
        case .peak: peak
        case .growthPct: start > 0 ? (end - start) / start * 100 : nil
        case .slope: slope
        }
    }
}

/// The raw measurements of one span of a run: the whole run, a phase, a trial, a trial's phase, or
/// one time-series interval. Every figure a result reports is derived from a span by the catalogue
/// (``MetricCatalogue/summarize(_:)``), and spans merge exactly: histograms add bucket by bucket,
/// counters add, gauges combine as documented on ``parallel(_:)`` and ``sequential(_:)``.
public struct Span: Sendable, Codable, Equatable {
    /// Wall time the span's throughput is measured over, seconds.
    public var seconds: Double
    /// Episodes completed (failed ones included).
    public var episodes: UInt64
    /// Episodes whose workload failed.
    public var errors: UInt64
    /// Open-loop arrivals dropped at the queue bound.
    public var dropped: UInt64
    /// Latency histograms (ns) by key: `e2e`, `service`, `lateness` and the workload's stages.
    public var histograms: [String: LatencyHistogram]
    /// Amounts accumulated over the span (CPU seconds, allocations, a workload's cache hits).
    public var counters: [String: Double]
    /// Levels at the span's start and end, and their peak.
    public var gauges: [String: Gauge]

    /// The largest episode (error, drop) count a stored span may hold (2^53: exact as a Double).
    public static let maxCount: UInt64 = 1 << 53

    public init(seconds: Double = 0, episodes: UInt64 = 0, errors: UInt64 = 0, dropped: UInt64 = 0,
                histograms: [String: LatencyHistogram] = [:], counters: [String: Double] = [:], gauges: [String: Gauge] = [:]) {
        self.seconds = seconds
        self.episodes = episodes
        self.errors = errors
        self.dropped = dropped
        self.histograms = histograms
        self.counters = counters
        self.gauges = gauges
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func count(_ key: CodingKeys) throws -> UInt64 {
            let v = try c.decodeIfPresent(UInt64.self, forKey: key) ?? 0
            guard v <= Self.maxCount else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "\(v) is out of range (0…2^53)")
            }
            return v
        }
        seconds = try c.decodeIfPresent(Double.self, forKey: .seconds) ?? 0
        guard seconds.isFinite, seconds >= 0 else {
            throw DecodingError.dataCorruptedError(forKey: .seconds, in: c, debugDescription: "expected a finite number of seconds ≥ 0")
        }
        episodes = try count(.episodes)
        errors = try count(.errors)
        dropped = try count(.dropped)
        histograms = try c.decodeIfPresent([String: LatencyHistogram].self, forKey: .histograms) ?? [:]
        counters = try c.decodeIfPresent([String: Double].self, forKey: .counters) ?? [:]
        gauges = try c.decodeIfPresent([String: Gauge].self, forKey: .gauges) ?? [:]
    }

    /// Spans measured side by side or one after another as repetitions (trials, processes): counts,
    /// seconds, histograms and counters add; a gauge's start and end are the mean over the spans,
    /// its peak the largest, its slope the mean of those that have one.
    public static func parallel(_ parts: [Span]) -> Span {
        var out = combined(parts)
        var keys: [String] = []
        for p in parts { for k in p.gauges.keys where !keys.contains(k) { keys.append(k) } }
        for k in keys {
            let gs = parts.compactMap { $0.gauges[k] }
            let slopes = gs.compactMap(\.slope)
            out.gauges[k] = Gauge(start: Descriptive.mean(gs.map(\.start)), end: Descriptive.mean(gs.map(\.end)), peak: gs.map(\.peak).max(),
                                  slope: slopes.isEmpty ? nil : Descriptive.mean(slopes))
        }
        return out
    }

    /// Spans measured at the same time by different generators (the segments of one distributed
    /// test): counts, histograms and counters add — so rates add — over the longest of their
    /// durations; gauges combine as in ``parallel(_:)``.
    public static func concurrent(_ parts: [Span]) -> Span {
        var out = parallel(parts)
        out.seconds = parts.map(\.seconds).max() ?? 0
        return out
    }

    /// Consecutive spans of one run (time-series intervals): counts, seconds, histograms and counters
    /// add; a gauge starts where the first span started and ends where the last ended, its peak is
    /// the largest. Slopes need the samples in between: the caller fits them (`slopes`).
    public static func sequential(_ parts: [Span], slopes: [String: Double] = [:]) -> Span {
        var out = combined(parts)
        var keys: [String] = []
        for p in parts { for k in p.gauges.keys where !keys.contains(k) { keys.append(k) } }
        for k in keys {
            let gs = parts.compactMap { $0.gauges[k] }
            guard let first = gs.first, let last = gs.last else { continue }
            out.gauges[k] = Gauge(start: first.start, end: last.end, peak: gs.map(\.peak).max(), slope: slopes[k])
        }
        return out
    }

    private static func combined(_ parts: [Span]) -> Span {
        var out = Span()
        for p in parts {
            out.seconds += p.seconds
            out.episodes &+= p.episodes
            out.errors &+= p.errors
            out.dropped &+= p.dropped
            for (k, h) in p.histograms {
                if out.histograms[k] == nil { out.histograms[k] = h } else { out.histograms[k]!.add(h) }
            }
            for (k, v) in p.counters { out.counters[k, default: 0] += v }
        }
        return out
    }

}
