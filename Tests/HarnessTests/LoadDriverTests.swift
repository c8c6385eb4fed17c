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
        // The middle intervals of the time series see the target rate too: together within 10%, and
        // each within 40% (a 250 ms interval on a shared 2-core machine can lose 50 ms to preemption
        // and make it up in the next).
        let middle = result.timeseries.filter { $0.tSeconds > 0.3 && $0.tSeconds < 1.8 }
        #expect(middle.count >= 5)
        let mean = middle.map { $0.metric("throughput")! }.reduce(0, +) / Double(middle.count)
        #expect(abs(mean - 400) / 400 < 0.1, "the middle intervals ran at \(mean)/s on average")
        for p in middle {
            #expect(abs(p.metric("throughput")! - 400) / 400 < 0.4, "interval at \(p.tSeconds)s ran at \(p.metric("throughput")!)/s")
            #expect(abs((p.targetRate ?? 0) - 400) / 400 < 0.2)
        }
    }

    @Test("a stall shows in open-loop tails (coordinated omission corrected) far more than in closed loop")
    func stallOpenVersusClosed() throws {
        let stall = [Fault.stall(duration: 0.15, every: 150, at: nil)]
        let open = try runSynthetic([Phase(.constant(rate: 300, duration: 2))], stageNanoseconds: 50_000)
        let openStalled = try runSynthetic([Phase(.constant(rate: 300, duration: 2))], stageNanoseconds: 50_000, inject: stall)
        let closedStalled = try runSynthetic([Phase(.closed(concurrency: [1], each: 2))], stageNanoseconds: 50_000, inject: stall)
        let p99 = { (r: BenchResult) in r.summary.metric("e2e.p99")! }
        // 45 arrivals queue behind each 150 ms stall, so several % of episodes wait tens of ms.
        #expect(p99(open) < 50_000_000)
        #expect(p99(openStalled) > 50_000_000)
        #expect(p99(openStalled) > 3 * p99(open))
        // Closed loop: only the stalled episode itself is slow (1 in 150), so p99 stays far below the
        // stall; margins are set by the stall, not by how fast this machine happens to be.
        #expect(p99(closedStalled) < 75_000_000)
        #expect(p99(openStalled) > 2 * p99(closedStalled))
        #expect(openStalled.summary.metric("e2e.max")! >= 150_000_000)
        #expect(closedStalled.summary.metric("e2e.max")! >= 150_000_000)
        // Service time (no queueing) is not inflated by waiting in the queue.
        #expect(openStalled.summary.metric("service.p99")! < p99(openStalled))
    }

    @Test("every result says how the generator did; an in-process workload's own CPU is not taken for a saturated generator")
    func generatorHealthInEveryResult() throws {
        let r = try runSynthetic([Phase(.constant(rate: 20_000, duration: 0.3))], stageNanoseconds: 200_000, maxQueue: 2)
        let g = try #require(r.generator)
        #expect(g.dropped > 0 && g.saturated, "one worker at 20,000/s of 200 µs episodes drops: \(g)")
        #expect(g.cpuPerEpisode.map { $0 > 0 } == true)
        #expect(g.latenessP99 != nil, "an open-loop run has lateness")
        #expect(r.summary.metric("cpu.per_episode") == g.cpuPerEpisode)
        #expect(!r.warnings.contains { $0.kind == .saturatedGenerator },
                "the synthetic workload runs inside phibench: falling behind is the system's, not the generator's")
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
        #expect(Double(result.summary.metric("e2e.max")!) / 1e9 >= 0.08)
    }

    @Test("a queue bound drops excess arrivals and counts them")
    func boundedQueueDrops() throws {
        let result = try runSynthetic([Phase(.constant(rate: 2000, duration: 1))], stageNanoseconds: 2_000_000, maxQueue: 5)
        let phase = try #require(result.phases.first)
        #expect(phase.stats.dropped > 0)
        #expect(phase.maxQueueDepth <= 5)
        #expect(phase.stats.episodes + phase.stats.dropped == 2000)
        #expect(result.warnings.contains { $0.message.contains("dropped") })
    }

    @Test("a leak raises the RSS slope; no leak leaves it flat")
    func leakSlope() throws {
        let phases = [Phase(.closed(concurrency: [1], each: 1.5))]
        let leaky = try runSynthetic(phases, stageNanoseconds: 500_000, inject: [.leak(bytes: 32 * 1024)], interval: 0.1)
        let clean = try runSynthetic(phases, stageNanoseconds: 500_000, interval: 0.1)
        let leakSlope = leaky.summary.metric("memory.rss_slope_bytes_per_episode")!
        let cleanSlope = clean.summary.metric("memory.rss_slope_bytes_per_episode")!
        #expect(leakSlope > 16 * 1024, "leak slope \(leakSlope) B/episode")
        #expect(abs(cleanSlope) < 4 * 1024, "clean slope \(cleanSlope) B/episode")
        if jemallocEnabled {
            #expect(leaky.summary.metric("memory.bytes_allocated_per_episode")! >= 32 * 1024)
            #expect(clean.summary.metric("memory.bytes_allocated_per_episode")! < 1024)
        }
    }

    @Test("a slow-stage fault slows that stage only")
    func slowStage() throws {
        let result = try runSynthetic([Phase(.closed(concurrency: [1], each: 0.5))], stageNanoseconds: 40_000,
                                      inject: [.slow(stage: "B", extra: 0.0005)])
        let a = result.summary.metric("A.p50")!
        let b = result.summary.metric("B.p50")!
        #expect(b > 5 * a)
        #expect(b >= 500_000)
    }

    @Test("a work fault adds its loop iterations to that stage only")
    func workStage() throws {
        // 4 million iterations of one dependent multiply each: milliseconds on any machine, while the
        // stages themselves spin 10 µs.
        let result = try runSynthetic([Phase(.closed(concurrency: [1], each: 0.5))], stageNanoseconds: 20_000,
                                      inject: [.slowWork(stage: "B", iterations: 4_000_000)])
        let a = result.summary.metric("A.p50")!
        let b = result.summary.metric("B.p50")!
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
        let t = try OSThread(name: "stopper") {
            sleep(nanoseconds: 400_000_000)
            stop.request(signal: 2)
        }
        let result = try runSynthetic([Phase(.constant(rate: 200, duration: 30))], stop: stop)
        t.join()
        #expect(result.interrupted)
        #expect(stop.exitStatus == 130)
        #expect(result.summary.episodes > 0)
        #expect(Double(monotonicNanoseconds() - started) / 1e9 < 10)
        #expect(result.warnings.contains { $0.message.contains("interrupted") })
    }

    @Test("trials are kept separately and merged")
    func trials() throws {
        let result = try runSynthetic([Phase(.closed(concurrency: [1], each: 0.2))], trials: 3)
        #expect(result.trials.count == 3)
        #expect(result.summary.episodes == result.trials.reduce(0) { $0 + $1.summary.episodes })
        #expect(result.summary.metric("e2e.count")! == Double(result.summary.episodes))
        // The merged percentiles are read from the merged histograms, the same as merging the trials.
        let merged = ResultAssembly.merge(result.trials, catalogue: result.catalogue).summary
        #expect(merged.metric("e2e.p99") == result.summary.metric("e2e.p99"))
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

    let vocabulary = WorkloadVocabulary(name: "failing", stages: [.init("ONLY")])
    func makeWorker(id: Int) throws -> Worker { Worker() }
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
        #expect(result.summary.metric("e2e.count") == 30)
        #expect(result.warnings.contains { $0.kind == .failedEpisodes && $0.message.contains("10 episodes failed")
                                           && $0.message.contains("boom in episode") }, "\(result.warnings)")
    }
}

/// Runs one open-loop unit straight on a driver, so the outcome's spin time and gap check are visible.
private func driveOpenLoop(_ shape: LoadShape, process: ArrivalProcess = .uniform, spin: Double? = nil,
                           workers: Int = 1, stageNanoseconds: UInt64 = 0)
    throws -> (outcome: LoadDriver<SyntheticWorkload>.Outcome, measured: Measurements) {
    let workload = SyntheticWorkload(stages: [("A", stageNanoseconds)])
    let recorder = Recorder(stageCount: 1, sampleCount: 0, stripes: 2)
    let driver = LoadDriver(workload: workload, recorder: recorder, faults: try FaultInjector([], stageNames: ["A"]),
                            memory: defaultMemorySampler(), live: LiveState(), stop: StopSignal(), episodes: EpisodeCounter())
    let schedule = ArrivalSchedule(shape, process: process, seed: 5)!
    let plan = OpenLoopPlan(schedule: schedule, workers: workers, maxQueue: nil,
                            spinNanoseconds: OpenLoopPlan.spinNanoseconds(spin, for: schedule))
    let outcome = try driver.runOpenLoop(plan)
    return (outcome, recorder.takePhase())
}

/// Worker 1 cannot be built; the others can.
final class HalfBrokenWorkload: Workload {
    struct Broken: Error {}
    let vocabulary = WorkloadVocabulary(name: "half-broken", stages: [.init("A")])
    func makeWorker(id: Int) throws -> SyntheticWorkload.Worker {
        if id == 1 { throw Broken() }
        return try SyntheticWorkload(stages: [("A", 0)]).makeWorker(id: id)
    }
}

@Suite("Open-loop precision", .serialized)
struct OpenLoopPrecisionTests {
    @Test("a worker that cannot be built fails the phase instead of holding the others at the start gate")
    func brokenWorkerDoesNotHang() throws {
        let driver = LoadDriver(workload: HalfBrokenWorkload(), recorder: Recorder(stageCount: 1, sampleCount: 0, stripes: 1),
                                faults: try FaultInjector([], stageNames: ["A"]), memory: defaultMemorySampler(),
                                live: LiveState(), stop: StopSignal(), episodes: EpisodeCounter())
        let plan = OpenLoopPlan(schedule: ArrivalSchedule(.constant(rate: 100, duration: 30))!, workers: 3, maxQueue: nil,
                                spinNanoseconds: 0)
        let started = monotonicNanoseconds()
        #expect(throws: HarnessError.self) { _ = try driver.runOpenLoop(plan) }
        #expect(Double(monotonicNanoseconds() - started) / 1e9 < 5)
    }

    @Test("lateness is recorded for every open-loop episode, never for closed loop")
    func latenessRecorded() throws {
        let result = try runSynthetic([Phase(.constant(rate: 200, duration: 1))], stageNanoseconds: 2_000)
        let lateness = try #require(result.summary.latency("lateness"))
        let e2e = try #require(result.summary.latency("e2e"))
        #expect(lateness.count == result.summary.episodes && lateness.count == 200)
        #expect(result.summary.span.histograms["lateness"] != nil)
        // Lateness is part of e2e: e2e = lateness + service for each episode.
        #expect(lateness.p50 <= e2e.p50 && lateness.max <= e2e.max)
        #expect(result.phases[0].arrivalCheck != nil, "an open-loop phase carries its gap check")
        #expect(result.summary.metric("cpu.spin") != nil, "the spin window's CPU is a metric")
        let closed = try runSynthetic([Phase(.closed(concurrency: [1], each: 0.2))])
        #expect(closed.summary.latency("lateness") == nil && closed.summary.span.histograms["lateness"] == nil)
        #expect(closed.phases[0].arrivalCheck == nil && closed.summary.metric("cpu.spin") == nil)
    }

    @Test("spin 0 still works: it meets the rate and never spins; a window spins")
    func spinZero() throws {
        let frugal = try driveOpenLoop(.constant(rate: 300, duration: 1.5), spin: 0)
        #expect(frugal.measured.episodes == 450)
        #expect(abs(Double(frugal.outcome.end - frugal.outcome.start) / 1e9 - 1.5) < 0.15)
        #expect(frugal.outcome.spinNanoseconds == 0)
        let spinning = try driveOpenLoop(.constant(rate: 300, duration: 1.5), spin: 200e-6)
        #expect(spinning.measured.episodes == 450)
        #expect(spinning.outcome.spinNanoseconds > 0)
        // Never more than the window per arrival (plus a clock read).
        #expect(spinning.outcome.spinNanoseconds <= 450 * 201_000)
        #expect(frugal.measured.histograms[Measurements.lateness].count == 450
                && spinning.measured.histograms[Measurements.lateness].count == 450)
    }

    @Test("the gap check passes on a real run at a modest rate, uniform and Poisson", arguments: [ArrivalProcess.uniform, .poisson])
    func gapCheckPassesOnARealRun(_ process: ArrivalProcess) throws {
        // 20/s: a 50 ms mean gap, so even a shared, busy machine's scheduling delays (a few ms) stay
        // inside the check's tolerance; what is tested is that a delivered schedule passes.
        let run = try driveOpenLoop(.constant(rate: 20, duration: 3), process: process)
        let check = try #require(run.outcome.arrivalCheck)
        #expect(check.process == process)
        #expect(check.gaps == 59)
        #expect(check.verdict == .pass, "\(check.summary)")
    }

    @Test("the gap check fails when the harness cannot deliver the schedule: starts paced by a slow workload")
    func gapCheckFailsWhenOverloaded() throws {
        // 1 worker, 4 ms per episode, 500/s Poisson: starts come every 4 ms, not at the arrivals.
        let run = try driveOpenLoop(.constant(rate: 500, duration: 1), process: .poisson, spin: 0, stageNanoseconds: 4_000_000)
        let check = try #require(run.outcome.arrivalCheck)
        #expect(check.verdict == .fail, "\(check.summary)")
        #expect(check.meanGap > 1.5)
    }

    @Test("a stop is seen within a sleep slice even mid-schedule with a large window")
    func stopIsResponsive() throws {
        let stop = StopSignal()
        let workload = SyntheticWorkload(stages: [("A", 0)])
        let recorder = Recorder(stageCount: 1, sampleCount: 0, stripes: 1)
        let driver = LoadDriver(workload: workload, recorder: recorder, faults: try FaultInjector([], stageNames: ["A"]),
                                memory: defaultMemorySampler(), live: LiveState(), stop: stop, episodes: EpisodeCounter())
        // One arrival every 5 s: the worker is asleep (or spinning 10 ms) when the stop comes.
        let plan = OpenLoopPlan(schedule: ArrivalSchedule(.constant(rate: 0.2, duration: 60))!, workers: 1, maxQueue: nil,
                                spinNanoseconds: 10_000_000)
        let stopper = try OSThread(name: "stopper") {
            sleep(nanoseconds: 300_000_000)
            stop.request()
        }
        let started = monotonicNanoseconds()
        let outcome = try driver.runOpenLoop(plan)
        stopper.join()
        let seconds = Double(monotonicNanoseconds() - started) / 1e9
        #expect(seconds < 2, "stopped after \(seconds) s")
        #expect(outcome.end > outcome.start)
    }
}
