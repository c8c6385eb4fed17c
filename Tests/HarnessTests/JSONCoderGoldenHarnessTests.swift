import BenchModel
import Foundation
@testable import Harness
import Testing
import TestSupport

/// timeseries.jsonl stays byte-identical across the move to one configured JSON coder (#25), and a
/// result rebuilt from it is the same.
@Suite struct JSONCoderGoldenHarnessTests {
    /// The header's `started_at` is the clock's; it is set to a fixed text so the bytes compare.
    static func fixedClock(_ text: String) -> String {
        text.replacing(/"started_at":"[^"]*"/, with: #""started_at":"2026-12-08T00:00:00Z""#)
    }

    @Test func timeseriesLogWritesTheSameBytes() throws {
        let r = Fixture(trials: 1, episodesSimulated: 300).make()
        let dir = try ScratchDirectory("golden")
        let url = dir.file("timeseries.jsonl")
        let log = try TimeseriesLog(url: url, scenario: r.scenario, machine: r.machine, build: r.build, workload: r.workload.name,
                                    catalogue: r.catalogue)
        let spans = [r.trials[0].summary.span] + r.phases.map(\.stats.span)
        for (i, point) in r.timeseries.prefix(3).enumerated() {
            log.append(IntervalSnapshot(point: point, span: spans[i % spans.count]))
        }
        try log.finish(interrupted: false)
        let data = Data(Self.fixedClock(try String(contentsOf: url, encoding: .utf8)).utf8)
        let golden = try GoldenFile.expected("timeseries.jsonl", recording: data)
        #expect(data == golden, "\(GoldenFile.firstDifference(data, golden))")

        try golden.write(to: url)
        let rebuilt = try ResultCodec.encode(TimeseriesLog.rebuild(from: url))
        let goldenRebuilt = try GoldenFile.expected("timeseries-rebuilt.json", recording: rebuilt)
        #expect(rebuilt == goldenRebuilt, "\(GoldenFile.firstDifference(rebuilt, goldenRebuilt))")
    }
}
