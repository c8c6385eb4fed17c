import BenchModel
import Foundation
import Testing

func loadResult(_ url: URL) throws -> BenchResult {
    try ResultCodec.load(url)
}

@Suite("phibench run", .serialized)
struct RunTests {
    static let short = """
        name: short
        description: a short scenario for the CLI tests
        seed: 7
        warmup: 500ms
        interval: 250ms
        stimulus: { vocabulary: 50, zipf: 1.2 }
        phases:
          - { kind: constant, rate: 100, duration: 1s }
          - { kind: burst, count: 20 }
          - { kind: closed, concurrency: [1, 2], each: 500ms }
        """

    @Test("the pipeline runs end to end: every stage and Φ recorded, reports written")
    func pipelineEndToEnd() throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Phibench.scenario(Self.short + "\nthresholds: [\"errors == 0\"]\n", in: dir)
        let out = try Phibench.run(["run", file, "--out", dir.appendingPathComponent("run").path])
        #expect(out.status == 0, "stderr: \(out.stderr)")
        #expect(out.stdout.contains("e2e"))
        #expect(out.stdout.contains("report.html"))
        let r = try loadResult(dir.appendingPathComponent("run/result.json"))
        #expect(r.schema == "phibench.result/2")
        #expect(r.catalogue.stageKeys == ["MMEI", "MCEA", "MEA", "TIG", "ESGT", "PHI", "PHI.hit", "PHI.miss", "MEMORY.store", "MEMORY.query"])
        for stage in ["e2e", "lateness", "MMEI", "MCEA", "MEA", "TIG", "ESGT", "PHI", "MEMORY.store"] {
            #expect((r.summary.metric("\(stage).count") ?? 0) > 0, "no \(stage) latency")
            #expect(r.summary.span.histograms[stage] != nil, "no \(stage) histogram")
        }
        #expect((r.summary.metric("phi.hits") ?? 0) + (r.summary.metric("phi.misses") ?? 0) > 0)
        #expect(r.summary.metric("phi.cache_hit_rate") != nil)
        #expect((r.summary.metric("memory.rss_start_bytes") ?? 0) > 0 && (r.summary.metric("memory.rss_end_bytes") ?? 0) > 0)
        #expect(r.summary.metric("cpu.voluntary_switches_per_episode") != nil)
        if r.build.jemalloc {
            #expect((r.summary.metric("memory.allocations_per_episode") ?? 0) > 0)
        }
        #expect(r.phases.map(\.label) == ["constant 100/s", "burst 20", "closed c=1", "closed c=2"])
        #expect(r.thresholds.count == 1 && r.thresholds[0].passed)
        #expect(!r.timeseries.isEmpty)
        #expect(r.machine.cores > 0 && !r.build.commit.isEmpty)
        for file in ["report.html", "summary.csv", "timeseries.csv", "summary.md"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("run/\(file)").path), "\(file) missing")
        }
    }

    @Test("a failing threshold exits 1 and is marked in the result")
    func failingThreshold() throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Phibench.scenario(Self.short + "\nthresholds: [\"e2e.p99 < 1ns\", \"errors == 0\"]\n", in: dir)
        let out = try Phibench.run(["run", file, "--workload", "noop", "--out", dir.appendingPathComponent("run").path])
        #expect(out.status == 1, "stderr: \(out.stderr)")
        #expect(out.stdout.contains("✗ e2e.p99 < 1ns"))
        let r = try loadResult(dir.appendingPathComponent("run/result.json"))
        #expect(r.thresholds.map(\.passed) == [false, true])
    }

    @Test("--set overrides reach the run and are recorded", arguments: [["--set", "seed=9"]])
    func overrides(_ args: [String]) throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Phibench.scenario(Self.short, in: dir)
        let out = try Phibench.run(["run", file, "--workload", "noop", "--quiet", "--out", dir.appendingPathComponent("run").path] + args)
        #expect(out.status == 0, "stderr: \(out.stderr)")
        let r = try loadResult(dir.appendingPathComponent("run/result.json"))
        #expect(r.scenario.spec.seed == 9)
        #expect(r.scenario.overrides == ["seed=9"])
    }

    @Test("SIGINT and SIGTERM stop the run and still write a valid result", arguments: [(SIGINT, Int32(130)), (SIGTERM, Int32(143))])
    func interrupted(_ signal: Int32, _ status: Int32) throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Phibench.scenario("""
            name: long
            phases:
              - { kind: constant, rate: 200, duration: 60s }
            """, in: dir)
        let started = Date()
        let out = try Phibench.run(["run", file, "--workload", "noop", "--quiet", "--out", dir.appendingPathComponent("run").path],
                                   interrupt: signal, after: 1.5)
        #expect(out.status == status, "stderr: \(out.stderr)")
        #expect(Date().timeIntervalSince(started) < 30)
        let r = try loadResult(dir.appendingPathComponent("run/result.json"))
        #expect(r.interrupted)
        #expect(r.summary.episodes > 0)
        #expect(r.warnings.contains { $0.message.contains("interrupted") })
    }
}
