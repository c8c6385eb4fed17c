import BenchModel
import Histogram

/// A result with its label and colour, as the charts need it.
struct ChartInput {
    var result: BenchResult
    var label: String
    var color: String
    /// Problems found while preparing the charts (none since histograms are validated on load).
    var histogramProblems: [String] = []

    init(_ result: BenchResult, label: String, color: String) {
        self.result = result
        self.label = label
        self.color = color
    }

    /// The run's histogram `key`, if it recorded anything.
    func histogram(_ key: String) -> Histogram<UInt64>? {
        guard let h = result.summary.span.histograms[key], h.count > 0 else { return nil }
        return h.histogram
    }
}

/// The charts of the HTML reports, built from results with the one chart builder.
enum BenchCharts {
    /// Latency by percentile of one histogram key across results (one colour per result).
    static func percentiles(_ inputs: [ChartInput], key: String, title: String, width: Double = 600, height: Double = 300) -> String? {
        let curves = inputs.compactMap { i in i.histogram(key).map { (i, PercentileCurve($0, name: inputs.count > 1 ? "\(i.label) \(key)" : key)) } }
        guard !curves.isEmpty else { return nil }
        return percentileChart(id: "pct-\(key)", title: title,
                               curves: curves.map { ($0.0.label, $0.0.color, $0.1, false) }, width: width, height: height,
                               logY: false)
    }

    /// Latency by percentile of every histogram of one result, on a log latency axis; sub-stages and
    /// the harness's own measures are dashed.
    static func stagePercentiles(_ input: ChartInput, width: Double = 600, height: Double = 300) -> String? {
        let specs = input.result.catalogue.histograms
        let curves = specs.enumerated().compactMap { i, spec -> (String, String, PercentileCurve, Bool)? in
            guard let h = input.histogram(spec.key) else { return nil }
            return (spec.key, Palette.series(i), PercentileCurve(h, name: spec.key), spec.role == .substage || spec.role == .harness)
        }
        guard curves.count > 1 else { return nil }
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
                              format: { logY ? Units.formatNanoseconds($0 * scale.divisor) : Units.tick($0) })
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

    /// Series keys the fixed time charts below draw; every other series metric gets a chart of its own.
    static let chartedKeys: Set<String> = [
        MetricKey.e2e(.p50), MetricKey.e2e(.p99), MetricKey.e2e(.max), MetricKey.throughput, MetricKey.rssEnd, MetricKey.jemallocAllocated,
        MetricKey.errors, MetricKey.dropped, MetricKey.allocationsPerEpisode,
    ]

    /// The points of series `key` in a result's time series.
    static func points(_ r: BenchResult, _ key: String, scale: Double = 1) -> [ChartPoint] {
        r.timeseries.compactMap { p in p.metric(key).map { ChartPoint(x: p.tSeconds, y: $0 / scale) } }
    }

    /// The workload's events of the first result, as markers on the time axis.
    static func events(_ inputs: [ChartInput]) -> [ChartMarker] {
        (inputs.first?.result.workload.events ?? []).compactMap { e in
            e.tSeconds.map { ChartMarker(x: $0, y: 0, label: "\(e.kind): \(e.message)") }
        }
    }

    /// p50 (solid) and p99 (dashed) per interval.
    static func latencyOverTime(_ inputs: [ChartInput], width: Double = 600) -> String {
        let maxNs = inputs.flatMap { points($0.result, MetricKey.e2e(.p99)).map(\.y) }.max() ?? 1
        let scale = LatencyScale(maxNs: maxNs)
        var series: [ChartSeries] = []
        for i in inputs {
            let prefix = inputs.count > 1 ? i.label + " " : ""
            series.append(ChartSeries(name: prefix + "p50", color: i.color, points: points(i.result, MetricKey.e2e(.p50), scale: scale.divisor)))
            series.append(ChartSeries(name: prefix + "p99", color: i.color, points: points(i.result, MetricKey.e2e(.p99), scale: scale.divisor),
                                      dashed: true, width: 1.6))
        }
        return LineChart(id: "ts-latency", title: "e2e latency over time", x: timeAxis(inputs),
                         y: ChartAxis(title: "latency (\(scale.unit))"), series: series, bands: bands(inputs),
                         events: events(inputs), width: width, emptyMessage: "no time series in this result").svg()
    }

    /// One catalogue series metric over time, in its unit; nil when no result has it.
    static func seriesOverTime(_ inputs: [ChartInput], descriptor d: MetricDescriptor, width: Double = 600) -> String? {
        let raw = inputs.map { points($0.result, d.key) }
        guard raw.contains(where: { !$0.isEmpty }) else { return nil }
        let maxValue = raw.flatMap { $0.map(\.y) }.max() ?? 1
        let (divisor, unit, format): (Double, String, (Double) -> String) = switch d.unit {
        case .nanoseconds: { let s = LatencyScale(maxNs: maxValue); return (s.divisor, s.unit, Units.tick) }()
        case .bytes, .bytesPerEpisode: { let s = ByteScale(maxBytes: maxValue); return (s.divisor, s.unit + (d.unit == .bytesPerEpisode ? "/episode" : ""), Units.tick) }()
        case .fraction: (0.01, "%", Units.tick)
        default: (1, d.unit.rawValue, Units.tick)
        }
        let series = zip(inputs, raw).map { i, pts in
            ChartSeries(name: inputs.count > 1 ? i.label : d.label, color: i.color, points: pts.map { ChartPoint(x: $0.x, y: $0.y / divisor) })
        }
        return LineChart(id: "ts-\(d.key)", title: "\(d.label) over time", x: timeAxis(inputs),
                         y: ChartAxis(title: "\(d.label) (\(unit))", max: d.unit == .fraction ? 100 : nil, format: format),
                         series: series, bands: bands(inputs), events: events(inputs), width: width).svg()
    }

    /// Achieved throughput (solid) and the scheduled rate (dashed).
    static func throughputOverTime(_ inputs: [ChartInput], width: Double = 600) -> String {
        var series: [ChartSeries] = []
        for i in inputs {
            let prefix = inputs.count > 1 ? i.label + " " : ""
            series.append(ChartSeries(name: prefix + "achieved", color: i.color, points: points(i.result, MetricKey.throughput)))
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
        let maxBytes = inputs.flatMap { points($0.result, MetricKey.rssEnd).map(\.y) }.max() ?? 1
        let scale = ByteScale(maxBytes: maxBytes)
        var series: [ChartSeries] = []
        for i in inputs {
            let prefix = inputs.count > 1 ? i.label + " " : ""
            series.append(ChartSeries(name: prefix + "RSS", color: i.color, points: points(i.result, MetricKey.rssEnd, scale: scale.divisor)))
            let allocated = points(i.result, MetricKey.jemallocAllocated, scale: scale.divisor)
            if !allocated.isEmpty {
                series.append(ChartSeries(name: prefix + "jemalloc allocated", color: i.color, points: allocated, dashed: true, width: 1.5))
            }
        }
        return LineChart(id: "ts-rss", title: "Memory over time", x: timeAxis(inputs),
                         y: ChartAxis(title: "memory (\(scale.unit))", includeZero: false), series: series, bands: bands(inputs), width: width,
                         emptyMessage: "no time series in this result").svg()
    }

    /// Share of episode time per stage, one bar per result.
    static func stageShare(_ inputs: [ChartInput], width: Double = 1160) -> String? {
        let rows = inputs.map { i in
            StackedBarChart.Row(label: i.label, segments: StageShare.of(i.result).enumerated().map { n, s in
                StackedBarChart.Segment(name: s.stage, value: s.totalNs, color: Palette.stageShare(s.stage, index: n),
                                        detail: "mean \(Units.formatNanoseconds(s.meanNs)) × \(Units.grouped(s.count))")
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

    /// Top-level stages only (``MetricCatalogue/topLevelStageKeys``). "other" is e2e time no stage
    /// accounts for (queueing from the intended start, harness overhead).
    static func of(_ r: BenchResult) -> [StageShare] {
        let s = r.summary
        func stat(_ k: String, _ st: LatencyStatistic) -> Double { s.metric("\(k).\(st.rawValue)") ?? 0 }
        var out = r.catalogue.topLevelStageKeys.compactMap { k -> StageShare? in
            let count = stat(k, .count)
            guard count > 0 else { return nil }
            return StageShare(stage: k, count: UInt64(count), meanNs: stat(k, .mean), totalNs: stat(k, .mean) * count, share: 0)
        }
        let stageSum = out.reduce(0) { $0 + $1.totalNs }
        let e2eCount = stat(SpanKey.e2e, .count)
        let e2e = stat(SpanKey.e2e, .mean) * e2eCount
        if e2e > stageSum * 1.001, e2eCount > 0 {
            out.append(StageShare(stage: "other", count: UInt64(e2eCount), meanNs: (e2e - stageSum) / e2eCount,
                                  totalNs: e2e - stageSum, share: 0))
        }
        let denominator = max(e2e, stageSum)
        guard denominator > 0 else { return [] }
        return out.map { var x = $0; x.share = x.totalNs / denominator; return x }
    }
}
