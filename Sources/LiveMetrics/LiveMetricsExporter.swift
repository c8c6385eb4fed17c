import BenchModel
import Harness
import Prometheus
import Synchronization

/// Publishes a run's time-series intervals into a Prometheus registry: the harness's sampler hands
/// every interval over (on its own thread, once per interval), so the load workers never touch the
/// registry and a scrape only takes the registry's short locks.
///
/// What it exports is driven by the run's ``MetricCatalogue``: each latency histogram as
/// ``PrometheusNames/latency`` with a `stage` label, each series metric as a gauge named by
/// ``PrometheusNames/gauge(_:)``, episodes, errors and drops as counters, plus the open-loop target
/// rate, queue depth and the running phase.
package final class LiveMetricsExporter: Sendable {
    /// The registry the endpoint emits.
    package let registry: PrometheusCollectorRegistry
    private let catalogue: MetricCatalogue
    private let histograms: [String: ValueHistogram]
    private let quantiles: [String: Prometheus.Gauge]
    private let gauges: [(descriptor: MetricDescriptor, gauge: Prometheus.Gauge)]
    private let episodes: Counter
    private let errors: Counter
    private let drops: Counter
    private let targetRate: Prometheus.Gauge
    private let queueDepth: Prometheus.Gauge
    private let phaseIndex: Prometheus.Gauge
    private let trial: Prometheus.Gauge
    private struct PhaseState: Sendable {
        var labels: [Int: String] = [:]
        var current: (index: Int, gauge: Prometheus.Gauge)?
        var trial = 0
    }
    private let phase = Mutex(PhaseState())

    /// An exporter for a run measured with `catalogue`.
    /// - Parameters:
    ///   - scenario: The scenario's name (a label of ``PrometheusNames/runInfo``).
    ///   - workload: The workload's name (likewise).
    package init(catalogue: MetricCatalogue, scenario: String, workload: String) {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        self.catalogue = catalogue
        func name(_ full: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(metricName: full, unitName: "", helpText: help.replacingBackslashesAndNewlines())
        }
        var hs: [String: ValueHistogram] = [:]
        var qs: [String: Prometheus.Gauge] = [:]
        for spec in catalogue.histograms {
            hs[spec.key] = registry.makeValueHistogram(
                descriptor: name(PrometheusNames.latency, "Latency by stage (e2e, lateness and each workload stage), seconds, per episode since the run started."),
                labels: [("stage", spec.key)], buckets: PrometheusNames.latencyBuckets)
            // The catalogue's series statistics (p50, p99, max); labelled `statistic`, as the
            // format keeps a `quantile` label for summaries.
            for stat in spec.series where stat.percentile != nil || stat == .max {
                qs["\(spec.key).\(stat.rawValue)"] = registry.makeGauge(
                    descriptor: name(PrometheusNames.intervalQuantile, "Exact latency statistic over the last interval (HdrHistogram), seconds."),
                    labels: [("stage", spec.key), ("statistic", stat.rawValue)])
            }
        }
        histograms = hs
        quantiles = qs
        gauges = catalogue.metrics.filter { $0.series && !PrometheusNames.counted.contains($0.key) }.map { d in
            (d, registry.makeGauge(descriptor: name(PrometheusNames.gauge(d), PrometheusNames.help(d)), labels: []))
        }
        episodes = registry.makeCounter(descriptor: name(PrometheusNames.episodes, "Episodes completed since the run's measured part started (failed ones included)."), labels: [])
        errors = registry.makeCounter(descriptor: name(PrometheusNames.errors, "Episodes whose workload failed."), labels: [])
        drops = registry.makeCounter(descriptor: name(PrometheusNames.drops, "Open-loop arrivals dropped at the queue bound (max_queue)."), labels: [])
        targetRate = registry.makeGauge(descriptor: name(PrometheusNames.targetRate, "Open-loop arrivals scheduled per second over the last interval (0 in closed loop)."), labels: [])
        queueDepth = registry.makeGauge(descriptor: name(PrometheusNames.queueDepth, "Largest open-loop queue depth (arrivals due, not started) in the last interval."), labels: [])
        phaseIndex = registry.makeGauge(descriptor: name(PrometheusNames.phaseIndex, "Index of the running phase in the result's phases[] (-1 during warm-up)."), labels: [])
        trial = registry.makeGauge(descriptor: name(PrometheusNames.trial, "Index of the running trial (0-based)."), labels: [])
        phaseIndex.set(to: -1)
        registry.makeGauge(descriptor: name(PrometheusNames.runInfo, "The run being measured (always 1)."),
                           labels: [("scenario", scenario), ("workload", workload)]).set(to: 1)
    }

    /// Notes that phase `index` (labelled `label`) started; index −1 is the warm-up. Indices only
    /// grow within a trial, so one that does not follow a measured phase's starts the next trial.
    package func phaseStarted(_ index: Int, label: String) {
        phase.withLock { p in
            if let current = p.current, current.index >= 0, index <= current.index {
                p.trial += 1
                p.labels = [:]
            }
            p.labels[index] = label
            p.current?.gauge.set(to: 0)
            let g = registry.makeGauge(
                descriptor: MetricNameDescriptor(metricName: PrometheusNames.phaseInfo, unitName: "",
                                                 helpText: "The running phase (1) and those that ran before (0), by label."),
                labels: [("phase", label), ("index", String(index))])
            g.set(to: 1)
            p.current = (index, g)
            trial.set(to: Double(p.trial))
        }
        phaseIndex.set(to: Double(index))
    }

    /// Publishes one interval: histogram counts, counters, the interval's gauges.
    package func publish(_ snapshot: IntervalSnapshot) {
        let span = snapshot.span, point = snapshot.point
        for (key, h) in span.histograms {
            guard let target = histograms[key], h.count > 0 else { continue }
            Self.feed(h, into: target)
        }
        for (key, gauge) in quantiles {
            if let v = point.metrics[key] { gauge.set(to: v * 1e-9) }
        }
        episodes.increment(by: Double(span.episodes))
        errors.increment(by: Double(span.errors))
        drops.increment(by: Double(span.dropped))
        targetRate.set(to: point.targetRate ?? 0)
        queueDepth.set(to: Double(point.queueDepth))
        for (d, gauge) in gauges {
            if let v = point.metrics[d.key] { gauge.set(to: v * PrometheusNames.scale(d.unit)) }
        }
    }

    /// Adds an interval's HdrHistogram (ns) to a Prometheus histogram (s): one observation per
    /// recorded episode at the HdrHistogram's value for it (3 significant digits), so bucket counts,
    /// `_count` and `_sum` match the interval exactly at that precision. This runs on the sampler
    /// thread, never on the workers': the cost is O(episodes in the interval), measured in the README.
    static func feed(_ h: LatencyHistogram, into target: ValueHistogram) {
        for v in h.histogram.recordedValues() {
            let seconds = Double(v.value) * 1e-9
            for _ in 0..<v.count { target.record(seconds) }
        }
    }
}
