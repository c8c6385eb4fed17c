import BenchModel
import Statistics

/// Decides from a run's time series whether memory grows with the work done.
///
/// Fits RSS and jemalloc `allocated` against completed episodes with Theil–Sen after discarding the
/// first `skipFraction` of the intervals (caches, pools and allocator arenas fill up early on).
/// A series leaks when the *lower* end of its slope's 95% interval is above the tolerance, both
/// over all the analysed intervals and over their last half: growth has to be real, large enough
/// to matter and still going on at the end. A one-off step (a cache filling, an archive chunk's
/// working memory kept by the allocator) tilts a single fit over the whole run, but a leak keeps
/// growing in every part of it.
public enum LeakAnalysis {
    /// Default tolerance, bytes per episode.
    public static let defaultTolerance = 128.0

    /// The series the verdict reads from each time-series point.
    static let rssKey = MetricKey.rssEnd
    static let allocatedKey = MetricKey.jemallocAllocated
    static let p99Key = MetricKey.e2e(.p99)

    /// The verdict, or nil when there are too few intervals (fewer than 6 after the skip).
    public static func verdict(_ timeseries: [TimeseriesPoint], skipFraction: Double = 0.1,
                               toleranceBytesPerEpisode tolerance: Double = defaultTolerance) -> LeakVerdict? {
        let working = timeseries.filter { $0.episodes > 0 }
        let skip = Int((Double(working.count) * skipFraction).rounded(.up))
        let points = Array(working.dropFirst(skip))
        guard points.count >= 6 else { return nil }
        func fit(_ span: ArraySlice<TimeseriesPoint>, _ y: (TimeseriesPoint) -> Double) -> TheilSen? {
            TheilSen.fit(x: span.map { Double($0.episodesTotal) }, y: span.map(y))
        }
        let all = points[...]
        let lastHalf = points.suffix(points.count / 2)
        let rssOf: (TimeseriesPoint) -> Double = { $0.metric(rssKey) ?? 0 }
        let allocatedOf: (TimeseriesPoint) -> Double = { $0.metric(allocatedKey) ?? 0 }
        guard points.allSatisfy({ $0.metric(rssKey) != nil }), let rss = fit(all, rssOf) else { return nil }
        let hasAllocator = points.allSatisfy { $0.metric(allocatedKey) != nil }
        let allocated = hasAllocator ? fit(all, allocatedOf) : nil
        func sustained(_ whole: TheilSen?, _ y: @escaping (TimeseriesPoint) -> Double) -> Bool {
            guard let whole, whole.low > tolerance, let end = fit(lastHalf, y) else { return false }
            return end.low > tolerance
        }
        let rssLeaks = sustained(rss, rssOf)
        let allocLeaks = hasAllocator && sustained(allocated, allocatedOf)
        let baseRSS = rssOf(points[0])
        let growthPer1000 = baseRSS > 0 ? rss.slope * 1000 / baseRSS * 100 : 0

        let tenth = Swift.max(1, points.count / 10)
        let p99 = { (p: TimeseriesPoint) in UInt64(Swift.min(Swift.max(p.metric(p99Key) ?? 0, 0), 1.8e19)) }
        let firstP99 = points.prefix(tenth).map(p99).sorted()[tenth / 2]
        let lastP99 = points.suffix(tenth).map(p99).sorted()[tenth / 2]
        let drift = firstP99 > 0 ? Double(lastP99) / Double(firstP99) : 1

        func describe(_ name: String, _ fit: TheilSen) -> String {
            "\(name) \(Units.formatBytes(fit.slope))/episode [95% CI \(Units.formatBytes(fit.low)) … \(Units.formatBytes(fit.high))]"
        }
        var parts = [describe("RSS", rss)]
        if let a = allocated { parts.append(describe("jemalloc allocated", a)) }
        let verdictText: String
        if rssLeaks || allocLeaks {
            verdictText = "LEAK: memory grows with work beyond \(Units.formatBytes(tolerance))/episode"
        } else {
            verdictText = "no leak: growth is within \(Units.formatBytes(tolerance))/episode, not significant, or not sustained into the last half"
        }
        return LeakVerdict(
            leaking: rssLeaks || allocLeaks,
            rssSlopeBytesPerEpisode: rss.slope, rssSlopeLow: rss.low, rssSlopeHigh: rss.high,
            allocatedSlopeBytesPerEpisode: allocated?.slope, allocatedSlopeLow: allocated?.low,
            allocatedSlopeHigh: allocated?.high,
            rssGrowthPctPer1000Episodes: growthPer1000,
            p99FirstTenthNs: firstP99, p99LastTenthNs: lastP99, latencyDriftRatio: drift,
            intervals: points.count,
            explanation: "\(verdictText) (\(parts.joined(separator: "; ")), over \(points.count) intervals after skipping \(skip))")
    }
}
