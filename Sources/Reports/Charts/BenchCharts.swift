import BenchModel
import Histogram

/// A result with its label, colour and decoded histograms, as the charts need it.
struct ChartInput {
    var result: BenchResult
    var label: String
    var color: String
    var histograms: [String: Histogram<UInt64>]
    /// Histograms that could not be decoded, with the reason (shown on the page).
    var histogramProblems: [String]

    init(_ result: BenchResult, label: String, color: String) {
        self.result = result
        self.label = label
        self.color = color
        var hs: [String: Histogram<UInt64>] = [:]
        var problems: [String] = []
        for (key, encoded) in result.histograms.sorted(by: { $0.key < $1.key }) {
            do { hs[key] = try encoded.histogram() } catch { problems.append("histogram '\(key)' of \(label): \(error)") }
        }
        histograms = hs
        histogramProblems = problems
    }
}

/// The charts of the HTML reports, built from results with the one chart builder.
enum BenchCharts {
    /// Latency by percentile of one histogram key across results (one colour per result).
    static func percentiles(_ inputs: [ChartInput], key: String, title: String, width: Double = 600, height: Double = 300) -> String? {
        let curves = inputs.compactMap { i in i.histograms[key].map { (i, PercentileCurve($0, name: inputs.count > 1 ? "\(i.label) \(key)" : key)) } }
        guard !curves.isEmpty else { return nil }
        return percentileChart(id: "pct-\(key)", title: title,
                               curves: curves.map { ($0.0.label, $0.0.color, $0.1, false) }, width: width, height: height,
                               logY: false)
    }

    /// Latency by percentile of every stage of one result, on a log latency axis.
    static func stagePercentiles(_ input: ChartInput, width: Double = 600, height: Double = 300) -> String? {
        let keys = input.result.summary.latencyKeysInOrder.filter { input.histograms[$0] != nil }
        guard keys.count > 1 else { return nil }
        let curves = keys.enumerated().map { i, k in
            (k, Palette.stage(k, index: i), PercentileCurve(input.histograms[k]!, name: k), k.contains("."))
        }
        return percentileChart(id: "pct-stages-\(input.label)", title: "e2e and stages, latency by percentile (log scale)",
                               curves: curves, width: width, height: height, logY: true)
    }

    static func percentileChart(
        id: String, title: String, curves: [(name: String, color: String, curve: PercentileCurve, dashed: Bool)],
        width: Double, height: Double, logY: Bool
    ) -> String {
        let maxNs = curves.flatMap { $0.curve.points.map(\.y) }.max() ?? 1
        let scale = LatencyScale(maxNs: maxNs)
        let maxCount = curves.map(\.curve.count).max() ?? 1
        var xAxis = ChartAxis(title: "percentile", scale: .log10, min: 1, ticks: PercentileCurve.ticks(upTo: maxCount))
        xAxis.max = PercentileCurve.ticks(upTo: maxCount).map(\.value).first { $0 >= Double(maxCount) } ?? Double(maxCount)
        let yAxis = ChartAxis(title: "latency (\(scale.unit))", scale: logY ? .log10 : .linear,
                              format: { logY ? Units.formatNanoseconds($0 * scale.divisor) : Fmt.tick($0) })
        let series = curves.map { c in
            ChartSeries(name: c.name, color: c.color, points: scale.scaled(c.curve.points), dashed: c.dashed,
                        width: c.dashed ? 1.5 : 2, markers: scale.scaled(c.curve.markers))
        }
        return LineChart(id: id, title: title, x: xAxis, y: yAxis, series: series, width: width, height: height).svg()
    }

    /// Phase spans of the first result, for shading time-series charts.
    static func bands(_ inputs: [ChartInput]) -> [ChartBand] {
        guard let first = inputs.first else { return [] }
        return first.result.phases.map { ChartBand(from: $0.startSeconds, to: $0.startSeconds + $0.durationSeconds, label: $0.label) }
    }

    /// Seconds from 0 to the end of the longest series (no rounding up past the data).
    private static func timeAxis(_ inputs: [ChartInput]) -> ChartAxis {
        let end = inputs.flatMap { $0.result.timeseries.map(\.tSeconds) }.max()
        return ChartAxis(title: "time (s)", min: 0, max: end.map { Swift.max($0, 1) })
    }

    /// p50 (solid) and p99 (dashed) per interval.
    static func latencyOverTime(_ inputs: [ChartInput], width: Double = 600) -> String {
        let maxNs = inputs.flatMap { $0.result.timeseries.map { Double($0.p99Ns) } }.max() ?? 1
        let scale = LatencyScale(maxNs: maxNs)
        var series: [ChartSeries] = []
        for i in inputs {
            let prefix = inputs.count > 1 ? i.label + " " : ""
            series.append(ChartSeries(name: prefix + "p50", color: i.color,
                                      points: i.result.timeseries.map { ChartPoint(x: $0.tSeconds, y: Double($0.p50Ns) / scale.divisor) }))
            series.append(ChartSeries(name: prefix + "p99", color: i.color,
                                      points: i.result.timeseries.map { ChartPoint(x: $0.tSeconds, y: Double($0.p99Ns) / scale.divisor) },
                                      dashed: true, width: 1.6))
        }
        return LineChart(id: "ts-latency", title: "e2e latency over time", x: timeAxis(inputs),
                         y: ChartAxis(title: "latency (\(scale.unit))"), series: series, bands: bands(inputs), width: width,
                         emptyMessage: "no time series in this result").svg()
    }

    /// Achieved throughput (solid) and the scheduled rate (dashed).
    static func throughputOverTime(_ inputs: [ChartInput], width: Double = 600) -> String {
        var series: [ChartSeries] = []
        for i in inputs {
            let prefix = inputs.count > 1 ? i.label + " " : ""
            series.append(ChartSeries(name: prefix + "achieved", color: i.color,
                                      points: i.result.timeseries.map { ChartPoint(x: $0.tSeconds, y: $0.throughputEps) }))
            let target = i.result.timeseries.compactMap { p in p.targetRate.map { ChartPoint(x: p.tSeconds, y: $0) } }
            if !target.isEmpty {
                series.append(ChartSeries(name: prefix + "target", color: inputs.count > 1 ? i.color : "#6a737d",
                                          points: target, dashed: true, width: 1.5))
            }
        }
        return LineChart(id: "ts-throughput", title: "Throughput over time", x: timeAxis(inputs),
                         y: ChartAxis(title: "episodes/s"), series: series, bands: bands(inputs), width: width,
                         emptyMessage: "no time series in this result").svg()
    }

    static func queueDepthOverTime(_ inputs: [ChartInput], width: Double = 600) -> String {
        let series = inputs.map { i in
            ChartSeries(name: inputs.count > 1 ? i.label : "queue depth", color: i.color,
                        points: i.result.timeseries.map { ChartPoint(x: $0.tSeconds, y: Double($0.queueDepth)) })
        }
        return LineChart(id: "ts-queue", title: "Queue depth over time (arrivals waiting)", x: timeAxis(inputs),
                         y: ChartAxis(title: "arrivals"), series: series, bands: bands(inputs), width: width,
                         emptyMessage: "no time series in this result").svg()
    }

    /// RSS (solid) and jemalloc allocated (dashed).
    static func memoryOverTime(_ inputs: [ChartInput], width: Double = 600) -> String {
        let maxBytes = inputs.flatMap { $0.result.timeseries.map { Double($0.rssBytes) } }.max() ?? 1
        let scale = ByteScale(maxBytes: maxBytes)
        var series: [ChartSeries] = []
        for i in inputs {
            let prefix = inputs.count > 1 ? i.label + " " : ""
            series.append(ChartSeries(name: prefix + "RSS", color: i.color,
                                      points: i.result.timeseries.map { ChartPoint(x: $0.tSeconds, y: Double($0.rssBytes) / scale.divisor) }))
            let allocated = i.result.timeseries.compactMap { p in p.jemallocAllocated.map { ChartPoint(x: p.tSeconds, y: Double($0) / scale.divisor) } }
            if !allocated.isEmpty {
                series.append(ChartSeries(name: prefix + "jemalloc allocated", color: i.color, points: allocated, dashed: true, width: 1.5))
            }
        }
        return LineChart(id: "ts-rss", title: "Memory over time", x: timeAxis(inputs),
                         y: ChartAxis(title: "memory (\(scale.unit))", includeZero: false), series: series, bands: bands(inputs), width: width,
                         emptyMessage: "no time series in this result").svg()
    }

    /// Bytes allocated per completed episode in each interval (jemalloc's exact per-thread counters;
    /// the allocator-wide call counts lag behind its thread caches, so they are not charted).
    /// nil when no result has them.
    static func allocationsOverTime(_ inputs: [ChartInput], width: Double = 600) -> String? {
        let series = inputs.map { i in
            ChartSeries(name: inputs.count > 1 ? i.label : "bytes allocated/episode", color: i.color,
                        points: i.result.timeseries.compactMap { p in
                            guard let b = p.bytesAllocated, p.episodes > 0 else { return nil }
                            return ChartPoint(x: p.tSeconds, y: Double(b) / Double(p.episodes))
                        })
        }
        guard series.contains(where: { !$0.points.isEmpty }) else { return nil }
        return LineChart(id: "ts-allocs", title: "Bytes allocated per episode over time", x: timeAxis(inputs),
                         y: ChartAxis(title: "bytes/episode"), series: series, bands: bands(inputs), width: width).svg()
    }

    /// Φ cache hit rate per interval, percent; nil when Φ was never looked up.
    static func phiHitRateOverTime(_ inputs: [ChartInput], width: Double = 600) -> String? {
        let series = inputs.map { i in
            ChartSeries(name: inputs.count > 1 ? i.label : "hit rate", color: i.color,
                        points: i.result.timeseries.compactMap { p in p.phiCacheHitRate.map { ChartPoint(x: p.tSeconds, y: $0 * 100) } })
        }
        guard series.contains(where: { !$0.points.isEmpty }) else { return nil }
        return LineChart(id: "ts-phi", title: "Φ cache hit rate over time", x: timeAxis(inputs),
                         y: ChartAxis(title: "hit rate (%)", max: 100), series: series, bands: bands(inputs), width: width).svg()
    }

    /// Share of episode time per stage, one bar per result.
    static func stageShare(_ inputs: [ChartInput], width: Double = 1160) -> String? {
        let rows = inputs.map { i in
            StackedBarChart.Row(label: i.label, segments: StageShare.of(i.result.summary).enumerated().map { n, s in
                StackedBarChart.Segment(name: s.stage, value: s.totalNs, color: Palette.stage(s.stage, index: n),
                                        detail: "mean \(Units.formatNanoseconds(s.meanNs)) × \(Fmt.grouped(s.count))")
            })
        }
        guard rows.contains(where: { !$0.segments.isEmpty }) else { return nil }
        return StackedBarChart(title: "Share of episode time by stage (stage mean × count)", rows: rows, width: width).svg()
    }
}

/// Where episode time goes: each stage's total (mean × count) and the unattributed rest of e2e.
struct StageShare: Equatable {
    var stage: String
    var count: UInt64
    var meanNs: Double
    var totalNs: Double
    /// Fraction of the e2e total (or of the stage sum when it exceeds e2e).
    var share: Double

    /// Top-level stages only (``RunSummary/stageKeys``). "other" is e2e time no stage accounts for
    /// (queueing from the intended start, harness overhead).
    static func of(_ s: RunSummary) -> [StageShare] {
        var out = s.stageKeys.compactMap { k -> StageShare? in
            guard let l = s.latencyNs[k], l.count > 0 else { return nil }
            return StageShare(stage: k, count: l.count, meanNs: l.mean, totalNs: l.mean * Double(l.count), share: 0)
        }
        let stageSum = out.reduce(0) { $0 + $1.totalNs }
        let e2e = s.latencyNs["e2e"].map { $0.mean * Double($0.count) } ?? 0
        if e2e > stageSum * 1.001, let l = s.latencyNs["e2e"] {
            out.append(StageShare(stage: "other", count: l.count, meanNs: (e2e - stageSum) / Double(max(l.count, 1)),
                                  totalNs: e2e - stageSum, share: 0))
        }
        let denominator = max(e2e, stageSum)
        guard denominator > 0 else { return [] }
        return out.map { var x = $0; x.share = x.totalNs / denominator; return x }
    }
}
