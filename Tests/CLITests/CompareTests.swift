import BenchModel
import Foundation
import Testing

@Suite("phibench compare", .serialized)
struct CompareCLITests {
    static let scenario = """
        name: cmp
        description: closed-loop load for compare tests
        interval: 250ms
        warmup: 300ms
        pipeline: { memory_query: { every: 0 } }
        stimulus: { vocabulary: 100, zipf: 1.2 }
        phases:
          - { kind: closed, concurrency: [1], each: 700ms }
        """

    func run(_ name: String, in dir: URL, _ extra: [String] = []) throws -> String {
        let file = try Phibench.scenario(Self.scenario, in: dir)
        let out = dir.appendingPathComponent(name)
        let r = try Phibench.run(["run", file, "--trials", "5", "--quiet", "--out", out.path] + extra)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        return out.appendingPathComponent("result.json").path
    }

    @Test("a slow stage is a regression in that stage and e2e (exit 1); a result against itself is unchanged (exit 0)")
    func slowStageIsARegression() throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let base = try run("base", in: dir)
        let slow = try run("slow", in: dir, ["--set", "inject=[{slow: ESGT, extra: 300us}]"])

        let same = try Phibench.run(["compare", base, base])
        #expect(same.status == 0, "\(same.stdout)\(same.stderr)")

        let out = try Phibench.run(["compare", base, slow, "--format", "json", "--out", dir.appendingPathComponent("cmp").path])
        #expect(out.status == 1, "\(out.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
        let metrics = try #require(json["metrics"] as? [[String: Any]])
        func field(_ path: String, _ key: String) -> Any? { metrics.first { $0["metric"] as? String == path }?[key] }
        #expect(field("ESGT.p50", "verdict") as? String == "regressed")
        #expect(field("e2e.p50", "verdict") as? String == "regressed")
        #expect(field("throughput", "verdict") as? String == "regressed")
        // Other stages may slow a little too (their caches go cold during the longer episode), but the
        // change is in ESGT, by orders of magnitude.
        let esgt = try #require(field("ESGT.p50", "change") as? Double)
        let mmei = try #require(field("MMEI.p50", "change") as? Double)
        #expect(esgt > 20 * abs(mmei))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("cmp/compare.html").path))
    }

    @Test("truncated, foreign and mismatched inputs are refused with exit 2, naming the file")
    func badInputs() throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Phibench.scenario(Self.scenario, in: dir)
        let good = dir.appendingPathComponent("good")
        #expect(try Phibench.run(["run", file, "--workload", "noop", "--quiet", "--out", good.path]).status == 0)
        let goodFile = good.appendingPathComponent("result.json")
        let text = try String(contentsOf: goodFile, encoding: .utf8)

        let truncated = dir.appendingPathComponent("truncated.json")
        try String(text.prefix(text.count / 2)).write(to: truncated, atomically: true, encoding: .utf8)
        var out = try Phibench.run(["compare", goodFile.path, truncated.path])
        #expect(out.status == 2)
        #expect(out.stderr.contains("truncated.json"), "\(out.stderr)")

        let foreign = dir.appendingPathComponent("foreign.json")
        try "{\"name\": \"not a result\"}".write(to: foreign, atomically: true, encoding: .utf8)
        out = try Phibench.run(["compare", foreign.path, goodFile.path])
        #expect(out.status == 2)
        #expect(out.stderr.contains("foreign.json") && out.stderr.contains("phibench.result/1"), "\(out.stderr)")

        let other = dir.appendingPathComponent("other")
        #expect(try Phibench.run(["run", file, "--workload", "noop", "--quiet", "--set", "name=other", "--out", other.path]).status == 0)
        out = try Phibench.run(["compare", goodFile.path, other.appendingPathComponent("result.json").path])
        #expect(out.status == 2)
        #expect(out.stderr.contains("--force"), "\(out.stderr)")
        out = try Phibench.run(["compare", goodFile.path, other.appendingPathComponent("result.json").path, "--force"])
        #expect(out.status == 0, "\(out.stderr)")

        out = try Phibench.run(["compare", goodFile.path, dir.appendingPathComponent("missing.json").path])
        #expect(out.status == 2)
        #expect(out.stderr.contains("missing.json"))
    }
}
