import BenchModel
import Statistics
#if canImport(Glibc)
import Glibc
#endif

/// The state of the process and the workload at one moment: cumulative counters (CPU time, context
/// switches, allocator requests, the workload's own) and current levels (RSS, jemalloc, the workload's
/// gauges). A span's counters are the difference of two probes, its gauges their two values.
struct Probe: Sendable {
    var time: UInt64
    var counters: [String: Double]
    var gauges: [String: Double]

    /// Reads everything now. `workload` is nil before a workload exists.
    static func take(_ memory: any MemorySampler, workload: WorkloadProbe?, at time: UInt64 = monotonicNanoseconds()) -> Probe {
        var counters = processCounters()
        var gauges: [String: Double] = [SpanKey.rss: Double(memory.residentBytes())]
        if let a = memory.allocatorSnapshot() {
            counters[SpanKey.allocations] = Double(a.requests)
            gauges[SpanKey.jemallocAllocated] = Double(a.stats.allocated)
            gauges[SpanKey.jemallocActive] = Double(a.stats.active)
            gauges[SpanKey.jemallocResident] = Double(a.stats.resident)
            gauges[SpanKey.jemallocMapped] = Double(a.stats.mapped)
        }
        if let workload {
            let values = workload.statistics().values
            for k in workload.counters { if let v = values[k] { counters[k] = v } }
            for k in workload.gauges { if let v = values[k] { gauges[k] = v } }
        }
        return Probe(time: time, counters: counters, gauges: gauges)
    }

    /// The span from `self` to `later`: counter differences plus what the recorder measured, gauges at
    /// both ends (with their `peaks` and `slopes` when known), and the recorder's histograms.
    func span(to later: Probe, measurements m: Measurements, seconds: Double, dropped: UInt64,
              peaks: [String: Double] = [:], slopes: [String: Double] = [:], shape: RecordingShape) -> Span {
        var counters = m.counters(sampleNames: shape.sampleNames, countsAllocations: shape.countsAllocations)
        for (k, end) in later.counters {
            if let start = self.counters[k] { counters[k, default: 0] += end - start }
        }
        var gauges: [String: Gauge] = [:]
        for (k, end) in later.gauges {
            guard let start = self.gauges[k] else { continue }
            gauges[k] = Gauge(start: start, end: end, peak: peaks[k], slope: slopes[k])
        }
        return Span(seconds: seconds, episodes: m.episodes, errors: m.errors, dropped: dropped,
                    histograms: m.keyed(stageNames: shape.stageNames), counters: counters, gauges: gauges)
    }
}

/// What the recorder's measurements are keyed by for one workload.
struct RecordingShape: Sendable {
    var stageNames: [String]
    var sampleNames: [String]
    /// Whether per-thread allocated bytes are counted (jemalloc).
    var countsAllocations: Bool
}

/// How to read a workload's counters and gauges without knowing its type (the sampler holds this).
struct WorkloadProbe: Sendable {
    var statistics: @Sendable () -> WorkloadStatistics
    var counters: [String]
    var gauges: [String]

    init<W: Workload>(_ workload: W) {
        statistics = { workload.statistics() }
        counters = workload.vocabulary.counters
        gauges = workload.vocabulary.gauges
    }
}

/// Process CPU time (seconds) and context switches so far, from one getrusage call: the one place
/// these are measured.
func processCounters() -> [String: Double] {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return [
        SpanKey.cpuUser: seconds(usage.ru_utime),
        SpanKey.cpuSystem: seconds(usage.ru_stime),
        SpanKey.voluntarySwitches: Double(usage.ru_nvcsw),
        SpanKey.involuntarySwitches: Double(usage.ru_nivcsw),
    ]
}

/// Theil–Sen slopes of each gauge against completed episodes over `samples` (interval ends), per
/// episode; gauges with too few samples are left out.
func gaugeSlopes(_ samples: [(episodesTotal: UInt64, gauges: [String: Double])]) -> [String: Double] {
    guard let keys = samples.first?.gauges.keys else { return [:] }
    var out: [String: Double] = [:]
    for k in keys {
        let pairs = samples.compactMap { s in s.gauges[k].map { (Double(s.episodesTotal), $0) } }
        if let fit = TheilSen.fit(x: pairs.map(\.0), y: pairs.map(\.1)) { out[k] = fit.slope }
    }
    return out
}
