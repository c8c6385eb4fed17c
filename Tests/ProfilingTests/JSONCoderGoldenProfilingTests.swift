import BenchModel
import Foundation
@testable import Profiling
import Testing
import TestSupport

/// instructions.json stays byte-identical across the move to one configured JSON coder (#25), and
/// reads back to the same bytes.
@Suite struct JSONCoderGoldenProfilingTests {
    @Test func instructionReportWritesTheSameBytes() throws {
        let r = Fixture(trials: 1, episodesSimulated: 200).make()
        var report = InstructionComparisonTests.report(total: 1_000_000, stages: [("A", 600_000), ("B", 300_000)])
        report.workload.file = "scenarios/bench.yaml"
        report.workload.overrides = ["seed=3"]
        report.workload.inject = [.slow(stage: "A", extra: 0.001), .slowWork(stage: "B", iterations: 7)]
        report.tool.environment = ["VALGRIND_OPTS": "--x"]
        report.firstError = "boom"
        report.failedEpisodes = 1
        report.allocator = "jemalloc"
        report.machine = r.machine
        report.build = r.build
        report.startedAt = "2026-12-08T00:00:00Z"
        report.wallSeconds = 3.5
        report.functions = [FunctionCost(symbol: "$s3Mod4spinyyF", name: "Mod.spin()", stages: ["A"], selfPerEpisode: 100,
                                         inclusivePerEpisode: 120, callsPerEpisode: 2)]
        report.cyclesPerEpisode = 1234.5
        report.cacheModel = "I1 32K"
        report.foldedFile = "instructions.folded"
        let data = Data(try report.json().utf8)
        let golden = try GoldenFile.expected("instructions.json", recording: data)
        #expect(data == golden, "\(GoldenFile.firstDifference(data, golden))")

        let dir = try ScratchDirectory("golden")
        try golden.write(to: dir.file("instructions.json"))
        let back = try InstructionReport.load(dir.file("instructions.json").path)
        #expect(back == report)
        #expect(Data(try back.json().utf8) == golden)
    }
}
