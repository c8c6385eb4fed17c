import BenchModel
import Foundation
@testable import Gate
import Statistics
import Testing
import TestSupport

/// ab.json stays byte-identical across the move to one configured JSON coder (#25), and reads back.
@Suite struct JSONCoderGoldenGateTests {
    @Test func abOutcomeWritesTheSameBytes() throws {
        var a = try SequentialGateTests.runGate(effect: 0.05, seed: 7, cache: GroupSequential.Cache())
        a.seconds = 12.5
        a.units[0].stealSeconds = 0.25
        a.units[0].resultFile = "runs/a/1/result.json"
        a.looks[0].metrics[0].efficacyBoundary = .infinity
        let data = try ABOutcome.encoder().encode(a)
        let golden = try GoldenFile.expected("ab-outcome.json", recording: data)
        #expect(data == golden, "\(GoldenFile.firstDifference(data, golden))")
        let back = try ABOutcome.decoder().decode(ABOutcome.self, from: golden)
        #expect(try ABOutcome.encoder().encode(back) == golden)
    }
}
