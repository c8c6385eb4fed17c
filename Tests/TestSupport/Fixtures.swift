import BenchModel
import Foundation
import Histogram

/// Seeded generator for fixtures (SplitMix64), so every fixture is the same on every run.
package struct FixtureRNG: RandomNumberGenerator {
    package var generator: SplitMix64
    package init(seed: UInt64) { generator = SplitMix64(state: seed &* 0x9E37_79B9_7F4A_7C15 &+ 1) }
    package mutating func next() -> UInt64 { generator.next() }
    package mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
    package mutating func normal() -> Double {
        let u1 = max(uniform(), 1e-12), u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
    /// A factor in [1 − width, 1 + width].
    package mutating func jitter(_ width: Double) -> Double { 1 + (uniform() * 2 - 1) * width }
}

/// Builds realistic results: latencies simulated per episode and recorded into real HdrHistograms,
/// per-trial spans with bounded multiplicative noise (each trial's histograms are the simulation
/// rescaled by its own factor), phases, a time series, thresholds, workload details and a leak verdict,
/// for a test workload with the pipeline's shape (stages, a cache, a memory layer).
package struct Fixture {
    package var scenario: String
    package var description: String
    package var trials: Int
    /// Seed of the simulated episodes (the underlying distribution).
    package var seed: UInt64
    /// Seed of the per-trial noise; two fixtures with the same `seed` and different `noiseSeed`
    /// are trials drawn from the same distribution.
    package var noiseSeed: UInt64?
    /// Per-trial noise of every figure: each is multiplied by a factor in [1 − noise, 1 + noise].
    package var noise: Double
    /// Latency keys made slower (or faster) by a factor, e.g. `["ESGT": 1.3, "e2e": 1.3]`.
    package var scale: [String: Double]
    package var throughputScale: Double
    package var episodesSimulated: Int
    package var configuration: String
    package var jemalloc: Bool
    package var commit: String
    package var interrupted: Bool
    package var warnings: [RunWarning]
    package var stages: [String]
    package var profile: ProfileInfo?
    package var leaking: Bool
    /// The memory layer's resident bytes per state (a gauge of the workload).
    package var residentBytesPerState: Double

    package init(
        scenario: String = "steady",
        description: String = "200/s for 20 s, a ramp to 400/s, then a burst of 500",
        trials: Int = 5,
        seed: UInt64 = 1,
        noiseSeed: UInt64? = nil,
        noise: Double = 0.03,
        scale: [String: Double] = [:],
        throughputScale: Double = 1.0,
        episodesSimulated: Int = 6_000,
        configuration: String = "release",
        jemalloc: Bool = true,
        commit: String = "3f9c2a7d81e04b55c0d1e2f3a4b5c6d7e8f90123",
        interrupted: Bool = false,
        warnings: [RunWarning] = [],
        stages: [String] = ["MMEI", "MCEA", "MEA", "TIG", "ESGT", "PHI", "PHI.hit", "PHI.miss", "MEMORY.store"],
        profile: ProfileInfo? = nil,
        leaking: Bool = false,
        residentBytesPerState: Double = 612.0
    ) {
        self.scenario = scenario
        self.description = description
        self.trials = trials
        self.seed = seed
        self.noiseSeed = noiseSeed
        self.noise = noise
        self.scale = scale
        self.throughputScale = throughputScale
        self.episodesSimulated = episodesSimulated
        self.configuration = configuration
        self.jemalloc = jemalloc
        self.commit = commit
        self.interrupted = interrupted
        self.warnings = warnings
        self.stages = stages
        self.profile = profile
        self.leaking = leaking
        self.residentBytesPerState = residentBytesPerState
    }

    /// Median latency (ns) and log-normal spread of each stage.
    package static let stageShape: [String: (median: Double, sigma: Double)] = [
        "MMEI": (2_100, 0.25), "MCEA": (1_400, 0.2), "MEA": (8_300, 0.3), "TIG": (24_000, 0.35),
        "ESGT": (168_000, 0.45), "PHI": (38_000, 0.9), "MEMORY.store": (5_200, 0.5),
    ]

    /// The test workload's vocabulary: the stages, a cache's counters and a memory layer's gauge.
    package var vocabulary: WorkloadVocabulary {
        WorkloadVocabulary(
            name: "fixture",
            stages: stages.map { s in .init(s, parent: s.hasPrefix("PHI.") && stages.contains("PHI") ? "PHI" : nil) },
            counters: ["phi.hits", "phi.misses"], gauges: ["memory_layer.resident_bytes_per_state"],
            metrics: [
                MetricDescriptor(key: "phi.cache_hit_rate", label: "Φ cache hit rate", unit: .fraction, direction: .higherIsBetter,
                                 source: .ratio(["phi.hits"], over: ["phi.hits", "phi.misses"]), gated: true, highlight: true, series: true),
                MetricDescriptor(key: "phi.hits", label: "Φ cache hits", unit: .count, direction: .informational, source: .counter("phi.hits")),
                MetricDescriptor(key: "memory_layer.resident_bytes_per_state", label: "Memory layer bytes / state", unit: .bytes,
                                 direction: .lowerIsBetter, source: .gauge("memory_layer.resident_bytes_per_state", .end)),
            ])
    }

    package var catalogue: MetricCatalogue { MetricCatalogue.standard(for: vocabulary) }

    /// The simulated latency histograms alone (the expensive part), to share between fixtures
    /// that differ only in their trial noise.
    package func simulatedHistograms() -> Simulated {
        var simulation = FixtureRNG(seed: seed)
        return Simulated(histograms: simulate(&simulation))
    }

    package struct Simulated {
        package var histograms: [String: Histogram<UInt64>]
    }

    package func make(reusing simulated: Simulated? = nil) -> BenchResult {
        let sim = simulated ?? simulatedHistograms()
        var rng = FixtureRNG(seed: (noiseSeed ?? seed) &+ 0x1234_5678)
        let catalogue = self.catalogue
        let perTrial = UInt64(max(episodesSimulated / max(trials, 1), 1))
        let trialList = (0..<trials).map { t -> TrialSummary in
            let span = trialSpan(sim, episodes: perTrial, &rng)
            return TrialSummary(trial: t + 1, seed: seed &+ UInt64(t), durationSeconds: span.seconds, summary: catalogue.summarize(span), phases: [])
        }
        let mergedSpan = trials > 0 ? Span.parallel(trialList.map(\.summary.span)) : trialSpan(sim, episodes: UInt64(episodesSimulated), &rng)
        let merged = catalogue.summarize(mergedSpan)
        let spec = Scenario(
            name: scenario, description: description, seed: seed, warmup: 5, interval: 1,
            workload: ["pipeline.memory": "moderate", "stimulus.zipf": "1.1"],
            phases: [Phase(.constant(rate: 200, duration: 20)), Phase(.ramp(from: 100, to: 400, duration: 20)), Phase(.burst(count: 500))],
            thresholds: ["e2e.p99 < 5ms", "throughput > 1000/s", "phi.cache_hit_rate > 0.8"])
        let record = ScenarioRecord(name: scenario, description: description, file: "scenarios/\(scenario).yaml",
                                    overrides: ["pipeline.esgt.steps=60"], spec: spec)
        let build = BuildInfo(configuration: configuration, compiler: "Swift 6.3.1", commit: commit, dirty: false,
                              jemalloc: jemalloc, phibenchVersion: "0.1.0")
        return BenchResult(
            scenario: record,
            machine: MachineInfo(hostname: "bench-01", cpuModel: "AMD EPYC 7B13", cores: 2, memoryBytes: 25_769_803_776,
                                 os: "Ubuntu 24.04", kernel: "6.8.0-45-generic"),
            build: build, startedAt: "2025-06-01T10:00:00Z", durationSeconds: 50.4, interrupted: interrupted,
            warnings: RunWarning.forBuild(build) + warnings,
            workload: WorkloadRecord(name: "fixture", details: .object(["memory_layer": .object([
                "level": .string("moderate"), "stored_states": .number(6_000), "resident_bytes_per_state": .number(residentBytesPerState),
            ])])),
            catalogue: catalogue, summary: merged, phases: phases(sim, &rng), trials: trialList, timeseries: timeseries(&rng),
            thresholds: thresholds(merged),
            leak: LeakVerdict(leaking: leaking, rssSlopeBytesPerEpisode: leaking ? 16_400 : 18.5, rssSlopeLow: leaking ? 15_900 : -40,
                              rssSlopeHigh: leaking ? 16_900 : 77, allocatedSlopeBytesPerEpisode: jemalloc ? 2.1 : nil,
                              allocatedSlopeLow: jemalloc ? -3.0 : nil, allocatedSlopeHigh: jemalloc ? 7.4 : nil,
                              rssGrowthPctPer1000Episodes: leaking ? 26.9 : 0.03, p99FirstTenthNs: 612_000, p99LastTenthNs: 640_000,
                              latencyDriftRatio: 1.05, intervals: 45,
                              explanation: leaking ? "RSS grows 16.4 KB per episode (95% CI 15.9–16.9 KB), above the 1 KB tolerance"
                                                   : "RSS slope 18.5 B/episode, CI includes 0: no leak"),
            profile: profile)
    }

    /// One trial: the simulated histograms rescaled by a trial factor and thinned to `episodes`
    /// per histogram (in proportion), plus counters and gauges with the same noise.
    package func trialSpan(_ sim: Simulated, episodes: UInt64, _ rng: inout FixtureRNG, latencyFactor: Double = 1) -> Span {
        let factor = rng.jitter(noise) * latencyFactor
        let e2eTotal = Double(sim.histograms["e2e"]?.totalCount ?? 1)
        var histograms: [String: LatencyHistogram] = [:]
        for (k, h) in sim.histograms.sorted(by: { $0.key < $1.key }) {
            var out = LatencyHistogram()
            let share = Swift.min(1, Double(episodes) / e2eTotal)
            // Thin in proportion, carrying the fractions along, so the shape survives small shares.
            var carry = 0.5
            for v in h.recordedValues() {
                carry += Double(v.count) * share
                let n = UInt64(carry.rounded(.down))
                carry -= Double(n)
                if n > 0 { _ = out.histogram.record(UInt64(Double(v.value) * factor), count: n) }
            }
            if out.count > 0 { histograms[k] = out }
        }
        let n = Double(episodes)
        let seconds = n / (205.4 * throughputScale * rng.jitter(noise))
        let hits = (1_640.0 / 2_000 * n / 3).rounded() * rng.jitter(noise)
        var counters: [String: Double] = [
            SpanKey.cpuUser: 41.2 * n / 6_000 * rng.jitter(noise), SpanKey.cpuSystem: 3.1 * n / 6_000,
            SpanKey.voluntarySwitches: 0.5 * n * rng.jitter(noise), SpanKey.involuntarySwitches: 0.1 * n,
            "phi.hits": hits, "phi.misses": n / 3 - hits,
        ]
        var gauges: [String: Gauge] = [
            SpanKey.rss: Gauge(start: 61_000_000, end: 61_000_000 + 1_300_000 * rng.jitter(noise), peak: 63_100_000 * rng.jitter(noise),
                               slope: 18.5 * rng.jitter(noise)),
            "memory_layer.resident_bytes_per_state": Gauge(start: residentBytesPerState, end: residentBytesPerState),
        ]
        if jemalloc {
            counters[SpanKey.allocations] = 412 * n * rng.jitter(noise)
            counters[SpanKey.allocatedBytes] = 38_400 * n * rng.jitter(noise)
            gauges[SpanKey.jemallocAllocated] = Gauge(start: 24_000_000, end: 24_100_000)
            gauges[SpanKey.jemallocActive] = Gauge(start: 26_000_000, end: 26_000_000)
            gauges[SpanKey.jemallocResident] = Gauge(start: 31_000_000, end: 31_000_000)
            gauges[SpanKey.jemallocMapped] = Gauge(start: 48_000_000, end: 48_000_000)
        }
        return Span(seconds: seconds, episodes: episodes, histograms: histograms, counters: counters, gauges: gauges)
    }

    /// Episodes simulated stage by stage (log-normal), recorded into one HdrHistogram per key.
    package func simulate(_ rng: inout FixtureRNG) -> [String: Histogram<UInt64>] {
        var hists: [String: Histogram<UInt64>] = [:]
        for k in stages + ["e2e", "service"] {
            var h = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
            h.autoResize = true
            hists[k] = h
        }
        func draw(_ k: String, _ rng: inout FixtureRNG) -> Double {
            let s = Self.stageShape[k]!
            return s.median * exp(s.sigma * rng.normal()) * (scale[k] ?? 1)
        }
        // e2e is the unscaled stage sum times scale["e2e"], so a fixture can slow e2e by exactly
        // the factor it names, independently of the stages.
        for _ in 0..<episodesSimulated {
            var total = 0.0
            for k in stages where k != "PHI" && !k.hasPrefix("PHI.") {
                let v = draw(k, &rng)
                total += v / (scale[k] ?? 1)
                _ = hists[k]!.record(UInt64(v))
            }
            if stages.contains("PHI") && rng.uniform() < 0.33 {
                let hit = rng.uniform() < 0.82
                let v = hit ? 900 * exp(0.3 * rng.normal()) : draw("PHI", &rng)
                total += v / (scale["PHI"] ?? 1)
                _ = hists["PHI"]!.record(UInt64(v))
                _ = hists[hit ? "PHI.hit" : "PHI.miss"]?.record(UInt64(v))
            }
            _ = hists["service"]!.record(UInt64(total * (scale["e2e"] ?? 1)))
            // Queueing from the intended start: mostly small, occasionally a long wait.
            let queue = rng.uniform() < 0.02 ? 2_000_000 * rng.uniform() : 15_000 * rng.uniform()
            _ = hists["e2e"]!.record(UInt64((total + queue) * (scale["e2e"] ?? 1)))
        }
        return hists.filter { $0.value.totalCount > 0 }
    }

    package func phases(_ sim: Simulated, _ rng: inout FixtureRNG) -> [PhaseSummary] {
        let c = catalogue
        func stats(_ factor: Double, episodes: UInt64) -> RunSummary {
            c.summarize(trialSpan(sim, episodes: episodes, &rng, latencyFactor: factor))
        }
        return [
            PhaseSummary(index: 0, scenarioPhase: 0, kind: "constant", label: "constant 200/s", targetRate: 200,
                         concurrency: 2, maxQueueDepth: 3, drainSeconds: nil, startSeconds: 0, durationSeconds: 20, stats: stats(0.9, episodes: 3_992)),
            PhaseSummary(index: 1, scenarioPhase: 1, kind: "ramp", label: "ramp 100→400/s", targetRate: 250,
                         concurrency: 2, maxQueueDepth: 412, drainSeconds: nil, startSeconds: 20, durationSeconds: 20, stats: stats(1.6, episodes: 4_566)),
            PhaseSummary(index: 2, scenarioPhase: 2, kind: "burst", label: "burst 500", targetRate: nil,
                         concurrency: 2, maxQueueDepth: 500, drainSeconds: 1.66, startSeconds: 40, durationSeconds: 10.4, stats: stats(3.1, episodes: 500)),
        ]
    }

    package func timeseries(_ rng: inout FixtureRNG) -> [TimeseriesPoint] {
        var out: [TimeseriesPoint] = []
        var total: UInt64 = 0
        var queue = 0.0
        let capacity = 330.0 * throughputScale
        for t in 1...50 {
            let target: Double? = t <= 20 ? 200 : t <= 40 ? 100 + 300 * Double(t - 20) / 20 : nil
            let offered = target ?? (t == 41 ? 500 : 0)
            let done = min(capacity, offered + queue) * rng.jitter(0.02)
            queue = max(0, queue + offered - done)
            total += UInt64(done)
            let base = 300_000.0 * (scale["e2e"] ?? 1)
            let p50 = base * (1 + queue / 200) * rng.jitter(0.05)
            var metrics: [String: Double] = [
                "throughput": done, "e2e.p50": p50, "e2e.p99": p50 * 3.2 * rng.jitter(0.1), "e2e.max": p50 * 6,
                "memory.rss_end_bytes": 61_000_000 + Double(t) * (leaking ? 3_000_000 : 26_000) + 200_000 * rng.uniform(),
                "errors": 0, "dropped": 0, "cpu.utilization": min(2, done / capacity * 1.9),
                "phi.cache_hit_rate": 0.5 + 0.33 * (1 - exp(-Double(t) / 8)),
            ]
            if jemalloc {
                metrics["memory.jemalloc.allocated"] = 24_000_000 + 2_000 * Double(t)
                metrics["memory.allocations_per_episode"] = 412 * rng.jitter(0.02)
                metrics["memory.bytes_allocated_per_episode"] = 9_800 * rng.jitter(0.02)
            }
            out.append(TimeseriesPoint(tSeconds: Double(t), intervalSeconds: 1, phase: t <= 20 ? 0 : t <= 40 ? 1 : 2,
                                       episodes: UInt64(done), episodesTotal: total, targetRate: target,
                                       queueDepth: UInt64(queue), metrics: metrics))
        }
        return out
    }

    package func thresholds(_ s: RunSummary) -> [ThresholdResult] {
        let p99 = s.metric("e2e.p99") ?? 0
        let throughput = s.metric("throughput") ?? 0
        let hitRate = s.metric("phi.cache_hit_rate") ?? 0
        return [
            ThresholdResult(expression: "e2e.p99 < 5ms", metric: "e2e.p99", op: "<", limit: 5_000_000, value: p99, passed: p99 < 5_000_000),
            ThresholdResult(expression: "throughput > 1000/s", metric: "throughput", op: ">", limit: 1000, value: throughput,
                            passed: throughput > 1000),
            ThresholdResult(expression: "phi.cache_hit_rate > 0.8", metric: "phi.cache_hit_rate", op: ">", limit: 0.8,
                            value: hitRate, passed: hitRate > 0.8),
        ]
    }
}

/// A scratch directory removed when the test ends (kept with PHIBENCH_KEEP_ARTIFACTS=1 for a look).
package final class ScratchDirectory {
    package let url: URL

    package init(_ name: String) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("phibench-reports-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        if ProcessInfo.processInfo.environment["PHIBENCH_KEEP_ARTIFACTS"] == nil {
            try? FileManager.default.removeItem(at: url)
        }
    }

    package func file(_ name: String) -> URL { url.appendingPathComponent(name) }
}
