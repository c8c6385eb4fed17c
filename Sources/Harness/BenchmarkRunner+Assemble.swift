import BenchModel
import Statistics

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
            p.drainSeconds = drains.isEmpty ? nil : Descriptive.mean(drains)
            p.durationSeconds = Descriptive.mean(same.map(\.durationSeconds))
            // The check of the trial that fared worst: one bad trial is what a reader must see.
            p.arrivalCheck = same.compactMap(\.arrivalCheck).first { $0.verdict == .fail } ?? same.compactMap(\.arrivalCheck).first
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
        if let dominated = harnessDominated(trials) { w.append(dominated) }
        return w
    }

    /// The share of e2e p50 from which the harness's own lateness dominates a measurement.
    public static let harnessShareLimit = 0.25

    /// A warning when, in an open-loop phase where nothing queued (so lateness is the harness waking
    /// up, not waiting behind busy workers), lateness p99 is a large share of e2e p50: the latency
    /// measured is then mostly the harness's own.
    static func harnessDominated(_ trials: [TrialSummary]) -> RunWarning? {
        var worst: (label: String, lateness: Double, e2e: Double)?
        for phase in trials.flatMap(\.phases) where phase.targetRate != nil && phase.maxQueueDepth <= 1 {
            guard let late = phase.stats.metric("\(SpanKey.lateness).p99"), let e2e = phase.stats.metric("\(SpanKey.e2e).p50"),
                  e2e > 0, late >= harnessShareLimit * e2e else { continue }
            if late / e2e > (worst.map { $0.lateness / $0.e2e } ?? 0) { worst = (phase.label, late, e2e) }
        }
        guard let w = worst else { return nil }
        return RunWarning(.harnessDominated, .bad,
            "in \(w.label) the harness started episodes up to \(Units.formatNanoseconds(w.lateness)) late (lateness p99), "
            + "\(Int((w.lateness / w.e2e * 100).rounded()))% of e2e p50 (\(Units.formatNanoseconds(w.e2e))); the latency measured is largely "
            + "the harness waking up — widen `spin:` or read `service`")
    }
}
