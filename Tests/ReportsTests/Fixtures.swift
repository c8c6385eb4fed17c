import BenchModel
import Foundation
import Histogram

/// Seeded generator for fixtures (SplitMix64), so every fixture is the same on every run.
struct FixtureRNG: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 1 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func normal() -> Double {
        let u1 = max(uniform(), 1e-12), u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
    /// A factor in [1 − width, 1 + width].
    mutating func jitter(_ width: Double) -> Double { 1 + (uniform() * 2 - 1) * width }
}

/// Builds realistic results: latencies simulated per episode and recorded into real HdrHistograms,
/// per-trial summaries with bounded multiplicative noise, phases, a time series, thresholds,
/// memory-layer statistics and a leak verdict.
struct Fixture {
    var scenario = "steady"
    var description = "200/s for 20 s, a ramp to 400/s, then a burst of 500"
    var trials = 5
    /// Seed of the simulated episodes (the underlying distribution).
    var seed: UInt64 = 1
    /// Seed of the per-trial noise; two fixtures with the same `seed` and different `noiseSeed`
    /// are trials drawn from the same distribution.
    var noiseSeed: UInt64? = nil
    /// Per-trial noise of every metric: each value is multiplied by a factor in [1 − noise, 1 + noise].
    var noise = 0.03
    /// Latency keys made slower (or faster) by a factor, e.g. `["ESGT": 1.3, "e2e": 1.3]`.
    var scale: [String: Double] = [:]
    var throughputScale = 1.0
    var episodesSimulated = 6_000
    var configuration = "release"
    var jemalloc = true
    var commit = "3f9c2a7d81e04b55c0d1e2f3a4b5c6d7e8f90123"
    var interrupted = false
    var warnings: [String] = []
    var stages = ["MMEI", "MCEA", "MEA", "TIG", "ESGT", "PHI", "PHI.hit", "PHI.miss", "MEMORY.store"]
    var profile: ProfileInfo?
    var leaking = false

    /// Median latency (ns) and log-normal spread of each stage.
    static let stageShape: [String: (median: Double, sigma: Double)] = [
        "MMEI": (2_100, 0.25), "MCEA": (1_400, 0.2), "MEA": (8_300, 0.3), "TIG": (24_000, 0.35),
        "ESGT": (168_000, 0.45), "PHI": (38_000, 0.9), "MEMORY.store": (5_200, 0.5),
    ]

    /// The simulated latency histograms alone (the expensive part), to share between fixtures
    /// that differ only in their trial noise.
    func simulatedHistograms() -> Simulated {
        var simulation = FixtureRNG(seed: seed)
        let hists = simulate(&simulation)
        return Simulated(latency: hists.mapValues(\.latencySummary), encoded: hists.mapValues { EncodedHistogram($0) })
    }

    struct Simulated {
        var latency: [String: LatencySummary]
        var encoded: [String: EncodedHistogram]
    }

    func make(reusing simulated: Simulated? = nil) -> BenchResult {
        let sim = simulated ?? simulatedHistograms()
        var rng = FixtureRNG(seed: (noiseSeed ?? seed) &+ 0x1234_5678)
        let latency = sim.latency
        let base = RunSummary(
            episodes: UInt64(episodesSimulated), errors: 0, dropped: 0, throughputEps: 205.4 * throughputScale,
            latencyNs: latency, phi: PhiStats(hits: 1_640, misses: 360, evictions: 12),
            memory: MemoryStats(rssStartBytes: 61_000_000, rssEndBytes: 62_300_000, rssPeakBytes: 63_100_000,
                                rssGrowthPct: 2.13, rssSlopeBytesPerEpisode: 18.5,
                                allocationsPerEpisode: jemalloc ? 412 : nil, bytesAllocatedPerEpisode: jemalloc ? 38_400 : nil,
                                jemalloc: jemalloc ? JemallocStats(allocated: 24_100_000, active: 26_000_000, resident: 31_000_000, mapped: 48_000_000) : nil),
            cpu: CPUStats(userSeconds: 41.2, systemSeconds: 3.1, utilization: 0.87))
        let trialList = (0..<trials).map { t in
            TrialSummary(trial: t + 1, seed: seed &+ UInt64(t), durationSeconds: 50 * rng.jitter(0.01),
                         summary: jittered(base, &rng), phases: [])
        }
        var merged = base
        if trials > 0 {
            merged.throughputEps = trialList.map(\.summary.throughputEps).reduce(0, +) / Double(trials)
            merged.memory.allocationsPerEpisode = jemalloc ? trialList.compactMap(\.summary.memory.allocationsPerEpisode).reduce(0, +) / Double(trials) : nil
            merged.memory.rssGrowthPct = trialList.map(\.summary.memory.rssGrowthPct).reduce(0, +) / Double(trials)
            merged.episodes = UInt64(episodesSimulated)
        }
        let spec = Scenario(
            name: scenario, description: description, seed: seed, warmup: 5, interval: 1,
            workload: ["pipeline.memory": "moderate", "stimulus.zipf": "1.1"],
            phases: [Phase(.constant(rate: 200, duration: 20)), Phase(.ramp(from: 100, to: 400, duration: 20)), Phase(.burst(count: 500))],
            thresholds: ["e2e.p99 < 5ms", "throughput > 1000/s", "phi.cache_hit_rate > 0.8"])
        let record = ScenarioRecord(name: scenario, description: description, file: "scenarios/\(scenario).yaml",
                                    overrides: ["pipeline.esgt.steps=60"], spec: spec)
        return BenchResult(
            scenario: record,
            machine: MachineInfo(hostname: "bench-01", cpuModel: "AMD EPYC 7B13", cores: 2, memoryBytes: 25_769_803_776,
                                 os: "Ubuntu 24.04", kernel: "6.8.0-45-generic"),
            build: BuildInfo(configuration: configuration, compiler: "Swift 6.3.1", commit: commit, dirty: false,
                             jemalloc: jemalloc, phibenchVersion: "0.1.0"),
            startedAt: "2025-06-01T10:00:00Z", durationSeconds: 50.4, interrupted: interrupted, warnings: warnings,
            summary: merged, phases: phases(merged), trials: trialList, timeseries: timeseries(&rng),
            histograms: sim.encoded, thresholds: thresholds(merged),
            memoryLayer: MemoryLayerStats(level: "moderate", storedStates: 6_000, logicalBytesPerState: 2_310, residentBytesPerState: 612),
            leak: LeakVerdict(leaking: leaking, rssSlopeBytesPerEpisode: leaking ? 16_400 : 18.5, rssSlopeLow: leaking ? 15_900 : -40,
                              rssSlopeHigh: leaking ? 16_900 : 77, allocatedSlopeBytesPerEpisode: jemalloc ? 2.1 : nil,
                              allocatedSlopeLow: jemalloc ? -3.0 : nil, allocatedSlopeHigh: jemalloc ? 7.4 : nil,
                              rssGrowthPctPer1000Episodes: leaking ? 26.9 : 0.03, p99FirstTenthNs: 612_000, p99LastTenthNs: 640_000,
                              latencyDriftRatio: 1.05, intervals: 45,
                              explanation: leaking ? "RSS grows 16.4 KB per episode (95% CI 15.9–16.9 KB), above the 1 KB tolerance"
                                                   : "RSS slope 18.5 B/episode, CI includes 0: no leak"),
            profile: profile)
    }

    /// Episodes simulated stage by stage (log-normal), recorded into one HdrHistogram per key.
    func simulate(_ rng: inout FixtureRNG) -> [String: Histogram<UInt64>] {
        var hists: [String: Histogram<UInt64>] = [:]
        for k in stages + ["e2e"] {
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
            // Queueing from the intended start: mostly small, occasionally a long wait.
            let queue = rng.uniform() < 0.02 ? 2_000_000 * rng.uniform() : 15_000 * rng.uniform()
            _ = hists["e2e"]!.record(UInt64((total + queue) * (scale["e2e"] ?? 1)))
        }
        return hists.filter { $0.value.totalCount > 0 }
    }

    func jittered(_ s: RunSummary, _ rng: inout FixtureRNG) -> RunSummary {
        var out = s
        for (k, l) in s.latencyNs.sorted(by: { $0.key < $1.key }) {
            func j(_ v: UInt64) -> UInt64 { UInt64(Double(v) * rng.jitter(noise)) }
            out.latencyNs[k] = LatencySummary(count: l.count / UInt64(max(trials, 1)), min: l.min, mean: l.mean * rng.jitter(noise),
                                              p50: j(l.p50), p90: j(l.p90), p95: j(l.p95), p99: j(l.p99), p999: j(l.p999), max: j(l.max))
        }
        out.episodes = s.episodes / UInt64(max(trials, 1))
        out.throughputEps = s.throughputEps * rng.jitter(noise)
        out.memory.allocationsPerEpisode = s.memory.allocationsPerEpisode.map { $0 * rng.jitter(noise) }
        out.memory.bytesAllocatedPerEpisode = s.memory.bytesAllocatedPerEpisode.map { $0 * rng.jitter(noise) }
        out.memory.rssGrowthPct = s.memory.rssGrowthPct * rng.jitter(noise)
        out.memory.rssPeakBytes = UInt64(Double(s.memory.rssPeakBytes) * rng.jitter(noise))
        out.memory.rssSlopeBytesPerEpisode = s.memory.rssSlopeBytesPerEpisode * rng.jitter(noise)
        let hits = UInt64(Double(s.phi.hits) * rng.jitter(noise))
        out.phi = PhiStats(hits: hits, misses: s.phi.hits + s.phi.misses - min(hits, s.phi.hits + s.phi.misses), evictions: s.phi.evictions)
        out.cpu.utilization = s.cpu.utilization * rng.jitter(noise)
        return out
    }

    func phases(_ s: RunSummary) -> [PhaseSummary] {
        func stats(_ factor: Double, episodes: UInt64, dropped: UInt64 = 0) -> RunSummary {
            var x = s
            x.episodes = episodes
            x.dropped = dropped
            x.latencyNs = s.latencyNs.mapValues { l in
                LatencySummary(count: episodes, min: l.min, mean: l.mean * factor, p50: UInt64(Double(l.p50) * factor),
                               p90: UInt64(Double(l.p90) * factor), p95: UInt64(Double(l.p95) * factor),
                               p99: UInt64(Double(l.p99) * factor), p999: UInt64(Double(l.p999) * factor), max: UInt64(Double(l.max) * factor))
            }
            return x
        }
        return [
            PhaseSummary(index: 0, scenarioPhase: 0, kind: "constant", label: "constant 200/s", targetRate: 200, achievedRate: 199.6 * throughputScale,
                         concurrency: 2, maxQueueDepth: 3, drainSeconds: nil, startSeconds: 0, durationSeconds: 20, stats: stats(0.9, episodes: 3_992)),
            PhaseSummary(index: 1, scenarioPhase: 1, kind: "ramp", label: "ramp 100→400/s", targetRate: 250, achievedRate: 228.3 * throughputScale,
                         concurrency: 2, maxQueueDepth: 412, drainSeconds: nil, startSeconds: 20, durationSeconds: 20, stats: stats(1.6, episodes: 4_566, dropped: 0)),
            PhaseSummary(index: 2, scenarioPhase: 2, kind: "burst", label: "burst 500", targetRate: nil, achievedRate: 301.2 * throughputScale,
                         concurrency: 2, maxQueueDepth: 500, drainSeconds: 1.66, startSeconds: 40, durationSeconds: 10.4, stats: stats(3.1, episodes: 500)),
        ]
    }

    func timeseries(_ rng: inout FixtureRNG) -> [TimeseriesPoint] {
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
            out.append(TimeseriesPoint(
                tSeconds: Double(t), intervalSeconds: 1, phase: t <= 20 ? 0 : t <= 40 ? 1 : 2, episodes: UInt64(done), episodesTotal: total,
                throughputEps: done, targetRate: target, p50Ns: UInt64(p50), p99Ns: UInt64(p50 * 3.2 * rng.jitter(0.1)),
                maxNs: UInt64(p50 * 6), rssBytes: UInt64(61_000_000 + Double(t) * (leaking ? 3_000_000 : 26_000) + 200_000 * rng.uniform()),
                jemallocAllocated: jemalloc ? UInt64(24_000_000 + 2_000 * Double(t)) : nil,
                allocations: jemalloc ? UInt64(done * 412 * rng.jitter(0.02)) : nil,
                bytesAllocated: jemalloc ? UInt64(done * 9_800 * rng.jitter(0.02)) : nil, queueDepth: UInt64(queue), dropped: 0, errors: 0,
                cpuUtilization: min(2, done / capacity * 1.9), phiCacheHitRate: 0.5 + 0.33 * (1 - exp(-Double(t) / 8))))
        }
        return out
    }

    func thresholds(_ s: RunSummary) -> [ThresholdResult] {
        let p99 = s.metric("e2e.p99") ?? 0
        return [
            ThresholdResult(expression: "e2e.p99 < 5ms", metric: "e2e.p99", op: "<", limit: 5_000_000, value: p99, passed: p99 < 5_000_000),
            ThresholdResult(expression: "throughput > 1000/s", metric: "throughput", op: ">", limit: 1000, value: s.throughputEps,
                            passed: s.throughputEps > 1000),
            ThresholdResult(expression: "phi.cache_hit_rate > 0.8", metric: "phi.cache_hit_rate", op: ">", limit: 0.8,
                            value: s.phi.cacheHitRate, passed: s.phi.cacheHitRate > 0.8),
        ]
    }
}

/// A scratch directory removed when the test ends (kept with PHIBENCH_KEEP_ARTIFACTS=1 for a look).
final class ScratchDirectory {
    let url: URL

    init(_ name: String) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("phibench-reports-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        if ProcessInfo.processInfo.environment["PHIBENCH_KEEP_ARTIFACTS"] == nil {
            try? FileManager.default.removeItem(at: url)
        }
    }

    func file(_ name: String) -> URL { url.appendingPathComponent(name) }
}
