import BenchModel

extension BenchmarkRunner {
    /// The result of all trials: latency from merged histograms, counts summed, memory and CPU
    /// figures averaged over trials (peak: the largest), time series of the first trial.
    static func assemble(_ trials: [TrialOutcome], scenario: ScenarioRecord, startedAt: String,
                         options: RunOptions) -> BenchResult {
        let build = currentBuild(version: options.version)
        guard let first = trials.first else {
            return BenchResult(scenario: scenario, machine: currentMachine(), build: build, startedAt: startedAt,
                               durationSeconds: 0, interrupted: options.stop.isSet,
                               warnings: warnings(build: build, trials: [], interrupted: options.stop.isSet),
                               summary: RunSummary())
        }
        let stageNames = first.stageNames
        var overall = Measurements(stageCount: stageNames.count)
        for t in trials { overall.add(t.overall) }
        let summary = merge(trials.map(\.summary), measurements: overall, seconds: trials.map(\.seconds), stageNames: stageNames)

        // Phases line up across trials by index; an interrupted trial may have fewer.
        var phases: [PhaseSummary] = []
        for (i, base) in first.phases.enumerated() {
            let same = trials.filter { $0.phases.count > i }
            var m = Measurements(stageCount: stageNames.count)
            for t in same { m.add(t.phaseMeasurements[i]) }
            var p = base
            let secs = same.map { Swift.max($0.phases[i].durationSeconds, 1e-9) }
            p.stats = merge(same.map { $0.phases[i].stats }, measurements: m, seconds: secs, stageNames: stageNames)
            p.achievedRate = mean(same.map { $0.phases[i].achievedRate })
            p.maxQueueDepth = same.map { $0.phases[i].maxQueueDepth }.max() ?? 0
            p.drainSeconds = base.drainSeconds.map { _ in mean(same.compactMap { $0.phases[i].drainSeconds }) }
            p.durationSeconds = mean(same.map { $0.phases[i].durationSeconds })
            phases.append(p)
        }
        let interrupted = options.stop.isSet
        let last = trials[trials.count - 1]
        return BenchResult(
            scenario: scenario, machine: currentMachine(), build: build, startedAt: startedAt,
            durationSeconds: trials.reduce(0) { $0 + $1.seconds }, interrupted: interrupted,
            warnings: warnings(build: build, trials: trials, interrupted: interrupted),
            summary: summary, phases: phases,
            trials: trials.map { TrialSummary(trial: $0.trial, seed: $0.seed, durationSeconds: $0.seconds,
                                              summary: $0.summary, phases: $0.phases) },
            timeseries: first.timeseries,
            histograms: overall.encodedHistograms(stageNames: stageNames),
            memoryLayer: last.workloadStatistics.memoryLayer)
    }

    static func merge(_ parts: [RunSummary], measurements: Measurements, seconds: [Double], stageNames: [String]) -> RunSummary {
        guard parts.count > 1 else { return parts.first ?? RunSummary() }
        return ResultMerger.combine(parts, latency: measurements.latencySummaries(stageNames: stageNames), seconds: seconds)
    }

    static func warnings(build: BuildInfo, trials: [TrialOutcome], interrupted: Bool) -> [String] {
        var w: [String] = []
        if build.configuration != "release" {
            w.append("debug build: timings are not representative; build with `swift build -c release` (make build)")
        }
        if !build.jemalloc {
            w.append("built without jemalloc: no allocation counts or allocator statistics; RSS comes from /proc")
        }
        if interrupted {
            w.append("interrupted: the run was stopped early; figures cover only what was measured before the stop")
        }
        let abandoned = trials.reduce(0) { $0 + $1.abandoned }
        if abandoned > 0 {
            w.append("\(abandoned) arrivals were due but never started because the run was stopped")
        }
        let errors = trials.reduce(0) { $0 + $1.summary.errors }
        if errors > 0 {
            let first = trials.compactMap(\.firstError).first.map { "; the first threw: \($0)" } ?? ""
            w.append("\(errors) episodes failed (the workload threw); their latency is still counted\(first)")
        }
        let dropped = trials.reduce(0) { $0 + $1.summary.dropped }
        if dropped > 0 {
            w.append("\(dropped) arrivals were dropped at the queue bound (max_queue)")
        }
        if build.dirty {
            w.append("built from a tree with uncommitted changes (commit \(build.commit.prefix(12)) + changes)")
        }
        return w
    }
}

func mean(_ v: [Double]) -> Double {
    v.isEmpty ? 0 : v.reduce(0, +) / Double(v.count)
}
