import BenchModel
import Foundation
import Statistics

/// Before/after comparison of two results, metric by metric, with statistics over their trials.
///
/// Rules (after criterion's compare): a metric *regressed* when the Mann–Whitney U test over the
/// trials is significant (p < alpha) and the change of medians is beyond the threshold in the bad
/// direction; *improved* likewise in the good direction; *unchanged* when the bootstrap interval of
/// the relative change lies within ±threshold, or the change is small; *inconclusive* when the change
/// is beyond the threshold but not significant, or there are too few trials to test. One trial per
/// side is never significant: such changes are "inconclusive (1 trial)", never regressions.
public enum Comparison {
    /// Compares `after` against `before`.
    /// - Throws: ``CompareError`` for different scenarios or schema versions (unless `options.force`)
    ///   and for out-of-range options.
    public static func compare(
        before: BenchResult, after: BenchResult, options: CompareOptions = CompareOptions()
    ) throws(CompareError) -> ComparisonReport {
        try options.validate()
        var notes: [String] = []
        if before.schema != after.schema {
            guard options.force else { throw .schemaMismatch(before: before.schema, after: after.schema) }
            notes.append("Compared across schema versions (\(before.schema) vs \(after.schema)) because of --force.")
        }
        if before.scenario.name != after.scenario.name {
            guard options.force else { throw .scenarioMismatch(before: before.scenario.name, after: after.scenario.name) }
            notes.append("Compared different scenarios ('\(before.scenario.name)' vs '\(after.scenario.name)') because of --force.")
        }
        let labels = compareLabels(before, after, options)
        notes += contextNotes(before, after)

        let catalogue = MetricCatalogue.union([before.catalogue, after.catalogue])
        notes += stageNotes(before, after)
        let bKeys = Set(before.catalogue.descriptors.filter { before.summary.metric($0.key) != nil }.map(\.key))
        let aKeys = Set(after.catalogue.descriptors.filter { after.summary.metric($0.key) != nil }.map(\.key))
        let histogramKeys = Set(catalogue.histogramKeys.flatMap { k in LatencyStatistic.allCases.map { "\(k).\($0.rawValue)" } })
        let onlyBefore = catalogue.descriptors.map(\.key).filter { bKeys.contains($0) && !aKeys.contains($0) && !histogramKeys.contains($0) }
        let onlyAfter = catalogue.descriptors.map(\.key).filter { aKeys.contains($0) && !bKeys.contains($0) && !histogramKeys.contains($0) }
        if !onlyBefore.isEmpty { notes.append("Only in before (not compared): \(onlyBefore.joined(separator: ", ")).") }
        if !onlyAfter.isEmpty { notes.append("Only in after (not compared): \(onlyAfter.joined(separator: ", ")).") }
        let compared = catalogue.descriptors.filter { bKeys.contains($0.key) && aKeys.contains($0.key) }
        var gate = try options.resolveGate(compared)
        var warnings: [RunWarning] = []
        let mismatch = MachineFingerprint(before).differences(from: MachineFingerprint(after))
        if !mismatch.isEmpty {
            // Timings from different machines or builds differ for reasons that are not the change:
            // only what the machine does not move (counts per episode, hit rates, bytes) can gate.
            let untrusted = compared.filter { timeBased($0.unit) }.map(\.key)
            let ungated = gate.intersection(untrusted)
            gate.subtract(untrusted)
            warnings.append(RunWarning(.machineMismatch, .bad,
                "MACHINE MISMATCH: \(mismatch.joined(separator: "; ")). Timings are not comparable across machines or builds, so "
                + "\(ungated.isEmpty ? "no wall-clock metric is gated" : "\(ungated.count) wall-clock metric(s) are reported but not gated (\(ungated.sorted().prefix(6).joined(separator: ", "))\(ungated.count > 6 ? ", …" : ""))"); "
                + "run both sides on one machine (make bench does) for a timing gate."))
        }
        var calibration = options.calibration
        if let c = calibration, let why = c.mismatch(with: after) {
            notes.append("The calibration was not used: \(why); the MDE comes from the compare's own trials.")
            calibration = nil
        }
        if let c = calibration {
            notes.append("MDE from the A/A calibration of \(c.createdAt) (\(c.trials) trials of \(Fmt.shortCommit(c.build.commit)) on this machine) at \(Int((options.power * 100).rounded()))% power; metrics it lacks use the compare's own trials.")
        } else {
            notes.append("MDE (minimum detectable effect: the change the test finds significant at p < \(Fmt.number(options.alpha)) with \(Int((options.power * 100).rounded()))% power) from the compare's own trials, their noise pooled over both sides around each side's median. With few trials this estimate is itself rough; `phibench calibrate` gives a steadier one.")
        }

        var metrics: [MetricComparison] = []
        var methods = Set<MannWhitneyMethod>()
        for d in compared {
            let b = samples(before, d.key)
            let a = samples(after, d.key)
            guard !b.isEmpty, !a.isEmpty else { continue }
            let gated = gate.contains(d.key) && d.direction != .informational
            let sensitivity = gated ? self.sensitivity(d, before: b, after: a, calibration: calibration, options: options) : nil
            let m = judge(metric: d.key, unit: d.unit, direction: d.direction, gated: gated,
                          before: b, after: a, options: options, sensitivity: sensitivity)
            if let t = m.test { methods.insert(t.method) }
            metrics.append(m)
        }

        notes += controlFalseDiscoveries(&metrics, alpha: options.alpha)

        let nb = before.completeTrials.count, na = after.completeTrials.count
        if nb < 2 || na < 2 {
            notes.append("With one trial on a side no change can be called significant: changes beyond the threshold are inconclusive. Run with --trials 5 or more for a verdict.")
        } else if MannWhitney.smallestPossibleP(nb, na) >= options.alpha {
            notes.append("\(nb) vs \(na) trials cannot reach p < \(Fmt.number(options.alpha)) with Mann–Whitney U; use 4 or more trials per side (5 recommended).")
        }
        for (side, r) in [("before", before), ("after", after)] where r.trials.count > r.completeTrials.count {
            notes.append("The \(side) result has \(r.trials.count - r.completeTrials.count) partial trial(s), cut short by an interrupt: left out of the statistics.")
        }
        let gated = metrics.filter(\.gated)
        let regressions = gated.filter { $0.verdict == .regressed }.map(\.metric)
        let overall: Verdict =
            !regressions.isEmpty ? .regressed
            : gated.contains { $0.verdict == .improved } ? .improved
            : gated.contains { $0.verdict == .inconclusive } ? .inconclusive
            : gated.contains { $0.verdict == .belowDetectionLimit } ? .belowDetectionLimit
            : .unchanged
        return ComparisonReport(
            schema: ComparisonReport.schemaID, before: ComparedRun(before, label: labels[0]),
            after: ComparedRun(after, label: labels[1]), threshold: options.threshold, alpha: options.alpha,
            confidence: options.confidence, resamples: options.resamples, seed: options.seed,
            statistic: statisticDescription(methods, options), metrics: metrics, notes: notes, warnings: warnings, verdict: overall,
            gatedRegressions: regressions)
    }

    /// The ungated rows: hundreds of metrics each tested at α always show a few "significant" changes
    /// by chance (an A/A compare printed a stage's p99 and p999 "regressed"), so their verdicts control the
    /// false discovery rate too: a change is called only when its Benjamini–Hochberg q-value over all
    /// tested ungated metrics is below α. The q-values come from Welch's t on the log values (on the
    /// values where some are not positive), whose p-values are continuous: Mann–Whitney's smallest p
    /// at 5 trials a side (0.008) could never survive a correction over a hundred metrics, however
    /// large the change. Gated metrics keep their own rule.
    static func controlFalseDiscoveries(_ metrics: inout [MetricComparison], alpha: Double) -> [String] {
        let tested = metrics.indices.filter { !metrics[$0].gated && metrics[$0].test != nil }
        guard !tested.isEmpty else { return [] }
        let p = tested.map { i in
            let m = metrics[i]
            return WelchTest.pValueOfRatio(m.beforeTrials, m.afterTrials) ?? WelchTest.pValue(m.beforeTrials, m.afterTrials) ?? 1
        }
        let q = FalseDiscovery.benjaminiHochberg(p)
        var demoted = 0
        for (i, qv) in zip(tested, q) where [.regressed, .improved, .changed].contains(metrics[i].verdict) && qv >= alpha {
            metrics[i].verdict = .inconclusive
            metrics[i].reason = "not a finding after false-discovery control: q=\(Fmt.pValue(qv)) ≥ \(Fmt.number(alpha)) "
                + "(Benjamini–Hochberg over \(tested.count) ungated metrics, Welch's t); \(metrics[i].reason)"
            demoted += 1
        }
        return ["Ungated metrics are called changed only at a Benjamini–Hochberg q-value below \(Fmt.number(alpha)) over the \(tested.count) tested"
                + (demoted > 0 ? " (\(demoted) individually significant change\(demoted == 1 ? "" : "s") not called)." : ".")]
    }

    /// Whether a metric measures time (and so moves with the machine, not only with the code).
    static func timeBased(_ unit: MetricUnit) -> Bool { [.nanoseconds, .perSecond, .seconds].contains(unit) }

    /// The noise and MDE of one gated metric: noise from the calibration when it has the metric,
    /// else from both sides' trials; the rule is the gate's (α, threshold, latency floor).
    static func sensitivity(_ d: MetricDescriptor, before b: [Double], after a: [Double], calibration: Calibration?,
                            options: CompareOptions) -> Sensitivity? {
        let fromCalibration = calibration?.metrics[d.key]?.noise
        guard let noise = fromCalibration ?? SensitivityAnalysis.relativeNoise([b, a]) else {
            // Too few trials to estimate the noise, and far too few to detect anything.
            return Sensitivity(noise: .nan, source: .trials, trialsBefore: b.count, trialsAfter: a.count, mde: nil, detects: nil,
                               power: options.power, suggestedTrials: nil)
        }
        let level = Descriptive.median(b) ?? 0
        let floor = max(options.absoluteFloors[d.key] ?? 0, d.unit == .nanoseconds ? options.latencyFloorNanoseconds : 0)
        let test = SensitivityAnalysis.Rule(alpha: options.alpha, threshold: 0)
        let gate = SensitivityAnalysis.Rule(alpha: options.alpha, threshold: options.threshold,
                                            relativeFloor: level > 0 ? floor / level : 0)
        let seed = options.seed ^ stableHash(d.key)
        let mde = SensitivityAnalysis.minimumDetectableEffect(noise: noise, nb: b.count, na: a.count, rule: test,
                                                              power: options.power, seed: seed)
        let detects = SensitivityAnalysis.minimumDetectableEffect(noise: noise, nb: b.count, na: a.count, rule: gate,
                                                                  power: options.power, seed: seed)
        var suggested: Int?
        if mde.map({ $0 > options.threshold }) ?? true {
            suggested = SensitivityAnalysis.trialsFor(target: options.threshold, noise: noise, current: max(b.count, a.count),
                                                     currentMDE: mde, rule: test, power: options.power)
        }
        return Sensitivity(noise: noise, source: fromCalibration == nil ? .trials : .calibration, trialsBefore: b.count,
                           trialsAfter: a.count, mde: mde, detects: detects, power: options.power, suggestedTrials: suggested)
    }

    /// Applies the verdict rules to one metric's per-trial values; with a sensitivity, a gated metric
    /// that is not called a change says what change it would have seen, or that it is blind.
    static func judge(
        metric: String, unit: MetricUnit, direction: MetricDirection, gated: Bool, before b: [Double], after a: [Double],
        options: CompareOptions, sensitivity: Sensitivity? = nil
    ) -> MetricComparison {
        var result = judgeChange(metric: metric, unit: unit, direction: direction, gated: gated, before: b, after: a, options: options)
        result.sensitivity = sensitivity
        guard gated, let sensitivity, result.verdict == .unchanged || result.verdict == .inconclusive else { return result }
        let tau = Fmt.magnitude(options.threshold)
        let trialsHint = sensitivity.suggestedTrials.map { "; \($0) trials per side would bring it to ±\(tau)" } ?? ""
        let powerText = "\(Int((options.power * 100).rounded()))% power"
        if !sensitivity.isBlind(threshold: options.threshold) {
            result.reason += sensitivity.detects.map { " — would detect ≥ \(Fmt.magnitude($0)) (\(powerText))" } ?? ""
        } else if result.verdict == .unchanged {
            result.verdict = .belowDetectionLimit
            let noise = sensitivity.noise.isFinite
                ? " (noise ±\(Fmt.magnitude(sensitivity.noise)) per trial, \(b.count) vs \(a.count) trials)" : ""
            let reach = sensitivity.mde.map { "the test resolves only ≥ \(Fmt.magnitude($0)) at \(powerText), more than ±\(tau)" }
                ?? "no change can be significant with \(b.count) vs \(a.count) trials"
            result.reason = "below detection limit: \(reach)\(noise)\(trialsHint); \(result.reason)"
        } else {
            result.reason += sensitivity.mde.map { " — the test resolves only ≥ \(Fmt.magnitude($0))\(trialsHint)" } ?? ""
        }
        return result
    }

    /// The verdict from the change and the test alone.
    static func judgeChange(
        metric: String, unit: MetricUnit, direction: MetricDirection, gated: Bool, before b: [Double], after a: [Double],
        options: CompareOptions
    ) -> MetricComparison {
        let bv = Descriptive.median(b) ?? 0
        let av = Descriptive.median(a) ?? 0
        let change: Double? = bv == 0 ? (av == 0 ? 0 : nil) : (av - bv) / abs(bv)
        let floor = max(options.absoluteFloors[metric] ?? 0, unit == .nanoseconds ? options.latencyFloorNanoseconds : 0)
        let underFloor = floor > 0 && abs(av - bv) <= floor
        let beyond = (change.map { abs($0) > options.threshold } ?? true) && !underFloor
        let worse = direction == .lowerIsBetter ? av > bv : direction == .higherIsBetter ? av < bv : false
        let tau = Fmt.change(options.threshold).dropFirst()
        var result = MetricComparison(
            metric: metric, unit: unit, direction: direction, gated: gated && direction != .informational,
            before: bv, after: av, change: change, beforeTrials: b, afterTrials: a, test: nil, interval: nil,
            verdict: .unchanged, reason: "")
        let changeText = change.map { Fmt.change($0) } ?? "from 0"

        guard b.count >= 2, a.count >= 2 else {
            let trials = b.count == a.count ? "\(b.count) trial" : "\(b.count) vs \(a.count) trials"
            if beyond {
                result.verdict = .inconclusive
                result.reason = "inconclusive (\(trials)): changed \(changeText), beyond ±\(tau), but one trial cannot show significance"
            } else {
                result.reason = "within ±\(tau) (\(trials), threshold only)"
            }
            return result
        }
        let seed = options.seed ^ stableHash(metric)
        result.test = MannWhitney.test(b, a)
        result.interval = Bootstrap.relativeChangeOfMedians(
            before: b, after: a, resamples: options.resamples, level: options.confidence, seed: seed)
        let p = result.test?.p ?? 1
        let pText = "p=\(Fmt.pValue(p))"
        if MannWhitney.smallestPossibleP(b.count, a.count) >= options.alpha {
            result.verdict = beyond ? .inconclusive : .unchanged
            result.reason = beyond
                ? "inconclusive: changed \(changeText) but \(b.count) vs \(a.count) trials cannot reach p < \(Fmt.number(options.alpha))"
                : "within ±\(tau) (too few trials to test)"
            return result
        }
        let significant = p < options.alpha
        if significant && beyond {
            switch direction {
            case .informational: result.verdict = .changed
            default: result.verdict = worse ? .regressed : .improved
            }
            result.reason = "\(pText) < \(Fmt.number(options.alpha)) and \(changeText) beyond ±\(tau)"
        } else if let ci = result.interval, ci.low >= -options.threshold, ci.high <= options.threshold {
            result.reason = "\(Int((ci.level * 100).rounded()))% CI [\(Fmt.change(ci.low)), \(Fmt.change(ci.high))] within ±\(tau)"
        } else if underFloor {
            result.reason = "moved \(unit.format(abs(av - bv))), within the \(unit.format(floor)) floor for this metric"
        } else if !beyond {
            result.reason = significant
                ? "significant (\(pText)) but \(changeText) is within ±\(tau)"
                : "not significant (\(pText)), \(changeText) within ±\(tau)"
        } else {
            result.verdict = .inconclusive
            result.reason = "changed \(changeText) but not significant (\(pText) ≥ \(Fmt.number(options.alpha)))"
        }
        return result
    }

    /// Names of the two sides: as given, else the short commits when they differ, else `before`/`after`.
    static func compareLabels(_ b: BenchResult, _ a: BenchResult, _ o: CompareOptions) -> [String] {
        let commit = { (r: BenchResult) in Fmt.shortCommit(r.build.commit) + (r.build.dirty ? "+dirty" : "") }
        let differ = commit(b) != commit(a) && b.build.commit != "unknown"
        return [o.beforeLabel ?? (differ ? commit(b) : "before"), o.afterLabel ?? (differ ? commit(a) : "after")]
    }

    /// Per-trial values of `key` over the complete trials; the merged summary stands in for a result
    /// without complete trials.
    static func samples(_ r: BenchResult, _ key: String) -> [Double] {
        let trials = r.completeTrials
        if trials.isEmpty { return r.summary.metric(key).map { [$0] } ?? [] }
        return trials.compactMap { $0.summary.metric(key) }
    }

    static func stageNotes(_ before: BenchResult, _ after: BenchResult) -> [String] {
        let bs = Set(before.catalogue.recordedHistograms(before.summary)), as_ = Set(after.catalogue.recordedHistograms(after.summary))
        guard bs != as_ else { return [] }
        var parts: [String] = []
        let onlyB = bs.subtracting(as_).sorted(), onlyA = as_.subtracting(bs).sorted()
        if !onlyB.isEmpty { parts.append("only before: \(onlyB.joined(separator: ", "))") }
        if !onlyA.isEmpty { parts.append("only after: \(onlyA.joined(separator: ", "))") }
        return ["Stage sets differ (\(parts.joined(separator: "; "))); latency is compared on the stages both have."]
    }

    static func contextNotes(_ b: BenchResult, _ a: BenchResult) -> [String] {
        var notes: [String] = []
        for (side, r) in [("before", b), ("after", a)] where r.build.configuration != "release" {
            notes.append("The \(side) result was built in \(r.build.configuration) configuration: its timings do not represent release performance.")
        }
        if b.build.jemalloc != a.build.jemalloc {
            notes.append("jemalloc was \(b.build.jemalloc ? "on" : "off") before and \(a.build.jemalloc ? "on" : "off") after: allocation figures are not comparable.")
        }
        if b.workload.name != a.workload.name {
            // Same scenario and load, another system under test (e.g. a Python worker against a
            // built-in workload): a comparison of implementations, which the reader must be told.
            notes.append("Different systems under test: workload '\(b.workload.name)' before, '\(a.workload.name)' after (same scenario and load); stages with the same name are compared as the same stage.")
        }
        if b.machine.hostname != a.machine.hostname {
            notes.append("The results come from different hosts (\(b.machine.hostname) vs \(a.machine.hostname)).")
        }
        for (side, r) in [("before", b), ("after", a)] where r.interrupted {
            notes.append("The \(side) run was interrupted; it measured less than its scenario asked for.")
        }
        return notes
    }

    static func statisticDescription(_ methods: Set<MannWhitneyMethod>, _ o: CompareOptions) -> String {
        let m = methods.sorted { $0.rawValue < $1.rawValue }.map(\.description)
        let test = m.isEmpty ? "Mann–Whitney U (not run: fewer than 2 trials on a side)"
            : "two-sided Mann–Whitney U over trials (\(m.joined(separator: "; ")))"
        return "\(test), alpha \(Fmt.number(o.alpha)); \(Int((o.confidence * 100).rounded()))% percentile-bootstrap CI of the relative change of medians (\(o.resamples) resamples, seed \(o.seed)); threshold ±\(Fmt.change(o.threshold).dropFirst())"
    }
}
