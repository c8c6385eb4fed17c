import BenchModel
import Foundation
import Testing
import TestSupport

/// The real binary driving worker processes and an HTTP service: the stage names the workload
/// reports reach every output and compare; faults and bad input give the documented exit statuses.
@Suite("phibench run: external workloads", .serialized)
struct ExternalWorkloadTests {
    static let python: String? = ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }
        ?? (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/python3" }
        .first { FileManager.default.isExecutableFile(atPath: $0) }
    static var hasPython: Bool { python != nil }
    static let examples = Phibench.packageRoot.appendingPathComponent("examples")
    static let faulty = Phibench.packageRoot.appendingPathComponent("Tests/Fixtures/workers/faulty_worker.py").path

    /// Short load for the examples: every phase kind in about three seconds.
    static let quick = ["--set", "warmup=0", "--set", "interval=500ms", "--set", """
        phases=[{kind: constant, rate: 40, duration: 600ms}, {kind: ramp, from: 20, to: 60, duration: 400ms}, \
        {kind: step, rates: [30, 60], each: 300ms}, {kind: spike, base: 20, peak: 80, at: 100ms, hold: 200ms, duration: 500ms}, \
        {kind: burst, count: 20}, {kind: closed, concurrency: [1, 2], each: 400ms}]
        """]

    /// Every output of a run names each of `stages`; so does a compare of it with `other`.
    func expectStagesEverywhere(_ stages: [String], run dir: URL, stdout: String) throws {
        let csv = try String(contentsOf: dir.appendingPathComponent("summary.csv"), encoding: .utf8)
        let md = try String(contentsOf: dir.appendingPathComponent("summary.md"), encoding: .utf8)
        let html = try String(contentsOf: dir.appendingPathComponent("report.html"), encoding: .utf8)
        let r = try ResultCodec.load(dir.appendingPathComponent("result.json"))
        for s in stages {
            #expect(r.catalogue.stageKeys.contains(s), "result.json lacks \(s)")
            #expect(csv.contains(",\(s).p50,"), "summary.csv lacks \(s)")
            #expect(md.contains("| \(s) |"), "summary.md lacks \(s)")
            #expect(html.contains(">\(s)<"), "report.html lacks \(s)")
            #expect(stdout.contains("  \(s) "), "the terminal summary lacks \(s)")
        }
    }

    @Test("the Python pipeline example through every phase kind; its stages in every output; compare against the Swift pipeline",
          .enabled(if: hasPython, "needs python3"))
    func pythonPipelineExample() throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let py = dir.appendingPathComponent("py"), swift = dir.appendingPathComponent("swift")
        let scenario = Self.examples.appendingPathComponent("pipeline.yaml").path
        let a = try Phibench.run(["run", scenario, "--out", py.path] + Self.quick)
        #expect(a.status == 0, "stderr: \(a.stderr)")
        let stages = ["MMEI", "MCEA", "MEA", "TIG", "ESGT", "PHI", "PHI.hit", "transport"]
        try expectStagesEverywhere(stages, run: py, stdout: a.stdout)
        #expect(FileManager.default.fileExists(atPath: py.appendingPathComponent("worker-1.log").path))
        let r = try ResultCodec.load(py.appendingPathComponent("result.json"))
        #expect(r.workload.name == "process" && r.phases.count == 8)
        #expect(r.summary.metric("phi.cache_hit_rate") != nil)

        let b = try Phibench.run(["run", scenario, "--set", "workload=null", "--set", "pipeline.memory=off", "--out", swift.path, "--quiet"] + Self.quick)
        #expect(b.status == 0, "stderr: \(b.stderr)")
        let c = try Phibench.run(["compare", py.appendingPathComponent("result.json").path, swift.appendingPathComponent("result.json").path])
        #expect(c.status == 0 || c.status == 1, "stderr: \(c.stderr)")
        for s in ["MMEI", "ESGT", "PHI", "phi.cache_hit_rate", "transport"] { #expect(c.stdout.contains(s), "compare lacks \(s)") }
        #expect(c.stdout.contains("Different systems under test: workload 'process' before, 'pipeline' after"), "\(c.stdout.prefix(2000))")
    }

    @Test("an HTTP service through every phase kind: Server-Timing stages in every output",
          .enabled(if: hasPython, "needs python3"))
    func httpServiceExample() throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let service = try ExampleService()
        let port = service.port
        let out = dir.appendingPathComponent("http")
        let run = try Phibench.run(["run", Self.examples.appendingPathComponent("service.yaml").path, "--out", out.path,
                                    "--set", "workload.http.url=http://127.0.0.1:\(port)/episode"] + Self.quick)
        #expect(run.status == 0, "stderr: \(run.stderr)")
        try expectStagesEverywhere(["MMEI", "MCEA", "MEA", "TIG", "ESGT", "transport"], run: out, stdout: run.stdout)
        let c = try Phibench.run(["compare", out.appendingPathComponent("result.json").path, out.appendingPathComponent("result.json").path])
        #expect(c.status == 0 && c.stdout.contains("ESGT"), "stderr: \(c.stderr)")
    }

    @Test("a refused connection or a 404 at preflight: exit 2 naming the URL, before any load")
    func httpPreflight() throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Port 9 (discard) is not listened on here; a refused connect is immediate.
        let file = try Phibench.scenario("""
            name: refused
            workload: { http: { url: "http://127.0.0.1:9/x" }, connections: 1 }
            phases: [{ kind: constant, rate: 10, duration: 1s }]
            """, in: dir)
        let out = try Phibench.run(["run", file, "--out", dir.appendingPathComponent("run").path])
        #expect(out.status == 2)
        #expect(out.stderr.contains("http://127.0.0.1:9/x") && out.stderr.contains("refused"), "\(out.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("run/result.json").path))
    }

    @Test("a worker that fails its handshake: exit 2 before any load, naming the command and the file line",
          .enabled(if: hasPython, "needs python3"))
    func handshakeFailure() throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Phibench.scenario("""
            name: broken
            workload:
              process: [python3, \(Self.faulty)]
              params: { handshake: exit }
            phases: [{ kind: constant, rate: 10, duration: 1s }]
            """, in: dir)
        let out = try Phibench.run(["run", file, "--out", dir.appendingPathComponent("run").path])
        #expect(out.status == 2)
        #expect(out.stderr.contains("s.yaml:3") && out.stderr.contains("faulty_worker.py") && out.stderr.contains("refusing to start"),
                "\(out.stderr)")
    }

    @Test("a worker that keeps crashing: the restart limit stops the run, exit 1, result written with the reason",
          .enabled(if: hasPython, "needs python3"))
    func restartLimit() throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Phibench.scenario("""
            name: crashing
            workload:
              process: [python3, \(Self.faulty)]
              max_restarts: 2
              params: { crash_after: 5 }
            phases: [{ kind: constant, rate: 100, duration: 20s }]
            """, in: dir)
        let started = Date()
        let out = try Phibench.run(["run", file, "--out", dir.appendingPathComponent("run").path])
        #expect(out.status == 1, "stderr: \(out.stderr)")
        #expect(out.stderr.contains("workload stopped") && out.stderr.contains("max_restarts (2)"), "\(out.stderr)")
        #expect(Date().timeIntervalSince(started) < 15, "stopped early")
        let r = try ResultCodec.load(dir.appendingPathComponent("run/result.json"))
        #expect(r.warnings.contains { $0.message.contains("workload stopped") })
    }

    @Test("scenario mistakes in workload: are exit 2 with file and line", arguments: [
        ("workload: { process: python3 }", "s.yaml:2", "a list of arguments"),
        ("workload: { process: [python3], workerz: 2 }", "s.yaml:2", "did you mean `workers`"),
        ("workload: { process: [python3], workers: 1 }\nworkers: 4", "s.yaml:3", "exceed"),
        ("workload: { http: { url: \"ftp://x\" } }", "s.yaml:2", "http://"),
        ("workload: { http: { url: \"http://127.0.0.1:9/\", method: get } }", "s.yaml:2", "capitals"),
        ("workload: { process: [python3], http: { url: \"http://a/\" } }", "s.yaml:2", "not both"),
        ("workload: { process: [python3] }\npipeline: { memory: off }", "s.yaml:3", "built-in pipeline"),
        ("workload: { process: [python3], workers: 2 }\nphases2: 1", "s.yaml:3", "unknown key"),
        ("workload: { http: { url: \"http://127.0.0.1:9/\" }, connections: 2, threads: 3 }", "s.yaml:2", "at most workload.connections"),
        ("workload: { http: { url: \"http://127.0.0.1:9/\" }, connections: 2, thread: 2 }", "s.yaml:2", "did you mean `threads`"),
        ("workload: { http: { url: \"https://127.0.0.1:9/\", ca_file: missing.pem } }", "s.yaml:2", "readable PEM file"),
        ("workload: { http: { url: \"http://127.0.0.1:9/\", ca_file: s.yaml } }", "s.yaml:2", "only applies to an https:// URL"),
        ("workload: { process: [] }", "s.yaml:2", "workload.process: got an empty list, expected a command, like [python3, worker.py]"),
        ("workload: { workers: 2 }", "s.yaml:2", "workload.process: missing; workload: names the workload it configures with one of `process:` or `http:`"),
        ("workload: { workerz: 2 }", "s.yaml:2", "workload.workerz: unknown key; did you mean `workers`? (valid here: process, http)"),
        ("workload: { process: [python3], params: [1] }", "s.yaml:2", "workload.params: got a list, expected a mapping passed to every child"),
        ("workload:\n  process:\n    - python3\n    - [x]", "s.yaml:5", "workload.process[1]: got a list, expected a command-line argument"),
        ("workload: { process: [python3], timeout: 2 }", "s.yaml:2", "workload.timeout: got \"2\", expected a duration with a unit, like 2s or 2ms"),
        ("workload: { http: { url: \"http://127.0.0.1:9/\", headers: { \"a b\": x } } }", "s.yaml:2", "expected a header name"),
        ("workload: { http: { url: \"http://127.0.0.1:9/\" }, connections: 2 }\nphases2: 1", "s.yaml:3", "unknown key"),
        ("workload: { http: { url: \"http://127.0.0.1:9/\" }, connections: 2 }\nsleep: { stage_a_us: 1 }", "s.yaml:3",
         "`sleep:` configures the built-in sleep, but `workload:` (line 2) drives the http workload"),
    ])
    func badWorkloadKeys(_ yaml: String, _ location: String, _ message: String) throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var text = "name: bad\n\(yaml)\nphases: [{ kind: closed, concurrency: [1], each: 1s }]\n"
        if yaml.contains("phases2") { text = "name: bad\n\(yaml)\n" }
        let file = try Phibench.scenario(text, in: dir)
        let out = try Phibench.run(["run", file, "--out", dir.appendingPathComponent("run").path])
        #expect(out.status == 2)
        #expect(out.stderr.contains(location) && out.stderr.contains(message), "\(out.stderr)")
    }

    @Test("--workload with a scenario that has workload: is refused (exit 2), pointing at --set workload=null")
    func workloadFlagConflict() throws {
        let out = try Phibench.run(["run", Self.examples.appendingPathComponent("pipeline.yaml").path, "--workload", "noop"])
        #expect(out.status == 2)
        #expect(out.stderr.contains("--set workload=null"), "\(out.stderr)")
        let http = try Phibench.run(["run", Self.examples.appendingPathComponent("pipeline.yaml").path, "--workload", "http"])
        #expect(http.status == 2)
        #expect(http.stderr.contains("pipeline.yaml:12: workload: --workload http contradicts the scenario's `workload:` (process)"), "\(http.stderr)")
    }

    @Test("--workload process on a scenario without workload: says what is missing (exit 2)")
    func processWithoutSection() throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Phibench.scenario("name: none\nphases: [{ kind: burst, count: 1 }]\n", in: dir)
        let out = try Phibench.run(["run", file, "--workload", "process", "--out", dir.appendingPathComponent("run").path])
        #expect(out.status == 2)
        #expect(out.stderr.contains("s.yaml:1: workload.process: missing; expected `workload: { process: [python3, worker.py], workers: 2 }`"),
                "\(out.stderr)")
    }

    @Test("the no-op worker end to end: result.json keeps the resolved `workload:` (defaults, absolute folder) and one worker thread per child")
    func processRecord() throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let worker = Phibench.packageRoot.appendingPathComponent(".build/release/phibench-noop-worker").path
        try #require(FileManager.default.isExecutableFile(atPath: worker), "build phibench-noop-worker first")
        let file = try Phibench.scenario("""
            name: noop-worker
            workload: { process: [\(worker)], workers: 2, params: { size: "64", n: 3 } }
            phases: [{ kind: closed, concurrency: [2], each: 300ms }]
            """, in: dir)
        let out = try Phibench.run(["run", file, "--quiet", "--out", dir.appendingPathComponent("run").path])
        #expect(out.status == 0, "stderr: \(out.stderr)")
        let r = try ResultCodec.load(dir.appendingPathComponent("run/result.json"))
        #expect(r.workload.name == "process" && r.scenario.spec.workers == 2)
        let folder = URL(fileURLWithPath: file).deletingLastPathComponent().standardizedFileURL.path
        #expect(r.scenario.spec.external == .object(["process": .object([
            "process": .array([.string(worker)]), "directory": .string(folder), "workers": .number(2), "timeout": .number(2),
            "handshake_timeout": .number(10), "max_restarts": .number(10),
            "params": .object(["size": .string("64"), "n": .number(3)]),
        ])]))
        #expect(r.scenario.spec.workload.isEmpty)
    }

}
