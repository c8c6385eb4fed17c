import BenchModel
import Foundation
@testable import Harness
import Testing

/// A valid scenario of three lines that cases below vary.
private let minimal = """
    name: t
    phases:
      - { kind: constant, rate: 10, duration: 1s }
    """

private func load(_ yaml: String, overrides: [String] = []) throws(ScenarioError) -> LoadedScenario {
    try ScenarioLoader.parse(yaml: yaml, file: "t.yaml", overrides: overrides, workloads: testWorkloads)
}

/// The error loading `yaml` produces, or nil when it loads.
private func loadError(_ yaml: String, overrides: [String] = []) -> ScenarioError? {
    do {
        _ = try load(yaml, overrides: overrides)
        return nil
    } catch {
        return error
    }
}

/// `minimal` with `phase` as its only phase.
private func withPhase(_ phase: String) -> String {
    "name: t\nphases:\n  - \(phase)\n"
}

/// `minimal` with `line` added as line 2.
private func withTop(_ line: String) -> String {
    "name: t\n\(line)\nphases:\n  - { kind: constant, rate: 10, duration: 1s }\n"
}

struct ErrorCase: CustomTestStringConvertible, Sendable {
    var yaml: String
    var overrides: [String] = []
    /// Fragments the message must contain, in order.
    var expected: [String]
    var testDescription: String { expected.first ?? yaml }
}

@Suite struct ScenarioLoaderTests {
    static let invalidDocuments: [ErrorCase] = [
        // top level
        ErrorCase(yaml: withTop("seeed: 3"), expected: ["t.yaml:2: seeed: unknown key", "did you mean `seed`?", "valid here: name"]),
        ErrorCase(yaml: "phases:\n  - { kind: burst, count: 1 }\n", expected: ["t.yaml:1: name: missing; expected a scenario name"]),
        ErrorCase(yaml: "name: t\n", expected: ["t.yaml:1: phases: missing; expected a list of phases"]),
        ErrorCase(yaml: "name: t\nphases: []\n", expected: ["t.yaml:2: phases: got an empty list, expected at least one phase"]),
        ErrorCase(yaml: "name: t\nphases: 5\n", expected: ["t.yaml:2: phases: got \"5\", expected a list of phases"]),
        ErrorCase(yaml: "name:\nphases: []\n", expected: ["name: got nothing, expected a scenario name"]),
        ErrorCase(yaml: "- a\n- b\n", expected: ["t.yaml:1: (top level): got a list, expected a mapping"]),
        ErrorCase(yaml: withTop("seed: -1"), expected: ["t.yaml:2: seed: got \"-1\", expected a non-negative integer"]),
        ErrorCase(yaml: withTop("seed: 1.5"), expected: ["t.yaml:2: seed: got \"1.5\", expected a non-negative integer"]),
        ErrorCase(yaml: withTop("seed: lucky"), expected: ["seed: got \"lucky\""]),
        ErrorCase(yaml: withTop("warmup: 5"), expected: ["t.yaml:2: warmup: got \"5\", expected a duration with a unit, like 5s"]),
        ErrorCase(yaml: withTop("warmup: 5parsecs"), expected: ["warmup: got \"5parsecs\"", "unit: ns, us, ms, s, m or h"]),
        ErrorCase(yaml: withTop("warmup: -1s"), expected: ["warmup: got \"-1s\", expected a duration ≥ 0"]),
        ErrorCase(yaml: withTop("interval: 0s"), expected: ["interval: got \"0s\", expected a positive duration"]),
        ErrorCase(yaml: withTop("interval: 0"), expected: ["interval: got \"0\", expected a duration with a unit"]),
        ErrorCase(yaml: withTop("workers: 0"), expected: ["t.yaml:2: workers: got \"0\", expected a whole number from 1 to 4,096"]),
        ErrorCase(yaml: withTop("workers: [2]"), expected: ["workers: got a list, expected a whole number from 1 to 4,096"]),
        ErrorCase(yaml: withTop("max_queue: -5"), expected: ["max_queue: got \"-5\", expected a whole number from 1 to 100,000,000"]),
        ErrorCase(yaml: withTop("description: { a: 1 }"), expected: ["description: got a mapping, expected a string"]),
        ErrorCase(yaml: withTop("pipeline: 5"), expected: ["t.yaml:2: pipeline: got \"5\", expected a mapping of settings"]),
        ErrorCase(yaml: withTop("pipeline: { phi: { nodes: [1, 2] } }"), expected: ["t.yaml:2: pipeline.phi.nodes: got a list"]),
        ErrorCase(yaml: withTop("stimulus: { zipf: }"), expected: ["stimulus.zipf: got nothing, expected a value"]),
        // phases
        ErrorCase(yaml: withPhase("constant"), expected: ["t.yaml:3: phases[0]: got \"constant\", expected a phase mapping"]),
        ErrorCase(yaml: withPhase("{ rate: 1, duration: 1s }"), expected: ["t.yaml:3: phases[0].kind: missing; expected one of constant, ramp"]),
        ErrorCase(yaml: withPhase("{ kind: constnt, rate: 1, duration: 1s }"), expected: ["phases[0].kind: got \"constnt\"", "did you mean `constant`?"]),
        ErrorCase(yaml: withPhase("{ kind: constant, rat: 1, duration: 1s }"),
                  expected: ["t.yaml:3: phases[0].rat: unknown key; did you mean `rate`?", "valid here: kind, rate, duration, workers, max_queue"]),
        ErrorCase(yaml: "name: t\nphases:\n  - kind: constant\n    rate: 10\n    duraton: 1s\n",
                  expected: ["t.yaml:5: phases[0].duraton: unknown key; did you mean `duration`?"]),
        ErrorCase(yaml: withPhase("{ kind: constant, rate: 1 }"), expected: ["phases[0].duration: missing; a constant phase needs rate, duration"]),
        ErrorCase(yaml: withPhase("{ kind: constant, rate: 0, duration: 1s }"), expected: ["phases[0].rate: got \"0\", expected a positive rate"]),
        ErrorCase(yaml: withPhase("{ kind: constant, rate: -5, duration: 1s }"), expected: ["phases[0].rate: got \"-5\""]),
        ErrorCase(yaml: withPhase("{ kind: constant, rate: fast, duration: 1s }"), expected: ["phases[0].rate: got \"fast\""]),
        ErrorCase(yaml: withPhase("{ kind: constant, rate: 5, duration: 10 }"),
                  expected: ["phases[0].duration: got \"10\", expected a duration with a unit, like 10s"]),
        ErrorCase(yaml: withPhase("{ kind: constant, rate: 5, duration: -2s }"), expected: ["phases[0].duration: got \"-2s\", expected a positive duration"]),
        ErrorCase(yaml: withPhase("{ kind: ramp, from: -1, to: 5, duration: 1s }"), expected: ["phases[0].from: got \"-1\", expected a rate from 0 to 10,000,000/s"]),
        ErrorCase(yaml: withPhase("{ kind: ramp, from: 1, to: -5, duration: 1s }"), expected: ["phases[0].to: got \"-5\", expected a rate from 0 to 10,000,000/s"]),
        ErrorCase(yaml: withPhase("{ kind: step, rates: [], each: 1s }"), expected: ["phases[0].rates: got an empty list, expected at least one rate"]),
        ErrorCase(yaml: withPhase("{ kind: step, rates: 5, each: 1s }"), expected: ["phases[0].rates: got \"5\", expected a list of rates"]),
        ErrorCase(yaml: withPhase("{ kind: step, rates: [5, 0], each: 1s }"), expected: ["phases[0].rates[1]: got \"0\", expected a positive rate"]),
        ErrorCase(yaml: withPhase("{ kind: spike, base: 5, peak: 50, at: 5s, hold: 11s, duration: 15s }"),
                  expected: ["phases[0].hold: got \"11s\", expected at + hold ≤ duration"]),
        ErrorCase(yaml: withPhase("{ kind: spike, base: 50, peak: 10, at: 1s, hold: 1s, duration: 5s }"),
                  expected: ["phases[0].peak: got \"10\", expected a peak ≥ base"]),
        ErrorCase(yaml: withPhase("{ kind: spike, base: 5, peak: 10, at: 1s, duration: 5s }"), expected: ["phases[0].hold: missing"]),
        ErrorCase(yaml: withPhase("{ kind: closed, concurrency: [1, 0], each: 1s }"),
                  expected: ["phases[0].concurrency[1]: got \"0\", expected a whole number from 1 to 4,096"]),
        ErrorCase(yaml: withPhase("{ kind: closed, concurrency: [1.5], each: 1s }"), expected: ["phases[0].concurrency[0]: got \"1.5\""]),
        ErrorCase(yaml: withPhase("{ kind: closed, concurrency: [], each: 1s }"), expected: ["phases[0].concurrency: got an empty list"]),
        ErrorCase(yaml: withPhase("{ kind: closed, concurrency: 4, each: 1s }"), expected: ["phases[0].concurrency: got \"4\", expected a list"]),
        ErrorCase(yaml: withPhase("{ kind: closed, concurrency: [1], each: 1s, workers: 2 }"),
                  expected: ["t.yaml:3: phases[0].workers: a closed phase has no arrival queue or worker pool"]),
        ErrorCase(yaml: withPhase("{ kind: burst, count: 0 }"), expected: ["phases[0].count: got \"0\", expected a whole number from 1 to 100,000,000"]),
        ErrorCase(yaml: withPhase("{ kind: burst }"), expected: ["phases[0].count: missing"]),
        ErrorCase(yaml: withPhase("{ kind: burst, count: 10, workers: 0 }"), expected: ["phases[0].workers: got \"0\""]),
        ErrorCase(yaml: withPhase("{ kind: burst, count: 10, max_queue: 0 }"), expected: ["phases[0].max_queue: got \"0\""]),
        // inject
        ErrorCase(yaml: withTop("inject: [{ stall: 1ms, every: 10, at: 2s }]"),
                  expected: ["t.yaml:2: inject[0]: a stall takes either `every: N` (episodes) or `at: 20s`"]),
        ErrorCase(yaml: withTop("inject: [{ stall: 1ms }]"), expected: ["inject[0].every: missing; a stall needs `every: N`"]),
        ErrorCase(yaml: withTop("inject: [{ stall: 100, every: 10 }]"), expected: ["inject[0].stall: got \"100\", expected a duration with a unit"]),
        ErrorCase(yaml: withTop("inject: [{ stall: 1ms, every: 0 }]"), expected: ["inject[0].every: got \"0\", expected a whole number from 1 to 1,000,000,000,000"]),
        ErrorCase(yaml: withTop("inject: [{ stall: 1ms, evry: 10 }]"), expected: ["inject[0].evry: unknown key; did you mean `every`?"]),
        ErrorCase(yaml: withTop("inject: [{ slow: '', extra: 1ms }]"), expected: ["inject[0].slow: got an empty name, expected a stage name"]),
        ErrorCase(yaml: withTop("inject: [{ slow: ESGT }]"), expected: ["inject[0].extra: missing"]),
        ErrorCase(yaml: withTop("inject: [{ slow: ESGT, extra: 0s }]"), expected: ["inject[0].extra: got \"0s\", expected a positive duration"]),
        ErrorCase(yaml: withTop("inject: [{ slow: ESGT, work: 99999999999999999999999 }]"),
                  expected: ["inject[0].work: got \"99999999999999999999999\", expected a whole number of loop iterations from 0 to 1000000000"]),
        ErrorCase(yaml: withTop("inject: [{ slow: ESGT, work: 1000000001 }]"), expected: ["inject[0].work", "from 0 to 1000000000"]),
        ErrorCase(yaml: withTop("inject: [{ slow: ESGT, work: -1 }]"), expected: ["inject[0].work: got \"-1\""]),
        ErrorCase(yaml: withTop("inject: [{ slow: ESGT, work: 2.5 }]"), expected: ["inject[0].work: got \"2.5\""]),
        ErrorCase(yaml: withTop("inject: [{ slow: ESGT, work: 10, extra: 1ms }]"), expected: ["inject[0]: a slow stage takes either", "not both"]),
        ErrorCase(yaml: withTop("inject: [{ slow: ESGT, work: 10 }, { slow: MEA, work: 5 }]"),
                  expected: ["inject[1]: only one `slow: …, work: …` fault per scenario (inject[0] already has one)"]),
        ErrorCase(yaml: withTop("inject: [{ slow: ESGT, extra: 1ms }, { slow: MEA, extra: 2ms }]"),
                  expected: ["inject[1]: only one `slow: …, extra: …` fault"]),
        ErrorCase(yaml: withTop("inject: [{ leak: 16 parsecs }]"), expected: ["inject[0].leak: got \"16 parsecs\", expected a positive size"]),
        ErrorCase(yaml: withTop("inject: [{ leak: 0 }]"), expected: ["inject[0].leak: got \"0\""]),
        ErrorCase(yaml: withTop("inject: [{ crash: now }]"), expected: ["inject[0].crash: unknown key", "valid here: stall, slow, leak"]),
        ErrorCase(yaml: withTop("inject: [{ leak: 1KB, slow: ESGT }]"), expected: ["inject[0]: got leak and slow in one entry, expected exactly one fault"]),
        ErrorCase(yaml: withTop("inject: [stall]"), expected: ["inject[0]: got \"stall\", expected a fault"]),
        ErrorCase(yaml: withTop("inject: { leak: 1KB }"), expected: ["inject: got a mapping, expected a list of faults"]),
        // thresholds
        ErrorCase(yaml: withTop("thresholds: [5]"), expected: ["t.yaml:2: thresholds[0]: got \"5\", expected a threshold expression string"]),
        ErrorCase(yaml: withTop("thresholds: [{ e2e.p99: 5ms }]"), expected: ["thresholds[0]: got a mapping"]),
        ErrorCase(yaml: withTop("thresholds: \"errors == 0\""), expected: ["thresholds: got \"errors == 0\", expected a list"]),
        // YAML itself
        ErrorCase(yaml: "name: [unclosed\n", expected: ["t.yaml:", "malformed YAML"]),
        ErrorCase(yaml: "name: a\nname: b\nphases: []\n", expected: ["t.yaml:", "malformed YAML: duplicate key `name`"]),
        ErrorCase(yaml: "", expected: ["t.yaml: the scenario is empty"]),
        ErrorCase(yaml: "# nothing but a comment\n", expected: ["t.yaml: the scenario is empty"]),
    ]

    @Test(arguments: invalidDocuments + ScenarioArrivalSettingsTests.invalid)
    func invalidDocumentIsRejected(_ c: ErrorCase) throws {
        let error = try #require(loadError(c.yaml, overrides: c.overrides))
        expectFragments(error.description, c.expected)
    }

    static let invalidOverrides: [ErrorCase] = [
        ErrorCase(yaml: minimal, overrides: ["seed7"], expected: ["--set seed7: expected KEY=VALUE or KEY+=VALUE"]),
        ErrorCase(yaml: minimal, overrides: ["=5"], expected: ["--set =5: empty KEY"]),
        ErrorCase(yaml: minimal, overrides: ["+=5"], expected: ["--set +=5: empty KEY"]),
        ErrorCase(yaml: minimal, overrides: ["a..b=1"], expected: ["--set a..b=1: KEY `a..b` has an empty path segment"]),
        ErrorCase(yaml: minimal, overrides: ["phases[x].rate=1"], expected: ["expected a list index like `phases[0]`"]),
        ErrorCase(yaml: minimal, overrides: ["pipeline.esgt=[1"], expected: ["--set pipeline.esgt=[1: VALUE is not valid YAML"]),
        ErrorCase(yaml: minimal, overrides: ["seed=-1"], expected: ["--set seed: got \"-1\", expected a non-negative integer"]),
        ErrorCase(yaml: minimal, overrides: ["warmup=5"], expected: ["--set warmup: got \"5\", expected a duration with a unit"]),
        ErrorCase(yaml: minimal, overrides: ["bogus=1"], expected: ["--set bogus: unknown key"]),
        ErrorCase(yaml: minimal, overrides: ["name.x=1"], expected: ["`name` is \"t\", so it has no key `x`"]),
        ErrorCase(yaml: minimal, overrides: ["phases[3].rate=5"], expected: ["`phases[3]` is out of range: `phases` has 1 entries"]),
        ErrorCase(yaml: withTop("seed: 3"), overrides: ["seed+=1"], expected: ["--set seed+=1: `seed` is not a list, so `+=` cannot append to it"]),
        ErrorCase(yaml: minimal, overrides: ["seed+=1"], expected: ["--set seed: got a list, expected a non-negative integer"]),
        ErrorCase(yaml: minimal, overrides: ["phases=[{kind: constant, rate: 100}]"],
                  expected: ["--set phases: phases[0].duration: missing"]),
        ErrorCase(yaml: minimal, overrides: ["phases[0].rate=0"], expected: ["--set phases[0].rate: got \"0\", expected a positive rate"]),
        ErrorCase(yaml: minimal, overrides: ["inject+={leak: 0}"], expected: ["--set inject: inject[0].leak: got \"0\""]),
        ErrorCase(yaml: minimal, overrides: ["pipeline.phi.nodess=9", "pipeline=5"], expected: ["--set pipeline: got \"5\", expected a mapping"]),
        ErrorCase(yaml: minimal, overrides: ["thresholds+=7"], expected: ["--set thresholds: thresholds[0]: got \"7\""]),
    ]

    @Test(arguments: invalidOverrides + ScenarioArrivalSettingsTests.invalidOverrides)
    func invalidOverrideIsRejected(_ c: ErrorCase) throws {
        let error = try #require(loadError(c.yaml, overrides: c.overrides))
        expectFragments(error.description, c.expected)
        #expect(!error.description.contains("t.yaml:"), "an override's error names --set, not the file: \(error)")
    }

    @Test func defaultsFillWhatIsNotWritten() throws {
        let s = try load(minimal).scenario
        #expect(s == Scenario(name: "t", description: "", seed: 42, warmup: 0, interval: 1, workers: nil, maxQueue: nil,
                              workload: [:], phases: [Phase(.constant(rate: 10, duration: 1))], inject: [], thresholds: []))
        let empty = try load(withTop("inject:\nthresholds:\npipeline:")).scenario
        #expect(empty.inject.isEmpty && empty.thresholds.isEmpty && empty.workload.isEmpty)
    }

    @Test func theDesignExampleLoadsCompletely() throws {
        let yaml = """
            name: steady
            description: 15 episodes/s for one minute, then a burst
            seed: 7
            warmup: 5s
            interval: 500ms
            workers: 2
            max_queue: 1000
            pipeline:
              memory: off
              phi: { nodes: 8, cache: 1000 }
              esgt:
                kuramoto: { k: 20, dt: 0.005 }
            stimulus: { vocabulary: 500, zipf: 1.1 }
            phases:
              - { kind: constant, rate: 15, duration: 60s }
              - { kind: ramp, from: 0, to: 500, duration: 30s, workers: 1 }
              - { kind: step, rates: [50, 100, 200], each: 10s }
              - { kind: spike, base: 50, peak: 2000, at: 5s, hold: 1s, duration: 15s, max_queue: 64 }
              - { kind: burst, count: 100 }
              - { kind: closed, concurrency: [1, 5, 10, 20, 50], each: 10s }
            inject:
              - { stall: 100ms, every: 1000 }
              - { stall: 50ms, at: 20s }
              - { slow: ESGT, extra: 200us }
              - { leak: 16KB }
            thresholds:
              - "e2e.p99 < 5ms"
              - throughput > 1000/s
            """
        let loaded = try load(yaml)
        let s = loaded.scenario
        #expect(s.name == "steady" && s.description == "15 episodes/s for one minute, then a burst")
        #expect(s.seed == 7 && s.warmup == 5 && s.interval == 0.5 && s.workers == 2 && s.maxQueue == 1000)
        #expect(s.workload == ["pipeline.memory": "off", "pipeline.phi.nodes": "8", "pipeline.phi.cache": "1000",
                               "pipeline.esgt.kuramoto.k": "20", "pipeline.esgt.kuramoto.dt": "0.005",
                               "stimulus.vocabulary": "500", "stimulus.zipf": "1.1"])
        #expect(s.phases == [
            Phase(.constant(rate: 15, duration: 60)),
            Phase(.ramp(from: 0, to: 500, duration: 30), workers: 1),
            Phase(.step(rates: [50, 100, 200], each: 10)),
            Phase(.spike(base: 50, peak: 2000, at: 5, hold: 1, duration: 15), maxQueue: 64),
            Phase(.burst(count: 100)),
            Phase(.closed(concurrency: [1, 5, 10, 20, 50], each: 10)),
        ])
        #expect(s.inject.count == 4)
        #expect(s.inject[0] == .stall(duration: 0.1, every: 1000, at: nil))
        #expect(s.inject[1] == .stall(duration: 0.05, every: nil, at: 20))
        guard case .slow(let stage, let extra) = s.inject[2] else { Issue.record("not slow: \(s.inject[2])"); return }
        #expect(stage == "ESGT" && abs(extra - 200e-6) < 1e-12)
        #expect(s.inject[3] == .leak(bytes: 16_000))
        // A fixed amount of work, deterministic in instructions; zero and the largest count are allowed.
        for (text, iterations) in [("20000", UInt64(20_000)), ("0", 0), ("1000000000", 1_000_000_000), ("000040000", 40_000)] {
            let work = try load(withTop("inject: [{ slow: ESGT, work: \(text) }]")).scenario.inject
            #expect(work == [.slowWork(stage: "ESGT", iterations: iterations)])
        }
        #expect(s.thresholds == ["e2e.p99 < 5ms", "throughput > 1000/s"])
        #expect(loaded.record.name == "steady" && loaded.record.file == "t.yaml" && loaded.record.overrides.isEmpty)
        #expect(loaded.locations["pipeline.phi.nodes"] == .file("t.yaml", line: 10, column: 10))
        #expect(loaded.locations["pipeline.esgt.kuramoto.dt"]?.line == 12)
        #expect(loaded.locations["phases[3].peak"]?.line == 18)
        #expect(loaded.locations["inject[2].slow"]?.line == 24)
        #expect(loaded.locations["thresholds[1]"]?.line == 28)
    }

    @Test func laterChecksPointAtTheLineOfTheKey() throws {
        let loaded = try load("name: t\npipeline:\n  esgt:\n    steps: 400\nphases:\n  - { kind: burst, count: 1 }\n")
        #expect(loaded.error(key: "pipeline.esgt.steps", "must be ≤ 10000").description == "t.yaml:4: pipeline.esgt.steps: must be ≤ 10000")
        // A key the file does not have is reported at its nearest written parent.
        #expect(loaded.error(key: "pipeline.esgt.stepz", "unknown key").description == "t.yaml:3: pipeline.esgt.stepz: unknown key")
        #expect(loaded.location(of: "stimulus.zipf") == .file("t.yaml", line: 1))
        let overridden = try load(minimal, overrides: ["pipeline.esgt.stepz=4"])
        #expect(overridden.error(key: "pipeline.esgt.stepz", "unknown key").description == "--set pipeline.esgt.stepz: unknown key")
    }

    @Test func validateChecksStagesAndThresholds() throws {
        let stages = ["MMEI", "MCEA", "MEA", "TIG", "ESGT", "PHI"]
        let good = try load(withTop("inject: [{ slow: ESGT, extra: 1ms }]\nthresholds: [\"ESGT.p99 < 1ms\", \"phase[0].throughput > 5\"]"))
        let thresholds = try good.validate(catalogue: testCatalogue(stages: stages))
        #expect(thresholds.map(\.metric) == ["ESGT.p99", "throughput"])
        #expect(thresholds[1].scope == .phaseIndex(0))

        let slow = try load(withTop("inject: [{ slow: ESTG, extra: 1ms }]"))
        #expect(throws: ScenarioError.self) { try slow.validate(catalogue: testCatalogue(stages: stages)) }
        do { _ = try slow.validate(catalogue: testCatalogue(stages: stages)) } catch {
            expectFragments(error.description, ["t.yaml:2: inject[0].slow: unknown stage \"ESTG\"; did you mean `ESGT`?"])
        }
        let bad = try load("name: t\nphases: [{ kind: burst, count: 1 }]\nthresholds:\n  - errors == 0\n  - e2e.p99 < 5\n")
        do {
            _ = try bad.validate(catalogue: testCatalogue(stages: stages))
            Issue.record("a bare latency limit validated")
        } catch {
            #expect(error.description == "t.yaml:5: thresholds[1]: threshold \"e2e.p99 < 5\": latency metrics need a duration unit like 5ms")
        }
        let outOfRange = try load(withTop("thresholds: [\"phase[1].errors == 0\"]"))
        #expect(throws: ScenarioError.self) { try outOfRange.validate(catalogue: testCatalogue(stages: stages)) }
    }
}

// MARK: - Overrides

extension ScenarioLoaderTests {
    @Test func overridesReplaceValuesAndAreValidatedLikeTheFile() throws {
        let yaml = withTop("stimulus: { zipf: 1.1, vocabulary: 50 }\ninject: [{ leak: 1KB }]")
        let overrides = [
            "seed=7", "warmup=2s", "pipeline.esgt.steps=400", "stimulus.zipf=1.2", "phases[0].rate=25",
            "inject+={stall: 1ms, at: 2s}", "thresholds+=e2e.p99 < 5ms", "thresholds+=[errors == 0, dropped == 0]",
            "seed=8",
        ]
        let loaded = try load(yaml, overrides: overrides)
        let s = loaded.scenario
        #expect(s.seed == 8, "the last override wins")
        #expect(s.warmup == 2)
        #expect(s.workload == ["pipeline.esgt.steps": "400", "stimulus.zipf": "1.2", "stimulus.vocabulary": "50"])
        #expect(s.phases == [Phase(.constant(rate: 25, duration: 1))])
        #expect(s.inject == [.leak(bytes: 1000), .stall(duration: 0.001, every: nil, at: 2)])
        #expect(s.thresholds == ["e2e.p99 < 5ms", "errors == 0", "dropped == 0"])
        #expect(loaded.record.overrides == overrides)
        #expect(loaded.locations["seed"] == .override("seed"))
        #expect(loaded.locations["pipeline.esgt.steps"] == .override("pipeline.esgt.steps"))
        #expect(loaded.locations["stimulus.vocabulary"]?.line == 2, "untouched keys keep their file line")
        #expect(loaded.locations["inject[1]"] == .override("inject"))
    }

    @Test func overridesReplaceWholeListsWithFlowCollections() throws {
        let loaded = try load(minimal, overrides: [
            "phases=[{kind: constant, rate: 100, duration: 2s}, {kind: burst, count: 5}]",
            "inject=[{slow: ESGT, extra: 200us}]",
        ])
        #expect(loaded.scenario.phases == [Phase(.constant(rate: 100, duration: 2)), Phase(.burst(count: 5))])
        #expect(loaded.scenario.inject.count == 1)
        #expect(loaded.locations["phases[1].count"] == .override("phases"))
    }

    @Test func appendingToAnAbsentListCreatesIt() throws {
        let s = try load(minimal, overrides: ["inject+={leak: 16KB}", "thresholds+=\"errors == 0\""]).scenario
        #expect(s.inject == [.leak(bytes: 16_000)])
        #expect(s.thresholds == ["errors == 0"])
    }

    @Test func overridesCanSupplyWhatTheFileLacks() throws {
        let s = try load("name: t\n", overrides: ["phases=[{kind: burst, count: 3}]", "pipeline.phi.nodes=10"]).scenario
        #expect(s.phases == [Phase(.burst(count: 3))])
        #expect(s.workload == ["pipeline.phi.nodes": "10"])
    }
}

// MARK: - Files

extension ScenarioLoaderTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let stages = ["MMEI", "MCEA", "MEA", "TIG", "ESGT", "PHI"]

    @Test func missingFileAndDirectoryAreReported() {
        #expect(throws: ScenarioError.unreadable(file: "/nonexistent/x.yaml", reason: "no such file")) {
            try ScenarioLoader.load(file: "/nonexistent/x.yaml")
        }
        let dir = Self.packageRoot.appendingPathComponent("scenarios").path
        do {
            _ = try ScenarioLoader.load(file: dir)
            Issue.record("a directory loaded")
        } catch {
            expectFragments(error.description, ["\(dir): cannot read scenario: it is a directory"])
        }
    }

    @Test func everyShippedScenarioLoadsAndValidates() throws {
        let dir = Self.packageRoot.appendingPathComponent("scenarios")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(files.contains("smoke.yaml") && files.contains("day8-baseline.yaml"))
        for file in files {
            let loaded = try ScenarioLoader.load(file: dir.appendingPathComponent(file).path, workloads: testWorkloads)
            #expect(!loaded.scenario.description.isEmpty, "\(file) has a description")
            // A before/after pair shares one name (compare refuses different scenarios); the rest are
            // named after their file.
            let pair = file.hasSuffix("-before.yaml") || file.hasSuffix("-after.yaml")
            #expect(pair || loaded.scenario.name + ".yaml" == file, "\(file) is named after its file")
            _ = try loaded.validate(catalogue: testCatalogue(stages: Self.stages))
        }
    }

    @Test func smokeIsShortAndCoversTheLoadShapes() throws {
        let s = try ScenarioLoader.load(file: Self.packageRoot.appendingPathComponent("scenarios/smoke.yaml").path, workloads: testWorkloads).scenario
        #expect(s.warmup + s.nominalDuration <= 12)
        #expect(Set(s.phases.map(\.load.kind)).isSuperset(of: ["constant", "burst", "closed"]))
        #expect(s.workload["stimulus.vocabulary"] == "200" && s.workload["stimulus.zipf"] == "1.1")
        #expect(s.thresholds.contains("errors == 0"))
    }

    @Test func day8BaselineHasThePlansLoads() throws {
        let s = try ScenarioLoader.load(file: Self.packageRoot.appendingPathComponent("scenarios/day8-baseline.yaml").path, workloads: testWorkloads).scenario
        #expect(s.phases.map(\.load) == [
            .constant(rate: 15, duration: 60),
            .closed(concurrency: [1, 5, 10, 20, 50], each: 10),
            .burst(count: 100),
        ])
        #expect(s.workload["pipeline.memory"] == "off")
        #expect(s.thresholds.contains("e2e.p50 < 50ms") && s.thresholds.contains("e2e.p95 < 100ms"))
    }
}

func expectFragments(_ message: String, _ fragments: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    var rest = Substring(message)
    for fragment in fragments {
        guard let range = rest.range(of: fragment) else {
            Issue.record("message lacks \"\(fragment)\":\n\(message)", sourceLocation: sourceLocation)
            return
        }
        rest = rest[range.upperBound...]
    }
}

/// `spin` and `arrivals`: where they may appear, their ranges, and how a plan resolves them. (The
/// error tables run in ``ScenarioLoaderTests``' table tests.)
@Suite struct ScenarioArrivalSettingsTests {
    static let invalid: [ErrorCase] = [
        ErrorCase(yaml: withTop("arrivals: gaussian"), expected: ["t.yaml:2: arrivals: got \"gaussian\", expected uniform or poisson"]),
        ErrorCase(yaml: withPhase("{ kind: constant, rate: 10, duration: 1s, arrivals: poison }"),
                  expected: ["t.yaml:3: phases[0].arrivals: got \"poison\", expected uniform or poisson", "did you mean `poisson`?"]),
        ErrorCase(yaml: withTop("spin: -5us"), expected: ["t.yaml:2: spin: got \"-5us\", expected a spin window from 0 to 10ms", "0 turns spinning off"]),
        ErrorCase(yaml: withTop("spin: 20ms"), expected: ["spin: got \"20ms\", expected a spin window from 0 to 10ms"]),
        ErrorCase(yaml: withTop("spin: 20"), expected: ["spin: got \"20\", expected a spin window from 0 to 10ms with a unit, like 20us"]),
        ErrorCase(yaml: withTop("spin: fast"), expected: ["spin: got \"fast\""]),
        ErrorCase(yaml: withPhase("{ kind: ramp, from: 1, to: 9, duration: 1s, spin: 1h }"),
                  expected: ["phases[0].spin: got \"1h\", expected a spin window from 0 to 10ms"]),
        ErrorCase(yaml: withPhase("{ kind: burst, count: 5, arrivals: poisson }"),
                  expected: ["phases[0].arrivals: a burst's arrivals are all due at once"]),
        ErrorCase(yaml: withPhase("{ kind: burst, count: 5, spin: 5us }"), expected: ["phases[0].spin: a burst's arrivals"]),
        ErrorCase(yaml: withPhase("{ kind: closed, concurrency: [1], each: 1s, spin: 5us }"),
                  expected: ["phases[0].spin: a closed phase has no arrival schedule"]),
        ErrorCase(yaml: withPhase("{ kind: closed, concurrency: [1], each: 1s, arrivals: poisson }"),
                  expected: ["phases[0].arrivals: a closed phase has no arrival schedule"]),
    ]
    static let invalidOverrides: [ErrorCase] = [
        ErrorCase(yaml: minimal, overrides: ["spin=-1us"], expected: ["--set spin: got \"-1us\", expected a spin window from 0 to 10ms"]),
        ErrorCase(yaml: minimal, overrides: ["arrivals=exponential"], expected: ["--set arrivals: got \"exponential\", expected uniform or poisson"]),
    ]

    @Test func settingsLoadAtBothLevelsAndFromOverrides() throws {
        let yaml = """
            name: t
            spin: 50us
            arrivals: poisson
            phases:
              - { kind: constant, rate: 10, duration: 1s, spin: 0, arrivals: uniform }
              - { kind: step, rates: [5, 10], each: 1s }
              - { kind: burst, count: 3 }
            """
        let s = try load(yaml).scenario
        #expect(abs(try #require(s.spin) - 50e-6) < 1e-12 && s.arrivals == .poisson)
        #expect(s.phases[0].spin == 0 && s.phases[0].arrivals == .uniform)
        #expect(s.phases[1].spin == nil && s.phases[1].arrivals == nil)
        let overridden = try load(yaml, overrides: ["spin=0", "phases[1].arrivals=uniform"]).scenario
        #expect(overridden.spin == 0 && overridden.phases[1].arrivals == .uniform)
        #expect(try load(minimal).scenario.spin == nil)
    }

    @Test func planResolvesPhaseOverScenarioOverDefault() throws {
        let yaml = """
            name: t
            seed: 9
            spin: 50us
            arrivals: poisson
            phases:
              - { kind: constant, rate: 10, duration: 1s, spin: 0, arrivals: uniform }
              - { kind: step, rates: [5, 10], each: 1s }
              - { kind: burst, count: 3 }
            """
        let open = PlannedPhase.plan(try load(yaml).scenario, defaultWorkers: 2).compactMap { p -> OpenLoopPlan? in
            if case .open(let o) = p.mode { return o }
            return nil
        }
        #expect(open.count == 4)
        #expect(open[0].spinNanoseconds == 0 && open[0].schedule.process == .uniform)
        #expect(open[1].spinNanoseconds == 50_000 && open[1].schedule.process == .poisson)
        // Each step level gets its own stream; the same scenario seed gives the same seeds every time.
        #expect(open[1].schedule.seed != open[2].schedule.seed)
        let again = PlannedPhase.plan(try load(yaml).scenario, defaultWorkers: 2)
        guard case .open(let first) = again[1].mode else { Issue.record("not open"); return }
        #expect(first.schedule.seed == open[1].schedule.seed)
        // A trial seed changes the streams.
        guard case .open(let varied) = PlannedPhase.plan(try load(yaml).scenario, seed: 10, defaultWorkers: 2)[1].mode else { return }
        #expect(varied.schedule.seed != open[1].schedule.seed)
        // Nothing set anywhere: uniform, and the default window.
        guard case .open(let plain) = PlannedPhase.plan(try load(minimal).scenario, defaultWorkers: 1)[0].mode else { return }
        #expect(plain.schedule.process == .uniform)
        #expect(plain.spinNanoseconds == 150_000, "10/s: the low-rate default")
    }

    @Test("the default window is 150 µs up to 200/s, 50 µs from 600/s, shrunk so that peak rate × window ≤ 0.4",
          arguments: [(10.0, 150_000), (200, 150_000), (300, 100_000), (600, 50_000), (1000, 50_000), (8000, 50_000),
                      (20_000, 20_000), (100_000, 4_000)] as [(Double, UInt64)])
    func defaultWindowFollowsThePeakRate(rate: Double, expected: UInt64) {
        #expect(OpenLoopPlan.spinNanoseconds(nil, for: ArrivalSchedule(.constant(rate: rate, duration: 1))!) == expected)
        // A ramp is budgeted at its peak; an explicit window is taken as written.
        #expect(OpenLoopPlan.spinNanoseconds(nil, for: ArrivalSchedule(.ramp(from: 1, to: rate, duration: 1))!) == expected)
        #expect(OpenLoopPlan.spinNanoseconds(200e-6, for: ArrivalSchedule(.constant(rate: rate, duration: 1))!) == 200_000)
        #expect(OpenLoopPlan.spinNanoseconds(0, for: ArrivalSchedule(.constant(rate: rate, duration: 1))!) == 0)
    }
}
