import BenchModel
import Foundation
import Testing

/// `phibench history add | report | check` on real result files: one from a short real run, copied
/// with edited commits, dates and values into a history with a known regression.
@Suite("phibench history", .serialized)
struct HistoryCLITests {
    static let scenario = """
        name: hist
        description: a short run whose result is copied into a synthetic history
        interval: 250ms
        warmup: 200ms
        phases:
          - { kind: closed, concurrency: [1], each: 500ms }
        """

    /// A real result of the no-op workload, decoded.
    static func realResult(in dir: URL) throws -> BenchResult {
        let file = try Phibench.scenario(scenario, in: dir)
        let out = dir.appendingPathComponent("real")
        let r = try Phibench.run(["run", file, "--workload", "noop", "--quiet", "--out", out.path])
        try #require(r.status == 0, "stderr: \(r.stderr)")
        return try ResultCodec.load(out.appendingPathComponent("result.json"))
    }

    static func commit(_ i: Int) -> String { String(format: "%08x", 0x5eed_0000 + i) + String(repeating: "0", count: 32) }

    /// `count` copies of `base`, one commit and one hour apart, e2e latency multiplied by
    /// `factor(i)` and by ±0.5% seeded noise; written as r000.json, r001.json, … in `dir`.
    static func fabricate(_ base: BenchResult, count: Int, in dir: URL, factor: (Int) -> Double) throws -> [String] {
        var state: UInt64 = 12345
        func noise() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return 1 + 0.005 * (Double(state >> 11) / Double(UInt64(1) << 53) * 2 - 1)
        }
        let start = Date(timeIntervalSince1970: 1_735_689_600)
        return try (0..<count).map { i in
            var r = base
            r.build.commit = commit(i)
            r.build.dirty = false
            r.startedAt = ISO8601DateFormatter().string(from: start.addingTimeInterval(Double(i) * 3600))
            // The summary's derived metrics are what the history reads (and what result.json stores).
            let f = factor(i)
            let baseNs = 100_000.0
            r.summary.metrics["e2e.p50"] = (baseNs * f * noise()).rounded()
            r.summary.metrics["e2e.p90"] = (baseNs * 1.5 * f * noise()).rounded()
            r.summary.metrics["e2e.p99"] = (baseNs * 2 * f * noise()).rounded()
            let url = dir.appendingPathComponent(String(format: "r%03d.json", i))
            try ResultCodec.encode(r).write(to: url)
            return url.path
        }
    }

    @Test("add stores each result once; check exits 1 naming the commit where the regression starts; report writes history.html")
    func regressionHistory() throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = try Self.fabricate(try Self.realResult(in: dir), count: 40, in: dir) { $0 >= 32 ? 1.06 : 1 }
        let db = dir.appendingPathComponent("history.sqlite").path

        var out = try Phibench.run(["history", "add"] + files + ["--db", db])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout.contains("added 40 results"), "\(out.stdout)")
        out = try Phibench.run(["history", "add", files[3], files[4], "--db", db])
        #expect(out.status == 0)
        #expect(out.stdout.contains("added 0 results") && out.stdout.contains("2 already there"), "\(out.stdout)")

        out = try Phibench.run(["history", "check", "--db", db])
        #expect(out.status == 1, "\(out.stdout)\(out.stderr)")
        #expect(out.stdout.contains("e2e.p99") && out.stdout.contains("e2e.p50"), "\(out.stdout)")
        #expect(out.stdout.contains("starts at commit \(Self.commit(32))"), "\(out.stdout)")
        #expect(out.stdout.contains("last before: \(Self.commit(31))"), "\(out.stdout)")

        // Only metrics that did not change: the check passes.
        out = try Phibench.run(["history", "check", "--db", db, "--metric", "errors", "--metric", "memory.rss_peak_bytes"])
        #expect(out.status == 0, "\(out.stdout)\(out.stderr)")
        // A minimum magnitude above the 6% step: no regression.
        out = try Phibench.run(["history", "check", "--db", db, "--metric", "e2e.*", "--min-magnitude", "10%"])
        #expect(out.status == 0, "\(out.stdout)\(out.stderr)")
        // The step is 8 results back: a look-back of 5 results no longer calls it new.
        out = try Phibench.run(["history", "check", "--db", db, "--recent", "5"])
        #expect(out.status == 0, "\(out.stdout)\(out.stderr)")

        let reportDir = dir.appendingPathComponent("report")
        out = try Phibench.run(["history", "report", "--db", db, "--out", reportDir.path, "--metric", "e2e.*", "--metric", "throughput"])
        #expect(out.status == 0, "\(out.stderr)")
        let html = try String(contentsOf: reportDir.appendingPathComponent("history.html"), encoding: .utf8)
        #expect(html.contains("<svg"))
        #expect(!html.contains("<script"))
        #expect(!html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").contains("http"), "no network references")
        #expect(html.contains(String(Self.commit(32).prefix(10))), "the change point's commit is named")
        #expect(html.contains("e2e.p99") && html.contains("regression"))
        #expect(!html.contains("ESGT.p50"), "--metric restricts the report")
    }

    @Test("a --metric or --scenario that matches nothing is exit 2 listing the known names; so are bad options")
    func typos() throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = try Self.fabricate(try Self.realResult(in: dir), count: 8, in: dir) { _ in 1 }
        let db = dir.appendingPathComponent("h.sqlite").path
        #expect(try Phibench.run(["history", "add"] + files + ["--db", db]).status == 0)

        for command in [["check"], ["report", "--out", dir.path]] {
            var out = try Phibench.run(["history"] + command + ["--db", db, "--metric", "e2e.p98"])
            #expect(out.status == 2, "\(command): \(out.stdout)\(out.stderr)")
            #expect(out.stderr.contains("e2e.p98") && out.stderr.contains("e2e.p99") && out.stderr.contains("throughput"), "\(out.stderr)")
            out = try Phibench.run(["history"] + command + ["--db", db, "--scenario", "hsit"])
            #expect(out.status == 2)
            #expect(out.stderr.contains("hsit") && out.stderr.contains("hist"), "\(out.stderr)")
        }
        let badOptions: [([String], String)] = [
            (["--window", "4"], "window"), (["--max-pvalue", "0"], "p-value"), (["--min-magnitude", "lots"], "--min-magnitude"),
            (["--min-segment", "0"], "segment"), (["--recent", "0"], "--recent"),
        ]
        for (bad, fragment) in badOptions {
            let out = try Phibench.run(["history", "check", "--db", db] + bad)
            #expect(out.status == 2, "\(bad): \(out.stderr)")
            #expect(out.stderr.contains(fragment), "\(bad): \(out.stderr)")
        }
    }

    @Test("a bad --db is exit 2 naming it (password redacted), for add, report and check")
    func badDatabase() throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("missing.sqlite").path
        var out = try Phibench.run(["history", "check", "--db", missing])
        #expect(out.status == 2)
        #expect(out.stderr.contains(missing) && out.stderr.contains("no such file"), "\(out.stderr)")
        #expect(!FileManager.default.fileExists(atPath: missing), "check does not create a history")

        out = try Phibench.run(["history", "report", "--db", "postgres://ci:s3cret@127.0.0.1:1/perf?sslmode=disable", "--out", dir.path])
        #expect(out.status == 2)
        #expect(out.stderr.contains("postgres://ci:***@127.0.0.1:1/perf") && !out.stderr.contains("s3cret"), "\(out.stderr)")

        let notADatabase = dir.appendingPathComponent("notes.txt")
        try "hello".write(to: notADatabase, atomically: true, encoding: .utf8)
        out = try Phibench.run(["history", "check", "--db", notADatabase.path])
        #expect(out.status == 2)
        #expect(out.stderr.contains("notes.txt") && out.stderr.contains("not a database"), "\(out.stderr)")

        out = try Phibench.run(["history", "add", notADatabase.path, "--db", dir.appendingPathComponent("h.sqlite").path])
        #expect(out.status == 2)
        #expect(out.stderr.contains("notes.txt"), "a bad result file is named: \(out.stderr)")

        out = try Phibench.run(["history", "check", "--db", "mysql://x@y/z"])
        #expect(out.status == 2 && out.stderr.contains("unknown scheme"), "\(out.stderr)")
    }
}
