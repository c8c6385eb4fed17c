import Foundation
import Testing

/// `phibench ab` end to end: the real binary runs both sides as processes, writes its record, and
/// fails (naming the stage) when one side does added work in one stage.
@Suite(.serialized) struct ABTests {
    static let scenario = """
        name: ab
        description: closed loop, short instances, for the A/B engine's tests
        interval: 250ms
        warmup: 200ms
        pipeline: { memory: off, memory_query: { every: 0 } }
        stimulus: { vocabulary: 100, zipf: 1.2 }
        phases:
          - { kind: closed, concurrency: [1], each: 400ms }
        """

    static func json(_ url: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    /// 20 µs of busy work in MEA on side B (its p50 is well under 1 µs): a regression of that stage,
    /// found at the first look, exit 1, and the record says where and why it stopped.
    @Test func addedWorkInOneStageFailsAndNamesTheStage() throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Phibench.scenario(Self.scenario, in: dir)
        let out = dir.appendingPathComponent("ab")
        let r = try Phibench.run(["ab", file, "--b-set", "inject+={slow: MEA, extra: 20us}", "--first-look", "3", "--budget", "60s",
                                  "--instances", "1", "--gate", "e2e.p50", "--gate", "MEA.p50", "--out", out.path])
        #expect(r.status == 1, "stdout: \(r.stdout)\nstderr: \(r.stderr)")
        // The failing metric may be the primary (e2e.min moved by the same 20 µs); the stage is named either way.
        #expect(r.stdout.contains("REGRESSED") && r.stdout.contains("stage MEA"), "\(r.stdout)")
        #expect(r.stdout.contains("design:") && r.stdout.contains("stopped:"), "\(r.stdout)")
        let record = try Self.json(out.appendingPathComponent("ab.json"))
        #expect(record["schema"] as? String == "phibench.ab/1")
        #expect((record["stop_reason"] as? String)?.contains("regressed") == true)
        let units = try #require(record["units"] as? [[String: Any]])
        #expect(units.count >= 6 && units.count % 2 == 0)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("A.json").path))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("B.json").path))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("compare/compare.html").path))
        let md = try String(contentsOf: out.appendingPathComponent("ab.md"), encoding: .utf8)
        #expect(md.contains("REGRESSED") && md.contains("`MEA.p50`"))
        // The recorded run judged again under its own rule: the same processes, the same verdict. (Under
        // another rule, e.g. `--trim 0`, the replay may need processes the record does not have: it
        // says "cannot replay" then, which is why this checks the same rule.)
        let again = try Phibench.run(["power", "--rejudge", out.appendingPathComponent("ab.json").path, "--budget", "60s"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.components(separatedBy: "| regressed, ").count == 3, "\(again.stdout)")
    }

    @Test func badInputIsExitTwoWithTheReason() throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Phibench.scenario(Self.scenario, in: dir)
        let out = dir.appendingPathComponent("ab").path
        let cases: [([String], String)] = [
            (["ab", file, "--budget", "soon", "--out", out], "--budget"),
            (["ab", file, "--threshold", "5", "--out", out], "--threshold"),
            (["ab", file, "--first-look", "1", "--out", out], "--first-look"),
            (["ab", file, "--trim", "50%", "--out", out], "--trim"),
            (["ab", file, "--b-set", "pipeline.nope=1", "--out", out], "pipeline.nope"),
            (["ab", file, "--a", dir.appendingPathComponent("missing").path, "--out", out], "missing"),
            (["ab", file, "--a-env", "NOVALUE", "--out", out], "NAME=VALUE"),
            (["ab", dir.appendingPathComponent("none.yaml").path, "--out", out], "none.yaml"),
            // A typo in a gate pattern never switches the check off.
            (["ab", file, "--first-look", "2", "--instances", "1", "--gate", "e2e.p5O", "--out", out], "e2e.p5O"),
        ]
        for (args, needle) in cases {
            let r = try Phibench.run(args)
            #expect(r.status == 2, "\(args): status \(r.status), stderr \(r.stderr)")
            #expect(r.stderr.contains(needle), "\(args): \(r.stderr)")
        }
    }

    /// Ctrl-C: what was measured is still written (ab.json marked interrupted, both sides merged), exit 130.
    @Test func anInterruptedABStillWritesWhatItMeasured() throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Phibench.scenario(Self.scenario, in: dir)
        let out = dir.appendingPathComponent("ab")
        let r = try Phibench.run(["ab", file, "--instances", "1", "--budget", "5m", "--out", out.path], interrupt: SIGINT, after: 6)
        #expect(r.status == 130, "stdout: \(r.stdout)\nstderr: \(r.stderr)")
        let record = try Self.json(out.appendingPathComponent("ab.json"))
        #expect(record["interrupted"] as? Bool == true)
        #expect((record["stop_reason"] as? String)?.contains("interrupted") == true)
        #expect(((record["units"] as? [[String: Any]])?.count ?? 0) >= 2)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("B.json").path))
    }

    /// merge refuses results of another build or machine unless told otherwise.
    @Test func mergeRefusesMixedBuilds() throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Phibench.scenario(Self.scenario, in: dir)
        var files: [String] = []
        for (name, commit) in [("one", "1111111111111111111111111111111111111111"), ("two", "2222222222222222222222222222222222222222")] {
            let out = dir.appendingPathComponent(name)
            let r = try Phibench.run(["run", file, "--quiet", "--out", out.path], environment: ["PHIBENCH_COMMIT": commit])
            #expect(r.status == 0, "\(r.stderr)")
            files.append(out.appendingPathComponent("result.json").path)
        }
        let merged = dir.appendingPathComponent("m.json").path
        let refused = try Phibench.run(["merge"] + files + ["--out", merged])
        #expect(refused.status == 2 && refused.stderr.contains("two/result.json") && refused.stderr.contains("commit"), "\(refused.stderr)")
        let allowed = try Phibench.run(["merge"] + files + ["--out", merged, "--allow-mixed"])
        #expect(allowed.status == 0, "\(allowed.stderr)")
    }

    @Test func powerRefusesATooSmallPool() throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bogus = dir.appendingPathComponent("ab.json")
        try Data("{\"schema\": \"nope\"}".utf8).write(to: bogus)
        let r = try Phibench.run(["power", bogus.path])
        #expect(r.status == 2 && r.stderr.contains("ab.json"), "\(r.stderr)")
    }
}
