import BenchModel
import Foundation
import Gate
import Reports
import Testing
import TestSupport

/// Every JSON file phibench writes stays byte-identical across the move to one configured coder, and
/// every committed file it reads still decodes: each case is decoded (or built) and re-encoded by the
/// code under test and compared with the bytes the previous code wrote (`Tests/Fixtures/json-coder/`).
@Suite struct JSONCoderGoldenTests {
    static func result(_ path: String) throws -> Data {
        try ResultCodec.encode(ResultCodec.load(GoldenFile.repository.appendingPathComponent(path)))
    }

    // The baseline goldens are their own input (what the previous code wrote from the baseline then
    // committed, decoded and written again must give the same bytes), so `make baseline` leaves them be.
    static let cases: [(name: String, make: @Sendable () throws -> Data)] = [
        ("baseline-bench.json", { try result("Tests/Fixtures/json-coder/baseline-bench.json") }),
        ("v1-smoke-upgraded.json", { try result("Tests/ReportsTests/Fixtures/v1-smoke.json") }),
        ("v1-smoke-upgraded-named.json", {
            let url = GoldenFile.repository.appendingPathComponent("Tests/ReportsTests/Fixtures/v1-smoke.json")
            return try ResultCodec.encode(ResultCodec.load(url, v1: ResultV1Upgrade(workload: "cached", detailKeys: ["memory_layer"])))
        }),
        ("fixture-result.json", { try ResultCodec.encode(Fixture(trials: 2, episodesSimulated: 400).make()) }),
        ("fixture-result-leaking-profiled.json", {
            let profile = ProfileInfo(kind: "cpu", samples: 1000, hz: 999, foldedFile: "profile.folded", effectiveHz: 500, episodes: 100)
            var r = Fixture(trials: 3, episodesSimulated: 300, interrupted: true,
                            warnings: [.debugBuild("debug")], profile: profile, leaking: true).make()
            r.summary.metrics["cpu.utilization"] = .infinity
            return try ResultCodec.encode(r)
        }),
        ("fixture-result-reencoded.json", {
            try ResultCodec.encode(ResultCodec.decode(ResultCodec.encode(Fixture(trials: 2, episodesSimulated: 400).make()), file: "r.json"))
        }),
        ("fixture-result-rare-fields.json", {
            var r = Fixture(trials: 2, episodesSimulated: 300).make()
            r.scenario.spec.steadyWarmup = SteadyWarmup(minimum: 2, batch: 0.2)
            r.scenario.spec.affinity = Affinity(workers: [0, 1], sampler: 1)
            r.scenario.spec.maxQueue = 64
            // The resolved spec as the process provider records it (its own encoding is ExternalWorkloads' to test).
            r.scenario.spec.external = .object(["process": .object([
                "directory": .string("/tmp/w"), "handshake_timeout": .number(5), "max_restarts": .number(3),
                "params": .object(["batch_size": .number(4), "userKey": .string("a/b")]),
                "process": .array([.string("./worker"), .string("--x")]), "timeout": .number(2), "workers": .number(2)])])
            r.trials[0].warmup = WarmupSummary(seconds: 1.5, episodes: 30, rule: .steady, batches: 4, transientSeconds: 0.7, settled: true)
            r.phases[0].arrivalCheck = ArrivalCheck(process: .poisson, method: .kolmogorovSmirnovExponential, gaps: 100, statistic: 0.05,
                                                    pValue: 0.4, criticalValue: 0.13, significance: 0.01, meanGap: 0.005,
                                                    coefficientOfVariation: 1.02, verdict: .pass)
            let health = GeneratorHealth(cpuCoresBusy: 0.5, cores: 2, latenessP99: 1200, dropped: 1, cpuPerEpisode: 1e-5)
            guard let half = ExecutionSegment(index: 1, of: 2), let other = ExecutionSegment(index: 2, of: 2) else { throw CocoaError(.coderValueNotFound) }
            r.segment = SegmentRun(segment: half, startAt: "2026-12-08T00:00:00Z", measureStart: 1.7e9, health: health)
            r.generator = health
            r.distributed = DistributedRun(segments: [MergedSegment(file: "a/result.json", segment: half, host: "h1", partial: false,
                                                                    episodes: 10, health: health)], partial: true, missing: [other])
            r.profile = ProfileInfo(kind: "cpu", samples: 10, hz: 999, foldedFile: "profile.folded", flameGraphFile: "flame.svg", rawFile: "raw",
                                    droppedSamples: 1, durationSeconds: 2, cpuSeconds: 1.5, effectiveHz: 900, handlerNsPerSample: 300,
                                    overheadPct: 0.4, lgSample: 19, episodes: 4,
                                    topFunctions: [.init(name: "f", selfWeight: 3, totalWeight: 5)],
                                    topAllocationSites: [.init(function: "g", allocatedBytes: 1, allocatedObjects: 2, liveBytes: 3,
                                                               liveObjects: 4, bytesPerEpisode: 5, objectsPerEpisode: 6)])
            r.workload.events = [WorkloadEvent(tSeconds: 1.5, episode: 7, kind: "memory.policy", message: "m")]
            return try ResultCodec.encode(r)
        }),
        ("fixture-result-http.json", {
            var r = Fixture(trials: 1, episodesSimulated: 200).make()
            r.scenario.spec.external = .object(["http": .object([
                "body": .string("{{episode}}"), "ca_file": .string("ca.pem"), "connections": .number(4),
                "headers": .array([.object(["name": .string("X-Id"), "value": .string("1")])]), "method": .string("POST"),
                "stages": .array([.string("parseRequest")]), "threads": .number(2), "timeout": .number(2),
                "url": .string("https://localhost:8443/x")])])
            return try ResultCodec.encode(r)
        }),
        ("baseline-calibration.json", {
            let c = try Calibration.load(GoldenFile.repository.appendingPathComponent("Tests/Fixtures/json-coder/baseline-calibration.json"))
            let dir = try ScratchDirectory("golden")
            try c.write(to: dir.file("calibration.json"))
            return try Data(contentsOf: dir.file("calibration.json"))
        }),
        ("fixture-calibration.json", {
            guard let c = Calibration.make(from: [Fixture(trials: 12, seed: 7, noiseSeed: 3, noise: 0.10).make()], createdAt: "2026-12-01T22:00:00Z")
            else { throw CocoaError(.coderValueNotFound) }
            let dir = try ScratchDirectory("golden")
            try c.write(to: dir.file("calibration.json"))
            return try Data(contentsOf: dir.file("calibration.json"))
        }),
        ("fixture-compare.json", {
            let sim = Fixture(seed: 8).simulatedHistograms()
            let before = Fixture(seed: 8, noiseSeed: 1, noise: 0.02).make(reusing: sim)
            let after = Fixture(seed: 8, noiseSeed: 2, noise: 0.02, scale: ["e2e": 1.2]).make(reusing: sim)
            return Data(try Comparison.compare(before: before, after: after, options: CompareOptions(resamples: 200)).json().utf8)
        }),
        ("baseline-compare.json", {
            let base = try ResultCodec.load(GoldenFile.repository.appendingPathComponent("Tests/Fixtures/json-coder/baseline-bench.json"))
            return Data(try Comparison.compare(before: base, after: base, options: CompareOptions(resamples: 200)).json().utf8)
        }),
    ]

    @Test(arguments: cases.indices)
    func writesTheSameBytes(_ index: Int) throws {
        let (name, make) = Self.cases[index]
        let data = try make()
        let golden = try GoldenFile.expected(name, recording: data)
        #expect(data == golden, "\(name): \(GoldenFile.firstDifference(data, golden))")
    }
}
