import BenchModel
import Foundation
import Synchronization
import TestSupport
import Testing
@testable import Harness

/// The noise controls of #10 step 2: a steady-state warm-up (MSER) and thread pinning.
@Suite("Noise controls", .serialized)
struct NoiseControlTests {
    private static func scenario(_ lines: String) throws(ScenarioError) -> Scenario {
        try ScenarioLoader.parse(yaml: "name: t\n\(lines)\nphases:\n  - { kind: closed, concurrency: [1], each: 1s }\n",
                                 file: "t.yaml").scenario
    }

    private static func error(_ lines: String) -> String? {
        do {
            _ = try scenario(lines)
            return nil
        } catch {
            return error.description
        }
    }

    @Test("warmup: { until: steady, … } loads with its bounds; a fixed warm-up stays a duration")
    func steadyWarmupLoads() throws {
        let s = try Self.scenario("warmup: { until: steady, min: 500ms, max: 6s, batch: 50ms }")
        #expect(s.warmup == 6)
        #expect(s.steadyWarmup == SteadyWarmup(minimum: 0.5, batch: 0.05))
        let defaults = try Self.scenario("warmup: { until: steady, max: 3s }")
        #expect(defaults.steadyWarmup == SteadyWarmup(minimum: 0, batch: 0.1))
        let fixed = try Self.scenario("warmup: 2s")
        #expect(fixed.warmup == 2 && fixed.steadyWarmup == nil)
    }

    @Test("bad warm-up and affinity settings name the file, the line, the key and what was expected",
          arguments: [
              ("warmup: { until: stable, max: 5s }", ["t.yaml:2: warmup.until: got \"stable\", expected steady"]),
              ("warmup: { until: steady }", ["warmup.max: missing", "needs an upper bound"]),
              ("warmup: { until: steady, min: 5s, max: 2s }", ["warmup.min: got \"5s\", expected a duration no longer than warmup.max (2 s)"]),
              ("warmup: { until: steady, max: 500ms }", ["warmup.max", "room for 10 batches"]),
              ("warmup: { until: steady, max: 5s, batch: 0s }", ["warmup.batch: got \"0s\", expected a positive duration"]),
              ("warmup: { until: steady, max: 5s, mx: 1s }", ["warmup.mx: unknown key", "did you mean `max`?"]),
              ("affinity: sprad", ["t.yaml:2: affinity: got \"sprad\"", "did you mean `spread`?"]),
              ("affinity: { workers: [] }", ["affinity.workers: got an empty list, expected at least one CPU number"]),
              ("affinity: { workers: [0, -1] }", ["affinity.workers[1]: got \"-1\", expected a whole number from 0 to 1,023"]),
              ("affinity: { sampler: 2048 }", ["affinity.sampler: got \"2048\""]),
              ("affinity: { cpus: [0] }", ["affinity.cpus: unknown key", "valid here: workers, sampler"]),
          ])
    func badSettings(_ lines: String, _ expected: [String]) {
        let message = Self.error(lines)
        #expect(message != nil, "\(lines) loaded")
        for fragment in expected {
            #expect(message?.contains(fragment) == true, "\(message ?? "no error") lacks \(fragment)")
        }
    }

    @Test("affinity: none, spread and explicit CPUs; spread takes every allowed CPU and the last for the sampler")
    func affinityForms() throws {
        #expect(try Self.scenario("affinity: none").affinity == nil)
        #expect(try Self.scenario("affinity: spread").affinity == Affinity())
        let explicit = try #require(try Self.scenario("affinity: { workers: [3, 1], sampler: 0 }").affinity)
        let resolved = explicit.resolve(allowed: [0, 1, 2, 3])
        #expect(resolved.workers == [3, 1] && resolved.sampler == 0)
        let spread = Affinity().resolve(allowed: [2, 5])
        #expect(spread.workers == [2, 5] && spread.sampler == 5)
    }

    @Test("MSER finds the end of a transient and reads a stationary series as steady from the start")
    func mserTruncation() {
        var generator = SplitMix64(state: 7)
        let noise = { (g: inout SplitMix64) in Double(g.next() % 1000) / 1000 - 0.5 }
        // 12 batches decaying from +20 to the level, then 40 at the level with noise ±0.5.
        var series = (0..<12).map { i in 100 + 20 * Double(12 - i) / 12 + noise(&generator) }
        series += (0..<40).map { _ in 100 + noise(&generator) }
        let d = SteadyWarmup.truncationPoint(series)
        #expect((10...14).contains(d), "truncation at \(d)")
        let rule = SteadyWarmup(minimum: 0, batch: 0.1)
        #expect(rule.isSteady(series, elapsed: 5.2).steady)
        // Only the transient and a little more: d* is past the middle, not steady yet.
        #expect(!rule.isSteady(Array(series.prefix(16)), elapsed: 1.6).steady)
        let flat = (0..<30).map { _ in 50 + noise(&generator) }
        #expect(SteadyWarmup.truncationPoint(flat) < 15)
        #expect(rule.isSteady(flat, elapsed: 3).steady)
        // The minimum time and the minimum batch count hold even for a flat series.
        #expect(!SteadyWarmup(minimum: 10, batch: 0.1).isSteady(flat, elapsed: 3).steady)
        #expect(!rule.isSteady(Array(flat.prefix(5)), elapsed: 3).steady)
    }

    @Test("a steady warm-up of a steady workload ends well before its max, and the result says what it discarded")
    func steadyWarmupEndsEarly() throws {
        var spec = Scenario(name: "t", seed: 1, warmup: 6, interval: 0.25, workers: 1,
                            phases: [Phase(.closed(concurrency: [1], each: 0.5))])
        spec.steadyWarmup = SteadyWarmup(minimum: 0.5, batch: 0.05)
        let record = ScenarioRecord(name: "t", description: "", file: "<test>", overrides: [], spec: spec)
        let result = try BenchmarkRunner.run(scenario: record, options: RunOptions(cores: 1)) { _, _ in
            SyntheticWorkload(stages: [("A", 20_000)])
        }
        let warm = try #require(result.trials.first?.warmup)
        #expect(warm.rule == .steady)
        #expect(warm.seconds >= 0.5)
        #expect(warm.seconds < 6, "a busy-work workload is steady at once; the warm-up ran \(warm.seconds) s")
        #expect(warm.settled == true)
        #expect(warm.episodes > 0 && (warm.batches ?? 0) >= SteadyWarmup.minimumBatches)
        // Warm-up episodes are not measured.
        #expect(result.summary.episodes < UInt64(0.5 / 20e-6) + 100)
    }

    @Test("a fixed warm-up is reported as such")
    func fixedWarmupReported() throws {
        let result = try runSynthetic([Phase(.closed(concurrency: [1], each: 0.3))], warmup: 0.3)
        let warm = try #require(result.trials.first?.warmup)
        #expect(warm.rule == .fixed && warm.settled == nil && warm.transientSeconds == nil)
        #expect(abs(warm.seconds - 0.3) < 0.1 && warm.episodes > 0)
    }

    @Test("pinned workers run on their CPU")
    func pinnedWorkersStay() throws {
        let allowed = ThreadPlacement.allowedCPUs()
        try #require(!allowed.isEmpty, "sched_getaffinity gave no CPUs")
        let cpu = allowed.last!
        var spec = Scenario(name: "t", seed: 1, interval: 0.25, workers: 1,
                            phases: [Phase(.closed(concurrency: [2], each: 0.3))])
        spec.affinity = Affinity(workers: [cpu], sampler: allowed.first!)
        let record = ScenarioRecord(name: "t", description: "", file: "<test>", overrides: [], spec: spec)
        let seen = CPUSeen()
        _ = try BenchmarkRunner.run(scenario: record, options: RunOptions(cores: 2)) { _, _ in CPUReportingWorkload(seen: seen) }
        #expect(seen.cpus == [cpu], "workers pinned to CPU \(cpu) ran on \(seen.cpus.sorted())")
    }

    @Test("an affinity naming a CPU this process may not use stops the run with a clear error")
    func unknownCPU() throws {
        let allowed = ThreadPlacement.allowedCPUs()
        let absent = (0...ScenarioLimits.maxCPU).last { !allowed.contains($0) }!
        var spec = Scenario(name: "t", seed: 1, phases: [Phase(.closed(concurrency: [1], each: 0.1))])
        spec.affinity = Affinity(workers: [absent])
        let record = ScenarioRecord(name: "t", description: "", file: "<test>", overrides: [], spec: spec)
        #expect {
            _ = try BenchmarkRunner.run(scenario: record, options: RunOptions(cores: 1)) { _, _ in SyntheticWorkload() }
        } throws: { error in
            "\(error)".contains("affinity: CPU \(absent) is not one this process may run on; expected CPUs from [")
        }
    }
}

/// The CPUs episodes ran on.
final class CPUSeen: Sendable {
    private let noted = Mutex<Set<Int>>([])
    func note(_ cpu: Int) { _ = noted.withLock { $0.insert(cpu) } }
    var cpus: Set<Int> { noted.withLock { $0 } }
}

/// A workload whose episodes note the CPU they ran on.
final class CPUReportingWorkload: Workload {
    let vocabulary = WorkloadVocabulary(name: "cpus", stages: [.init("A")])
    let seen: CPUSeen
    init(seen: CPUSeen) { self.seen = seen }
    func makeWorker(id: Int) throws -> Worker { Worker(seen: seen) }

    struct Worker: WorkloadWorker {
        let seen: CPUSeen
        mutating func runEpisode(_ episode: UInt64, timings: inout StageTimings) throws {
            timings.measure(0) {
                if episode % 64 == 0, let cpu = ThreadPlacement.currentCPU() { seen.note(cpu) }
            }
        }
    }
}
