import BenchModel
import Foundation
import Testing
import TestSupport

/// The real binary as N generators of one test: segments against an HTTP service on loopback,
/// merged with judgement (exact histograms, summed rates, thresholds on the merged result), a
/// generator killed mid-run, every refusal, and the Kubernetes Indexed Job validated against the
/// API schema with each pod's exact command run here.
@Suite("phibench distribute, run --segment, merge of segments", .serialized)
struct DistributedTests {
    static var python: String? { ExternalWorkloadTests.python }
    static var hasPython: Bool { python != nil }
    /// A python3 with the Kubernetes API models (pip install kubernetes) and PyYAML, for the manifest
    /// test: the first on PATH (or the system's) that imports both.
    static let kubernetesPython: String? = {
        let candidates = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/python3" }
            + ["/usr/bin/python3", "/usr/local/bin/python3"]
        return candidates.first { path in
            guard FileManager.default.isExecutableFile(atPath: path) else { return false }
            return (try? ChildProcess.run(URL(fileURLWithPath: path), ["-c", "import kubernetes, yaml"]))?.status == 0
        }
    }()
    static var hasKubernetesClient: Bool { kubernetesPython != nil }

    /// The loopback service's no-work route at `rate` episodes/s in all, for `seconds`.
    static func httpScenario(port: Int, rate: Int, seconds: String, thresholds: [String] = ["errors == 0"]) -> String {
        """
        name: distributed
        seed: 5
        warmup: 0
        interval: 500ms
        workload:
          http: { url: "http://127.0.0.1:\(port)/noop", method: GET, timeout: 5s }
          connections: 2
        phases:
          - { kind: constant, rate: \(rate), duration: \(seconds) }
        thresholds:
        \(thresholds.map { "  - \"\($0)\"" }.joined(separator: "\n"))
        """
    }


    func load(_ url: URL) throws -> BenchResult { try ResultCodec.load(url) }

    /// A histogram's recorded buckets, `value:count`, in order.
    func buckets(_ h: LatencyHistogram) -> [String] { h.histogram.recordedValues().map { "\($0.value):\($0.count)" } }

    /// `file`'s JSON with `edit` applied, written to `to`.
    func edited(_ file: URL, to: URL, _ edit: (inout [String: Any]) -> Void) throws {
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        edit(&json)
        try JSONSerialization.data(withJSONObject: json).write(to: to)
    }

    func isoIn(_ seconds: Double) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: Date().addingTimeInterval(seconds))
    }

    @Test("four local segments at 200/s in all: merged rate within 1%, histograms added exactly, thresholds judged only on the merge",
          .enabled(if: hasPython, "needs python3 for the loopback HTTP service"))
    func fourLocalSegments() throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let service = try ExampleService()
        let port = service.port
        let scenario = try Phibench.scenario(Self.httpScenario(port: port, rate: 200, seconds: "5s"), in: dir)
        let out = dir.appendingPathComponent("dist")
        let run = try Phibench.run(["distribute", scenario, "--segments", "4", "--local", "--start-in", "8s", "--out", out.path, "--quiet"])
        #expect(run.status == 0, "stdout: \(run.stdout)\nstderr: \(run.stderr)")

        let segments = try (1...4).map { try load(out.appendingPathComponent("segment-\($0)/result.json")) }
        let merged = try load(out.appendingPathComponent("merged/result.json"))
        #expect(segments.map { $0.segment?.segment.description } == ["0:1/4", "1/4:1/2", "1/2:3/4", "3/4:1"])
        #expect(Set(segments.compactMap { $0.segment?.startAt }).count == 1, "one common start")
        #expect(segments.allSatisfy { $0.thresholds.isEmpty }, "a segment does not judge its share")
        let d = try #require(merged.distributed)
        #expect(d.segments.count == 4 && !d.partial && d.missing.isEmpty)

        // Rates add: the merged phase ran the whole schedule's 1,000 arrivals (200/s for 5 s) at 200/s.
        let phase = try #require(merged.phases.first)
        #expect(abs(phase.achievedRate - 200) <= 2, "achieved \(phase.achievedRate)/s")
        #expect(abs((phase.targetRate ?? 0) - 200) < 1e-6)
        #expect(merged.summary.episodes == 1000)
        // Histograms add exactly: the merged e2e histogram is the sum of the segments'.
        var sum = LatencyHistogram()
        for s in segments { sum.add(try #require(s.summary.span.histograms["e2e"])) }
        let e2e = try #require(merged.summary.span.histograms["e2e"])
        #expect(buckets(e2e) == buckets(sum) && !buckets(e2e).isEmpty)
        #expect(e2e.count == segments.reduce(0) { $0 + $1.summary.episodes })
        #expect(merged.thresholds.count == 1 && merged.thresholds[0].passed)
        // Intervals aligned on the wall clock: every segment's interval lands in one merged interval.
        #expect(merged.timeseries.reduce(0) { $0 + $1.episodes } == segments.reduce(0) { $0 + $1.timeseries.reduce(0) { $0 + $1.episodes } })
        #expect(zip(merged.timeseries, merged.timeseries.dropFirst()).allSatisfy { $0.tSeconds < $1.tSeconds })
        // The merged report lists the generators: each share, its episodes and whether it kept up.
        let report = try String(contentsOf: out.appendingPathComponent("merged/report.html"), encoding: .utf8)
        #expect(report.contains("Load generators"))
        for s in segments { #expect(report.contains(">\(s.segment!.segment.description)<"), "\(s.segment!.segment.description) not listed") }

        // A threshold that the segment with the lowest p99 would pass on its own but the merged p99
        // breaks: the merge decides, and it exits 1.
        let p99s = segments.map { $0.summary.span.histograms["e2e"]!.value(of: .p99) }
        let mergedP99 = e2e.value(of: .p99)
        try #require(p99s.min()! < mergedP99, "segment p99s \(p99s), merged \(mergedP99)")
        let between = (p99s.min()! + mergedP99) / 2
        for (limit, status) in [(between, Int32(1)), (mergedP99 * 1.001 + 1000, Int32(0))] {
            let files = try (1...4).map { i -> String in
                let f = dir.appendingPathComponent("t\(status)-\(i).json")
                try edited(out.appendingPathComponent("segment-\(i)/result.json"), to: f) { json in
                    var scenario = json["scenario"] as! [String: Any]
                    var spec = scenario["spec"] as! [String: Any]
                    spec["thresholds"] = ["e2e.p99 < \(Units.fixed(limit / 1000, digits: 3))us"]
                    scenario["spec"] = spec
                    json["scenario"] = scenario
                }
                return f.path
            }
            let m = try Phibench.run(["merge"] + files + ["--out", dir.appendingPathComponent("m\(status)").path, "--quiet"])
            #expect(m.status == status, "limit \(limit) ns, merged p99 \(mergedP99), stderr: \(m.stderr)")
            let judged = try load(dir.appendingPathComponent("m\(status)/result.json"))
            #expect(judged.thresholds.first?.value == mergedP99)
        }
    }

    @Test("a generator killed mid-run: the merge is partial, names it, and keeps every episode it recorded; every refusal exits 2 naming the file",
          .enabled(if: hasPython, "needs python3 for the loopback HTTP service"))
    func killedSegmentAndRefusals() throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let service = try ExampleService()
        let port = service.port
        let scenario = try Phibench.scenario(Self.httpScenario(port: port, rate: 80, seconds: "5s"), in: dir)
        let startAt = isoIn(6)
        var processes: [Process] = []
        for i in 1...4 {
            let p = Process()
            p.executableURL = Phibench.binary
            p.arguments = ["run", scenario, "--segment", "\(i)/4", "--start-at", startAt, "--out", dir.appendingPathComponent("seg-\(i)").path, "--quiet"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            processes.append(p)
        }
        // About two seconds into the five-second phase, segment 3 is stopped (as a pod evicted with SIGTERM is).
        Thread.sleep(forTimeInterval: 8)
        kill(processes[2].processIdentifier, SIGTERM)
        for p in processes { p.waitUntilExit() }
        #expect(processes.map(\.terminationStatus) == [0, 0, 143, 0])
        let files = (1...4).map { dir.appendingPathComponent("seg-\($0)/result.json").path }
        let killed = try load(URL(fileURLWithPath: files[2]))
        #expect(killed.interrupted && killed.summary.episodes > 0)

        let m = try Phibench.run(["merge"] + files + ["--out", dir.appendingPathComponent("merged").path])
        #expect(m.status == 0, "stderr: \(m.stderr)")
        let merged = try load(dir.appendingPathComponent("merged/result.json"))
        let d = try #require(merged.distributed)
        #expect(d.partial && d.missing.isEmpty)
        #expect(d.segments.map(\.partial) == [false, false, true, false])
        let note = merged.warnings.first { $0.kind == .partialMerge }?.message ?? ""
        #expect(note.contains("1/2:3/4") && note.contains(files[2]), "\(merged.warnings)")
        #expect(m.stdout.contains("PARTIAL"))
        let parts = try files.map { try load(URL(fileURLWithPath: $0)) }
        #expect(merged.summary.episodes == parts.reduce(0) { $0 + $1.summary.episodes }, "an episode the killed segment recorded was lost")
        #expect(merged.summary.span.histograms["e2e"]?.count == merged.summary.episodes)

        // Refusals: each exit 2 with the reason and the file.
        func refused(_ inputs: [String], _ needles: [String], extra: [String] = []) throws {
            let r = try Phibench.run(["merge"] + inputs + ["--out", dir.appendingPathComponent("refused").path] + extra)
            #expect(r.status == 2, "\(inputs.map { URL(fileURLWithPath: $0).lastPathComponent }): \(r.stderr)")
            for n in needles { #expect(r.stderr.contains(n), "stderr lacks \(n): \(r.stderr)") }
        }
        try refused([files[0], files[1], files[0], files[2], files[3]], ["duplicated", files[0]])
        try refused([files[0], files[1], files[3]], ["1/2:3/4 missing", "--partial"])
        let half = dir.appendingPathComponent("half.json")
        try edited(URL(fileURLWithPath: files[0]), to: half) { json in
            var s = json["segment"] as! [String: Any]
            s["segment"] = "0:1/2"
            json["segment"] = s
        }
        try refused([half.path, files[1], files[2], files[3]], ["overlaps", "1/4:1/2"])
        let otherBuild = dir.appendingPathComponent("other-build.json")
        try edited(URL(fileURLWithPath: files[3]), to: otherBuild) { json in
            var b = json["build"] as! [String: Any]
            b["commit"] = "0123456789abcdef"
            json["build"] = b
        }
        try refused([files[0], files[1], files[2], otherBuild.path], ["other-build.json", "build.commit"])
        let otherScenario = dir.appendingPathComponent("other-scenario.json")
        try edited(URL(fileURLWithPath: files[3]), to: otherScenario) { json in
            var s = json["scenario"] as! [String: Any]
            var spec = s["spec"] as! [String: Any]
            spec["seed"] = 6
            s["spec"] = spec
            json["scenario"] = s
        }
        try refused([files[0], files[1], files[2], otherScenario.path], ["other-scenario.json", "scenario"])
        let whole = dir.appendingPathComponent("not-a-segment.json")
        try edited(URL(fileURLWithPath: files[1]), to: whole) { json in json["segment"] = nil }
        try refused([files[0], whole.path, files[2], files[3]], ["not-a-segment.json", "not a segment result"])

        let hostile = dir.appendingPathComponent("hostile.json")
        try edited(URL(fileURLWithPath: files[3]), to: hostile) { json in
            var s = json["segment"] as! [String: Any]
            s["measure_start_unix_s"] = "nan"
            json["segment"] = s
        }
        try refused([files[0], files[1], files[2], hostile.path], ["hostile.json", "measure_start_unix_s"])
        let backwards = dir.appendingPathComponent("backwards.json")
        try edited(URL(fileURLWithPath: files[3]), to: backwards) { json in
            var s = json["segment"] as! [String: Any]
            s["segment"] = "1:3/4"
            json["segment"] = s
        }
        try refused([files[0], files[1], files[2], backwards.path], ["backwards.json", "segment", "below"])

        // A saturated generator is flagged by name in the merged result (its health as the run recorded it).
        let saturated = dir.appendingPathComponent("saturated.json")
        try edited(URL(fileURLWithPath: files[3]), to: saturated) { json in
            var s = json["segment"] as! [String: Any]
            var h = s["health"] as! [String: Any]
            h["saturated"] = true
            h["reasons"] = ["CPU 1.95 of 2 cores busy"]
            s["health"] = h
            json["segment"] = s
        }
        let sat = try Phibench.run(["merge", files[0], files[1], files[2], saturated.path, "--out", dir.appendingPathComponent("sat").path, "--quiet"])
        #expect(sat.status == 0, "stderr: \(sat.stderr)")
        let flagged = try load(dir.appendingPathComponent("sat/result.json")).warnings.filter { $0.kind == .saturatedGenerator }
        // (On a busy machine another generator may really have been late; this one must be named either way.)
        #expect(flagged.contains { $0.message.contains("saturated.json") && $0.message.contains("3/4:1") && $0.message.contains("CPU 1.95") },
                "\(flagged)")

        // --partial accepts the gap and names it.
        let p = try Phibench.run(["merge", files[0], files[1], files[3], "--partial", "--out", dir.appendingPathComponent("partial").path, "--quiet"])
        #expect(p.status == 0, "stderr: \(p.stderr)")
        let partial = try load(dir.appendingPathComponent("partial/result.json"))
        #expect(partial.distributed?.partial == true && partial.distributed?.missing.map(\.description) == ["1/2:3/4"])
        #expect(partial.warnings.contains { $0.kind == .partialMerge && $0.message.contains("1/2:3/4 missing") })
    }

    @Test("bad --segment, --start-at and distribute arguments: exit 2 with the reason", arguments: [
        (["run", "scenarios/smoke.yaml", "--segment", "5/4"], "1…4"),
        (["run", "scenarios/smoke.yaml", "--segment", "1/2:1/4"], "below"),
        (["run", "scenarios/smoke.yaml", "--segment", "half"], "i/N"),
        (["run", "scenarios/smoke.yaml", "--start-at", "2020-01-01T00:00:00Z"], "in the past"),
        (["run", "scenarios/smoke.yaml", "--start-at", "tomorrow at noon"], "not an ISO 8601 time"),
        (["run", "scenarios/smoke.yaml", "--start-at", "2026-13-45T99:00:00Z"], "not an ISO 8601 time"),
        (["run", "scenarios/smoke.yaml", "--segment", "1/2", "--trials", "3"], "one trial"),
        (["distribute", "scenarios/smoke.yaml", "--segments", "0", "--local", "--out", "/tmp/x"], "--segments must be"),
        (["distribute", "scenarios/smoke.yaml", "--segments", "2", "--out", "/tmp/x"], "choose one launcher"),
        (["distribute", "scenarios/smoke.yaml", "--segments", "2", "--local", "--ssh", "a,b", "--out", "/tmp/x"], "choose one launcher"),
        (["distribute", "scenarios/smoke.yaml", "--segments", "2", "--kubernetes", "--out", "/tmp/x"], "--image"),
    ])
    func badArguments(_ arguments: [String], _ reason: String) throws {
        let r = try Phibench.run(arguments)
        #expect(r.status == 2)
        #expect(r.stderr.contains(reason), "\(r.stderr)")
    }

    @Test("--ssh: each generator's command runs through ssh (a stand-in that runs it here), host by host, and the logs merge")
    func overSSH() throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let scenario = try Phibench.scenario("""
            name: over-ssh
            seed: 3
            warmup: 0
            phases:
              - { kind: constant, rate: 30, duration: 2s }
            thresholds:
              - "errors == 0"

            """, in: dir)
        let bin = dir.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let hostsLog = dir.appendingPathComponent("hosts.log")
        try """
            #!/bin/sh
            # ssh -o BatchMode=yes HOST COMMAND: runs COMMAND here, as HOST's login shell would, stdin passed on.
            while [ "$1" = "-o" ]; do shift 2; done
            echo "$1" >> "\(hostsLog.path)"
            cd "\(dir.path)" && exec sh -c "$2"

            """.write(to: bin.appendingPathComponent("ssh"), atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bin.appendingPathComponent("ssh").path)
        let out = dir.appendingPathComponent("ssh")
        let path = bin.path + ":" + Phibench.binary.deletingLastPathComponent().path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let r = try Phibench.run(["distribute", scenario, "--segments", "3", "--ssh", "gen-a, gen-b", "--start-in", "8s", "--out", out.path, "--quiet"],
                                 environment: ["PATH": path, "TMPDIR": dir.path])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let hosts = try String(contentsOf: hostsLog, encoding: .utf8).split(separator: "\n").sorted()
        #expect(hosts == ["gen-a", "gen-a", "gen-b"])
        let merged = try load(out.appendingPathComponent("merged/result.json"))
        #expect(merged.distributed?.segments.map(\.segment.description) == ["0:1/3", "1/3:2/3", "2/3:1"])
        #expect(merged.distributed?.segments.allSatisfy { $0.file.hasSuffix(".log") } == true)
        #expect(merged.summary.episodes == 60 && merged.thresholds.first?.passed == true)
    }

    @Test("distribute stopped by SIGTERM: passed on to the generators, whose results are merged and marked partial; exit 143")
    func interruptedDistribute() throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let scenario = try Phibench.scenario("""
            name: stopped
            seed: 4
            warmup: 0
            phases:
              - { kind: constant, rate: 40, duration: 8s }

            """, in: dir)
        let out = dir.appendingPathComponent("dist")
        // The common start is 6 s away; the stop comes about 3 s into the 8-second phase.
        let r = try Phibench.run(["distribute", scenario, "--segments", "2", "--local", "--start-in", "6s", "--out", out.path, "--quiet"],
                                 interrupt: SIGTERM, after: 9)
        #expect(r.status == 143, "stderr: \(r.stderr)")
        let merged = try load(out.appendingPathComponent("merged/result.json"))
        #expect(merged.distributed?.partial == true && merged.distributed?.segments.map(\.partial) == [true, true])
        #expect(merged.interrupted && merged.summary.episodes > 0 && merged.summary.episodes < 321)
        let parts = try (1...2).map { try load(out.appendingPathComponent("segment-\($0)/result.json")) }
        #expect(merged.summary.episodes == parts.reduce(0) { $0 + $1.summary.episodes })
    }

    @Test("the Kubernetes Indexed Job passes the API schema (Python client models), and each pod's exact command, run here, merges",
          .enabled(if: hasKubernetesClient, "needs python3 with the kubernetes client and PyYAML (pip install kubernetes)"))
    func kubernetesJob() throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let yaml = """
            name: on-cluster
            seed: 9
            warmup: 0
            interval: 500ms
            phases:
              - { kind: constant, rate: 30, duration: 2s }
              - { kind: closed, concurrency: [2], each: 1s }
            thresholds:
              - "errors == 0"

            """
        let scenario = try Phibench.scenario(yaml, in: dir)
        let out = dir.appendingPathComponent("k8s")
        let g = try Phibench.run(["distribute", scenario, "--segments", "3", "--kubernetes", "--image", "ghcr.io/example/phibench:test",
                                  "--start-in", "10s", "--set", "interval=250ms", "--set", "description=it's quoted",
                                  "--out", out.path])
        #expect(g.status == 0, "stderr: \(g.stderr)")
        #expect(g.stdout.contains("kubectl apply -f") && g.stdout.contains("kubectl wait") && g.stdout.contains("collect.sh"))
        let manifest = out.appendingPathComponent("job.yaml")

        // Schema: deserialised into V1ConfigMap and V1Job and serialised back unchanged.
        let validate = try ChildProcess.run(URL(fileURLWithPath: Self.kubernetesPython!),
                                            [Phibench.packageRoot.appendingPathComponent("Tests/Fixtures/kubernetes/validate_manifest.py").path, manifest.path])
        try #require(validate.status == 0, "schema: \(validate.stderr)")
        let docs = try #require(try JSONSerialization.jsonObject(with: Data(validate.stdout.utf8)) as? [[String: Any]])
        let configMap = try #require(docs.first { $0["kind"] as? String == "ConfigMap" })
        let job = try #require(docs.first { $0["kind"] as? String == "Job" })
        #expect((configMap["data"] as? [String: String])?["scenario.yaml"] == yaml)
        let spec = try #require(job["spec"] as? [String: Any])
        #expect(spec["completionMode"] as? String == "Indexed")
        #expect(spec["completions"] as? Int == 3 && spec["parallelism"] as? Int == 3)
        let pod = try #require((spec["template"] as? [String: Any])?["spec"] as? [String: Any])
        let container = try #require((pod["containers"] as? [[String: Any]])?.first)
        let command = (container["command"] as? [String] ?? []) + (container["args"] as? [String] ?? [])
        var env: [String: String] = [:]
        for e in container["env"] as? [[String: Any]] ?? [] { env[e["name"] as! String] = e["value"] as? String }
        #expect(env["PHIBENCH_SCENARIO"] == "/etc/phibench/scenario.yaml" && env["PHIBENCH_START_AT"] != nil)

        // Each pod's command, exactly as written, with what Kubernetes would give it: its completion
        // index, the manifest's environment, and the ConfigMap's scenario (here a file standing in
        // for the mount at /etc/phibench). Output goes to one log per pod, as `kubectl logs` shows it.
        let mount = dir.appendingPathComponent("mount")
        try FileManager.default.createDirectory(at: mount, withIntermediateDirectories: true)
        try (configMap["data"] as! [String: String])["scenario.yaml"]!.write(to: mount.appendingPathComponent("scenario.yaml"), atomically: true, encoding: .utf8)
        let logs = dir.appendingPathComponent("pods")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        var pods: [Process] = []
        for index in 0..<3 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            #expect(command.first == "sh")
            p.arguments = Array(command.dropFirst())
            var e = ProcessInfo.processInfo.environment.merging(env) { $1 }
            e["JOB_COMPLETION_INDEX"] = "\(index)"
            e["PHIBENCH_SCENARIO"] = mount.appendingPathComponent("scenario.yaml").path
            e["PATH"] = Phibench.binary.deletingLastPathComponent().path + ":" + (e["PATH"] ?? "/usr/bin:/bin")
            e["TMPDIR"] = dir.path
            e["PHIBENCH"] = nil
            p.environment = e
            p.currentDirectoryURL = dir
            let log = logs.appendingPathComponent("pod-\(index).log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let handle = try FileHandle(forWritingTo: log)
            p.standardOutput = handle
            p.standardError = handle
            try p.run()
            pods.append(p)
        }
        for p in pods { p.waitUntilExit() }
        #expect(pods.map(\.terminationStatus) == [0, 0, 0])

        // The collect script, with a stand-in kubectl that prints the log of the pod the selector names.
        let bin = dir.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let kubectl = bin.appendingPathComponent("kubectl")
        try """
            #!/bin/sh
            # kubectl logs -l job-name=NAME,batch.kubernetes.io/job-completion-index=I --tail=-1
            for a in "$@"; do case "$a" in *job-completion-index=*) i="${a##*=}";; esac; done
            exec cat "\(logs.path)/pod-$i.log"

            """.write(to: kubectl, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: kubectl.path)
        let collect = try ChildProcess.run(URL(fileURLWithPath: "/bin/sh"), [out.appendingPathComponent("collect.sh").path, "--quiet"],
            environment: ["PATH": bin.path + ":" + Phibench.binary.deletingLastPathComponent().path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")],
            directory: dir)
        #expect(collect.status == 0, "\(collect.stdout)\(collect.stderr)")
        let merged = try load(out.appendingPathComponent("results/merged/result.json"))
        #expect(merged.distributed?.segments.map(\.segment.description) == ["0:1/3", "1/3:2/3", "2/3:1"])
        #expect(merged.distributed?.partial == false)
        #expect(merged.scenario.overrides == ["interval=250ms", "description=it's quoted"])
        #expect(merged.scenario.description == "it's quoted")
        #expect(merged.thresholds.count == 1 && merged.thresholds[0].passed)
        // Closed loop: 2 workers split over 3 generators (1, 1, 0), summed back to 2.
        #expect(merged.phases.last?.concurrency == 2)
    }
}
