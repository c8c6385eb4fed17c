import BenchModel
import Foundation
import Testing

@Suite("phibench soak", .serialized)
struct SoakTests {
    static let steady = """
        name: steady
        description: steady open-loop load for soak tests
        interval: 200ms
        phases:
          - { kind: constant, rate: 1000, duration: 1s }
        """

    /// A 5-second soak sees the harness's own first-seconds growth: measured with no leak, 87–266 B
    /// of RSS per episode at 1,000/s (five runs), against the default tolerance of 128 B meant for
    /// long soaks. The injected leak is 16 KiB per episode, so 1 KiB separates the two here.
    func soak(_ extra: [String], in dir: URL) throws -> (Phibench.Output, BenchResult) {
        let file = try Phibench.scenario(Self.steady, in: dir)
        let out = try Phibench.run(["soak", file, "--duration", "5s", "--workload", "noop", "--quiet", "--leak-tolerance", "1KiB",
                                    "--out", dir.appendingPathComponent("soak").path] + extra)
        return (out, try loadResult(dir.appendingPathComponent("soak/result.json")))
    }

    @Test("an injected leak is called a leak; the same soak without it is not")
    func leakVerdict() throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (leakyOut, leaky) = try soak(["--set", "inject=[{leak: 16KiB}]"], in: dir)
        #expect(leakyOut.status == 1, "stderr: \(leakyOut.stderr)")
        let verdict = try #require(leaky.leak)
        #expect(verdict.leaking, "\(verdict.explanation)")
        #expect(verdict.rssSlopeLow > 8 * 1024, "\(verdict.explanation)")
        #expect(verdict.rssSlopeBytesPerEpisode < 32 * 1024)

        let (cleanOut, clean) = try soak([], in: dir)
        #expect(cleanOut.status == 0, "stderr: \(cleanOut.stderr)")
        let ok = try #require(clean.leak)
        #expect(!ok.leaking, "\(ok.explanation)")
        #expect(ok.intervals >= 15)
    }

    @Test("a soak killed with -9 leaves a timeseries.jsonl that report turns into a report")
    func killedSoakIsReportable() throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Phibench.scenario(Self.steady, in: dir)
        let run = dir.appendingPathComponent("soak")
        let killed = try Phibench.run(["soak", file, "--duration", "60s", "--workload", "noop", "--quiet", "--out", run.path],
                                      interrupt: SIGKILL, after: 2.5)
        #expect(killed.status == 9 || killed.status == 137, "exit \(killed.status)")
        #expect(!FileManager.default.fileExists(atPath: run.appendingPathComponent("result.json").path))
        let log = run.appendingPathComponent("timeseries.jsonl")
        let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        #expect(lines.count >= 5, "only \(lines.count) lines were streamed")

        let report = try Phibench.run(["report", log.path])
        #expect(report.status == 0, "stderr: \(report.stderr)")
        #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent("report.html").path))
        let rebuilt = try loadResult(run.appendingPathComponent("result-rebuilt.json"))
        #expect(rebuilt.interrupted)
        #expect(rebuilt.summary.episodes > 100)
        #expect((rebuilt.summary.metric("e2e.count") ?? 0) == Double(rebuilt.summary.episodes))
        #expect(rebuilt.warnings.contains { $0.message.contains("killed") })
    }

    @Test("a log that is not a phibench log is refused with the file named")
    func notALog() throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bogus = dir.appendingPathComponent("timeseries.jsonl")
        try "{\"hello\": 1}\n".write(to: bogus, atomically: true, encoding: .utf8)
        let out = try Phibench.run(["report", bogus.path])
        #expect(out.status == 2)
        #expect(out.stderr.contains("timeseries.jsonl"))
    }
}
