import BenchModel
import Foundation
import Testing

/// Workloads as providers, through the real binary: the example `sleep` provider (its own folder plus
/// one registration line) runs end to end from its scenario section, its checks point at file and
/// key, and `--workload` is a lookup among the registered names.
@Suite("workload providers", .serialized)
struct WorkloadProviderCLITests {
    static func sleepScenario(_ section: String) -> String {
        """
        name: naps
        \(section)
        phases:
          - { kind: closed, concurrency: [1], each: 1s }
        """
    }

    @Test("a scenario with a `sleep:` section runs the sleep workload: both stages, each at least its sleep")
    func sleepRunsEndToEnd() throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Phibench.scenario(Self.sleepScenario("sleep: { stage_a_us: 200, stage_b_us: 2000 }"), in: dir)
        let out = try Phibench.run(["run", file, "--quiet", "--out", dir.appendingPathComponent("run").path])
        #expect(out.status == 0, "stderr: \(out.stderr)")
        let r = try loadResult(dir.appendingPathComponent("run/result.json"))
        #expect(r.workload.name == "sleep")
        #expect(r.catalogue.stageKeys == ["stage_a", "stage_b"])
        let a = try #require(r.summary.metric("stage_a.p50")), b = try #require(r.summary.metric("stage_b.p50"))
        // A sleep never ends early: each stage takes at least what it asked for, and 2 ms is well above 0.2 ms.
        #expect(a >= 200_000 && b >= 2_000_000 && b > a, "stage_a \(a) ns, stage_b \(b) ns")
        #expect(r.summary.episodes > 10)
    }

    @Test("list --params lists every registered workload's parameters under its name, the default first")
    func listParams() throws {
        let out = try Phibench.run(["list", "--params"])
        #expect(out.status == 0, "stderr: \(out.stderr)")
        let lines = out.stdout.split(separator: "\n").map(String.init)
        let pipeline = try #require(lines.firstIndex(of: "# --workload pipeline (the default)"), "\(out.stdout)")
        let sleep = try #require(lines.firstIndex(of: "# --workload sleep"), "\(out.stdout)")
        #expect(pipeline < sleep)
        #expect(lines[pipeline..<sleep].contains { $0.hasPrefix("pipeline.esgt.steps ") })
        #expect(lines[sleep...].contains { $0.hasPrefix("sleep.stage_a_us") && $0.contains(" 20 ") })
        // noop has no settings, so no heading of its own.
        #expect(!lines.contains { $0.hasPrefix("# --workload noop") })
        // The external workloads list the keys of their `workload:` section.
        let process = try #require(lines.firstIndex(of: "# --workload process"), "\(out.stdout)")
        let http = try #require(lines.firstIndex(of: "# --workload http"), "\(out.stdout)")
        #expect(sleep < process && process < http)
        #expect(lines[process..<http].contains { $0.hasPrefix("workload.workers ") && $0.contains(" 1 ") })
        #expect(lines[process..<http].contains { $0.hasPrefix("workload.handshake_timeout ") && $0.contains(" 10s ") })
        #expect(lines[http...].contains { $0.hasPrefix("workload.http.url ") })
        #expect(lines[http...].contains { $0.hasPrefix("workload.connections ") && $0.contains(" 1 ") })
    }

    @Test("the sleep provider's own checks name the file, the line and the key (exit 2)", arguments: [
        ("sleep:\n  stage_a_us: -5", "s.yaml:3: sleep.stage_a_us: got \"-5\", expected a whole number of microseconds from 0 to 1000000"),
        ("sleep:\n  stage_b_us: 20\n  stage_c_us: 1", "s.yaml:4: sleep.stage_c_us: unknown key;"),
        ("sleep: 7", "s.yaml:2: sleep: got \"7\", expected a mapping of settings, e.g. `sleep: { stage_a_us: 20, stage_b_us: 30 }`"),
    ])
    func sleepSettingsAreChecked(_ section: String, _ expected: String) throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Phibench.scenario(Self.sleepScenario(section), in: dir)
        let out = try Phibench.run(["run", file, "--quiet", "--out", dir.appendingPathComponent("run").path])
        #expect(out.status == 2)
        #expect(out.stderr.contains(expected), "\(out.stderr)")
    }

    @Test("--workload takes a registered name; another is refused with the names (exit 2)")
    func unknownWorkload() throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Phibench.scenario(Self.sleepScenario(""), in: dir)
        let out = try Phibench.run(["run", file, "--workload", "slep", "--quiet", "--out", dir.appendingPathComponent("run").path])
        #expect(out.status == 2)
        #expect(out.stderr.contains("--workload slep: no such workload; did you mean `sleep`? registered: pipeline, noop, sleep, process, http"), "\(out.stderr)")
    }

    @Test("sections of two workloads without --workload are refused, pointing at the second")
    func twoWorkloadsSections() throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Phibench.scenario(Self.sleepScenario("pipeline: { memory: off }\nsleep: { stage_a_us: 1 }"), in: dir)
        let out = try Phibench.run(["run", file, "--quiet", "--out", dir.appendingPathComponent("run").path])
        #expect(out.status == 2)
        #expect(out.stderr.contains("s.yaml:3: sleep: configures the sleep workload, but `pipeline:` configures the pipeline one"), "\(out.stderr)")
    }
}
