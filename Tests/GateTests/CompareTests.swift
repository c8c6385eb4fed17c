import BenchModel
import Foundation
@testable import Gate
import Testing
import TestSupport
@testable import Reports

@Suite struct CompareTests {
    @Test func resultComparedWithItselfIsUnchanged() throws {
        let r = Fixture().make()
        let report = try Comparison.compare(before: r, after: r)
        #expect(!report.metrics.isEmpty)
        // Nothing changed; a gated metric whose noise hides a threshold-sized change says so instead.
        let quiet: Set<Verdict> = [.unchanged, .belowDetectionLimit]
        #expect(report.metrics.allSatisfy { quiet.contains($0.verdict) }, "\(report.metrics.filter { !quiet.contains($0.verdict) }.map(\.metric))")
        #expect(report.metrics.allSatisfy { $0.verdict == .unchanged || $0.gated })
        #expect(quiet.contains(report.verdict))
        #expect(report.exitStatus == 0)
    }

    @Test func sameDistributionRaisesNoFalseAlarmsOverTwentySeeds() throws {
        var gatedChecked = 0
        let shared = Fixture(seed: 5, episodesSimulated: 400).simulatedHistograms()
        for seed in UInt64(1)...20 {
            let before = Fixture(seed: 5, noiseSeed: seed * 2, episodesSimulated: 400).make(reusing: shared)
            let after = Fixture(seed: 5, noiseSeed: seed * 2 + 1, episodesSimulated: 400).make(reusing: shared)
            let report = try Comparison.compare(before: before, after: after, options: CompareOptions(resamples: 500))
            let bad = report.metrics.filter { $0.verdict == .regressed || $0.verdict == .improved }
            #expect(bad.isEmpty, "seed \(seed): \(bad.map { "\($0.metric) \($0.reason)" })")
            #expect(report.exitStatus == 0)
            gatedChecked += report.metrics.filter(\.gated).count
        }
        #expect(gatedChecked >= 20 * 14)
    }

    @Test func thirtyPercentSlowerESGTOverFiveTrialsRegresses() throws {
        let before = Fixture(seed: 11, noiseSeed: 1).make()
        let after = Fixture(seed: 11, noiseSeed: 2, scale: ["ESGT": 1.3, "e2e": 1.3]).make()
        let report = try Comparison.compare(before: before, after: after)
        let verdicts = Dictionary(uniqueKeysWithValues: report.metrics.map { ($0.metric, $0) })
        for path in ["ESGT.p50", "ESGT.p99", "e2e.p50", "e2e.p99"] {
            let m = try #require(verdicts[path])
            #expect(m.verdict == .regressed, "\(path): \(m.verdict) — \(m.reason)")
            // Stage tails are reported as regressed but only e2e tails carry the gate.
            #expect(m.gated == (path != "ESGT.p99"), "\(path) gated: \(m.gated)")
            let change = try #require(m.change)
            #expect(change > 0.2 && change < 0.4, "\(path) change \(change)")
            #expect(m.test != nil)
        }
        for path in ["MMEI.p50", "TIG.p99", "throughput", "memory.allocations_per_episode"] {
            #expect([.unchanged, .belowDetectionLimit].contains(verdicts[path]?.verdict), "\(path): \(verdicts[path]?.reason ?? "missing")")
        }
        #expect(verdicts["ESGT.max"]?.gated == false, "tail metrics carry no gate")
        #expect(report.verdict == .regressed)
        #expect(report.exitStatus == 1)
        #expect(Set(report.gatedRegressions).isSuperset(of: ["ESGT.p50", "e2e.p50", "e2e.p99"]))
        #expect(!report.gatedRegressions.contains("ESGT.p99"))
        #expect(report.statistic.contains("Mann–Whitney U"))
    }

    @Test func fasterAfterIsAnImprovement() throws {
        let before = Fixture(seed: 21, noiseSeed: 1).make()
        let after = Fixture(seed: 21, noiseSeed: 2, scale: ["ESGT": 0.7, "e2e": 0.7]).make()
        let report = try Comparison.compare(before: before, after: after)
        #expect(report.metrics.first { $0.metric == "ESGT.p50" }?.verdict == .improved)
        #expect(report.verdict == .improved)
        #expect(report.exitStatus == 0)
    }

    @Test func singleTrialSlowdownIsInconclusiveNeverARegression() throws {
        let before = Fixture(trials: 1, seed: 31, noiseSeed: 1).make()
        let after = Fixture(trials: 1, seed: 31, noiseSeed: 2, scale: ["ESGT": 1.3, "e2e": 1.3]).make()
        let report = try Comparison.compare(before: before, after: after)
        let esgt = try #require(report.metrics.first { $0.metric == "ESGT.p50" })
        #expect(esgt.verdict == .inconclusive)
        #expect(esgt.reason.contains("inconclusive (1 trial)"))
        #expect(esgt.test == nil && esgt.interval == nil)
        #expect(!report.metrics.contains { $0.verdict == .regressed || $0.verdict == .improved })
        #expect(report.verdict == .inconclusive)
        #expect(report.exitStatus == 0)
        #expect(report.notes.contains { $0.contains("one trial") })
    }

    @Test func tooFewTrialsCannotBeSignificant() throws {
        let before = Fixture(trials: 3, seed: 41, noiseSeed: 1).make()
        let after = Fixture(trials: 3, seed: 41, noiseSeed: 2, scale: ["ESGT": 1.3, "e2e": 1.3]).make()
        let report = try Comparison.compare(before: before, after: after)
        #expect(report.metrics.first { $0.metric == "e2e.p50" }?.verdict == .inconclusive)
        #expect(report.exitStatus == 0)
        #expect(report.notes.contains { $0.contains("cannot reach p <") })
    }

    @Test func differentScenariosOrSchemasAreRefusedUnlessForced() throws {
        let a = Fixture(scenario: "steady").make()
        let b = Fixture(scenario: "spike").make()
        #expect(throws: CompareError.scenarioMismatch(before: "steady", after: "spike")) {
            try Comparison.compare(before: a, after: b)
        }
        let forced = try Comparison.compare(before: a, after: b, options: CompareOptions(force: true))
        #expect(forced.notes.contains { $0.contains("--force") })
        var c = a
        c.schema = "phibench.result/3"
        #expect(throws: CompareError.schemaMismatch(before: "phibench.result/2", after: "phibench.result/3")) {
            try Comparison.compare(before: a, after: c)
        }
        #expect(CompareError.scenarioMismatch(before: "steady", after: "spike").description.contains("--force"))
    }

    @Test func differentStageSetsAreComparedOnTheIntersection() throws {
        let before = Fixture(seed: 51, noiseSeed: 1).make()
        var stages = Fixture().stages
        stages.removeAll { $0 == "MEMORY.store" }
        let after = Fixture(seed: 51, noiseSeed: 2, stages: stages).make()
        let report = try Comparison.compare(before: before, after: after)
        #expect(!report.metrics.contains { $0.metric.hasPrefix("MEMORY.store") })
        #expect(report.metrics.contains { $0.metric == "ESGT.p50" })
        #expect(report.notes.contains { $0.contains("Stage sets differ") && $0.contains("MEMORY.store") })
    }

    @Test func workloadMetricsAreComparedPerTrialFromTheCatalogue() throws {
        let before = Fixture(seed: 61, noiseSeed: 1).make()
        let after = Fixture(seed: 61, noiseSeed: 2, residentBytesPerState: 900).make()
        let report = try Comparison.compare(before: before, after: after)
        let m = try #require(report.metrics.first { $0.metric == "memory_layer.resident_bytes_per_state" })
        #expect(m.direction == .lowerIsBetter)
        #expect(m.afterTrials.count == 5 && m.verdict == .regressed, "\(m.reason)")
        #expect(!m.gated, "not in the catalogue's default gate")
        let hit = try #require(report.metrics.first { $0.metric == "phi.cache_hit_rate" })
        #expect(hit.gated && hit.unit == .fraction)
    }

    @Test func thresholdParsingAndGatePatterns() throws {
        #expect(Units.share("5%") == 0.05 && Units.share("0.5%") == 0.005)
        #expect(Units.share("0.02") == 0.02 && Units.share("0.99") == 0.99)
        // A bare 1 or 10 could be a percentage or a fraction: refused, never guessed.
        #expect(Units.share("1") == nil && Units.share("10") == nil)
        #expect(Units.share("-1%") == nil && Units.share("0%") == nil && Units.share("100%") == nil && Units.share("250%") == nil)
        #expect(Units.share("five") == nil && Units.share("nan%") == nil && Units.share("inf") == nil)
        let descriptors = Fixture().catalogue.descriptors
        let defaults = try CompareOptions().resolveGate(descriptors)
        #expect(defaults.isSuperset(of: ["e2e.p50", "e2e.p90", "e2e.p99", "ESGT.p50", "throughput", "phi.cache_hit_rate",
                                         "memory.allocations_per_episode"]))
        #expect(defaults.isDisjoint(with: ["e2e.p999", "ESGT.max", "ESGT.p90", "ESGT.p99", "PHI.hit.p50", "cpu.utilization", "lateness.p99"]))
        let tails = try CompareOptions(gate: ["*.p99"]).resolveGate(descriptors)
        #expect(tails.contains("ESGT.p99") && tails.contains("e2e.p99") && !tails.contains("throughput"))
        #expect(try CompareOptions(gate: []).resolveGate(descriptors).isEmpty)
        // A typo never switches the gate off: it is an error naming the metrics, with a suggestion.
        let typo = #expect(throws: CompareError.self) { try CompareOptions(gate: ["throughputt"]).resolveGate(descriptors) }
        if case .unknownGate(let pattern, let suggestion, let known)? = typo {
            #expect(pattern == "throughputt" && suggestion == "throughput" && known.contains("{e2e, service, lateness, MMEI"))
        } else {
            Issue.record("expected unknownGate, got \(String(describing: typo))")
        }
        #expect(typo?.description.contains("did you mean \"throughput\"") == true)
        #expect(throws: CompareError.self) { try Comparison.compare(before: Fixture().make(), after: Fixture().make(), options: CompareOptions(alpha: 2)) }
    }

    @Test func latencyChangesUnderTheFloorAreNotChanges() throws {
        // A 30 ns stage moving to 40 ns is one clock tick: +33%, significant over five trials, and
        // still not a regression; the same +33% on a 30 µs stage is.
        let tiny = Comparison.judge(metric: "ESGT.p50", unit: .nanoseconds, direction: .lowerIsBetter, gated: true,
                                    before: [30, 30, 30, 30, 30], after: [40, 40, 40, 40, 40], options: CompareOptions())
        #expect(tiny.verdict == .unchanged, "\(tiny.reason)")
        #expect(tiny.reason.contains("floor"))
        let real = Comparison.judge(metric: "ESGT.p50", unit: .nanoseconds, direction: .lowerIsBetter, gated: true,
                                    before: [30_000, 30_100, 29_900, 30_050, 29_950], after: [40_000, 40_100, 39_900, 40_050, 39_950],
                                    options: CompareOptions())
        #expect(real.verdict == .regressed, "\(real.reason)")
        let noFloor = Comparison.judge(metric: "ESGT.p50", unit: .nanoseconds, direction: .lowerIsBetter, gated: true,
                                       before: [30, 31, 29, 30, 30], after: [40, 41, 39, 40, 40],
                                       options: CompareOptions(latencyFloorNanoseconds: 0))
        #expect(noFloor.verdict == .regressed, "\(noFloor.reason)")
    }
}
