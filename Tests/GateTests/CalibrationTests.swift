import BenchModel
import Foundation
import Statistics
@testable import Gate
import Testing
import TestSupport
@testable import Reports

@Suite struct CalibrationTests {
    @Test("a calibration measures the trials' noise: throughput jittered uniformly by ±10% reads as 1.4826·MAD ≈ 7.4%")
    func measuresKnownNoise() throws {
        let result = Fixture(trials: 60, seed: 7, noiseSeed: 3, noise: 0.10).make()
        let c = try #require(Calibration.make(from: [result], createdAt: "2026-12-01T22:00:00Z"))
        #expect(c.trials == 60)
        #expect(c.scenario == result.scenario.name)
        // Uniform on [−a, a]: MAD = a/2, so the robust σ is 1.4826 · 0.05 = 0.074; 60 trials put the
        // estimate within about ±25% of it.
        let throughput = try #require(c.metrics["throughput"])
        #expect(throughput.trials == 60)
        #expect(throughput.noise > 0.055 && throughput.noise < 0.095, "\(throughput.noise)")
        #expect(abs(throughput.median / 205.4 - 1) < 0.03, "\(throughput.median)")
        // A figure the trials do not move has no noise.
        #expect(c.metrics["memory_layer.resident_bytes_per_state"]?.noise == 0)
        // Ten times quieter trials, ten times less noise.
        let quiet = try #require(Calibration.make(from: [Fixture(trials: 60, seed: 7, noiseSeed: 3, noise: 0.01).make()], createdAt: "x"))
        let q = try #require(quiet.metrics["throughput"]?.noise)
        #expect(abs(q / throughput.noise - 0.1) < 0.01, "\(q) vs \(throughput.noise)")
        // Too few trials for a noise estimate: no calibration of that metric.
        let few = try #require(Calibration.make(from: [Fixture(trials: 2, seed: 7).make()], createdAt: "x"))
        #expect(few.metrics.isEmpty)
    }

    @Test("compare takes each gated metric's noise from a matching calibration, and says so")
    func compareUsesTheCalibration() throws {
        let sim = Fixture(seed: 8).simulatedHistograms()
        let before = Fixture(seed: 8, noiseSeed: 1, noise: 0.002).make(reusing: sim)
        let after = Fixture(seed: 8, noiseSeed: 2, noise: 0.002).make(reusing: sim)
        let noisy = try #require(Calibration.make(from: [Fixture(trials: 40, seed: 8, noiseSeed: 5, noise: 0.10).make(reusing: sim)],
                                                  createdAt: "2026-12-01T22:00:00Z"))
        let own = try Comparison.compare(before: before, after: after, options: CompareOptions(threshold: 0.05))
        let calibrated = try Comparison.compare(before: before, after: after, options: CompareOptions(threshold: 0.05, calibration: noisy))
        func throughput(_ r: ComparisonReport) throws -> Sensitivity {
            try #require(r.metrics.first { $0.metric == "throughput" }?.sensitivity)
        }
        let a = try throughput(own), b = try throughput(calibrated)
        #expect(a.source == .trials && b.source == .calibration)
        #expect(b.noise == noisy.metrics["throughput"]?.noise)
        // The calibration says trials vary by ~7%, so 5 a side are blind at 5%: the verdict says so
        // even though these two runs happen to agree closely.
        let am = try #require(a.mde), bm = try #require(b.mde)
        #expect(am < 0.05 && bm > 0.05, "own \(am), calibrated \(bm)")
        #expect(calibrated.metrics.first { $0.metric == "throughput" }?.verdict == .belowDetectionLimit)
        #expect(calibrated.notes.contains { $0.hasPrefix("MDE from the A/A calibration") })
        #expect(own.notes.allSatisfy { !$0.contains("A/A calibration of") })
    }

    @Test("a calibration of another scenario or machine is not used, with the reason in the notes")
    func mismatchedCalibrationIsNotUsed() throws {
        let before = Fixture(seed: 9, noiseSeed: 1).make()
        let after = Fixture(seed: 9, noiseSeed: 2).make()
        var other = try #require(Calibration.make(from: [Fixture(scenario: "other", trials: 10, seed: 9).make()], createdAt: "x"))
        var report = try Comparison.compare(before: before, after: after, options: CompareOptions(calibration: other))
        #expect(report.notes.contains { $0.contains("The calibration was not used: it calibrates scenario 'other'") }, "\(report.notes)")
        #expect(report.metrics.compactMap(\.sensitivity).allSatisfy { $0.source == .trials })

        other = try #require(Calibration.make(from: [Fixture(trials: 10, seed: 9).make()], createdAt: "x"))
        other.machine.cores = 64
        report = try Comparison.compare(before: before, after: after, options: CompareOptions(calibration: other))
        #expect(report.notes.contains { $0.contains("not used") && $0.contains("64 vs 2 cores") }, "\(report.notes)")
    }

    @Test("a calibration file round-trips; a file of another kind is refused naming it")
    func fileRoundTrip() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("phibench-cal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let c = try #require(Calibration.make(from: [Fixture(trials: 8, seed: 10).make()], createdAt: "2026-12-01T22:00:00Z"))
        let file = dir.appendingPathComponent("calibration.json")
        try c.write(to: file)
        #expect(try Calibration.load(file) == c)

        let foreign = dir.appendingPathComponent("foreign.json")
        try Data(#"{"schema": "phibench.result/1"}"#.utf8).write(to: foreign)
        #expect {
            try Calibration.load(foreign)
        } throws: { error in
            "\(error)".contains("foreign.json")
        }
        #expect(throws: ResultFileError.self) { try Calibration.load(dir.appendingPathComponent("missing.json")) }
    }
}
