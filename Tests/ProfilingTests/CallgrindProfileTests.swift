import BenchModel
import Testing
@testable import Profiling

/// The callgrind reader on small files whose answers are worked out by hand, and on broken ones.
@Suite struct CallgrindProfileTests {
    /// main (self 20) calls phibench_episode twice (inclusive 700 in all), which calls the stage-0
    /// trampoline (inclusive 600) once per episode, which calls `work` (self 590); `helper` is in
    /// another file of main's and only adds self cost. Positions are `line`, with name compression
    /// and relative line numbers, as callgrind writes them.
    static let sample = """
        # callgrind format
        version: 1
        creator: callgrind-3.19.0
        pid: 4242
        cmd: ./phibench-nodebug instructions s.yaml
        part: 1

        desc: I1 cache:
        positions: line
        events: Ir
        summary: 800

        ob=(1) /tmp/phibench-nodebug
        fl=(1) ???
        fn=(1) main
        0 15
        cfn=(2) phibench_episode
        calls=2 0
        0 700
        +3 5
        fi=(2) other.c
        fn=(3) helper
        * 80
        fe=(1)
        fn=(2)
        0 40
        cfn=(4) phibench_stage_00
        calls=2 0
        0 600
        fn=(4)
        0 10
        cfn=(5) work
        calls=2 +1
        -1 590
        fn=(5)
        0 590

        totals: 800
        """

    @Test func selfAndInclusiveCostsByHand() throws {
        let p = try CallgrindProfile(parsing: Self.sample)
        #expect(p.event == "Ir")
        #expect(p.total == 800)
        #expect(p.command == "./phibench-nodebug instructions s.yaml")
        #expect(p.functions["main"] == .init(selfCost: 20, inclusiveCost: 720, calls: 0))
        #expect(p.functions["helper"] == .init(selfCost: 80, inclusiveCost: 80, calls: 0))
        #expect(p.functions["phibench_episode"] == .init(selfCost: 40, inclusiveCost: 640, calls: 2))
        #expect(p.functions["phibench_stage_00"] == .init(selfCost: 10, inclusiveCost: 600, calls: 2))
        #expect(p.functions["work"] == .init(selfCost: 590, inclusiveCost: 590, calls: 2))
    }

    @Test func instructionAddressPositionsAndSeveralEvents() throws {
        let text = """
            positions: instr line
            events: Dr Ir Dw
            fn=(1) f
            0x401000 12 3 7 1
            +4 * 0 5
            cfn=(2) g
            calls=1 0x402000 30
            +2 * 1 9
            fn=(2)
            0x402000 30 0 9 0
            """
        let p = try CallgrindProfile(parsing: text)
        // Ir is the second event: 7 + 5 self in f, 9 in the call, 9 self in g.
        #expect(p.event == "Ir")
        #expect(p.functions["f"] == .init(selfCost: 12, inclusiveCost: 21, calls: 0))
        #expect(p.functions["g"] == .init(selfCost: 9, inclusiveCost: 9, calls: 1))
        #expect(p.total == 21, "no totals line: the sum of self costs")
    }

    @Test func missingTrailingCountsAreZero() throws {
        let p = try CallgrindProfile(parsing: "events: Ir Dr\nfn=f\n3\n4 10\n")
        #expect(p.functions["f"]?.selfCost == 10)
    }

    struct Broken: Sendable, CustomStringConvertible {
        var name: String
        var text: String
        var expected: String
        var description: String { name }
    }

    static let broken: [Broken] = [
        Broken(name: "empty", text: "", expected: "no `events:`"),
        Broken(name: "cost before events", text: "fn=f\n1 2\n", expected: "before `events:`"),
        Broken(name: "cost before fn", text: "events: Ir\n1 2\n", expected: "before any `fn=`"),
        Broken(name: "truncated after calls", text: "events: Ir\nfn=f\ncfn=g\ncalls=1 0\n", expected: "truncated"),
        Broken(name: "calls without cfn", text: "events: Ir\nfn=f\ncalls=1 0\n0 4\n", expected: "without a preceding `cfn=`"),
        Broken(name: "cost not a number", text: "events: Ir\nfn=f\n1 12x\n", expected: "not a 64-bit count"),
        Broken(name: "negative cost", text: "events: Ir\nfn=f\n1 -5\n", expected: "not a 64-bit count"),
        Broken(name: "cost beyond 64 bits", text: "events: Ir\nfn=f\n1 18446744073709551616\n", expected: "not a 64-bit count"),
        Broken(name: "sum beyond 64 bits", text: "events: Ir\nfn=f\n1 18446744073709551615\n2 1\n", expected: "overflow"),
        Broken(name: "id before definition", text: "events: Ir\nfn=(7)\n", expected: "before it was defined"),
        Broken(name: "unterminated id", text: "events: Ir\nfn=(7 main\n", expected: "unterminated"),
        Broken(name: "unknown specification", text: "events: Ir\nfoo=bar\n", expected: "unknown specification"),
        Broken(name: "not callgrind at all", text: "{\"schema\": 1}\n", expected: "expected `key: value`"),
        Broken(name: "binary junk", text: "events: Ir\n\u{1}\u{2}\u{3}\n", expected: "expected `key: value`"),
    ]

    @Test(arguments: broken)
    func brokenFilesAreErrorsWithALine(_ c: Broken) {
        #expect {
            _ = try CallgrindProfile(parsing: c.text, file: "t.out")
        } throws: { error in
            guard let e = error as? InstructionCountError, case .callgrindFormat(let file, let line, let reason) = e else { return false }
            return file == "t.out" && line >= 1 && "\(e)".contains(c.expected) && !reason.isEmpty
        }
    }

    @Test func unreadableFileIsAnIOError() {
        #expect(throws: InstructionCountError.self) { _ = try CallgrindProfile(contentsOf: "/nonexistent/callgrind.out") }
    }

    // MARK: The report built from a profile

    static func workload(episodes: UInt64) -> InstructionReport.Workload {
        .init(scenario: "s", file: nil, overrides: [], kind: "pipeline", seed: 42, warmupEpisodes: 0, episodes: episodes, inject: [])
    }

    static let tool = InstructionReport.Tool(valgrind: "valgrind-3.19.0", command: [], binary: "b", buildID: nil,
                                             debugInfo: "", environment: [:])

    @Test func reportAttributesStagesAndAverages() throws {
        let p = try CallgrindProfile(parsing: Self.sample)
        let summary = InstructionCounter.Summary(stageNames: ["ONE", "TWO"], warmupEpisodes: 0, episodes: 2)
        let r = try InstructionReport.make(profile: p, file: "f", summary: summary, workload: Self.workload(episodes: 2),
                                           tool: Self.tool, machine: nil, build: nil, startedAt: "", wallSeconds: 0)
        #expect(r.instructions == 640)
        #expect(r.perEpisode == 320)
        #expect(r.stages == [InstructionReport.Stage(name: "ONE", instructions: 600, calls: 2, episodes: 2)])
        #expect(r.stages.first?.perEpisode == 300)
        #expect(r.unattributedStages == ["TWO"])
        #expect(r.collected == 800)
        #expect(r.overheadPerStageCall == nil, "no probe calls in this profile")
        #expect(r.table().contains("ONE"))
        let decoded = try JSONDecoderForTests.decode(r.json())
        #expect(decoded == r)
    }

    /// With the cache simulation's events, every cost line also gives estimated cycles
    /// (accesses + 4 × L1 misses + 30 × last-level misses), summed like instructions; a line may
    /// leave out trailing zero counts.
    @Test func estimatedCyclesFromTheCacheEvents() throws {
        let text = """
            events: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw
            fn=(1) main
            0 10 2 1 1 0 0 1
            cfn=(2) walk
            calls=1 0
            0 100 50 0 0 40 0 0 40
            fn=(2)
            0 100 50 0 0 40 0 0 40
            totals: 110
            """
        let p = try CallgrindProfile(parsing: text)
        #expect(p.hasCycles && p.event == "Ir" && p.total == 110)
        // main's own line: accesses 13, L1 misses 1, LL misses 1 → 13 + 4 + 30 = 47.
        // walk: accesses 150, L1 misses 40, LL misses 40 → 150 + 160 + 1,200 = 1,510.
        #expect(p.functions["main"] == .init(selfCost: 10, inclusiveCost: 110, calls: 0, selfCycles: 47, inclusiveCycles: 1_557))
        #expect(p.functions["walk"] == .init(selfCost: 100, inclusiveCost: 100, calls: 1, selfCycles: 1_510, inclusiveCycles: 1_510))
        #expect(CallgrindProfile.estimatedCycles([UInt64.max, 1, 0, 0, 0, 0, 0, 0, 0]) == nil, "overflow is nil, not a trap")
        #expect(try CallgrindProfile(parsing: Self.sample).hasCycles == false)
    }

    /// The call graph: each caller's calls with their inclusive cost, and what a stage reaches.
    @Test func callGraphAndWhatAStageReaches() throws {
        let p = try CallgrindProfile(parsing: Self.sample)
        #expect(p.calls["main"] == ["phibench_episode": 700])
        #expect(p.calls["phibench_episode"] == ["phibench_stage_00": 600])
        #expect(p.calls["phibench_stage_00"] == ["work": 590])
        #expect(p.reachable(from: "phibench_stage_00") == ["phibench_stage_00", "work"])
        #expect(p.reachable(from: "main").count == 4)
    }

    /// The report's function list: per episode, with the stage whose trampoline reaches each one.
    @Test func reportListsFunctionsWithTheirStage() throws {
        let p = try CallgrindProfile(parsing: Self.sample)
        let summary = InstructionCounter.Summary(stageNames: ["ONE"], warmupEpisodes: 0, episodes: 2)
        let r = try InstructionReport.make(profile: p, file: "f", summary: summary, workload: Self.workload(episodes: 2),
                                           tool: Self.tool, machine: nil, build: nil, startedAt: "", wallSeconds: 0)
        let functions = try #require(r.functions)
        #expect(functions.first?.symbol == "work", "most expensive first")
        let work = try #require(functions.first { $0.symbol == "work" })
        #expect(work.stage == "ONE" && work.selfPerEpisode == 295 && work.inclusivePerEpisode == 295 && work.callsPerEpisode == 1)
        #expect(functions.first { $0.symbol == "phibench_episode" }?.stage == nil, "the episode is above every stage")
        #expect(functions.first { $0.symbol == "helper" }?.selfPerEpisode == 40)
        #expect(try JSONDecoderForTests.decode(r.json()) == r)
    }

    @Test func reportRefusesAProfileThatDidNotCountTheEpisodes() throws {
        let p = try CallgrindProfile(parsing: Self.sample)
        let three = InstructionCounter.Summary(stageNames: ["ONE"], warmupEpisodes: 0, episodes: 3)
        #expect(throws: InstructionCountError.self) {
            _ = try InstructionReport.make(profile: p, file: "f", summary: three, workload: Self.workload(episodes: 3),
                                           tool: Self.tool, machine: nil, build: nil, startedAt: "", wallSeconds: 0)
        }
        let nothing = try CallgrindProfile(parsing: "events: Ir\nfn=main\n0 5\n")
        #expect(throws: InstructionCountError.self) {
            _ = try InstructionReport.make(profile: nothing, file: "f", summary: three, workload: Self.workload(episodes: 3),
                                           tool: Self.tool, machine: nil, build: nil, startedAt: "", wallSeconds: 0)
        }
    }

    @Test func stageSymbolsCoverTheTrampolines() {
        #expect(InstructionCounter.stageSymbol(0) == "phibench_stage_00")
        #expect(InstructionCounter.stageSymbol(9) == "phibench_stage_09")
        #expect(InstructionCounter.stageSymbol(63) == "phibench_stage_63")
        #expect(InstructionCounter.stageSymbol(64) == nil)
        #expect(InstructionCounter.stageSymbol(-1) == nil)
        #expect(InstructionCounter.stageSymbol(Int.max) == nil)
    }

    @Test func episodeLimits() {
        #expect(throws: InstructionCountError.self) { try InstructionCounter.validate(warmup: 0, episodes: 0) }
        #expect(throws: InstructionCountError.self) { try InstructionCounter.validate(warmup: 0, episodes: UInt64.max) }
        #expect(throws: InstructionCountError.self) { try InstructionCounter.validate(warmup: UInt64.max, episodes: 1) }
        #expect(throws: Never.self) { try InstructionCounter.validate(warmup: 0, episodes: 1) }
    }

    @Test func onlyWorkFaultsAreDeterministic() throws {
        let stages = ["A", "B"]
        let work = try #require(try InstructionCounter.injectedWork([.slowWork(stage: "B", iterations: 7)], stageNames: stages))
        #expect(work.stage == 1 && work.iterations == 7)
        #expect(try InstructionCounter.injectedWork([], stageNames: stages) == nil)
        for fault in [Fault.slow(stage: "A", extra: 0.001), .stall(duration: 0.1, every: 10, at: nil), .leak(bytes: 16)] {
            #expect(throws: InstructionCountError.self) { _ = try InstructionCounter.injectedWork([fault], stageNames: stages) }
        }
        #expect(throws: InstructionCountError.self) {
            _ = try InstructionCounter.injectedWork([.slowWork(stage: "NOPE", iterations: 1)], stageNames: stages)
        }
    }

    @Test func countingOutsideValgrindIsRefused() {
        #expect(throws: InstructionCountError.self) {
            _ = try InstructionCounter.run(makeWorkload: { SmallWorkload() }, faults: [], warmup: 0, episodes: 1)
        }
    }
}

import Foundation

enum JSONDecoderForTests {
    static func decode(_ json: String) throws -> InstructionReport {
        try JSONCoding.decoder().decode(InstructionReport.self, from: Data(json.utf8))
    }
}
