import BenchModel
import Testing
@testable import History

@Suite struct HistoryAnalysisTests {
    @Test("series never mix scenarios or machines, and are ordered by start time")
    func seriesAreSeparate() throws {
        var records = Records.history(["e2e.p99": [1, 2, 3]]) + Records.history(["e2e.p99": [10, 20]], machine: Records.machineB)
            + Records.history(["e2e.p99": [100]], scenario: "smoke")
        records.reverse()
        let series = MetricSeries.extract(from: records)
        #expect(series.map(\.key.scenario) == ["bench", "bench", "smoke"])
        #expect(series.map(\.values) == [[1, 2, 3], [10, 20], [100]])
        #expect(series[0].key.fingerprint != series[1].key.fingerprint)
        #expect(series[0].machine == Records.machineA && series[1].machine == Records.machineB)
        #expect(series[0].points.map(\.commit) == ["c000", "c001", "c002"])
    }

    @Test("the machine fingerprint covers CPU, cores, kernel, OS, configuration and jemalloc, not the hostname")
    func fingerprint() {
        let a = Records.machineA
        #expect(a.hash.count == 16)
        #expect(a == HistoryMachine(cpuModel: "AMD EPYC 7B13", cores: 2, kernel: "6.8.0", os: "Ubuntu 24.04", configuration: "release", jemalloc: true))
        let variants = [
            HistoryMachine(cpuModel: "AMD EPYC 7B12", cores: 2, kernel: "6.8.0", os: "Ubuntu 24.04", configuration: "release", jemalloc: true),
            HistoryMachine(cpuModel: "AMD EPYC 7B13", cores: 4, kernel: "6.8.0", os: "Ubuntu 24.04", configuration: "release", jemalloc: true),
            HistoryMachine(cpuModel: "AMD EPYC 7B13", cores: 2, kernel: "6.9.0", os: "Ubuntu 24.04", configuration: "release", jemalloc: true),
            HistoryMachine(cpuModel: "AMD EPYC 7B13", cores: 2, kernel: "6.8.0", os: "Debian 12", configuration: "release", jemalloc: true),
            HistoryMachine(cpuModel: "AMD EPYC 7B13", cores: 2, kernel: "6.8.0", os: "Ubuntu 24.04", configuration: "debug", jemalloc: true),
            HistoryMachine(cpuModel: "AMD EPYC 7B13", cores: 2, kernel: "6.8.0", os: "Ubuntu 24.04", configuration: "release", jemalloc: false),
        ]
        #expect(Set(variants.map(\.hash) + [a.hash]).count == variants.count + 1)
        #expect(a.text.contains("AMD EPYC 7B13") && a.text.contains("2 cores") && a.text.contains("jemalloc"))
    }

    @Test("fingerprint and record id are SHA-256 of their canonical text (values from Python's hashlib), so stored histories keep their keys")
    func digestsArePinned() {
        let machine = HistoryMachine(cpuModel: "Intel Xeon", cores: 2, kernel: "6.1.0", os: "Debian 12", configuration: "release", jemalloc: true)
        #expect(machine.hash == "cecd209ba55b4dd3")
        let record = HistoryRecord(scenario: "smoke", commit: "abc123", dirty: false, startedAt: "2026-12-07T23:00:00Z",
                                   machine: machine, configuration: "release", metrics: [])
        #expect(record.id == "017ad4bed8736352c7c1eca8967b7adf")
        #expect(HistoryMachine.hex(SHA256.hash(data: [])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test("a record built from a result has its metadata and every finite summary metric, in catalogue order")
    func recordFromResult() throws {
        // A v2 result as the harness writes it: a catalogue and a span, summarised by the catalogue.
        let catalogue = MetricCatalogue.standard(for: WorkloadVocabulary(name: "w", stages: [.init("parse")]))
        var e2e = LatencyHistogram()
        for v: UInt64 in [100, 200, 400, 1000] { _ = e2e.histogram.record(v * 1_000, count: 250) }
        let span = Span(seconds: 1000 / 512, episodes: 1000, errors: 2, histograms: [SpanKey.e2e: e2e],
                        gauges: [SpanKey.rss: Gauge(start: 0, end: 0)])
        let summary = catalogue.summarize(span)
        let spec = Scenario(name: "bench", phases: [Phase(.burst(count: 10))])
        let result = BenchResult(
            scenario: ScenarioRecord(name: "bench", description: "", file: "scenarios/bench.yaml", overrides: [], spec: spec),
            machine: MachineInfo(hostname: "ci-7", cpuModel: "AMD EPYC 7B13", cores: 2, memoryBytes: 1 << 34, os: "Ubuntu 24.04", kernel: "6.8.0"),
            build: BuildInfo(configuration: "release", compiler: "Swift 6.3.1", commit: "abc123", dirty: true, jemalloc: true, phibenchVersion: "0.1.0"),
            startedAt: "2025-03-04T05:06:07Z", durationSeconds: 10, workload: WorkloadRecord(name: "w"), catalogue: catalogue, summary: summary)
        #expect(summary.metric("memory.rss_growth_pct").map { !$0.isFinite } ?? true, "RSS growth from 0 has no finite value")
        let r = HistoryRecord(result: result)
        #expect(r.scenario == "bench" && r.commit == "abc123" && r.dirty && r.startedAt == "2025-03-04T05:06:07Z")
        #expect(r.configuration == "release")
        #expect(r.machine == Records.machineA)
        #expect(r.metric("throughput")?.value.rounded() == 512)
        #expect(r.metric("throughput")?.direction == .higherIsBetter)
        #expect(r.metric("e2e.p99").map { abs($0.value - 1_000_000) <= 1_000 } == true)
        #expect(r.metric("e2e.p99")?.unit == .nanoseconds)
        #expect(r.metric("e2e.p99")?.gated == true && r.metric("e2e.max")?.gated == false)
        #expect(r.metric("memory.rss_growth_pct") == nil, "a metric without a finite value is not stored")
        let expected = catalogue.descriptors.map(\.key).filter { summary.metric($0)?.isFinite == true }
        #expect(r.metrics.map(\.key) == expected, "every finite metric, in catalogue order")
        // Identity: the same result gives the same id; another start time another.
        var later = result
        later.startedAt = "2025-03-04T05:06:08Z"
        #expect(HistoryRecord(result: result).id == r.id)
        #expect(HistoryRecord(result: later).id != r.id)
    }

    @Test("change points are regressions or improvements by the metric's direction")
    func directions() throws {
        var g = Noise(seed: 5)
        let up = (0..<40).map { 100 * (1 + ($0 >= 20 ? 0.05 : 0) + 0.005 * g.normal()) }
        let records = Records.history(["e2e.p99": up, "throughput": up])
        let analyses = try SeriesAnalysis.analyze(records, options: DetectionOptions())
        let kinds = Dictionary(uniqueKeysWithValues: analyses.map { ($0.series.key.metric, $0.changes.map(\.kind)) })
        #expect(kinds["e2e.p99"] == [.regression])
        #expect(kinds["throughput"] == [.improvement])
        let change = try #require(analyses.first?.changes.first)
        #expect(change.first.commit == "c020" && change.lastBefore.commit == "c019")
        #expect(ChangeKind(direction: .informational, before: 1, after: 2) == .change)
        #expect(ChangeKind(direction: .higherIsBetter, before: 2, after: 1) == .regression)
    }

    @Test("check: a regression the newest results start is found, naming its commit; a fixed or old one is not")
    func check() throws {
        var g = Noise(seed: 9)
        func level(_ i: Int, _ steps: [(Int, Double)]) -> Double {
            (steps.last { $0.0 <= i }?.1 ?? 1) * 1000 * (1 + 0.01 * g.normal())
        }
        let regressedNow = (0..<45).map { level($0, [(40, 1.05)]) }
        let fixed = (0..<45).map { level($0, [(20, 1.05), (35, 1.0)]) }
        let old = (0..<45).map { level($0, [(10, 1.05)]) }
        let improved = (0..<45).map { level($0, [(40, 0.95)]) }
        let records = Records.history(["e2e.p50": regressedNow, "e2e.p90": fixed, "e2e.p99": old, "e2e.mean": improved])
        let analyses = try SeriesAnalysis.analyze(records, options: DetectionOptions())
        let findings = HistoryCheck.regressions(in: analyses, recent: 10)
        #expect(findings.map(\.series.key.metric) == ["e2e.p50"])
        let f = try #require(findings.first)
        #expect(f.change.first.commit == "c040")
        #expect(f.resultsSince == 5)
        #expect(f.change.comparison.pValue <= 0.001)
        // The old regression is still the last change of its series: a long enough look-back finds it.
        #expect(HistoryCheck.regressions(in: analyses, recent: 40).map(\.series.key.metric).sorted() == ["e2e.p50", "e2e.p99"])
        // Restricting the metrics restricts the check.
        let only = try SeriesAnalysis.analyze(records, metrics: ["e2e.p90"], options: DetectionOptions())
        #expect(HistoryCheck.regressions(in: only, recent: 10).isEmpty)
    }

    @Test("metric patterns: names and * patterns select; a pattern matching nothing is an error listing the known names")
    func metricSelection() throws {
        let known = ["throughput", "e2e.p50", "e2e.p99", "ESGT.p99", "PHI.hit.p99"]
        #expect(try MetricSelection.select([], from: known) == Set(known))
        #expect(try MetricSelection.select(["*.p99"], from: known) == ["e2e.p99", "ESGT.p99", "PHI.hit.p99"])
        #expect(try MetricSelection.select(["e2e.*", "throughput"], from: known) == ["e2e.p50", "e2e.p99", "throughput"])
        #expect(throws: HistoryError.unknownMetric(pattern: "e2e.p98", known: known)) { try MetricSelection.select(["e2e.p50", "e2e.p98"], from: known) }
        let message = HistoryError.unknownMetric(pattern: "thruput", known: known).description
        #expect(message.contains("thruput") && message.contains("throughput"))
    }
}
