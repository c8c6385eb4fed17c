import Foundation
import Testing

/// Bad input gets exit status 2 and a message naming the file, the field and what was expected.
@Suite("Bad input")
struct BadInputTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var yaml: String
        var overrides: [String] = []
        var expected: [String]
        var description: String { name }
    }

    static let valid = """
        name: t
        phases:
          - { kind: constant, rate: 10, duration: 1s }
        """

    static let cases: [Case] = [
        Case(name: "unknown top-level key", yaml: "name: t\nphasez: []\n", expected: ["s.yaml:2", "phasez", "unknown key"]),
        Case(name: "unknown phase key", yaml: "name: t\nphases:\n  - { kind: constant, rate: 10, duraton: 1s }\n",
             expected: ["s.yaml:3", "duraton", "duration"]),
        Case(name: "negative rate", yaml: "name: t\nphases:\n  - { kind: constant, rate: -5, duration: 1s }\n",
             expected: ["s.yaml:3", "rate", "-5"]),
        Case(name: "duration without unit", yaml: "name: t\nphases:\n  - { kind: constant, rate: 5, duration: 10 }\n",
             expected: ["s.yaml:3", "duration", "unit"]),
        Case(name: "malformed YAML", yaml: "name: t\nphases: [ { kind: constant\n", expected: ["s.yaml", "YAML"]),
        Case(name: "empty file", yaml: "", expected: ["s.yaml", "empty"]),
        Case(name: "unknown pipeline key", yaml: "name: t\npipeline:\n  esgt: { stepz: 4 }\nphases:\n  - { kind: burst, count: 1 }\n",
             expected: ["s.yaml:3", "pipeline.esgt.stepz"]),
        Case(name: "bad override", yaml: valid, overrides: ["--set", "seed"], expected: ["--set", "seed", "KEY=VALUE"]),
        Case(name: "negative rate via --set", yaml: valid, overrides: ["--set", "phases=[{kind: constant, rate: -1, duration: 1s}]"],
             expected: ["--set phases", "rate"]),
        Case(name: "malformed threshold", yaml: valid + "\nthresholds: [\"e2e.p99 <\"]\n", expected: ["e2e.p99 <", "threshold"]),
        Case(name: "unknown threshold metric", yaml: valid + "\nthresholds: [\"e3e.p99 < 5ms\"]\n", expected: ["e3e.p99", "unknown metric"]),
        Case(name: "unknown slow stage", yaml: valid + "\ninject: [{ slow: NOPE, extra: 1ms }]\n", expected: ["NOPE", "ESGT"]),
        Case(name: "affinity on a CPU the process may not use", yaml: valid + "\naffinity: { workers: [1023] }\n",
             expected: ["affinity: CPU 1023 is not one this process may run on", "expected CPUs from ["]),
        Case(name: "misspelt steady warm-up", yaml: valid + "\nwarmup: { until: steady, max: 5s, mn: 1s }\n",
             expected: ["s.yaml:4", "warmup.mn", "did you mean `min`?"]),
    ]

    @Test(arguments: cases)
    func rejected(_ c: Case) throws {
        let dir = try Phibench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Phibench.scenario(c.yaml, in: dir)
        let out = try Phibench.run(["run", file, "--out", dir.appendingPathComponent("out").path, "--quiet"] + c.overrides)
        #expect(out.status == 2, "exit \(out.status); stderr: \(out.stderr)")
        for fragment in c.expected {
            #expect(out.stderr.contains(fragment), "stderr lacks \"\(fragment)\": \(out.stderr)")
        }
        #expect(!out.stderr.contains("Fatal error"), "crashed: \(out.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/result.json").path))
    }

    @Test func missingScenarioFile() throws {
        let out = try Phibench.run(["run", "/nonexistent/x.yaml", "--quiet"])
        #expect(out.status == 2)
        #expect(out.stderr.contains("/nonexistent/x.yaml"))
    }

    @Test func usageErrorsExitTwo() throws {
        #expect(try Phibench.run(["run"]).status == 2)
        #expect(try Phibench.run(["run", "x.yaml", "--trials", "0"]).status == 2)
        #expect(try Phibench.run(["frobnicate"]).status == 2)
        #expect(try Phibench.run(["soak", "x.yaml", "--duration", "-5s"]).status == 2)
    }

    @Test func helpShowsExamples() throws {
        for sub in ["run", "compare", "report", "soak", "profile", "list"] {
            let out = try Phibench.run([sub, "--help"])
            #expect(out.status == 0)
            #expect(out.stdout.contains("phibench \(sub)"), "\(sub) --help has no example")
        }
    }
}
