import BenchModel
import Foundation
import Statistics
@testable import Gate
import Testing
import TestSupport
@testable import Reports

@Suite struct SensitivityTests {
    /// Trial values around 1000 with relative normal noise, shifted by `shift`.
    func trials(_ n: Int, noise: Double, shift: Double = 0, rng: inout FixtureRNG) -> [Double] {
        (0..<n).map { _ in 1000 * (1 + shift) * (1 + noise * rng.normal()) }
    }

    @Test("the MDE is the change the real compare detects with the stated power (simulation with known noise)",
          arguments: [(0.02, 6), (0.05, 8), (0.01, 10)])
    func mdeMatchesTheCompare(noise: Double, n: Int) throws {
        let options = CompareOptions(threshold: 0.0001, resamples: 100, latencyFloorNanoseconds: 0)
        let rule = SensitivityAnalysis.Rule(alpha: options.alpha, threshold: 0)
        let mde = try #require(SensitivityAnalysis.minimumDetectableEffect(noise: noise, nb: n, na: n, rule: rule))
        var rng = FixtureRNG(seed: UInt64(n) &* 977 &+ UInt64(noise * 1e4))
        func detectionRate(_ shift: Double, runs: Int = 300) -> Double {
            var hits = 0
            for _ in 0..<runs {
                let m = Comparison.judgeChange(metric: "e2e.p50", unit: .nanoseconds, direction: .lowerIsBetter, gated: true,
                                               before: trials(n, noise: noise, rng: &rng),
                                               after: trials(n, noise: noise, shift: shift, rng: &rng), options: options)
                if m.verdict == .regressed { hits += 1 }
            }
            return Double(hits) / Double(runs)
        }
        let atMDE = detectionRate(mde)
        #expect(atMDE > 0.84 && atMDE < 0.96, "noise \(noise), n \(n): MDE \(mde) detected \(atMDE)")
        #expect(detectionRate(mde * 0.5) < 0.6, "half the MDE is detected far less often")
        #expect(detectionRate(0) < 0.09, "no change: false alarms near alpha")
        // More trials or less noise, a smaller MDE.
        let more = try #require(SensitivityAnalysis.minimumDetectableEffect(noise: noise, nb: 4 * n, na: 4 * n, rule: rule))
        #expect(more < mde * 0.7)
        #expect(SensitivityAnalysis.minimumDetectableEffect(noise: noise, nb: 2, na: 2, rule: rule) == nil, "2 vs 2 can never be significant")
    }

    @Test("robust noise ignores one wild trial and a shift between the sides")
    func robustNoise() throws {
        let noise = try #require(SensitivityAnalysis.relativeNoise([[100, 101, 99, 100, 300], [150, 151, 149, 150]]))
        #expect(noise < 0.02, "\(noise)")
        #expect(SensitivityAnalysis.relativeNoise([[1, 2]]) == nil)
    }

    @Test("a noisy metric that did not change is below the detection limit, with the trials that would fix it")
    func belowDetectionLimit() throws {
        let before = Fixture(seed: 3, noiseSeed: 1, noise: 0.12).make()
        let after = Fixture(seed: 3, noiseSeed: 2, noise: 0.12).make()
        let report = try Comparison.compare(before: before, after: after, options: CompareOptions(threshold: 0.03))
        let blind = report.metrics.filter { $0.verdict == .belowDetectionLimit }
        #expect(!blind.isEmpty)
        #expect(blind.allSatisfy { $0.gated && $0.reason.contains("below detection limit") })
        let e2e = try #require(report.metrics.first { $0.metric == "e2e.p50" })
        if e2e.verdict == .belowDetectionLimit {
            let s = try #require(e2e.sensitivity)
            #expect(s.mde.map { $0 > 0.03 } ?? true)
            #expect(s.suggestedTrials.map { $0 > 5 } ?? true)
        }
        #expect(report.verdict != .unchanged, "a blind gate is never a plain unchanged")
        #expect(report.exitStatus == 0)
        #expect(report.text().contains("BELOW DETECTION LIMIT") || report.verdict == .inconclusive)
        #expect(report.text().contains("MDE"))
    }

    @Test("a quiet metric that did not change says what it would have detected")
    func unchangedSaysWhatItWouldDetect() throws {
        let before = Fixture(seed: 4, noiseSeed: 1, noise: 0.002).make()
        let after = Fixture(seed: 4, noiseSeed: 2, noise: 0.002).make()
        let report = try Comparison.compare(before: before, after: after, options: CompareOptions(threshold: 0.05))
        let throughput = try #require(report.metrics.first { $0.metric == "throughput" })
        #expect(throughput.verdict == .unchanged, "\(throughput.reason)")
        #expect(throughput.reason.contains("would detect ≥"), "\(throughput.reason)")
        let mde = try #require(throughput.sensitivity?.mde)
        #expect(mde < 0.05)
        #expect(report.headline.hasPrefix("UNCHANGED"))
    }

    @Test("results from different machines are compared with a loud warning, and timings do not gate")
    func machineMismatch() throws {
        let before = Fixture(seed: 5, noiseSeed: 1).make()
        var after = Fixture(seed: 5, noiseSeed: 2, scale: ["ESGT": 1.3, "e2e": 1.3]).make()
        after.machine.cpuModel = "Intel Xeon Platinum 8375C"
        after.machine.cores = 8
        let report = try Comparison.compare(before: before, after: after)
        let w = try #require(report.warnings.first { $0.kind == .machineMismatch })
        #expect(w.message.contains("MACHINE MISMATCH") && w.message.contains("Intel Xeon") && w.message.contains("2 vs 8 cores"))
        let e2e = try #require(report.metrics.first { $0.metric == "e2e.p50" })
        #expect(!e2e.gated && e2e.verdict == .regressed, "reported, not gated")
        #expect(report.metrics.first { $0.metric == "memory.allocations_per_episode" }?.gated == true, "counts still gate")
        #expect(report.exitStatus == 0)
        #expect(report.text().contains("MACHINE MISMATCH"))
        #expect(report.markdown().contains("MACHINE MISMATCH"))
        #expect(report.html(before: before, after: after).contains("MACHINE MISMATCH"))
    }
}
