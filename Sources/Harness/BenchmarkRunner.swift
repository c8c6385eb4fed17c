import BenchModel
import Foundation

/// Settings of a run that are not part of the scenario.
public struct RunOptions: Sendable {
    /// Repetitions of the whole scenario, each on a fresh workload.
    public var trials: Int
    /// Give trial k the seed `seed + k` instead of the same seed.
    public var varySeed: Bool
    public var memory: any MemorySampler
    public var stop: StopSignal
    /// Logical CPUs (sets the default open-loop worker count and the recorder's stripes).
    public var cores: Int
    /// Called with every interval (soak streams them to disk).
    public var onInterval: @Sendable (IntervalSnapshot) -> Void
    /// Called about once per interval with progress, for a live line.
    public var onProgress: (@Sendable (RunProgress) -> Void)?
    /// Called when a phase starts (index, label).
    public var onPhase: (@Sendable (Int, String) -> Void)?
    /// Called in each trial right after warm-up, before the first measured episode (a profiler starts here).
    public var onMeasureStart: (@Sendable () -> Void)?
    /// Called in each trial after the last measured episode, with the episodes it completed.
    public var onMeasureEnd: (@Sendable (UInt64) -> Void)?
    public var version: String

    public init(trials: Int = 1, varySeed: Bool = false, memory: any MemorySampler = defaultMemorySampler(),
                stop: StopSignal = StopSignal(), cores: Int = ProcessInfo.processInfo.activeProcessorCount,
                onInterval: @escaping @Sendable (IntervalSnapshot) -> Void = { _ in },
                onProgress: (@Sendable (RunProgress) -> Void)? = nil, onPhase: (@Sendable (Int, String) -> Void)? = nil,
                version: String = "dev") {
        self.trials = trials
        self.varySeed = varySeed
        self.memory = memory
        self.stop = stop
        self.cores = cores
        self.onInterval = onInterval
        self.onProgress = onProgress
        self.onPhase = onPhase
        self.version = version
    }
}

/// Runs a scenario against a workload — warm-up, phases, trials — and assembles the result.
public enum BenchmarkRunner {
    /// Runs `scenario` `options.trials` times, each on a workload `makeWorkload(trial, seed)` builds.
    /// Thresholds are not evaluated here (the caller owns their parsing and errors).
    /// - Throws: ``HarnessError`` when a fault names an unknown stage or a worker cannot start;
    ///   whatever `makeWorkload` throws.
    public static func run<W: Workload>(
        scenario: ScenarioRecord, options: RunOptions,
        makeWorkload: (_ trial: Int, _ seed: UInt64) throws -> W
    ) throws -> BenchResult {
        let startedAt = isoNow()
        var trials: [TrialOutcome] = []
        for trial in 0..<Swift.max(1, options.trials) {
            if options.stop.isSet { break }
            let seed = options.varySeed ? scenario.spec.seed &+ UInt64(trial) : scenario.spec.seed
            let workload = try makeWorkload(trial, seed)
            trials.append(try runTrial(trial, seed: seed, scenario: scenario.spec, workload: workload, options: options))
        }
        return assemble(trials, scenario: scenario, startedAt: startedAt, options: options)
    }

    /// One trial's raw outcome.
    struct TrialOutcome {
        var trial: Int
        var seed: UInt64
        var stageNames: [String]
        var overall: Measurements
        var summary: RunSummary
        var phases: [PhaseSummary]
        var phaseMeasurements: [Measurements]
        var timeseries: [TimeseriesPoint]
        var seconds: Double
        var workloadStatistics: WorkloadStatistics
        var abandoned: UInt64
        /// What the first failing episode threw, if any failed.
        var firstError: String?
    }

    static func runTrial<W: Workload>(_ trial: Int, seed: UInt64, scenario: Scenario, workload: W,
                                      options: RunOptions) throws -> TrialOutcome {
        let stageNames = workload.stageNames
        let faults = try FaultInjector(scenario.inject, stageNames: stageNames)
        defer { faults.releaseLeaks() }
        let recorder = Recorder(stageCount: stageNames.count, stripes: 2 * Swift.max(1, options.cores))
        let live = LiveState()
        let driver = LoadDriver(workload: workload, recorder: recorder, faults: faults, memory: options.memory,
                                live: live, stop: options.stop, episodes: EpisodeCounter())
        let workers = Swift.max(1, options.cores)

        if let warm = PlannedPhase.warmup(scenario, seed: seed, seconds: scenario.warmup, defaultWorkers: workers) {
            live.label.withLock { $0 = warm.label }
            options.onPhase?(-1, warm.label)
            _ = try run(warm, with: driver)
            _ = recorder.takePhase()
            var discard = IntervalMeasurements()
            recorder.takeInterval(into: &discard)
        }

        let plan = PlannedPhase.plan(scenario, seed: seed, defaultWorkers: workers)
        options.onMeasureStart?()
        let measureStart = monotonicNanoseconds()
        faults.arm(at: measureStart)
        let sampler = Sampler(
            recorder: recorder, memory: options.memory, live: live, interval: scenario.interval, start: measureStart,
            statistics: { workload.statistics() },
            hooks: .init(onInterval: options.onInterval, onProgress: options.onProgress,
                         nominalSeconds: plan.reduce(0) { $0 + $1.nominalSeconds }))
        let runStart = Snapshot.take(options.memory, workload: workload, at: measureStart)
        live.runRSSPeak.store(runStart.rss, ordering: .relaxed)
        sampler.run()

        var phases: [PhaseSummary] = []
        var phaseMeasurements: [Measurements] = []
        var overall = Measurements(stageCount: stageNames.count)
        var abandoned: UInt64 = 0
        var dropped: UInt64 = 0
        var phaseSnapshots: [(Snapshot, Snapshot)] = []
        for (index, planned) in plan.enumerated() {
            if options.stop.isSet { break }
            live.phase.store(index, ordering: .relaxed)
            live.label.withLock { $0 = planned.label }
            options.onPhase?(index, planned.label)
            let before = Snapshot.take(options.memory, workload: workload)
            live.phaseRSSPeak.store(before.rss, ordering: .relaxed)
            let outcome = try run(planned, with: driver)
            let m = recorder.takePhase()
            let after = Snapshot.take(options.memory, workload: workload)
            live.notePeak(after.rss)
            abandoned += outcome.abandoned
            dropped += outcome.dropped
            overall.add(m)
            phaseMeasurements.append(m)
            phaseSnapshots.append((before, after))
            let wall = Double(outcome.end &- outcome.start) / 1e9
            let busy = Swift.max(planned.nominalSeconds, wall)
            let drain = m.lastCompletion > outcome.start ? Double(m.lastCompletion &- outcome.start) / 1e9 : nil
            let stats = summarize(m, from: before, to: after, rssPeak: live.phaseRSSPeak.load(ordering: .relaxed),
                                  points: [], dropped: outcome.dropped, seconds: busy, stageNames: stageNames)
            let isOpen: Bool
            if case .open = planned.mode { isOpen = true } else { isOpen = false }
            phases.append(PhaseSummary(
                index: index, scenarioPhase: planned.scenarioPhase, kind: planned.kind, label: planned.label, targetRate: outcome.targetRate,
                achievedRate: busy > 0 ? Double(m.episodes) / busy : 0, concurrency: outcome.workers,
                maxQueueDepth: UInt64(outcome.maxQueueDepth), drainSeconds: isOpen ? drain : nil,
                startSeconds: Double(outcome.start &- measureStart) / 1e9, durationSeconds: wall, stats: stats))
        }
        options.onMeasureEnd?(overall.episodes)
        let timeseries = sampler.finish()
        let runEnd = Snapshot.take(options.memory, workload: workload)
        let seconds = Double(runEnd.time &- measureStart) / 1e9
        // Per-phase RSS slopes need the time series, which is complete only now.
        for i in phases.indices {
            let points = timeseries.filter { $0.phase == phases[i].index }
            phases[i].stats.memory.rssSlopeBytesPerEpisode = rssSlope(points)
        }
        let summary = summarize(overall, from: runStart, to: runEnd, rssPeak: live.runRSSPeak.load(ordering: .relaxed),
                                points: timeseries, dropped: dropped, seconds: seconds, stageNames: stageNames)
        return TrialOutcome(trial: trial, seed: seed, stageNames: stageNames, overall: overall, summary: summary,
                            phases: phases, phaseMeasurements: phaseMeasurements, timeseries: timeseries,
                            seconds: seconds, workloadStatistics: workload.statistics(), abandoned: abandoned,
                            firstError: live.firstError.withLock { $0 })
    }

    private static func run<W>(_ planned: PlannedPhase, with driver: LoadDriver<W>) throws(HarnessError) -> LoadDriver<W>.Outcome {
        switch planned.mode {
        case .open(let open):
            try driver.runOpenLoop(open)
        case .closed(let c, let seconds):
            try driver.runClosedLoop(concurrency: c, seconds: seconds)
        }
    }
}

/// The state of the process at one moment, for deltas over a span.
struct Snapshot {
    var time: UInt64
    var rss: UInt64
    var allocator: AllocatorSnapshot?
    var cpu: (user: Double, system: Double)
    var phi: PhiStats

    static func take<W: Workload>(_ memory: any MemorySampler, workload: W, at time: UInt64 = monotonicNanoseconds()) -> Snapshot {
        Snapshot(time: time, rss: memory.residentBytes(), allocator: memory.allocatorSnapshot(),
                 cpu: processCPUTime(), phi: workload.statistics().phi)
    }
}

/// Theil–Sen slope of RSS against completed episodes over `points`, bytes/episode (0 if too few).
func rssSlope(_ points: [TimeseriesPoint]) -> Double {
    TheilSen.fit(x: points.map { Double($0.episodesTotal) }, y: points.map { Double($0.rssBytes) })?.slope ?? 0
}

/// A run summary from one span's measurements and the process state at its ends.
func summarize(_ m: Measurements, from a: Snapshot, to b: Snapshot, rssPeak: UInt64, points: [TimeseriesPoint],
               dropped: UInt64, seconds: Double, stageNames: [String]) -> RunSummary {
    let episodes = Double(Swift.max(m.episodes, 1))
    var memory = MemoryStats(
        rssStartBytes: a.rss, rssEndBytes: b.rss, rssPeakBytes: Swift.max(rssPeak, a.rss, b.rss),
        rssGrowthPct: a.rss > 0 ? (Double(b.rss) - Double(a.rss)) / Double(a.rss) * 100 : 0,
        rssSlopeBytesPerEpisode: rssSlope(points))
    if let ea = a.allocator, let eb = b.allocator {
        memory.allocationsPerEpisode = Double(eb.requests &- ea.requests) / episodes
        memory.bytesAllocatedPerEpisode = Double(m.bytesAllocated) / episodes
        memory.jemalloc = eb.stats
    }
    let user = b.cpu.user - a.cpu.user
    let system = b.cpu.system - a.cpu.system
    let wall = Double(b.time &- a.time) / 1e9
    return RunSummary(
        episodes: m.episodes, errors: m.errors, dropped: dropped,
        throughputEps: seconds > 0 ? Double(m.episodes) / seconds : 0,
        latencyNs: m.latencySummaries(stageNames: stageNames),
        phi: b.phi.since(a.phi),
        memory: memory,
        cpu: CPUStats(userSeconds: user, systemSeconds: system, utilization: wall > 0 ? (user + system) / wall : 0))
}
