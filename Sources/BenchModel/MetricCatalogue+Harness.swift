/// Names of the raw counters, gauges and histograms the harness records into a ``Span``: shared by
/// the one place each is measured and the catalogue entries that read it.
public enum SpanKey {
    /// Histogram: completion − intended start (coordinated-omission corrected).
    public static let e2e = "e2e"
    /// Histogram: completion − actual start (no queueing).
    public static let service = "service"
    /// Histogram: actual start − intended start (queueing and the harness waking up).
    public static let lateness = "lateness"
    /// Gauge: resident set size, bytes.
    public static let rss = "rss"
    /// Gauges: jemalloc `stats.*`, bytes.
    public static let jemallocAllocated = "jemalloc.allocated"
    public static let jemallocActive = "jemalloc.active"
    public static let jemallocResident = "jemalloc.resident"
    public static let jemallocMapped = "jemalloc.mapped"
    /// Counter: allocator requests (small + large), allocator-wide.
    public static let allocations = "alloc.requests"
    /// Counter: bytes allocated by worker threads during episodes (jemalloc per-thread counters).
    public static let allocatedBytes = "alloc.bytes"
    /// Counters: process CPU time, seconds.
    public static let cpuUser = "cpu.user_s"
    public static let cpuSystem = "cpu.system_s"
    /// Counter: seconds open-loop workers busy-waited for arrivals to fall due (the spin window's CPU).
    public static let spin = "harness.spin_s"
    /// Counters: context switches of the process (getrusage).
    public static let voluntarySwitches = "os.voluntary_switches"
    public static let involuntarySwitches = "os.involuntary_switches"
}

extension MetricCatalogue {
    /// The histograms the harness keeps for every workload.
    public static let harnessHistograms: [HistogramSpec] = [
        HistogramSpec(key: SpanKey.e2e, role: .episode,
                      summary: "Episode latency from its intended start (coordinated-omission corrected).",
                      gated: [.p50, .p90, .p99], series: [.p50, .p99, .max], highlight: [.p50, .p99]),
        HistogramSpec(key: SpanKey.service, role: .episode, summary: "Episode latency from its actual start (no queueing)."),
        HistogramSpec(key: SpanKey.lateness, role: .harness,
                      summary: "Actual start − intended start: queueing plus the harness's own wake-up delay.",
                      series: [.p99]),
    ]

    /// The non-latency metrics the harness measures for every workload, in display order.
    public static let harnessMetrics: [MetricDescriptor] = [
        MetricDescriptor(key: MetricKey.throughput, label: "Throughput", unit: .perSecond, direction: .higherIsBetter, source: .throughput,
                         summary: "Completed episodes per second of the span.", gated: true, highlight: true, series: true),
        MetricDescriptor(key: MetricKey.episodes, label: "Episodes", unit: .count, direction: .informational, source: .episodes,
                         summary: "Episodes completed (failed ones included)."),
        MetricDescriptor(key: MetricKey.errors, label: "Errors", unit: .count, direction: .lowerIsBetter, source: .errors,
                         summary: "Episodes whose workload failed.", series: true),
        MetricDescriptor(key: MetricKey.dropped, label: "Dropped", unit: .count, direction: .lowerIsBetter, source: .dropped,
                         summary: "Open-loop arrivals dropped at the queue bound (max_queue).", series: true),
        MetricDescriptor(key: MetricKey.errorRate, label: "Error rate", unit: .fraction, direction: .lowerIsBetter, source: .errorRate,
                         summary: "Failed episodes ÷ episodes."),
        MetricDescriptor(key: MetricKey.rssStart, label: "RSS at start", unit: .bytes, direction: .informational,
                         source: .gauge(SpanKey.rss, .start), summary: "Resident set size when the span started."),
        MetricDescriptor(key: MetricKey.rssEnd, label: "RSS", unit: .bytes, direction: .informational,
                         source: .gauge(SpanKey.rss, .end), summary: "Resident set size when the span ended.", series: true),
        MetricDescriptor(key: MetricKey.rssPeak, label: "RSS peak", unit: .bytes, direction: .lowerIsBetter,
                         source: .gauge(SpanKey.rss, .peak), summary: "Largest resident set size sampled in the span."),
        MetricDescriptor(key: MetricKey.rssGrowthPct, label: "RSS growth", unit: .percent, direction: .lowerIsBetter,
                         source: .gauge(SpanKey.rss, .growthPct), summary: "(end − start) ÷ start of the resident set size.",
                         gated: true, highlight: true),
        MetricDescriptor(key: MetricKey.rssSlope, label: "RSS slope", unit: .bytesPerEpisode, direction: .lowerIsBetter,
                         source: .gauge(SpanKey.rss, .slope), summary: "Theil–Sen slope of RSS against completed episodes."),
        MetricDescriptor(key: MetricKey.allocationsPerEpisode, label: "Allocations / episode", unit: .perEpisode,
                         direction: .lowerIsBetter, source: .perEpisode(SpanKey.allocations),
                         summary: "Allocator requests per episode (jemalloc; approximate per interval, thread caches merge in batches).",
                         gated: true, highlight: true, series: true),
        MetricDescriptor(key: MetricKey.bytesAllocatedPerEpisode, label: "Bytes allocated / episode", unit: .bytesPerEpisode,
                         direction: .lowerIsBetter, source: .perEpisode(SpanKey.allocatedBytes),
                         summary: "Bytes allocated by worker threads per episode (exact: jemalloc per-thread counters).",
                         highlight: true, series: true),
        MetricDescriptor(key: MetricKey.jemallocAllocated, label: "jemalloc allocated", unit: .bytes, direction: .lowerIsBetter,
                         source: .gauge(SpanKey.jemallocAllocated, .end), summary: "jemalloc stats.allocated at the end of the span.",
                         series: true),
        MetricDescriptor(key: MetricKey.jemallocActive, label: "jemalloc active", unit: .bytes, direction: .informational,
                         source: .gauge(SpanKey.jemallocActive, .end), summary: "jemalloc stats.active at the end of the span."),
        MetricDescriptor(key: MetricKey.jemallocResident, label: "jemalloc resident", unit: .bytes, direction: .informational,
                         source: .gauge(SpanKey.jemallocResident, .end), summary: "jemalloc stats.resident at the end of the span."),
        MetricDescriptor(key: MetricKey.jemallocMapped, label: "jemalloc mapped", unit: .bytes, direction: .informational,
                         source: .gauge(SpanKey.jemallocMapped, .end), summary: "jemalloc stats.mapped at the end of the span."),
        MetricDescriptor(key: MetricKey.cpuUser, label: "CPU user", unit: .seconds, direction: .informational,
                         source: .counter(SpanKey.cpuUser), summary: "Process user CPU time."),
        MetricDescriptor(key: MetricKey.cpuSystem, label: "CPU system", unit: .seconds, direction: .informational,
                         source: .counter(SpanKey.cpuSystem), summary: "Process system CPU time."),
        MetricDescriptor(key: MetricKey.cpuUtilization, label: "CPU (cores busy)", unit: .ratio, direction: .informational,
                         source: .perSecond(SpanKey.cpuUser, SpanKey.cpuSystem),
                         summary: "(user + system CPU time) ÷ wall time; 2.0 is two cores busy.", highlight: true, series: true),
        MetricDescriptor(key: MetricKey.cpuPerEpisode, label: "CPU / episode", unit: .seconds, direction: .lowerIsBetter,
                         source: .perEpisode(SpanKey.cpuUser, SpanKey.cpuSystem),
                         summary: "The process's user + system CPU time per episode: with a service or worker processes under test, what one request costs the load generator."),
        MetricDescriptor(key: MetricKey.cpuSpin, label: "Spinning (cores busy)", unit: .ratio, direction: .informational,
                         source: .perSecond(SpanKey.spin),
                         summary: "Cores the open-loop workers kept busy-waiting for arrivals to fall due (the spin window's cost; 0 with spin: 0)."),
        MetricDescriptor(key: MetricKey.voluntarySwitchesPerEpisode, label: "Voluntary context switches / episode",
                         unit: .perEpisode, direction: .lowerIsBetter, source: .perEpisode(SpanKey.voluntarySwitches),
                         summary: "Times a thread of the process blocked or slept (getrusage ru_nvcsw), per episode: waits on locks, I/O and timers.",
                         series: true),
        MetricDescriptor(key: MetricKey.involuntarySwitchesPerEpisode, label: "Involuntary context switches / episode",
                         unit: .perEpisode, direction: .lowerIsBetter, source: .perEpisode(SpanKey.involuntarySwitches),
                         summary: "Times a thread of the process was preempted (getrusage ru_nivcsw), per episode: CPU contention."),
    ]
}
