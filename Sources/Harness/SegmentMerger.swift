import BenchModel

/// Merges the results of one test's execution segments (`run --segment`, one per generator) into
/// the result of the whole test, and judges it: histograms add exactly, rates add, intervals are
/// aligned by wall-clock time, and the scenario's thresholds are evaluated on the merged figures —
/// not on any one generator's.
///
/// Refused: results of different scenarios or builds, results without a segment, duplicated or
/// overlapping segments, and (unless `allowPartial`) segments that do not cover the whole test.
public enum SegmentMerger {
    public enum MergeError: Error, CustomStringConvertible, Equatable {
        case nothingToMerge
        case notASegment(file: String)
        case mismatch(file: String, field: String, expected: String, found: String)
        case duplicated(file: String, other: String, segment: ExecutionSegment)
        case overlapping(file: String, segment: ExecutionSegment, other: String, otherSegment: ExecutionSegment)
        case missing([ExecutionSegment])
        case noHistograms(file: String)
        case badThreshold(String)
        case invalid(file: String, field: String, reason: String)

        public var description: String {
            switch self {
            case .nothingToMerge: "merge needs at least one result"
            case .notASegment(let f):
                "\(f): not a segment result (no `segment`); merge segment results only with segment results (phibench run --segment i/N)"
            case .mismatch(let f, let field, let e, let found):
                "\(f): \(field) is '\(found)' but the first segment has '\(e)'; segments of one test come from one scenario and one build"
            case .duplicated(let f, let o, let s):
                "\(f): segment \(s) is duplicated (also in \(o)); each segment is merged once"
            case .overlapping(let f, let s, let o, let os):
                "\(f): segment \(s) overlaps \(os) of \(o); segments must not share arrivals"
            case .missing(let gaps):
                "segment\(gaps.count == 1 ? "" : "s") \(gaps.map(\.description).joined(separator: ", ")) missing: no result covers \(gaps.count == 1 ? "it" : "them"); pass --partial to merge what there is (the result is then marked partial)"
            case .noHistograms(let f):
                "\(f): its trials carry no latency histograms, so merged percentiles cannot be computed"
            case .badThreshold(let m): "the scenario's thresholds cannot be evaluated on the merged result: \(m)"
            case .invalid(let f, let field, let reason): "\(f): \(field) \(reason)"
            }
        }
    }

    /// Merges `results` (named by `files` in errors and in the merged result).
    /// - Throws: ``MergeError`` naming the file at fault.
    public static func merge(_ results: [BenchResult], files: [String], allowPartial: Bool = false) throws(MergeError) -> BenchResult {
        guard let first = results.first else { throw .nothingToMerge }
        var parts: [(result: BenchResult, file: String, run: SegmentRun)] = []
        for (r, file) in zip(results, files) {
            guard let run = r.segment else { throw .notASegment(file: file) }
            // Seconds since 1970: between 1970 and 5138, so the alignment arithmetic stays finite and exact enough.
            guard run.measureStart.isFinite, run.measureStart >= 0, run.measureStart < 1e11 else {
                throw .invalid(file: file, field: "segment.measure_start_unix_s", reason: "is \(run.measureStart), not a wall-clock time (seconds since 1970)")
            }
            try checkSame(r, as: first, file: file)
            if r.trials.contains(where: { $0.summary.episodes > 0 && $0.summary.span.histograms.isEmpty }) {
                throw .noHistograms(file: file)
            }
            parts.append((r, file, run))
        }
        parts.sort { $0.run.segment.from < $1.run.segment.from }
        for (a, b) in zip(parts, parts.dropFirst()) where a.run.segment.overlaps(b.run.segment) {
            if a.run.segment == b.run.segment { throw .duplicated(file: b.file, other: a.file, segment: b.run.segment) }
            throw .overlapping(file: b.file, segment: b.run.segment, other: a.file, otherSegment: a.run.segment)
        }
        let missing = ExecutionSegment.uncovered(by: parts.map(\.run.segment))
        if !missing.isEmpty && !allowPartial { throw .missing(missing) }

        // The merged time axis starts when the earliest generator's measured part did.
        let origin = parts.map(\.run.measureStart).min() ?? 0
        let trials = parts.compactMap { $0.result.trials.first }
        let cutShort = parts.filter { $0.result.interrupted || ($0.result.trials.first?.partial ?? true) }
        let catalogue = first.catalogue
        let trial = TrialSummary(
            trial: 0, seed: first.trials.first?.seed ?? first.scenario.spec.seed,
            durationSeconds: parts.map { $0.run.measureStart - origin + ($0.result.trials.first?.durationSeconds ?? 0) }.max() ?? 0,
            partial: !cutShort.isEmpty || !missing.isEmpty,
            summary: catalogue.summarize(Span.concurrent(trials.map(\.summary.span))),
            phases: mergePhases(parts.map { ($0.result.trials.first?.phases ?? [], $0.run.measureStart - origin) }, catalogue: catalogue),
            warmup: trials.first?.warmup)

        var merged = first
        merged.schema = BenchResult.schemaID
        merged.trials = [trial]
        (merged.summary, merged.phases) = ResultAssembly.merge([trial], catalogue: catalogue)
        merged.durationSeconds = trial.durationSeconds
        merged.startedAt = parts.map(\.result.startedAt).min() ?? first.startedAt
        merged.interrupted = parts.contains { $0.result.interrupted }
        merged.workload.details = parts.last?.result.workload.details
        merged.timeseries = alignedTimeseries(parts.map { ($0.result.timeseries, $0.run.measureStart - origin) })
        merged.segment = nil
        merged.leak = nil
        merged.profile = nil
        merged.distributed = DistributedRun(
            segments: parts.map { p in
                MergedSegment(file: p.file, segment: p.run.segment, host: p.result.machine.hostname,
                              partial: cutShort.contains { $0.file == p.file }, episodes: p.result.summary.episodes, health: p.run.health)
            },
            partial: trial.partial, missing: missing)

        var warnings: [RunWarning] = []
        for w in parts.flatMap(\.result.warnings) where w.kind != .harnessDominated && !warnings.contains(w) { warnings.append(w) }
        if !missing.isEmpty {
            warnings.append(RunWarning(.partialMerge, .bad,
                "partial: segment\(missing.count == 1 ? "" : "s") \(missing.map(\.description).joined(separator: ", ")) missing; the figures cover \(Units.fixed(100 * (1 - missing.reduce(0) { $0 + $1.width }), digits: 1))% of the test"))
        }
        for c in cutShort {
            warnings.append(RunWarning(.partialMerge, .bad,
                "partial: segment \(c.run.segment) (\(c.file)) was cut short; its \(c.result.summary.episodes) recorded episodes are merged, the rest of its share never ran"))
        }
        for p in parts where p.run.health.saturated {
            warnings.append(RunWarning(.saturatedGenerator, .bad,
                "generator of segment \(p.run.segment) (\(p.file), host \(p.result.machine.hostname)) saturated: \(p.run.health.reasons.joined(separator: "; ")); add generators or give it more cores"))
        }
        if let dominated = ResultAssembly.harnessDominated([trial]) { warnings.append(dominated) }
        merged.warnings = warnings

        var thresholds: [Threshold] = []
        for expression in first.scenario.spec.thresholds {
            do {
                thresholds.append(try Threshold.parse(expression, catalogue: catalogue, phaseCount: first.scenario.spec.phases.count))
            } catch {
                throw .badThreshold(error.description)
            }
        }
        Threshold.evaluate(thresholds, into: &merged)
        return merged
    }

    /// Refuses `r` unless it is of `first`'s scenario (as resolved), build and workload.
    private static func checkSame(_ r: BenchResult, as first: BenchResult, file: String) throws(MergeError) {
        func check(_ field: String, _ a: String, _ b: String) throws(MergeError) {
            if a != b { throw .mismatch(file: file, field: field, expected: b, found: a) }
        }
        try check("scenario.name", r.scenario.name, first.scenario.name)
        if r.scenario.spec != first.scenario.spec {
            throw .mismatch(file: file, field: "scenario (as resolved, overrides applied)", expected: first.scenario.overrides.joined(separator: " "),
                            found: r.scenario.overrides.joined(separator: " ") + " — the resolved scenarios differ")
        }
        try check("build.commit", r.build.commit + (r.build.dirty ? "+dirty" : ""), first.build.commit + (first.build.dirty ? "+dirty" : ""))
        try check("build.phibench_version", r.build.phibenchVersion, first.build.phibenchVersion)
        try check("build.configuration", r.build.configuration, first.build.configuration)
        try check("workload.name", r.workload.name, first.workload.name)
        try check("catalogue.histograms (the stages)", r.catalogue.histogramKeys.joined(separator: ","),
                  first.catalogue.histogramKeys.joined(separator: ","))
        try check("start_at", r.segment?.startAt ?? "none", first.segment?.startAt ?? "none")
    }

    /// Phase by phase (same index in every segment): spans merged concurrently, target rates and
    /// concurrency summed, start times aligned on the merged time axis (`shift` is each segment's
    /// measured start after the earliest, seconds).
    static func mergePhases(_ segments: [(phases: [PhaseSummary], shift: Double)], catalogue: MetricCatalogue) -> [PhaseSummary] {
        let count = segments.map(\.phases.count).max() ?? 0
        var out: [PhaseSummary] = []
        for i in 0..<count {
            let same = segments.compactMap { s in s.phases.indices.contains(i) ? (s.phases[i], s.shift) : nil }
            guard var p = same.first?.0 else { continue }
            let phases = same.map(\.0)
            p.stats = catalogue.summarize(Span.concurrent(phases.map(\.stats.span)))
            let rates = phases.compactMap(\.targetRate)
            p.targetRate = rates.isEmpty ? nil : rates.reduce(0, +)
            p.concurrency = phases.reduce(0) { $0 &+ $1.concurrency }
            p.maxQueueDepth = phases.map(\.maxQueueDepth).max() ?? 0
            p.drainSeconds = phases.compactMap(\.drainSeconds).max()
            p.startSeconds = same.map { $0.0.startSeconds + $0.1 }.min() ?? p.startSeconds
            p.durationSeconds = same.map { $0.0.startSeconds + $0.1 + $0.0.durationSeconds }.max().map { $0 - p.startSeconds } ?? p.durationSeconds
            p.arrivalCheck = phases.compactMap(\.arrivalCheck).first { $0.verdict == .fail } ?? phases.compactMap(\.arrivalCheck).first
            out.append(p)
        }
        return out
    }

    /// The segments' intervals on one wall-clock axis: each point moved by its segment's `shift`
    /// and added to the merged interval it ends in (episodes, rates and throughput summed, queue depth
    /// the largest). Latency percentiles of an interval cannot be added from the stored points and
    /// are left out of the merged series; the merged summary and phases have them exactly.
    static func alignedTimeseries(_ segments: [(points: [TimeseriesPoint], shift: Double)]) -> [TimeseriesPoint] {
        guard let interval = segments.flatMap(\.points).map(\.intervalSeconds).filter({ $0.isFinite && $0 >= 1e-3 }).min() else { return [] }
        var buckets: [Int: TimeseriesPoint] = [:]
        for (points, shift) in segments {
            for p in points {
                // A point outside any plausible run (a hostile file) is left out rather than trapping.
                let position = ((p.tSeconds + shift) / interval).rounded(.up)
                guard position.isFinite, abs(position) < 1e9 else { continue }
                let slot = Int(position)
                var b = buckets[slot] ?? TimeseriesPoint(tSeconds: Double(slot) * interval, intervalSeconds: interval, phase: p.phase,
                                                         episodes: 0, episodesTotal: 0, targetRate: nil, queueDepth: 0, metrics: [:])
                b.phase = Swift.max(b.phase, p.phase)
                b.episodes &+= p.episodes
                if let r = p.targetRate { b.targetRate = (b.targetRate ?? 0) + r }
                b.queueDepth = Swift.max(b.queueDepth, p.queueDepth)
                if let t = p.metric(MetricKey.throughput) { b.metrics[MetricKey.throughput, default: 0] += t }
                buckets[slot] = b
            }
        }
        var total: UInt64 = 0
        return buckets.keys.sorted().map { k in
            var b = buckets[k]!
            total &+= b.episodes
            b.episodesTotal = total
            return b
        }
    }
}
