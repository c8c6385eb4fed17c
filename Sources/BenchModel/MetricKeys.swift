/// The keys of the metrics every run has (the harness's catalogue entries,
/// ``MetricCatalogue/harnessMetrics``), as typed constants: the catalogue defines each key from
/// these, and every report, gate and harness step that names one uses them, so a key is spelled once.
public enum MetricKey {
    public static let throughput = "throughput"
    public static let episodes = "episodes"
    public static let errors = "errors"
    public static let dropped = "dropped"
    public static let errorRate = "error_rate"

    public static let rssStart = "memory.rss_start_bytes"
    public static let rssEnd = "memory.rss_end_bytes"
    public static let rssPeak = "memory.rss_peak_bytes"
    public static let rssGrowthPct = "memory.rss_growth_pct"
    public static let rssSlope = "memory.rss_slope_bytes_per_episode"
    public static let allocationsPerEpisode = "memory.allocations_per_episode"
    public static let bytesAllocatedPerEpisode = "memory.bytes_allocated_per_episode"
    public static let jemallocAllocated = "memory.jemalloc.allocated"
    public static let jemallocActive = "memory.jemalloc.active"
    public static let jemallocResident = "memory.jemalloc.resident"
    public static let jemallocMapped = "memory.jemalloc.mapped"

    public static let cpuUser = "cpu.user_s"
    public static let cpuSystem = "cpu.system_s"
    public static let cpuUtilization = "cpu.utilization"
    public static let cpuPerEpisode = "cpu.per_episode"
    public static let cpuSpin = "cpu.spin"
    public static let voluntarySwitchesPerEpisode = "cpu.voluntary_switches_per_episode"
    public static let involuntarySwitchesPerEpisode = "cpu.involuntary_switches_per_episode"

    /// The key of a statistic of a latency histogram: `latency("ESGT", .p99)` is `ESGT.p99`.
    public static func latency(_ histogram: String, _ statistic: LatencyStatistic) -> String {
        "\(histogram).\(statistic.rawValue)"
    }

    /// The key of a statistic of the end-to-end latency: `e2e(.p99)` is `e2e.p99`.
    public static func e2e(_ statistic: LatencyStatistic) -> String { latency(SpanKey.e2e, statistic) }
}
