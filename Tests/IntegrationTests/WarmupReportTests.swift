import BenchModel
import Foundation
import Harness
import Reports
import Testing

@Suite("Warm-up in the reports", .serialized)
struct WarmupReportTests {
    @Test("a steady warm-up survives result.json and is told in the terminal and Markdown summaries")
    func steadyWarmupReported() throws {
        var spec = Scenario(name: "warm", seed: 3, warmup: 3, interval: 0.1, workers: 1,
                            phases: [Phase(.closed(concurrency: [1], each: 0.2))])
        spec.steadyWarmup = SteadyWarmup(minimum: 0.2, batch: 0.05)
        let record = ScenarioRecord(name: "warm", description: "", file: "<test>", overrides: [], spec: spec)
        let original = try BenchmarkRunner.run(scenario: record, options: RunOptions(trials: 2)) { _, _ in
            SyntheticWorkload(stages: [("A", 5_000)])
        }
        let result = try ResultCodec.decode(try ResultCodec.encode(original), file: "warm.json")
        #expect(result == original)
        #expect(result.scenario.spec.steadyWarmup == spec.steadyWarmup)
        let warmups = result.trials.compactMap(\.warmup)
        #expect(warmups.count == 2 && warmups.allSatisfy { $0.rule == .steady })
        let terminal = TerminalSummary.render(result)
        #expect(terminal.contains("until steady (MSER on batch medians; transient"), "\(terminal)")
        #expect(terminal.contains("episodes discarded"))
        #expect(SummaryMarkdown.render(results: [result]).contains("| Warm-up |"))
        #expect(HTMLReport.render(results: [result]).contains("until steady (MSER on batch medians"), "the HTML subtitle tells the warm-up")
    }
}
