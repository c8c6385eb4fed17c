import BenchModel
import Foundation
import Synchronization

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
    /// Also record every stage's latency per time-series interval, so ``IntervalSnapshot/span`` has
    /// the stage histograms (a live exporter needs them). Costs one more histogram record per stage
    /// per episode; off by default.
    public var intervalStages = false
    /// The execution segment this generator runs (`--segment`); nil: the whole test.
    public var segment: ExecutionSegment?
    /// The common wall-clock start (`--start-at`), seconds since 1970: the warm-up (or the first
    /// phase) starts then, and phase k at that time plus the warm-up and the nominal lengths of the
    /// phases before it, so generators on several machines run each phase together.
    public var startAt: Double?

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
    /// Thresholds are not evaluated here (see ``Threshold/evaluate(_:)``).
    /// - Throws: ``HarnessError`` when a fault names an unknown stage or a worker cannot start;
    ///   whatever `makeWorkload` throws.
    public static func run<W: Workload>(
        scenario: ScenarioRecord, options: RunOptions,
        makeWorkload: (_ trial: Int, _ seed: UInt64) throws -> W
    ) throws -> BenchResult {
        let startedAt = isoNow()
        var options = options
        let mark = WallClockMark()
        if options.segment != nil || options.startAt != nil {
            let previous = options.onMeasureStart
            options.onMeasureStart = { mark.set(); previous?() }
        }
        var trials: [TrialOutcome] = []
        var external = false
        for trial in 0..<Swift.max(1, options.trials) {
            if options.stop.isSet { break }
            let seed = options.varySeed ? scenario.spec.seed &+ UInt64(trial) : scenario.spec.seed
            let workload = try makeWorkload(trial, seed)
            external = workload.runsOutsideProcess
            trials.append(try runTrial(trial, seed: seed, scenario: scenario.spec, workload: workload, options: options))
        }
        var result = assemble(trials, scenario: scenario, startedAt: startedAt, options: options)
        let health = GeneratorHealth(result, cores: options.cores)
        result.generator = health
        // In-process workloads share the process with the generator: their CPU is the system's own.
        if external && health.saturated {
            let reasons = health.reasons.joined(separator: "; ")
            let busy = health.cpuCoresBusy.map { "\(Units.fixed($0, digits: 2)) of \(health.cores) cores" } ?? "unknown"
            // CPU near the machine's cores is the generator's own limit; late starts and drops with
            // CPU to spare mean every connection was busy waiting for the service.
            result.warnings.append(RunWarning(.saturatedGenerator, .bad, health.cpuBound
                ? "the load generator (phibench) was CPU-bound — \(reasons): these figures describe phibench as much as the service; give it more cores (workload.threads) or split the load over generators (run --segment)"
                : "the schedule was not kept — \(reasons) — while phibench used \(busy): every connection was busy, so the service (at this many connections) did not keep up; latency includes the wait"))
        }
        if options.segment != nil || options.startAt != nil {
            result.segment = SegmentRun(segment: options.segment ?? .whole, startAt: options.startAt.map(isoTime),
                                        measureStart: mark.value ?? 0, health: health)
        }
        return result
    }

    /// One trial's outcome.
    struct TrialOutcome {
        var summary: TrialSummary
        var catalogue: MetricCatalogue
        var workloadName: String
        var timeseries: [TimeseriesPoint]
        var events: [WorkloadEvent]
        var details: JSONValue?
        var abandoned: UInt64
        /// What the first failing episode threw, if any failed.
        var firstError: String?
    }

    static func runTrial<W: Workload>(_ trial: Int, seed: UInt64, scenario: Scenario, workload: W,
                                      options: RunOptions) throws -> TrialOutcome {
        let vocabulary = workload.vocabulary
        let stageNames = vocabulary.stages.map(\.name)
        let catalogue = MetricCatalogue.standard(for: vocabulary)
        let shape = RecordingShape(stageNames: stageNames, sampleNames: vocabulary.samples,
                                   countsAllocations: options.memory.allocatorSnapshot() != nil)
        let probe = WorkloadProbe(workload)
        let faults = try FaultInjector(scenario.inject, stageNames: stageNames)
        defer { faults.releaseLeaks() }
        let recorder = Recorder(stageCount: stageNames.count, sampleCount: vocabulary.samples.count,
                                stripes: 2 * Swift.max(1, options.cores), intervalStages: options.intervalStages)
        let live = LiveState()
        let placement = try ThreadPlacement(scenario.affinity)
        let driver = LoadDriver(workload: workload, recorder: recorder, faults: faults, memory: options.memory,
                                live: live, stop: options.stop, episodes: EpisodeCounter(), placement: placement)
        let workers = Swift.max(1, options.cores)

        // A common start: wait for it here (every workload is built and probed by now), then anchor
        // each phase to it. Only the first trial has one.
        var anchor: UInt64 = 0
        if let startAt = options.startAt, trial == 0 {
            anchor = monotonicNanoseconds(atWallClock: startAt)
            driver.waitUntil(anchor)
        }
        var warmupSummary: WarmupSummary?
        if let warm = PlannedPhase.warmup(scenario, seed: seed, seconds: scenario.warmup, defaultWorkers: workers,
                                          segment: options.segment) {
            live.label.withLock { $0 = warm.label }
            options.onPhase?(-1, warm.label)
            let end = StopSignal()
            let monitor = scenario.steadyWarmup.map { WarmupMonitor(rule: $0, recorder: recorder, end: end, stop: options.stop) }
            try monitor?.run(start: monotonicNanoseconds())
            let outcome: LoadDriver<W>.Outcome
            do {
                outcome = try run(warm, with: driver, end: end)
            } catch {
                _ = monitor?.finish()
                throw error
            }
            let watched = monitor?.finish()
            let m = recorder.takePhase()
            var discard = recorder.makeInterval()
            recorder.takeInterval(into: &discard)
            _ = workload.drainEvents()
            let seconds = Double(outcome.end &- outcome.start) / 1e9
            if let watched {
                warmupSummary = WarmupSummary(seconds: seconds, episodes: m.episodes, rule: .steady, batches: watched.series.count,
                                              transientSeconds: watched.transientSeconds,
                                              settled: watched.settled)
            } else {
                warmupSummary = WarmupSummary(seconds: seconds, episodes: m.episodes, rule: .fixed)
            }
        }

        let plan = PlannedPhase.plan(scenario, seed: seed, defaultWorkers: workers, segment: options.segment)
        var phaseAnchor = anchor == 0 ? 0 : anchor &+ UInt64(Swift.min(scenario.warmup, 1e9) * 1e9)
        waitIfAnchored(driver, phaseAnchor)
        options.onMeasureStart?()
        let measureStart = monotonicNanoseconds()
        faults.arm(at: measureStart)
        let runStart = Probe.take(options.memory, workload: probe, at: measureStart)
        live.notePeaks(runStart)
        let sampler = Sampler(
            recorder: recorder, memory: options.memory, live: live, interval: scenario.interval, start: runStart, placement: placement,
            workload: probe, events: { workload.drainEvents() }, catalogue: catalogue, shape: shape,
            hooks: .init(onInterval: options.onInterval, onProgress: options.onProgress,
                         nominalSeconds: plan.reduce(0) { $0 + $1.nominalSeconds }))
        try sampler.run()

        var runs: [PhaseRun<W>] = []
        var overall = Measurements(stageCount: stageNames.count, sampleCount: vocabulary.samples.count)
        var abandoned: UInt64 = 0
        var dropped: UInt64 = 0
        var failure: (any Error)?
        for (index, planned) in plan.enumerated() {
            if options.stop.isSet { break }
            live.phase.store(index, ordering: .relaxed)
            live.label.withLock { $0 = planned.label }
            options.onPhase?(index, planned.label)
            let before = Probe.take(options.memory, workload: probe)
            live.resetPhasePeaks(before)
            let outcome: LoadDriver<W>.Outcome
            do {
                outcome = try run(planned, with: driver, notBefore: phaseAnchor)
            } catch {
                failure = error
                break
            }
            if phaseAnchor > 0 { phaseAnchor &+= UInt64(Swift.min(planned.nominalSeconds, 1e9) * 1e9) }
            let m = recorder.takePhase()
            let after = Probe.take(options.memory, workload: probe)
            live.notePeaks(after)
            abandoned += outcome.abandoned
            dropped += outcome.dropped
            overall.add(m)
            runs.append(PhaseRun<W>(planned: planned, index: index, outcome: outcome, measurements: m, before: before, after: after,
                                 peaks: live.phasePeaks.withLock { $0 }))
        }
        options.onMeasureEnd?(overall.episodes)
        let collected = sampler.finish()
        if let failure { throw failure }
        let runEnd = Probe.take(options.memory, workload: probe)
        live.notePeaks(runEnd)
        let seconds = Double(runEnd.time &- measureStart) / 1e9

        // Slopes need the time series, which is complete only now.
        var phases: [PhaseSummary] = []
        for r in runs {
            let wall = Double(r.outcome.end &- r.outcome.start) / 1e9
            let busy = Swift.max(r.planned.nominalSeconds, wall)
            let isOpen: Bool
            if case .open = r.planned.mode { isOpen = true } else { isOpen = false }
            let drain = isOpen && r.measurements.lastCompletion > r.outcome.start
                ? Double(r.measurements.lastCompletion &- r.outcome.start) / 1e9 : nil
            let slopes = gaugeSlopes(collected.gaugeSamples.filter { $0.phase == r.index }.map { ($0.episodesTotal, $0.gauges) })
            var span = r.before.span(to: r.after, measurements: r.measurements, seconds: busy, dropped: r.outcome.dropped,
                                     peaks: r.peaks, slopes: slopes, shape: shape)
            if isOpen { span.counters[SpanKey.spin] = Double(r.outcome.spinNanoseconds) / 1e9 }
            phases.append(PhaseSummary(
                index: r.index, scenarioPhase: r.planned.scenarioPhase, kind: r.planned.kind, label: r.planned.label,
                targetRate: r.outcome.targetRate, concurrency: r.outcome.workers,
                maxQueueDepth: UInt64(r.outcome.maxQueueDepth), drainSeconds: drain,
                startSeconds: Double(r.outcome.start &- measureStart) / 1e9, durationSeconds: wall,
                arrivalCheck: r.outcome.arrivalCheck, stats: catalogue.summarize(span)))
        }
        let slopes = gaugeSlopes(collected.gaugeSamples.map { ($0.episodesTotal, $0.gauges) })
        var span = runStart.span(to: runEnd, measurements: overall, seconds: seconds, dropped: dropped,
                                 peaks: live.runPeaks.withLock { $0 }, slopes: slopes, shape: shape)
        let spun = runs.filter { if case .open = $0.planned.mode { true } else { false } }
        if !spun.isEmpty { span.counters[SpanKey.spin] = Double(spun.reduce(0) { $0 + $1.outcome.spinNanoseconds }) / 1e9 }
        let summary = TrialSummary(trial: trial, seed: seed, durationSeconds: seconds, partial: options.stop.isSet,
                                   summary: catalogue.summarize(span), phases: phases, warmup: warmupSummary)
        return TrialOutcome(summary: summary, catalogue: catalogue, workloadName: vocabulary.name,
                            timeseries: collected.points, events: collected.events, details: workload.details(),
                            abandoned: abandoned, firstError: live.firstError.withLock { $0 })
    }

    /// One phase as the driver ran it, before its summary is made (which needs the whole time series).
    struct PhaseRun<W: Workload> {
        var planned: PlannedPhase
        var index: Int
        var outcome: LoadDriver<W>.Outcome
        var measurements: Measurements
        var before: Probe
        var after: Probe
        var peaks: [String: Double]
    }

    /// Runs `planned`; `end`, when set, ends it early (a steady warm-up's monitor sets it); it starts
    /// no earlier than `notBefore` (monotonic ns).
    private static func run<W>(_ planned: PlannedPhase, with driver: LoadDriver<W>, end: StopSignal? = nil,
                               notBefore: UInt64 = 0) throws(HarnessError) -> LoadDriver<W>.Outcome {
        switch planned.mode {
        case .open(let open):
            try driver.runOpenLoop(open, end: end, notBefore: notBefore)
        case .closed(let c, let seconds):
            try driver.runClosedLoop(concurrency: c, seconds: seconds, end: end, notBefore: notBefore)
        }
    }

    /// Before the measured part of an anchored run: wait for its anchor, so the time series starts
    /// with the first phase on every generator.
    private static func waitIfAnchored<W>(_ driver: LoadDriver<W>, _ anchor: UInt64) {
        if anchor > 0 { driver.waitUntil(anchor) }
    }
}

/// The wall-clock time (seconds since 1970) at which something happened, set once.
final class WallClockMark: Sendable {
    private let time = Mutex<Double?>(nil)

    func set() { time.withLock { if $0 == nil { $0 = Date().timeIntervalSince1970 } } }

    var value: Double? { time.withLock { $0 } }
}

/// The monotonic clock's reading at wall-clock `time` (seconds since 1970), now when that is past.
func monotonicNanoseconds(atWallClock time: Double) -> UInt64 {
    let wall = Date().timeIntervalSince1970
    let now = monotonicNanoseconds()
    let ahead = Swift.max(0, Swift.min(time - wall, 1e9))
    return now &+ UInt64(ahead * 1e9)
}

/// `time` (seconds since 1970) in ISO 8601 UTC with milliseconds.
func isoTime(_ time: Double) -> String {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return f.string(from: Date(timeIntervalSince1970: time))
}

extension GeneratorHealth {
    /// The health of the generator that produced `result` on a machine with `cores` logical CPUs:
    /// CPU busy, open-loop lateness p99 and drops over the whole measured part.
    init(_ result: BenchResult, cores: Int) {
        let open = result.phases.contains { $0.targetRate != nil }
        self.init(cpuCoresBusy: result.summary.metric(MetricKey.cpuUtilization), cores: cores,
                  latenessP99: open ? result.summary.metric("\(SpanKey.lateness).p99") : nil, dropped: result.summary.dropped,
                  cpuPerEpisode: result.summary.metric(MetricKey.cpuPerEpisode))
    }
}
