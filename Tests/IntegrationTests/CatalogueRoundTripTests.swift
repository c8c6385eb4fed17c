import BenchModel
import Foundation
import Gate
import Harness
import Reports
import Testing

/// A workload the reports have never heard of: stages of its own (one with a sub-stage), a counter
/// with a derived ratio, a gauge and a per-episode sample. If it shows up in every output and in
/// compare, the writers are driven by the catalogue and not by names they know.
final class WidgetWorkload: Workload {
    let vocabulary = WorkloadVocabulary(
        name: "widgets",
        stages: [.init("parse"), .init("score"), .init("score.cached", parent: "score"), .init("render")],
        counters: ["widgets.made", "widgets.rejected"], gauges: ["widgets.backlog"], samples: ["widgets.queue_len"],
        metrics: [
            MetricDescriptor(key: "widgets.reject_rate", label: "Widget reject rate", unit: .fraction, direction: .lowerIsBetter,
                             source: .ratio(["widgets.rejected"], over: ["widgets.made"]), gated: true, highlight: true, series: true),
            MetricDescriptor(key: "widgets.made", label: "Widgets made", unit: .count, direction: .higherIsBetter,
                             source: .counter("widgets.made")),
            MetricDescriptor(key: "widgets.backlog", label: "Widget backlog", unit: .count, direction: .lowerIsBetter,
                             source: .gauge("widgets.backlog", .end), series: true),
            MetricDescriptor(key: "widgets.queue_len", label: "Queue length at start", unit: .count, direction: .lowerIsBetter,
                             source: .sampleMean("widgets.queue_len"), series: true),
        ])
    let made = Counter()

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0.0
        func add() { lock.lock(); value += 1; lock.unlock() }
        var current: Double { lock.lock(); defer { lock.unlock() }; return value }
    }

    struct Worker: WorkloadWorker {
        let workload: WidgetWorkload
        mutating func runEpisode(_ episode: UInt64, timings: inout StageTimings) throws {
            timings.measure(0) { spin(nanoseconds: 2_000) }
            timings.measure(1) { spin(nanoseconds: 5_000) }
            if episode % 2 == 0 { timings.add(2, 1_000) }
            timings.measure(3) { spin(nanoseconds: 1_000) }
            timings.sample(0, Double(episode % 7))
            workload.made.add()
        }
    }

    func makeWorker(id: Int) throws -> Worker { Worker(workload: self) }

    func statistics() -> WorkloadStatistics {
        let n = made.current
        return WorkloadStatistics(values: ["widgets.made": n, "widgets.rejected": (n / 10).rounded(.down), "widgets.backlog": 3])
    }

    func details() -> JSONValue? { .object(["factory": .string("north"), "lines": .number(4)]) }

    func drainEvents() -> [WorkloadEvent] { [] }
}

func runWidgets(trials: Int = 2) throws -> BenchResult {
    let spec = Scenario(name: "widgets", seed: 3, warmup: 0, interval: 0.1, workers: 1,
                        phases: [Phase(.constant(rate: 400, duration: 0.4)), Phase(.closed(concurrency: [1], each: 0.3))])
    let record = ScenarioRecord(name: "widgets", description: "a workload of its own", file: "<test>", overrides: [], spec: spec)
    return try BenchmarkRunner.run(scenario: record, options: RunOptions(trials: trials)) { _, _ in WidgetWorkload() }
}

@Suite("Catalogue round trip", .serialized)
struct CatalogueRoundTripTests {
    @Test("every catalogue metric survives result.json and appears in CSV, Markdown, terminal, HTML and compare")
    func everyMetricEverywhere() throws {
        let original = try runWidgets()
        let result = try ResultCodec.decode(try ResultCodec.encode(original), file: "widgets.json")
        #expect(result == original)
        #expect(result.catalogue.stageKeys == ["parse", "score", "score.cached", "render"])
        #expect(result.catalogue.topLevelStageKeys == ["parse", "score", "render"])

        let present = result.catalogue.descriptors.filter { result.summary.metric($0.key) != nil }
        let keys = Set(present.map(\.key))
        // The workload's own metrics and the harness's measures are all there.
        for key in ["widgets.reject_rate", "widgets.made", "widgets.backlog", "widgets.queue_len", "score.cached.p50",
                    "render.p99", "throughput", "cpu.voluntary_switches_per_episode", "lateness.p99"] {
            #expect(keys.contains(key), "\(key) missing from the summary")
        }
        #expect(abs(result.summary.metric("widgets.queue_len")! - 3) < 0.5, "mean of episode % 7")

        let csv = SummaryCSV.render(results: [result])
        let markdown = SummaryMarkdown.render(results: [result])
        let terminal = TerminalSummary.render(result)
        let html = HTMLReport.render(results: [result])
        let timeseries = TimeseriesCSV.render(results: [result])
        for d in present {
            #expect(csv.contains(",overall,,,," + d.key + ","), "CSV lacks \(d.key)")
            if d.source.kind == .latency {
                let histogram = d.source.keys[0]
                #expect(markdown.contains("| \(histogram) |"), "Markdown lacks \(histogram)")
                #expect(terminal.contains("  \(histogram) "), "terminal lacks \(histogram)")
                #expect(html.contains(">\(histogram)<"), "HTML lacks \(histogram)")
            } else {
                let shown = d.unit.format(result.summary.metric(d.key)!)
                #expect(markdown.contains("| \(d.key) |"), "Markdown lacks \(d.key)")
                // The headline carries the run's counts and rate; every other metric is a line of its own.
                let line = ["throughput", "episodes", "errors", "dropped"].contains(d.key) ? d.key + " " : d.label + " " + shown
                #expect(terminal.contains(line), "terminal lacks \(line)")
                #expect(html.contains(">\(d.key)<"), "HTML lacks \(d.key)")
            }
        }
        for d in result.catalogue.descriptors where d.series && d.source.kind != .latency {
            #expect(timeseries.contains(d.key), "timeseries.csv lacks \(d.key)")
        }
        #expect(html.contains("Widget reject rate"), "a highlighted workload metric is a card")
        #expect(html.contains("factory") && html.contains("north"), "workload details are shown")
        #expect(html.contains("Widget backlog over time"), "a series metric of the workload is charted")

        let report = try Comparison.compare(before: result, after: result)
        let compared = Set(report.metrics.map(\.metric))
        #expect(compared.isSuperset(of: ["widgets.reject_rate", "widgets.queue_len", "score.p50", "render.p50"]))
        #expect(report.metrics.first { $0.metric == "widgets.reject_rate" }?.gated == true, "the workload's gated flag is honoured")
        #expect(report.metrics.first { $0.metric == "score.cached.p50" }?.gated == false, "sub-stages are not gated by default")
    }

    @Test("merging single-trial results gives the same percentiles as running the trials together")
    func mergeEqualsTrials() throws {
        let together = try runWidgets(trials: 3)
        let singles = together.trials.map { t -> BenchResult in
            var r = together
            r.trials = [t]
            r.summary = t.summary
            r.phases = t.phases
            return r
        }
        let merged = try ResultMerger.merge(singles, files: ["a", "b", "c"])
        for stat in ["p50", "p90", "p99", "p999", "max", "count"] {
            for h in ["e2e", "lateness", "score", "score.cached"] {
                #expect(merged.summary.metric("\(h).\(stat)") == together.summary.metric("\(h).\(stat)"), "\(h).\(stat)")
            }
            for i in together.phases.indices {
                #expect(merged.phases[i].stats.metric("e2e.\(stat)") == together.phases[i].stats.metric("e2e.\(stat)"), "phase \(i) \(stat)")
            }
        }
        #expect(merged.summary.metric("widgets.reject_rate") == together.summary.metric("widgets.reject_rate"))
        #expect(merged.summary.metric("throughput") == together.summary.metric("throughput"))
    }
}
