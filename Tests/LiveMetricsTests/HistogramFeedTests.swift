import BenchModel
import Prometheus
import Testing
@testable import LiveMetrics

@Suite("Histogram feed")
struct HistogramFeedTests {
    /// The exposition's cumulative bucket counts of `text` for `stage`, by upper bound (+Inf as .infinity).
    static func buckets(_ text: String, stage: String) -> [(Double, Double)] {
        text.split(separator: "\n").compactMap { line -> (Double, Double)? in
            guard line.hasPrefix("\(PrometheusNames.latency)_bucket{"), line.contains("stage=\"\(stage)\"") else { return nil }
            guard let le = line.firstMatch(of: /le="([^"]+)"/)?.1, let count = line.split(separator: " ").last.flatMap({ Double($0) })
            else { return nil }
            return (le == "+Inf" ? .infinity : Double(le)!, count)
        }
    }

    @Test func bucketCountsMatchTheHdrHistogram() throws {
        // 1 µs … 3 s, spread over many buckets, with repeats.
        let values: [UInt64] = [800, 1_000, 1_500, 20_000, 20_000, 20_000, 450_000, 3_000_000, 70_000_000, 3_000_000_000, 12_000_000_000]
        var h = LatencyHistogram()
        for v in values { h.record(v) }
        let registry = PrometheusCollectorRegistry()
        let target = registry.makeValueHistogram(
            descriptor: MetricNameDescriptor(metricName: PrometheusNames.latency, unitName: "", helpText: "t"),
            labels: [("stage", "e2e")], buckets: PrometheusNames.latencyBuckets)
        LiveMetricsExporter.feed(h, into: target)
        LiveMetricsExporter.feed(h, into: target)  // two intervals accumulate
        let text = registry.emitToString()
        let got = Self.buckets(text, stage: "e2e")
        #expect(got.count == PrometheusNames.latencyBuckets.count + 1)
        for (le, count) in got {
            // HdrHistogram keeps 3 significant digits: a value counts under `le` when its bucket's
            // highest equivalent value does, so compare against the values at that precision.
            let expected = values.filter { Double(h.histogram.highestEquivalentForValue($0)) * 1e-9 <= le }.count * 2
            #expect(count == Double(expected), "le=\(le): \(count) vs \(expected)")
        }
        #expect(got.last?.1 == Double(values.count * 2))
        let sum = text.split(separator: "\n").first { $0.hasPrefix("\(PrometheusNames.latency)_sum") }
            .flatMap { $0.split(separator: " ").last }.flatMap { Double($0) }
        let exact = Double(values.reduce(0, +)) * 2e-9
        #expect(abs(try #require(sum) - exact) / exact < 0.002)
    }
}
