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

        let markdown = dir.appendingPathComponent("pr-comment.md")
        let out = try Phibench.run(["compare", base, slow, "--format", "json", "--out", dir.appendingPathComponent("cmp").path,
                                    "--markdown", markdown.path])
        #expect(out.status == 1, "\(out.stderr)")
        let comment = try String(contentsOf: markdown, encoding: .utf8)
        #expect(comment.hasPrefix("## phibench compare") && comment.contains("❌") && comment.contains("ESGT.p50") && comment.count < 60_000)
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

    /// #22: two results that carry CPU profiles (`phibench profile`) are drawn against each other,
    /// per episode: compare.html has the differential flame graph, diff-flame.svg and diff.folded are
    /// written, and the injected busy work is the frame that grew most, painted deep red.
    @Test("compare of two profiled results draws their differential flame graph")
    func profiledResultsGetADifferentialFlameGraph() throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Phibench.scenario(Self.scenario, in: dir)
        func profile(_ name: String, _ extra: [String]) throws -> String {
            let out = dir.appendingPathComponent(name)
            let r = try Phibench.run(["profile", file, "--quiet", "--out", out.path] + extra)
            #expect(r.status == 0, "stderr: \(r.stderr)")
            return out.appendingPathComponent("result.json").path
        }
        let base = try profile("base", [])
        let busy = try profile("busy", ["--set", "inject=[{slow: MEA, work: 200000}]"])
        let out = dir.appendingPathComponent("cmp")
        let r = try Phibench.run(["compare", base, busy, "--out", out.path])
        #expect(r.stdout.contains("differential flame graph of the two profiles"), "\(r.stdout)\(r.stderr)")
        let html = try String(contentsOf: out.appendingPathComponent("compare.html"), encoding: .utf8)
        #expect(html.contains("Where the time went") && html.contains("class=\"flamegraph\""))
        let svg = try String(contentsOf: out.appendingPathComponent("diff-flame.svg"), encoding: .utf8)
        #expect(svg.contains("µs CPU/episode"))
        // The frame whose own share grew most is the deepest red, and it is the busy work.
        let red = try #require(svg.range(of: #"fill="rgb(255,0,0)""#), "no frame is deep red")
        let frame = try #require(svg[..<red.lowerBound].range(of: "<g class=\"fg-f\"", options: .backwards))
        #expect(svg[frame.lowerBound..<red.lowerBound].contains("busyWork"), "\(svg[frame.lowerBound..<red.lowerBound].prefix(300))")
        let folded = try String(contentsOf: out.appendingPathComponent("diff.folded"), encoding: .utf8)
        #expect(folded.split(separator: "\n").contains { $0.contains("busyWork") && $0.hasSuffix(" 0.000") == false })

        // One side without a profile: no graph, and the page says why.
        let plain = try run("plain", in: dir)
        let alone = dir.appendingPathComponent("alone")
        _ = try Phibench.run(["compare", plain, busy, "--out", alone.path])
        let page = try String(contentsOf: alone.appendingPathComponent("compare.html"), encoding: .utf8)
        #expect(page.contains("No differential flame graph: only one side carries a profile"))
        #expect(!FileManager.default.fileExists(atPath: alone.appendingPathComponent("diff-flame.svg").path))
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

    @Test("calibrate runs A/A trials in processes of their own; --from makes the same calibration from results; compare --calibration uses it")
    func calibrate() throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Phibench.scenario(Self.scenario, in: dir)
        let cal = dir.appendingPathComponent("cal")
        let r = try Phibench.run(["calibrate", file, "--trials", "3", "--plan", "12", "--out", cal.path])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout.contains("calibration of cmp: 3 A/A trials"), "\(r.stdout)")
        func noise(_ dir: URL) throws -> [String: Double] {
            let data = try Data(contentsOf: dir.appendingPathComponent("calibration.json"))
            let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect(json["schema"] as? String == "phibench.calibration/1")
            #expect(json["trials"] as? Int == 3)
            let metrics = try #require(json["metrics"] as? [String: [String: Any]])
            return metrics.compactMapValues { $0["noise"] as? Double }
        }
        let ran = try noise(cal)
        #expect(ran["throughput"] != nil && ran["e2e.p50"] != nil, "\(ran.keys.sorted())")

        // The same trials given to --from: the same calibration.
        let trials = (0..<3).map { cal.appendingPathComponent("trial-\($0)/result.json").path }
        let again = dir.appendingPathComponent("from")
        let f = try Phibench.run(["calibrate", "--from"] + trials + ["--out", again.path])
        #expect(f.status == 0, "stderr: \(f.stderr)")
        #expect(try noise(again) == ran)

        // compare uses it and says so.
        let c = try Phibench.run(["compare", trials[0], trials[1], "--calibration", cal.appendingPathComponent("calibration.json").path])
        #expect(c.status <= 1, "stderr: \(c.stderr)")
        #expect(c.stdout.contains("MDE from the A/A calibration"), "\(c.stdout)")

        // Bad input: exit 2, saying what was expected.
        var bad = try Phibench.run(["calibrate", "--trials", "3"])
        #expect(bad.status == 2 && bad.stderr.contains("--from"), "\(bad.stderr)")
        bad = try Phibench.run(["calibrate", file, "--from", trials[0]])
        #expect(bad.status == 2 && bad.stderr.contains("not both"), "\(bad.stderr)")
        bad = try Phibench.run(["calibrate", "--from", trials[0], trials[1], "--out", dir.appendingPathComponent("two").path])
        #expect(bad.status == 2 && bad.stderr.contains("at least 3"), "\(bad.stderr)")
        bad = try Phibench.run(["calibrate", "--from", trials[0], dir.appendingPathComponent("missing.json").path])
        #expect(bad.status == 2 && bad.stderr.contains("missing.json"), "\(bad.stderr)")
        let other = dir.appendingPathComponent("other")
        #expect(try Phibench.run(["run", file, "--quiet", "--set", "name=other", "--out", other.path]).status == 0)
        bad = try Phibench.run(["calibrate", "--from", trials[0], trials[1], other.appendingPathComponent("result.json").path])
        #expect(bad.status == 2 && bad.stderr.contains("other/result.json") && bad.stderr.contains("scenario"), "\(bad.stderr)")
    }
}
