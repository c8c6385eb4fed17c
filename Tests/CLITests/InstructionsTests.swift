import Foundation
import Testing

private let valgrindOnPath: Bool = {
    (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        .contains { FileManager.default.isExecutableFile(atPath: "\($0)/valgrind") }
}()

/// `phibench instructions`: bad input is exit 2 with a message, a real count writes instructions.json,
/// and `--compare` gates on the episode total.
@Suite("Instructions command", .serialized)
struct InstructionsTests {
    static let scenario = """
        name: instr
        seed: 7
        pipeline:
          memory: "off"
        phases:
          - { kind: closed, concurrency: [1], each: 1s }
        """

    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var arguments: [String]
        var environment: [String: String] = [:]
        var expected: [String]
        var description: String { name }
    }

    static let bad: [Case] = [
        Case(name: "zero episodes", arguments: ["--episodes", "0"], expected: ["--episodes", "1…10000000"]),
        Case(name: "too many episodes", arguments: ["--episodes", "99999999999"], expected: ["--episodes", "1…10000000"]),
        Case(name: "negative warm-up", arguments: ["--warmup=-1"], expected: ["--warmup", "0…10000000"]),
        Case(name: "bad threshold", arguments: ["--threshold", "lots"], expected: ["--threshold", "1%"]),
        Case(name: "huge work", arguments: ["--set", "inject+={slow: ESGT, work: 99999999999999999999999}"],
             expected: ["inject[0].work", "0 to 1000000000"]),
        Case(name: "negative work", arguments: ["--set", "inject+={slow: ESGT, work: -5}"], expected: ["inject[0].work", "0 to 1000000000"]),
        Case(name: "work and extra together", arguments: ["--set", "inject+={slow: ESGT, work: 5, extra: 1ms}"], expected: ["not both"]),
        Case(name: "wall-time fault", arguments: ["--set", "inject+={slow: ESGT, extra: 1ms}"], expected: ["inject[0]", "not deterministic"]),
        Case(name: "unknown stage", arguments: ["--set", "inject+={slow: NOPE, work: 5}"], expected: ["NOPE", "ESGT"]),
        Case(name: "no valgrind on PATH", arguments: [], environment: ["PATH": "/nonexistent"], expected: ["valgrind not found"]),
        Case(name: "valgrind path that is not one", arguments: ["--valgrind", "/nonexistent/valgrind"], expected: ["valgrind not found"]),
        Case(name: "compare file missing", arguments: ["--compare", "/nonexistent/instructions.json"], expected: ["/nonexistent/instructions.json"]),
        Case(name: "layer-off file missing", arguments: ["--layer-off", "/nonexistent/off.json"], expected: ["/nonexistent/off.json"]),
    ]

    @Test(arguments: bad)
    func badInputIsExitTwo(_ c: Case) throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Phibench.scenario(Self.scenario, in: dir)
        let out = try Phibench.run(["instructions", file, "--out", dir.appendingPathComponent("out").path] + c.arguments,
                                   environment: c.environment)
        #expect(out.status == 2, "exit \(out.status); stderr: \(out.stderr)")
        for fragment in c.expected {
            #expect(out.stderr.contains(fragment), "stderr lacks \"\(fragment)\": \(out.stderr)")
        }
    }

    static func report(_ dir: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("instructions.json"))) as? [String: Any])
    }

    static func stages(_ report: [String: Any]) -> [String: Int] {
        var out: [String: Int] = [:]
        for s in report["stages"] as? [[String: Any]] ?? [] {
            if let name = s["name"] as? String, let n = s["instructions"] as? Int { out[name] = n }
        }
        return out
    }

    /// Exact repeatability is a property of the optimised build: unoptimised Swift looks generic
    /// metadata up on every call, at a cost that follows where the runtime placed it (ProfilingTests'
    /// end-to-end test covers the debug build within a few instructions per call).
    @Test(.enabled(if: valgrindOnPath, "needs valgrind on PATH (make deps installs it)"),
          .enabled(if: Phibench.binary.path.contains("/release/"), "needs the release phibench (make test sets PHIBENCH_BIN)"),
          .timeLimit(.minutes(10)))
    func countsRepeatToTheInstruction() throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Phibench.scenario(Self.scenario.replacingOccurrences(of: "memory: \"off\"", with: "memory: moderate"), in: dir)
        // Work amounts of one width, so the runs differ in the injected iterations only.
        func count(_ run: String, work: String, _ extra: [String] = ["--quiet"]) throws -> Phibench.Output {
            try Phibench.run(["instructions", file, "--out", dir.appendingPathComponent(run).path, "--episodes", "60", "--warmup", "20",
                              "--set", "inject+={slow: ESGT, work: \(work)}"] + extra)
        }
        for (run, work) in [("a", "000000000"), ("b", "000000000"), ("c", "000040000")] {
            let out = try count(run, work: work)
            try #require(out.status == 0, "run \(run): \(out.stderr)")
        }
        let a = try Self.report(dir.appendingPathComponent("a")), b = try Self.report(dir.appendingPathComponent("b"))
        let c = try Self.report(dir.appendingPathComponent("c"))
        #expect(a["schema"] as? String == "phibench.instructions/1")
        #expect((a["stages"] as? [[String: Any]])?.map { $0["name"] as? String }
                == ["MMEI", "MCEA", "MEA", "TIG", "ESGT", "PHI", "MEMORY.store", "MEMORY.query"])
        let total = try #require(a["instructions"] as? Int)
        #expect(total > 60 * 10_000, "\(total) instructions for 60 episodes")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("a/callgrind.out").path))

        // The same count twice: equal to the instruction, total and every stage — within the 100 parts
        // per million explained below, which an unexplained difference has taken twice.
        let repeated = try #require(b["instructions"] as? Int)
        #expect(abs(repeated - total) <= max(10, total / 10_000), "\(total) then \(repeated)")
        #expect(Set(Self.stages(b).keys) == Set(Self.stages(a).keys))
        for (name, n) in Self.stages(a) {
            let m = Self.stages(b)[name] ?? 0
            #expect(abs(m - n) <= max(10, n / 10_000), "\(name): \(n) then \(m)")
        }
        // 40,000 iterations in ESGT: ESGT grows by a few instructions per iteration, nothing else moves.
        let grown = (Self.stages(c)["ESGT"] ?? 0) - (Self.stages(a)["ESGT"] ?? 0)
        #expect(grown >= 60 * 40_000 && grown <= 60 * 40_000 * 20, "ESGT grew by \(grown)")
        // Every other stage stays put. Exactly, in almost every run; twice, under load (a load average
        // above 4; the test suites run in parallel), MEMORY.query differed by 70 instructions in 1.8–1.9
        // million, ~40 ppm (cause not found yet), so this allows 100 parts per million — two orders of
        // magnitude below the gate's 1%.
        let others = Self.stages(c).filter { $0.key != "ESGT" }, before = Self.stages(a).filter { $0.key != "ESGT" }
        #expect(Set(others.keys) == Set(before.keys))
        for (name, n) in before {
            #expect(abs((others[name] ?? 0) - n) <= max(10, n / 10_000), "\(name): \(n) then \(others[name] ?? 0)")
        }
        let totalGrowth = (c["instructions"] as? Int ?? 0) - total
        #expect(abs(totalGrowth - grown) <= max(10, total / 10_000), "the total grew by \(totalGrowth), ESGT by \(grown)")

        // Compared: the same count is exactly the same (exit 0); against a baseline 5% cheaper it regressed (exit 1).
        let same = try count("b", work: "000000000", ["--compare", dir.appendingPathComponent("a/instructions.json").path])
        #expect(same.status == 0, "stderr: \(same.stderr)")
        #expect(same.stdout.contains("same (exactly)"), "\(same.stdout)")
        var cheaper = a
        cheaper["per_episode"] = (a["per_episode"] as? Double ?? 0) * 0.95
        let baseline = dir.appendingPathComponent("cheaper.json")
        try JSONSerialization.data(withJSONObject: cheaper).write(to: baseline)
        let worse = try count("b", work: "000000000", ["--compare", baseline.path])
        #expect(worse.status == 1, "stdout: \(worse.stdout) stderr: \(worse.stderr)")
        #expect(worse.stdout.contains("REGRESSED"), "\(worse.stdout)")

        // #22: where the work went, drawn. c (40,000 iterations in ESGT) against a: the differential
        // flame graph's folded file has busyWork under ESGT only, from nothing in A to about 40,000
        // iterations' worth per episode in B; what moved under the other stages together is under 2% of
        // that (a slower episode shifts the pipeline's time-dependent paths by a few instructions:
        // seen, +7 in PHI's runPhi and +9 in the memory layer's RecordCodec.write per episode).
        let markdown = dir.appendingPathComponent("instructions.md")
        let drawn = try count("d", work: "000040000", ["--compare", dir.appendingPathComponent("a/instructions.json").path, "--force",
                                                      "--markdown", markdown.path])
        #expect(drawn.status == 1, "stderr: \(drawn.stderr)")
        #expect(drawn.stdout.contains("instructions-compare.html  (with a differential flame graph)"), "\(drawn.stdout)")
        let d = dir.appendingPathComponent("d")
        #expect(try Self.report(d)["folded_file"] as? String == "instructions.folded")
        let diff = try String(contentsOf: d.appendingPathComponent("instructions-diff.folded"), encoding: .utf8)
        var busy: [(stack: String, a: Double, b: Double)] = []
        var movedElsewhere = 0.0
        for line in diff.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count >= 3, let a = Double(parts[parts.count - 2]), let b = Double(parts[parts.count - 1]) else {
                Issue.record("not `stack A B`: \(line)")
                continue
            }
            let stack = parts.dropLast(2).joined(separator: " ")
            if stack.contains("busyWork") { busy.append((stack, a, b)) }
            else if !stack.contains(";ESGT;") { movedElsewhere += abs(b - a) }
        }
        let busiest = try #require(busy.max { $0.b - $0.a < $1.b - $1.a }, "no busyWork frame in \(diff.prefix(500))")
        #expect(busiest.stack.contains(";ESGT;"), "\(busiest.stack)")
        #expect(busiest.a < 100 && busiest.b > 40_000, "busyWork \(busiest.a) → \(busiest.b) per episode")
        #expect(movedElsewhere < 0.02 * (busiest.b - busiest.a), "\(movedElsewhere) instructions per episode moved outside ESGT")
        let svg = try String(contentsOf: d.appendingPathComponent("instructions-diff.svg"), encoding: .utf8)
        #expect(svg.contains(#"data-n="BenchModel.busyWork(iterations:)""#))
        #expect(svg.contains(#"fill="rgb(255,0,0)""#), "the largest change is drawn deep red")
        let comment = try String(contentsOf: markdown, encoding: .utf8)
        #expect(comment.contains("**verdict: REGRESSION") && comment.contains("| ESGT | BenchModel.busyWork(iterations:) |"), "\(comment)")
        let page = try String(contentsOf: d.appendingPathComponent("instructions-compare.html"), encoding: .utf8)
        #expect(page.contains("Differential flame graph") && page.contains("busyWork") && page.contains("<svg"))

        // The memory layer's cost against a layer-off count (here `a` made 10% cheaper outside its
        // queries): (on − on's queries − (off − off's queries)) / (off − off's queries), as written.
        func query(_ r: [String: Any]) -> Double {
            (r["stages"] as? [[String: Any]])?.first { $0["name"] as? String == "MEMORY.query" }?["per_episode"] as? Double ?? 0
        }
        var off = a
        let offEpisode = query(a) + ((a["per_episode"] as? Double ?? 0) - query(a)) * 0.9
        off["per_episode"] = offEpisode
        let offFile = dir.appendingPathComponent("off.json")
        try JSONSerialization.data(withJSONObject: off).write(to: offFile)
        let costed = try count("e", work: "000000000", ["--quiet", "--layer-off", offFile.path])
        #expect(costed.status == 0, "stderr: \(costed.stderr)")
        #expect(costed.stdout.contains("memory layer cost"), "\(costed.stdout)")
        let e = try Self.report(dir.appendingPathComponent("e"))
        let cost = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: dir.appendingPathComponent("e/memory-layer-cost.json"))) as? [String: Any])
        let on = (e["per_episode"] as? Double ?? 0) - query(e), offWithout = offEpisode - query(a)
        #expect(abs((cost["share"] as? Double ?? 0) - (on - offWithout) / offWithout) < 1e-9, "\(cost)")
        #expect(abs((cost["share"] as? Double ?? 0) - 1 / 0.9 + 1) < 1e-3, "the same count against 90% of itself: \(cost)")
        // Another seed is another workload: refused, naming the file.
        var otherSeed = off
        var workload = off["workload"] as? [String: Any] ?? [:]
        workload["seed"] = 8
        otherSeed["workload"] = workload
        try JSONSerialization.data(withJSONObject: otherSeed).write(to: offFile)
        let refused = try count("e", work: "000000000", ["--quiet", "--layer-off", offFile.path])
        #expect(refused.status == 2 && refused.stderr.contains(offFile.path) && refused.stderr.contains("seed"),
                "exit \(refused.status): \(refused.stderr)")
    }
}
