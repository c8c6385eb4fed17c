import BenchModel
import Testing
@testable import Profiling

/// Verdicts of `compareInstructions`: exact counts, so any change is real and the threshold only
/// decides what fails the gate.
@Suite struct InstructionComparisonTests {
    static func report(total: UInt64, stages: [(String, UInt64)], episodes: UInt64 = 1000, valgrind: String = "valgrind-3.19.0",
                       seed: UInt64 = 42, buildID: String? = "aaaa") -> InstructionReport {
        let workload = InstructionReport.Workload(scenario: "bench", file: nil, overrides: [], kind: "pipeline", seed: seed,
                                                  warmupEpisodes: 1000, episodes: episodes, inject: [])
        let tool = InstructionReport.Tool(valgrind: valgrind, command: [], binary: "b", buildID: buildID, debugInfo: "",
                                          environment: [:])
        return InstructionReport(
            schema: InstructionReport.currentSchema, workload: workload, instructions: total,
            perEpisode: Double(total) / Double(episodes),
            stages: stages.map { InstructionReport.Stage(name: $0.0, instructions: $0.1, calls: episodes, episodes: episodes) },
            overheadPerStageCall: 140, unattributedStages: [], collected: total, failedEpisodes: 0, firstError: nil,
            allocator: nil, tool: tool, machine: nil, build: nil, startedAt: "", wallSeconds: 0)
    }

    static let base = report(total: 1_000_000, stages: [("A", 600_000), ("B", 300_000)])

    static func function(_ symbol: String, _ stage: String?, self selfCost: Double, inclusive: Double? = nil) -> FunctionCost {
        FunctionCost(symbol: symbol, name: "Mod.\(symbol)()", stages: stage.map { [$0] } ?? [], selfPerEpisode: selfCost,
                     inclusivePerEpisode: inclusive ?? selfCost, callsPerEpisode: 1)
    }

    /// The top changed functions: by |Δ self|, a function one side lacks counted as 0 there, grouped
    /// by stage, with the share of the episode's change; unchanged ones are left out.
    @Test func topChangedFunctionsByStage() throws {
        var before = Self.base, after = Self.report(total: 1_300_000, stages: [("A", 900_000), ("B", 300_000)])
        before.functions = [Self.function("spin", "A", self: 100), Self.function("hash", "A", self: 50),
                            Self.function("malloc", nil, self: 30), Self.function("same", "B", self: 80),
                            Self.function("gone", "B", self: 20, inclusive: 25)]
        after.functions = [Self.function("spin", "A", self: 400), Self.function("hash", "A", self: 45),
                           Self.function("malloc", nil, self: 30.3), Self.function("same", "B", self: 80),
                           Self.function("new", "B", self: 5)]
        let c = try compareInstructions(before: before, after: after)
        #expect(c.functions.map(\.symbol) == ["spin", "gone", "hash", "new", "malloc"])
        #expect(c.functionsChanged == 5)
        let spin = try #require(c.functions.first)
        #expect(spin.selfChange == 300 && spin.shareOfEpisodeChange == 1)
        #expect(c.functions[1].selfAfter == 0 && c.functions[1].inclusiveChange == -25)
        let text = c.text()
        #expect(text.contains("top changed functions") && text.contains("stage A") && text.contains("stage B"))
        #expect(text.contains("Mod.spin()") && text.contains("+300.0") && text.contains("100.0% of the change"))
        // Grouped: both of stage A's functions come before stage B's first.
        let a = try #require(text.range(of: "Mod.hash()")), b = try #require(text.range(of: "Mod.gone()"))
        #expect(a.lowerBound < b.lowerBound)
        // Without function lists (older reports) there is nothing to list.
        #expect(try compareInstructions(before: Self.base, after: Self.base).functions.isEmpty)
    }

    /// A function two stages reach (a shared helper) lives where the change happened: in the stage
    /// whose count moved; shared code whose stages did not move stays unplaced.
    @Test func aSharedFunctionIsPlacedInTheStageThatChanged() throws {
        var before = Self.base, after = Self.report(total: 1_100_000, stages: [("A", 600_000), ("B", 400_000)])
        let shared = { (cost: Double) in
            FunctionCost(symbol: "helper", name: "helper()", stages: ["A", "B"], selfPerEpisode: cost, inclusivePerEpisode: cost, callsPerEpisode: 2)
        }
        let runtime = { (cost: Double) in
            FunctionCost(symbol: "rt", name: "rt()", stages: ["A", "C"], selfPerEpisode: cost, inclusivePerEpisode: cost, callsPerEpisode: 2)
        }
        before.functions = [shared(100), runtime(10)]
        after.functions = [shared(100_100), runtime(11)]
        let c = try compareInstructions(before: before, after: after)
        #expect(c.functions.map(\.symbol) == ["helper", "rt"])
        #expect(c.functions[0].stage == "B", "B grew, A did not")
        #expect(c.functions[1].stage == nil, "neither A nor C moved")
    }

    /// Functions callgrind names by address only move with the code around them: one counts as gone
    /// and another as new although nothing changed. They are listed as one entry, which here did not
    /// change, so the list has only the real change.
    @Test func functionsWithoutASymbolAreOneEntry() throws {
        var before = Self.base, after = Self.report(total: 1_000_100, stages: [("A", 600_100), ("B", 300_000)])
        before.functions = [Self.function("real", "A", self: 100), Self.function("0x00000000011a2270", "A", self: 93.6),
                            Self.function("0x00000000011a22c0", "A", self: 74.9)]
        after.functions = [Self.function("real", "A", self: 200), Self.function("0x00000000011a22b0", "A", self: 93.6),
                           Self.function("0x00000000011a2300", "A", self: 74.9)]
        let c = try compareInstructions(before: before, after: after)
        #expect(c.functions.map(\.symbol) == ["real"])
        after.functions?.append(Self.function("0x0000000000001000", "B", self: 10))
        let d = try compareInstructions(before: before, after: after)
        #expect(d.functions.map(\.symbol) == ["real", FunctionChange.unnamed])
        // Reached from A and B together; A is the stage that moved.
        #expect(d.functions[1].selfChange == 10 && d.functions[1].stage == "A", "\(d.functions[1])")
        // "0x" alone, or with other characters, is a name.
        #expect(FunctionChange.unnamedMerged([Self.function("0x", nil, self: 1), Self.function("0xfoo", nil, self: 1)]).count == 2)
    }

    /// Estimated cycles: a row of their own, gated at their own threshold; only when both sides have them.
    @Test func estimatedCyclesGateAtTheirOwnThreshold() throws {
        var before = Self.base, after = Self.base
        before.cyclesPerEpisode = 2_000_000
        after.cyclesPerEpisode = 2_050_000  // +2.5%
        before.cacheModel = "m"
        after.cacheModel = "m"
        let c = try compareInstructions(before: before, after: after)
        let row = try #require(c.rows.first { $0.metric == "estimated cycles" })
        #expect(row.verdict == .regressed && row.gated && c.regressed && c.cyclesThreshold == 0.02)
        #expect(try compareInstructions(before: before, after: after, cyclesThreshold: 0.03).regressed == false)
        #expect(c.text().contains("estimated cycles 2.00%"))
        // One side without: a note, no row, and ranking by cycles is refused.
        after.cyclesPerEpisode = nil
        let one = try compareInstructions(before: before, after: after)
        #expect(!one.rows.contains { $0.metric == "estimated cycles" } && one.notes.contains { $0.contains("one side only") })
        #expect(throws: InstructionCountError.self) { try compareInstructions(before: before, after: after, rankBy: .cycles) }
        #expect(throws: InstructionCountError.self) { try compareInstructions(before: before, after: before, cyclesThreshold: .nan) }
    }

    @Test func identicalCountsAreExactlyTheSame() throws {
        let c = try compareInstructions(before: Self.base, after: Self.base)
        #expect(c.rows.map(\.verdict) == [.same, .same, .same])
        #expect(c.rows.allSatisfy { $0.change == 0 })
        #expect(!c.regressed)
        #expect(c.text().contains("same (exactly)"))
        #expect(c.notes.contains { $0.contains("same binary") })
    }

    struct Case: Sendable, CustomStringConvertible {
        var after: UInt64
        var threshold: Double
        var verdict: InstructionComparison.Verdict
        var description: String { "\(after) at \(threshold)" }
    }

    /// The episode total from 1,000,000 instructions to `after`.
    @Test(arguments: [
        Case(after: 1_004_999, threshold: 0.01, verdict: .withinThreshold),  // +0.5%
        Case(after: 1_010_000, threshold: 0.01, verdict: .withinThreshold),  // exactly the threshold
        Case(after: 1_010_001, threshold: 0.01, verdict: .regressed),
        Case(after: 1_020_000, threshold: 0.01, verdict: .regressed),
        Case(after: 980_000, threshold: 0.01, verdict: .improved),
        Case(after: 1_000_001, threshold: 0, verdict: .regressed),  // a zero threshold gates any growth
        Case(after: 1_040_000, threshold: 0.05, verdict: .withinThreshold),
    ])
    func totalVerdicts(_ c: Case) throws {
        let after = Self.report(total: c.after, stages: [("A", 600_000), ("B", 300_000)])
        let comparison = try compareInstructions(before: Self.base, after: after, threshold: c.threshold)
        let total = try #require(comparison.rows.first)
        #expect(total.metric == "episode")
        #expect(total.verdict == c.verdict)
        #expect(comparison.regressed == (c.verdict == .regressed))
        let expected = (Double(c.after) - 1_000_000) / 1_000_000
        #expect(abs((total.change ?? .nan) - expected) < 1e-12)
    }

    /// A stage gates by its own rule: grown by more than 5% of itself and by more than 0.02% of the
    /// episode, even when the total did not move (work moved into one stage).
    @Test func aStageThatGrewMeaningfullyGates() throws {
        let after = Self.report(total: 1_000_000, stages: [("A", 500_000), ("B", 400_000)])
        let c = try compareInstructions(before: Self.base, after: after)
        #expect(c.rows[0].verdict == .same)
        #expect(c.rows[2].verdict == .regressed && c.rows[2].gated)
        #expect(c.regressed, "B grew 33% of itself, 10% of the episode")
        #expect(c.notes.contains { $0.contains("a stage regresses when") })
        let ungated = try compareInstructions(before: Self.base, after: after, stageThreshold: nil)
        #expect(!ungated.regressed && !ungated.rows[2].gated)
    }

    /// Growth beyond 5% of a tiny stage that is a negligible share of the episode is not a finding.
    @Test func aTinyStageChangeDoesNotGate() throws {
        let before = Self.report(total: 1_000_000, stages: [("A", 600_000), ("tiny", 40_000)])
        let after = Self.report(total: 1_000_100, stages: [("A", 600_000), ("tiny", 40_100)])
        // 100 instructions over 1,000 episodes: 0.1 a episode, +0.25% of the stage — within; and a
        // 20% growth of a 40-instruction-per-episode stage (8 a episode < 0.02% of 1,000) too.
        #expect(!(try compareInstructions(before: before, after: after)).regressed)
        let small = Self.report(total: 1_000_000, stages: [("A", 600_000), ("tiny", 40)])
        let grown = Self.report(total: 1_000_008, stages: [("A", 600_000), ("tiny", 48)])
        let c = try compareInstructions(before: small, after: grown)
        #expect(c.rows[2].verdict == .withinThreshold && !c.regressed)
    }

    @Test func theEpisodeThresholdCanGateStages() throws {
        let after = Self.report(total: 1_000_000, stages: [("A", 600_000), ("B", 303_100)])
        #expect(!(try compareInstructions(before: Self.base, after: after)).regressed, "+1.03% of B is within its own 5%")
        #expect(try compareInstructions(before: Self.base, after: after, gateStages: true).regressed)
    }

    @Test func addedAndRemovedStages() throws {
        let after = Self.report(total: 1_000_000, stages: [("A", 600_000), ("C", 1)])
        let c = try compareInstructions(before: Self.base, after: after)
        #expect(c.rows.map(\.metric) == ["episode", "A", "C", "B"])
        #expect(c.rows.map(\.verdict) == [.same, .same, .added, .removed])
    }

    @Test func differentWorkloadsAreRefusedUnlessForced() throws {
        let otherSeed = Self.report(total: 1_000_000, stages: [], seed: 7)
        let otherWindow = Self.report(total: 1_000_000, stages: [], episodes: 500)
        for other in [otherSeed, otherWindow] {
            #expect(throws: InstructionCountError.self) { _ = try compareInstructions(before: Self.base, after: other) }
            let forced = try compareInstructions(before: Self.base, after: other, force: true)
            #expect(forced.notes.contains { $0.contains("different workloads") })
        }
    }

    @Test func toolAndBuildDifferencesAreNoted() throws {
        let after = Self.report(total: 1_000_000, stages: [], valgrind: "valgrind-3.22.0", buildID: "bbbb")
        let c = try compareInstructions(before: Self.base, after: after)
        #expect(c.notes.contains { $0.contains("valgrind differs") })
        #expect(c.notes.contains { $0.contains("different binaries") })
        #expect(c.text().contains("note: valgrind differs"))
    }

    @Test(arguments: [-0.01, 10.5, Double.nan, Double.infinity])
    func badThresholdsAreErrors(_ threshold: Double) {
        #expect(throws: InstructionCountError.self) {
            _ = try compareInstructions(before: Self.base, after: Self.base, threshold: threshold)
        }
    }
}

/// Reading DWARF versions and the build ID from ELF files built byte by byte.
@Suite struct ELFDebugInfoTests {
    /// A minimal 64-bit little-endian ELF: a null section, `.shstrtab`, `.debug_info` holding `units`
    /// (version, 64-bit length?) and a `.note.gnu.build-id`.
    static func elf(units: [(version: UInt16, dwarf64: Bool)], compressed: Bool = false, buildID: [UInt8] = [0xDE, 0xAD, 0xBE, 0xEF]) -> [UInt8] {
        func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
        var info: [UInt8] = []
        for unit in units {
            let body = le(unit.version) + [UInt8](repeating: 0, count: 6)
            info += unit.dwarf64 ? le(UInt32(0xFFFF_FFFF)) + le(UInt64(body.count)) : le(UInt32(body.count))
            info += body
        }
        let note = le(UInt32(4)) + le(UInt32(buildID.count)) + le(UInt32(3)) + Array("GNU\0".utf8) + buildID
        let names = Array("\0.shstrtab\0.debug_info\0.note.gnu.build-id\0".utf8)
        var file = [UInt8](repeating: 0, count: 64)
        let namesAt = file.count
        file += names
        let infoAt = file.count
        file += info
        let noteAt = file.count
        file += note
        let headersAt = file.count
        func header(name: Int, type: UInt32, flags: UInt64, offset: Int, size: Int) -> [UInt8] {
            le(UInt32(name)) + le(type) + le(flags) + le(UInt64(0)) + le(UInt64(offset)) + le(UInt64(size))
                + le(UInt32(0)) + le(UInt32(0)) + le(UInt64(1)) + le(UInt64(0))
        }
        file += [UInt8](repeating: 0, count: 64)
        file += header(name: 1, type: 3, flags: 0, offset: namesAt, size: names.count)
        file += header(name: 11, type: 1, flags: compressed ? 0x800 : 0, offset: infoAt, size: info.count)
        file += header(name: 23, type: 7, flags: 2, offset: noteAt, size: note.count)
        file.replaceSubrange(0..<4, with: [0x7F, 0x45, 0x4C, 0x46])
        file[4] = 2
        file[5] = 1
        file.replaceSubrange(40..<48, with: le(UInt64(headersAt)))
        file.replaceSubrange(58..<60, with: le(UInt16(64)))
        file.replaceSubrange(60..<62, with: le(UInt16(4)))
        file.replaceSubrange(62..<64, with: le(UInt16(1)))
        return file
    }

    static func parse(_ bytes: [UInt8]) -> ELFDebugInfo? {
        bytes.withUnsafeBytes { ELFDebugInfo.parse($0) }
    }

    @Test func countsUnitsByVersion() throws {
        let info = try #require(Self.parse(Self.elf(units: [(4, false), (5, false), (4, true), (5, false)])))
        #expect(info.compileUnitsByVersion == [4: 2, 5: 2])
        #expect(!info.valgrindReadable)
        #expect(info.buildID == "deadbeef")
        #expect(info.summary == "DWARF 4: 2 units, DWARF 5: 2 units")
    }

    @Test func dwarf4OnlyIsReadable() throws {
        let info = try #require(Self.parse(Self.elf(units: [(4, false), (2, false)])))
        #expect(info.valgrindReadable)
    }

    @Test func compressedDebugInfoIsNotTrusted() throws {
        let info = try #require(Self.parse(Self.elf(units: [(4, false)], compressed: true)))
        #expect(info.compressed && !info.valgrindReadable)
    }

    @Test func truncatedAndForeignFilesAreRejected() {
        let good = Self.elf(units: [(4, false)])
        #expect(Self.parse(Array(good.prefix(100))) == nil, "section headers cut off")
        #expect(Self.parse(Array("#!/bin/sh\necho not elf\n".utf8) + [UInt8](repeating: 0, count: 80)) == nil)
        var bigEndian = good
        bigEndian[5] = 2
        #expect(Self.parse(bigEndian) == nil)
    }

    @Test func unitLengthsBeyondTheSectionStopTheWalk() throws {
        var bytes = Self.elf(units: [(4, false), (5, false)])
        // Claim the first unit is 4 GiB long: the walk must stop, not read past the section.
        let infoAt = 64 + "\0.shstrtab\0.debug_info\0.note.gnu.build-id\0".utf8.count
        bytes.replaceSubrange(infoAt..<(infoAt + 4), with: [0xF0, 0xFF, 0xFF, 0xFF])
        let info = try #require(Self.parse(bytes))
        #expect(info.compileUnitsByVersion == [4: 1])
    }

    @Test func missingFileIsAnError() {
        #expect(throws: InstructionCountError.self) { _ = try ELFDebugInfo(path: "/nonexistent/phibench") }
    }
}
