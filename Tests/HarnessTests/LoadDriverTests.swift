import BenchModel
import Testing
@testable import Harness

/// Runs `phases` against a synthetic workload and returns the result.
func runSynthetic(
    _ phases: [Phase], stageNanoseconds: UInt64 = 20_000, inject: [Fault] = [], interval: Double = 0.25,
    workers: Int? = 1, maxQueue: Int? = nil, warmup: Double = 0, stop: StopSignal = StopSignal(), trials: Int = 1
) throws -> BenchResult {
    let spec = Scenario(name: "test", seed: 1, warmup: warmup, interval: interval, workers: workers, maxQueue: maxQueue,
                        phases: phases, inject: inject)
    let record = ScenarioRecord(name: "test", description: "", file: "<test>", overrides: [], spec: spec)
    return try BenchmarkRunner.run(scenario: record, options: RunOptions(trials: trials, stop: stop)) { _, _ in
        SyntheticWorkload(stages: [("A", stageNanoseconds / 2), ("B", stageNanoseconds / 2)])
    }
}

@Suite("Load driver", .serialized)
struct LoadDriverTests {
    @Test("open loop follows its schedule: every arrival runs, on time, at the target rate")
    func openLoopRate() throws {
        let result = try runSynthetic([Phase(.constant(rate: 400, duration: 2))])
        let phase = try #require(result.phases.first)
        #expect(phase.stats.episodes == 800)
        #expect(phase.targetRate == 400)
        // Wall time within 5% of the schedule: the dispatcher neither lags nor runs early.
        #expect(abs(phase.durationSeconds - 2) < 0.1)
        #expect(abs(phase.achievedRate - 400) / 400 < 0.05)
        // The middle intervals of the time series see the target rate too.
        let middle = result.timeseries.filter { $0.tSeconds > 0.3 && $0.tSeconds < 1.8 }
        #expect(middle.count >= 5)
        for p in middle {
            #expect(abs(p.throughputEps - 400) / 400 < 0.2, "interval at \(p.tSeconds)s ran at \(p.throughputEps)/s")
            #expect(abs((p.targetRate ?? 0) - 400) / 400 < 0.2)
        }
    }

    @Test("a stall shows in open-loop tails (coordinated omission corrected) far more than in closed loop")
    func stallOpenVersusClosed() throws {
        let stall = [Fault.stall(duration: 0.15, every: 150, at: nil)]
        let open = try runSynthetic([Phase(.constant(rate: 300, duration: 2))], stageNanoseconds: 50_000)
        let openStalled = try runSynthetic([Phase(.constant(rate: 300, duration: 2))], stageNanoseconds: 50_000, inject: stall)
        let closedStalled = try runSynthetic([Phase(.closed(concurrency: [1], each: 2))], stageNanoseconds: 50_000, inject: stall)
        let p99 = { (r: BenchResult) in r.summary.latencyNs["e2e"]!.p99 }
        // 45 arrivals queue behind each 150 ms stall, so several % of episodes wait tens of ms.
        #expect(p99(open) < 50_000_000)
        #expect(p99(openStalled) > 50_000_000)
        #expect(p99(openStalled) > 3 * p99(open))
        // Closed loop: only the stalled episode itself is slow (1 in 150), so p99 stays far below the
        // stall; margins are set by the stall, not by how fast this machine happens to be.
        #expect(p99(closedStalled) < 75_000_000)
        #expect(p99(openStalled) > 2 * p99(closedStalled))
        #expect(openStalled.summary.latencyNs["e2e"]!.max >= 150_000_000)
        #expect(closedStalled.summary.latencyNs["e2e"]!.max >= 150_000_000)
        // Service time (no queueing) is not inflated by waiting in the queue.
        #expect(openStalled.summary.latencyNs["service"]!.p99 < p99(openStalled))
    }

    @Test("a burst reports its time to drain and its queue depth")
    func burst() throws {
        let result = try runSynthetic([Phase(.burst(count: 200))], stageNanoseconds: 400_000)
        let phase = try #require(result.phases.first)
        #expect(phase.stats.episodes == 200)
        #expect(phase.maxQueueDepth >= 190)
        let drain = try #require(phase.drainSeconds)
        // One worker, 0.4 ms each: draining takes at least 200 × 0.4 ms.
        #expect(drain >= 0.08)
        // The last one in waited for all the others.
        #expect(Double(result.summary.latencyNs["e2e"]!.max) / 1e9 >= 0.08)
    }

    @Test("a queue bound drops excess arrivals and counts them")
    func boundedQueueDrops() throws {
        let result = try runSynthetic([Phase(.constant(rate: 2000, duration: 1))], stageNanoseconds: 2_000_000, maxQueue: 5)
        let phase = try #require(result.phases.first)
        #expect(phase.stats.dropped > 0)
        #expect(phase.maxQueueDepth <= 5)
        #expect(phase.stats.episodes + phase.stats.dropped == 2000)
        #expect(result.warnings.contains { $0.contains("dropped") })
    }

    @Test("a leak raises the RSS slope; no leak leaves it flat")
    func leakSlope() throws {
        let phases = [Phase(.closed(concurrency: [1], each: 1.5))]
        let leaky = try runSynthetic(phases, stageNanoseconds: 500_000, inject: [.leak(bytes: 32 * 1024)], interval: 0.1)
        let clean = try runSynthetic(phases, stageNanoseconds: 500_000, interval: 0.1)
        let leakSlope = leaky.summary.memory.rssSlopeBytesPerEpisode
        let cleanSlope = clean.summary.memory.rssSlopeBytesPerEpisode
        #expect(leakSlope > 16 * 1024, "leak slope \(leakSlope) B/episode")
        #expect(abs(cleanSlope) < 4 * 1024, "clean slope \(cleanSlope) B/episode")
        if jemallocEnabled {
            #expect(leaky.summary.memory.bytesAllocatedPerEpisode! >= 32 * 1024)
            #expect(clean.summary.memory.bytesAllocatedPerEpisode! < 1024)
        }
    }

    @Test("a slow-stage fault slows that stage only")
    func slowStage() throws {
        let result = try runSynthetic([Phase(.closed(concurrency: [1], each: 0.5))], stageNanoseconds: 40_000,
                                      inject: [.slow(stage: "B", extra: 0.0005)])
        let a = result.summary.latencyNs["A"]!.p50
        let b = result.summary.latencyNs["B"]!.p50
        #expect(b > 5 * a)
        #expect(b >= 500_000)
    }

    @Test("a work fault adds its loop iterations to that stage only")
    func workStage() throws {
        // 4 million iterations of one dependent multiply each: milliseconds on any machine, while the
        // stages themselves spin 10 µs.
        let result = try runSynthetic([Phase(.closed(concurrency: [1], each: 0.5))], stageNanoseconds: 20_000,
                                      inject: [.slowWork(stage: "B", iterations: 4_000_000)])
        let a = result.summary.latencyNs["A"]!.p50
        let b = result.summary.latencyNs["B"]!.p50
        #expect(b > 20 * a, "A \(a) ns, B \(b) ns")
        #expect(throws: HarnessError.self) {
            _ = try runSynthetic([Phase(.burst(count: 1))], inject: [.slowWork(stage: "NOPE", iterations: 1)])
        }
    }

    @Test("an unknown slow stage is refused before anything runs")
    func unknownSlowStage() {
        #expect(throws: HarnessError.self) {
            _ = try runSynthetic([Phase(.burst(count: 1))], inject: [.slow(stage: "NOPE", extra: 0.001)])
        }
    }

    @Test("closed loop runs each concurrency level as its own phase")
    func closedLevels() throws {
        let result = try runSynthetic([Phase(.closed(concurrency: [1, 4], each: 0.4))], stageNanoseconds: 100_000)
        #expect(result.phases.map(\.label) == ["closed c=1", "closed c=4"])
        #expect(result.phases.map(\.concurrency) == [1, 4])
        #expect(result.phases.allSatisfy { $0.stats.episodes > 0 && $0.targetRate == nil })
    }

    @Test("a stop request ends the run early with what it measured, marked interrupted")
    func interruption() throws {
        let stop = StopSignal()
        let started = monotonicNanoseconds()
        let t = OSThread(name: "stopper") {
            sleep(nanoseconds: 400_000_000)
            stop.request(signal: 2)
        }
        let result = try runSynthetic([Phase(.constant(rate: 200, duration: 30))], stop: stop)
        t.join()
        #expect(result.interrupted)
        #expect(stop.exitStatus == 130)
        #expect(result.summary.episodes > 0)
        #expect(Double(monotonicNanoseconds() - started) / 1e9 < 10)
        #expect(result.warnings.contains { $0.contains("interrupted") })
    }

    @Test("trials are kept separately and merged")
    func trials() throws {
        let result = try runSynthetic([Phase(.closed(concurrency: [1], each: 0.2))], trials: 3)
        #expect(result.trials.count == 3)
        #expect(result.summary.episodes == result.trials.reduce(0) { $0 + $1.summary.episodes })
        #expect(result.summary.latencyNs["e2e"]!.count == result.summary.episodes)
    }
}

/// Throws on every third episode, to check failures are counted and explained.
final class FailingWorkload: Workload {
    struct Boom: Error, CustomStringConvertible {
        var episode: UInt64
        var description: String { "boom in episode \(episode)" }
    }

    struct Worker: WorkloadWorker {
        mutating func runEpisode(_ episode: UInt64, timings: inout StageTimings) throws {
            try timings.measure(0) {
                if episode % 3 == 0 { throw Boom(episode: episode) }
            }
        }
    }

    let stageNames = ["ONLY"]
    func makeWorker(id: Int) throws -> Worker { Worker() }
    func statistics() -> WorkloadStatistics { WorkloadStatistics() }
}

@Suite("Failing episodes")
struct FailingEpisodeTests {
    @Test("failed episodes are counted, their latency kept, and the result says what they threw")
    func failuresAreExplained() throws {
        let spec = Scenario(name: "fail", phases: [Phase(.burst(count: 30))])
        let record = ScenarioRecord(name: "fail", description: "", file: "<test>", overrides: [], spec: spec)
        let result = try BenchmarkRunner.run(scenario: record, options: RunOptions(cores: 1)) { _, _ in FailingWorkload() }
        #expect(result.summary.episodes == 30)
        #expect(result.summary.errors == 10)
        #expect(result.summary.latencyNs["e2e"]?.count == 30)
        #expect(result.warnings.contains { $0.contains("10 episodes failed") && $0.contains("boom in episode") }, "\(result.warnings)")
    }
}
