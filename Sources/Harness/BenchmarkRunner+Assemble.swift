import BenchModel

extension BenchmarkRunner {
    /// The result of all trials (see ``ResultAssembly``); the time series and events are the first
    /// trial's, the workload's details the last one's.
    static func assemble(_ trials: [TrialOutcome], scenario: ScenarioRecord, startedAt: String,
                         options: RunOptions) -> BenchResult {
        let build = currentBuild(version: options.version)
        let interrupted = options.stop.isSet
        let catalogue = trials.first?.catalogue ?? MetricCatalogue.standard(for: WorkloadVocabulary(name: "none", stages: []))
        let summaries = trials.map(\.summary)
        let (summary, phases) = ResultAssembly.merge(summaries, catalogue: catalogue)
        let seconds = summaries.reduce(0) { $0 + $1.durationSeconds }
        var warnings = ResultAssembly.warnings(build: build, trials: summaries, interrupted: interrupted, measuredSeconds: seconds)
        let abandoned = trials.reduce(0) { $0 + $1.abandoned }
        if abandoned > 0 { warnings.append(.abandoned(abandoned)) }
        if let i = warnings.firstIndex(where: { $0.kind == .failedEpisodes }), let first = trials.compactMap(\.firstError).first {
            warnings[i] = .failedEpisodes(summaries.reduce(0) { $0 + $1.summary.errors }, firstError: first)
        }
        return BenchResult(
            scenario: scenario, machine: currentMachine(), build: build, startedAt: startedAt, durationSeconds: seconds,
            interrupted: interrupted, warnings: warnings,
            workload: WorkloadRecord(name: trials.first?.workloadName ?? "none", details: trials.last?.details,
                                     events: trials.first?.events ?? []),
            catalogue: catalogue, summary: summary, phases: phases, trials: summaries,
            timeseries: trials.first?.timeseries ?? [])
    }
}

/// How a result's merged figures come from its trials — the one place, used by the runner (`--trials`)
/// and by `phibench merge`, so both give the same numbers for the same trials.
public enum ResultAssembly {
    /// The run summary and the per-phase summaries of `trials`: each the catalogue's summary of the
    /// parallel merge of the trials' spans (histograms merged, so percentiles are exact). Partial
    /// trials are left out unless no trial is complete.
    public static func merge(_ trials: [TrialSummary], catalogue: MetricCatalogue) -> (summary: RunSummary, phases: [PhaseSummary]) {
        let complete = trials.filter { !$0.partial }
        let used = complete.isEmpty ? trials : complete
        let summary = catalogue.summarize(Span.parallel(used.map(\.summary.span)))
        var phases: [PhaseSummary] = []
        let count = used.map(\.phases.count).max() ?? 0
        for i in 0..<count {
            let same = used.compactMap { $0.phases.indices.contains(i) ? $0.phases[i] : nil }
            guard var p = same.first else { continue }
            p.stats = catalogue.summarize(Span.parallel(same.map(\.stats.span)))
            p.maxQueueDepth = same.map(\.maxQueueDepth).max() ?? 0
            let drains = same.compactMap(\.drainSeconds)
            p.drainSeconds = drains.isEmpty ? nil : mean(drains)
            p.durationSeconds = mean(same.map(\.durationSeconds))
            phases.append(p)
        }
        return (summary, phases)
    }

    /// The warnings a result's build and trials call for.
    public static func warnings(build: BuildInfo, trials: [TrialSummary], interrupted: Bool, measuredSeconds: Double) -> [RunWarning] {
        var w = RunWarning.forBuild(build)
        if interrupted { w.append(.interrupted(measuredSeconds: measuredSeconds)) }
        let partial = trials.filter(\.partial).map(\.trial)
        if !partial.isEmpty && trials.count > partial.count { w.append(.partialTrials(partial)) }
        let errors = trials.reduce(0) { $0 + $1.summary.errors }
        if errors > 0 { w.append(.failedEpisodes(errors, firstError: nil)) }
        let dropped = trials.reduce(0) { $0 + $1.summary.dropped }
        if dropped > 0 { w.append(.dropped(dropped)) }
        return w
    }
}

func mean(_ v: [Double]) -> Double {
    v.isEmpty ? 0 : v.reduce(0, +) / Double(v.count)
}
