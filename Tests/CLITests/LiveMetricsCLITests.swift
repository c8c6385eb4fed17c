import BenchModel
import Foundation
import TestSupport
import Testing

/// `--metrics-listen`: the real binary serves /metrics during a run, Prometheus's own parser accepts
/// it, and its numbers agree with the run's result.
@Suite("Live metrics endpoint", .serialized)
struct LiveMetricsCLITests {
    static let scenario = """
        name: live
        seed: 7
        warmup: 500ms
        interval: 250ms
        pipeline: { memory: off }
        phases:
          - { kind: constant, rate: 300, duration: 3s }
          - { kind: closed, concurrency: [1], each: 1s }
        """

    static func executable(_ name: String) -> String? {
        for dir in ["/usr/bin", "/usr/local/bin", "/bin"] where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
            return "\(dir)/\(name)"
        }
        return nil
    }

    static let promtool = executable("promtool")
    static let prometheus = executable("prometheus")
    static let curl = executable("curl")

    /// A phibench process started in the background, its stderr collected as it comes.
    final class Running: @unchecked Sendable {
        let process = Process()
        private let lock = NSLock()
        private var err = Data()

        init(_ arguments: [String]) throws {
            process.executableURL = Phibench.binary
            process.arguments = arguments
            process.currentDirectoryURL = Phibench.packageRoot
            let pipe = Pipe()
            process.standardError = pipe
            process.standardOutput = FileHandle.nullDevice
            pipe.fileHandleForReading.readabilityHandler = { [self] h in
                let d = h.availableData
                lock.lock(); err.append(d); lock.unlock()
            }
            try process.run()
        }

        var stderr: String { lock.lock(); defer { lock.unlock() }; return String(decoding: err, as: UTF8.self) }

        /// The URL printed as `metrics: URL`, waiting up to `timeout` seconds.
        func metricsURL(timeout: Double = 60) -> String? {
            let end = Date().addingTimeInterval(timeout)
            while Date() < end {
                if let line = stderr.split(separator: "\n").first(where: { $0.hasPrefix("metrics: ") }) {
                    return String(line.dropFirst("metrics: ".count))
                }
                if !process.isRunning { return nil }
                Thread.sleep(forTimeInterval: 0.05)
            }
            return nil
        }

        func stop() {
            if process.isRunning { kill(process.processIdentifier, SIGINT) }
            process.waitUntilExit()
        }
    }

    /// Runs `tool` with `arguments`, `input` on stdin; returns status and its output (stdout, then stderr).
    static func tool(_ tool: String, _ arguments: [String], input: String? = nil) throws -> (Int32, String) {
        let out = try ChildProcess.run(URL(fileURLWithPath: tool), arguments, input: input.map { Data($0.utf8) })
        return (out.status, out.stdout + out.stderr)
    }

    static func scrape(_ url: String) throws -> String {
        let (status, text) = try tool(curl!, ["-sS", "--fail", "--max-time", "10", url])
        guard status == 0 else { throw ScrapeError(message: "curl \(url) exit \(status): \(text)") }
        return text
    }

    struct ScrapeError: Error { var message: String }

    /// The value of the sample line `name{labels}` (labels as written, or none).
    static func value(_ text: String, _ series: String) -> Double? {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            if line[..<space] == series { return Double(line[line.index(after: space)...]) }
        }
        return nil
    }

    /// Cumulative buckets of stage `stage`: (upper bound s, count), +Inf last.
    static func buckets(_ text: String, stage: String) -> [(Double, Double)] {
        text.split(separator: "\n").compactMap { line -> (Double, Double)? in
            guard line.hasPrefix("phibench_stage_latency_seconds_bucket{"), line.contains("stage=\"\(stage)\"") else { return nil }
            guard let le = line.firstMatch(of: /le="([^"]+)"/)?.1, let n = line.split(separator: " ").last.flatMap({ Double($0) })
            else { return nil }
            return (le == "+Inf" ? .infinity : Double(le)!, n)
        }
    }

    /// Names with a `# TYPE` line in the exposition.
    static func exportedNames(_ text: String) -> Set<String> {
        Set(text.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.compactMap { $0.split(separator: " ").dropFirst(2).first.map(String.init) })
    }

    @Test("scraped during a run: valid for promtool, counters grow, histograms consistent, and the end agrees with result.json",
          .enabled(if: promtool != nil, "promtool is missing (Debian package prometheus; scripts/install-deps.sh installs it)"),
          .enabled(if: curl != nil, "curl is missing"))
    func scrapeDuringRun() throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Phibench.scenario(Self.scenario, in: dir)
        let out = dir.appendingPathComponent("out")
        let run = try Running(["run", file, "--out", out.path, "--quiet", "--metrics-listen", "127.0.0.1:0", "--metrics-linger", "60s"])
        defer { run.stop() }
        let url = try #require(run.metricsURL(), "no metrics URL on stderr: \(run.stderr)")
        #expect(url.hasPrefix("http://127.0.0.1:") && url.hasSuffix("/metrics"))

        // Two scrapes during the constant phase (warm-up 0.5 s, then 3 s at 300/s).
        Thread.sleep(forTimeInterval: 1.5)
        let first = try Self.scrape(url)
        Thread.sleep(forTimeInterval: 1.0)
        let second = try Self.scrape(url)
        let e1 = try #require(Self.value(first, "phibench_episodes_total"), "\(first)")
        let e2 = try #require(Self.value(second, "phibench_episodes_total"))
        #expect(e2 > e1, "episodes did not grow: \(e1) → \(e2)")
        #expect(second.contains("phibench_phase_info{phase=\""), "no phase label")
        #expect(Self.value(second, "phibench_target_rate_episodes_per_second").map { $0 > 150 && $0 < 600 } == true)

        let (status, report) = try Self.tool(Self.promtool!, ["check", "metrics"], input: second)
        #expect(status == 0, "promtool: \(report)")

        // A path other than /metrics is 404.
        let (notFound, _) = try Self.tool(Self.curl!, ["-s", "-o", "/dev/null", "--fail", url.replacingOccurrences(of: "/metrics", with: "/other")])
        #expect(notFound != 0)

        // The port is taken now: a second endpoint on it is refused with exit 2, naming the option.
        let port = String(url.split(separator: ":").last!.split(separator: "/").first!)
        let clash = try Phibench.run(["run", file, "--quiet", "--out", dir.appendingPathComponent("clash").path,
                                      "--metrics-listen", "127.0.0.1:\(port)"])
        #expect(clash.status == 2, "\(clash.stderr)")
        #expect(clash.stderr.contains("--metrics-listen") && clash.stderr.contains("in use"), "\(clash.stderr)")

        // After the run: the lingering endpoint shows the final values; compare with result.json.
        let resultURL = out.appendingPathComponent("result.json")
        let end = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: resultURL.path), Date() < end { Thread.sleep(forTimeInterval: 0.1) }
        let result = try loadResult(resultURL)
        let last = try Self.scrape(url)
        let episodes = try #require(Self.value(last, "phibench_episodes_total"))
        #expect(episodes == Double(result.summary.episodes), "endpoint \(episodes) vs result \(result.summary.episodes)")

        let stages = ["e2e"] + result.catalogue.stageKeys
        for stage in stages {
            let b = Self.buckets(last, stage: stage)
            #expect(b.count == 23, "\(stage): \(b.count) buckets")
            for (x, y) in zip(b, b.dropFirst()) { #expect(x.1 <= y.1, "\(stage) buckets not cumulative") }
            let count = Self.value(last, "phibench_stage_latency_seconds_count{stage=\"\(stage)\"}")
            #expect(count == b.last?.1, "\(stage): _count \(String(describing: count)) vs +Inf \(String(describing: b.last?.1))")
        }
        // The bucket holding the result's e2e p99 is the one where the endpoint's cumulative count
        // first reaches 99 % of episodes.
        let p99 = try #require(result.summary.metric("e2e.p99")) * 1e-9
        let e2e = Self.buckets(last, stage: "e2e")
        let total = try #require(e2e.last?.1)
        let reached = try #require(e2e.first { $0.1 >= (0.99 * total).rounded(.up) }?.0)
        let holding = try #require(e2e.first { $0.0 >= p99 }?.0)
        #expect(reached == holding, "p99 \(p99) s: result's bucket le=\(holding), endpoint's le=\(reached)")

        // Every metric the Grafana dashboard queries is exported.
        let exported = Self.exportedNames(last)
        for name in try Self.dashboardMetrics() {
            #expect(exported.contains(name), "dashboard queries \(name), which /metrics does not export")
        }
        run.stop()
    }

    @Test("soak serves /metrics too",
          .enabled(if: promtool != nil, "promtool is missing (Debian package prometheus; scripts/install-deps.sh installs it)"),
          .enabled(if: curl != nil, "curl is missing"))
    func soakServes() throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Phibench.scenario(Self.scenario, in: dir)
        let run = try Running(["soak", file, "--duration", "3s", "--leak-tolerance", "1MiB", "--quiet", "--out", dir.appendingPathComponent("soak").path,
                               "--metrics-listen", "127.0.0.1:0"])
        defer { run.stop() }
        let url = try #require(run.metricsURL(), "no metrics URL on stderr: \(run.stderr)")
        Thread.sleep(forTimeInterval: 2)
        let text = try Self.scrape(url)
        #expect((Self.value(text, "phibench_episodes_total") ?? 0) > 0, "\(text)")
        #expect(text.contains("phibench_stage_latency_seconds_bucket{stage=\"ESGT\""), "no per-stage histogram")
        let (status, report) = try Self.tool(Self.promtool!, ["check", "metrics"], input: text)
        #expect(status == 0, "promtool: \(report)")
        run.process.waitUntilExit()
        // The naive memory layer keeps every state: a big tolerance keeps the leak verdict out of it.
        #expect(run.process.terminationStatus == 0, "soak exit \(run.process.terminationStatus): \(run.stderr)")
    }

    /// The metric names in the dashboard's queries (histogram series mapped to their family).
    static func dashboardMetrics() throws -> Set<String> {
        let data = try Data(contentsOf: Phibench.packageRoot.appendingPathComponent("dashboards/phibench-grafana.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let panels = try #require(json["panels"] as? [[String: Any]])
        var names: Set<String> = []
        for p in panels {
            for t in (p["targets"] as? [[String: Any]]) ?? [] {
                let expr = try #require(t["expr"] as? String)
                for m in expr.matches(of: /phibench_[a-zA-Z0-9_]+/) {
                    var n = String(m.0)
                    for suffix in ["_bucket", "_sum", "_count"] where n.hasSuffix(suffix) && n.hasPrefix("phibench_stage_latency") {
                        n.removeLast(suffix.count)
                    }
                    names.insert(n)
                }
            }
        }
        return names
    }

    @Test("the dashboard is well-formed JSON with panels for each required view")
    func dashboardShape() throws {
        let names = try Self.dashboardMetrics()
        for required in ["phibench_stage_latency_seconds", "phibench_throughput_episodes_per_second",
                         "phibench_target_rate_episodes_per_second", "phibench_queue_depth", "phibench_errors_total",
                         "phibench_drops_total", "phibench_rss_bytes", "phibench_jemalloc_allocated_bytes",
                         "phibench_allocations_per_episode", "phibench_phase_info"] {
            #expect(names.contains(required), "no panel queries \(required)")
        }
    }

    @Test("bad --metrics-listen values exit 2 naming the option", arguments: [
        ("9464", "missing :PORT"), ("127.0.0.1:70000", "0…65535"), ("127.0.0.1:abc", "0…65535"), (":9464", "missing host"),
        ("[::1:9464", "missing ]"), ("192.0.2.1:9464", "cannot listen"),
    ])
    func badAddress(_ value: String, _ fragment: String) throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Phibench.scenario(Self.scenario, in: dir)
        let out = try Phibench.run(["run", file, "--quiet", "--out", dir.appendingPathComponent("o").path, "--metrics-listen", value])
        #expect(out.status == 2, "\(value): exit \(out.status) \(out.stderr)")
        #expect(out.stderr.contains("--metrics-listen"), "\(out.stderr)")
        #expect(out.stderr.contains(fragment), "\(out.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("o/result.json").path))
    }

    @Test("a real Prometheus server scrapes the run on loopback",
          .enabled(if: prometheus != nil, "prometheus is missing (Debian package prometheus; scripts/install-deps.sh installs it)"),
          .enabled(if: curl != nil, "curl is missing"))
    func realPrometheus() throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Phibench.scenario(Self.scenario, in: dir)
        let run = try Running(["run", file, "--out", dir.appendingPathComponent("out").path, "--quiet",
                               "--metrics-listen", "127.0.0.1:0", "--metrics-linger", "60s"])
        defer { run.stop() }
        let url = try #require(run.metricsURL(), "no metrics URL on stderr: \(run.stderr)")
        let target = url.replacingOccurrences(of: "http://", with: "").replacingOccurrences(of: "/metrics", with: "")
        let config = dir.appendingPathComponent("prometheus.yml")
        try """
            global: { scrape_interval: 1s, evaluation_interval: 1s }
            scrape_configs:
              - job_name: phibench
                static_configs: [ { targets: ['\(target)'] } ]
            """.write(to: config, atomically: true, encoding: .utf8)
        let port = try LoopbackPort.free()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: Self.prometheus!)
        server.arguments = ["--config.file=\(config.path)", "--storage.tsdb.path=\(dir.appendingPathComponent("tsdb").path)",
                            "--web.listen-address=127.0.0.1:\(port)"]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { server.terminate(); server.waitUntilExit() }

        func query(_ q: String) throws -> [[String: Any]] {
            let encoded = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let (status, body) = try Self.tool(Self.curl!, ["-sS", "--max-time", "5", "http://127.0.0.1:\(port)/api/v1/query?query=\(encoded)"])
            guard status == 0, let json = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any],
                  let data = json["data"] as? [String: Any], let result = data["result"] as? [[String: Any]] else { return [] }
            return result
        }
        func scalar(_ r: [[String: Any]]) -> Double? { ((r.first?["value"] as? [Any])?.last as? String).flatMap(Double.init) }

        var up: Double?, episodes: Double?
        let end = Date().addingTimeInterval(45)
        while Date() < end {
            up = scalar(try query("up{job=\"phibench\"}"))
            episodes = scalar(try query("phibench_episodes_total{job=\"phibench\"}"))
            if up == 1, let e = episodes, e > 0 { break }
            Thread.sleep(forTimeInterval: 0.5)
        }
        #expect(up == 1, "Prometheus did not scrape the endpoint successfully")
        #expect((episodes ?? 0) > 0, "phibench_episodes_total not seen by Prometheus")
        let p99 = scalar(try query("histogram_quantile(0.99, sum by (le) (phibench_stage_latency_seconds_bucket{stage=\"e2e\"}))"))
        #expect(p99.map { $0 > 0 && $0 < 10 } == true, "histogram_quantile gave \(String(describing: p99))")
    }

    @Test("--metrics-linger without --metrics-listen is a usage error")
    func lingerAlone() throws {
        let out = try Phibench.run(["soak", "scenarios/smoke.yaml", "--duration", "1s", "--metrics-linger", "5s"])
        #expect(out.status == 2)
        #expect(out.stderr.contains("--metrics-linger needs --metrics-listen"), "\(out.stderr)")
    }
}
