import ArgumentParser
import BenchModel
import Foundation
import Harness
import LiveMetrics
import Reports

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a scenario and write result.json plus reports.",
        discussion: """
            Examples:
              phibench run scenarios/smoke.yaml --out runs/smoke
              phibench run scenarios/bench.yaml --trials 5 --set pipeline.memory=moderate
              phibench run scenarios/smoke.yaml --set 'inject+={slow: ESGT, extra: 200us}'
              phibench run scenarios/smoke.yaml --segment 2/4 --start-at 2026-12-07T18:00:00Z --out runs/seg-2
            Exit status 1 when a threshold fails, 2 on bad input, 130/143 when interrupted.
            With --segment the run is one generator's share of a distributed test: its thresholds are \
            judged on the merged result (phibench merge), not here.
            """)

    @Argument(help: "Scenario file(s) (YAML). Several run one after another, each in its own directory.")
    var scenarios: [String]

    @OptionGroup var options: MeasureOptions

    @OptionGroup var live: LiveMetricsOptions

    @Option(parsing: .unconditional, help: "Repeat the scenario N times (1…10000), each on a fresh workload (for statistics in compare).")
    var trials = 1

    @Flag(help: "Give trial k the seed seed+k instead of the same seed.")
    var varySeed = false

    @OptionGroup var distribution: SegmentOptions

    func validate() throws {
        guard (1...10_000).contains(trials) else { throw ValidationError("--trials must be 1…10000, got \(trials)") }
        try distribution.check(trials: trials)
        if scenarios.count > 1, options.out != nil {
            throw ValidationError("--out names one directory; with several scenarios, leave it out (each gets runs/<name>-<time>)")
        }
    }

    func run() async throws {
        let stop = StopSignal()
        stop.installSignalHandlers()
        let endpoint = try live.start()
        var worst: Int32 = 0
        do {
            for file in scenarios {
                let status = try execute(file: file, stop: stop, endpoint: endpoint)
                worst = max(worst, status)
                if stop.isSet { break }
            }
        } catch {
            endpoint?.shutdown()
            throw error
        }
        live.finish(endpoint, stop: stop)
        if worst != 0 { throw ExitCode(worst) }
    }

    /// Runs one scenario file and returns its exit status.
    private func execute(file: String, stop: StopSignal, endpoint: LiveMetricsEndpoint?) throws -> Int32 {
        let (loaded, target, thresholds) = try options.prepare(file)
        let dir = try options.runDirectory(scenarioName: loaded.record.name)
        let progress = options.progressLine()
        var runOptions = RunOptions(trials: trials, varySeed: varySeed, stop: stop,
                                    onProgress: progress.update, onPhase: progress.phase, version: Phibench.version)
            .exporting(to: endpoint, target: target, scenario: loaded.record.name)
        runOptions.segment = try distribution.parsedSegment()
        runOptions.startAt = try distribution.parsedStartAt()
        var result = try target.run(loaded.record, options: runOptions, directory: dir)
        progress.clear()
        guard let run = result.segment, runOptions.segment != nil else {
            return try finishRun(&result, thresholds: thresholds, in: dir, options: options, stop: stop, failed: target.failure != nil)
        }
        // A segment's share is judged only in the merged result: a threshold on one generator's share
        // of the load says nothing about the test.
        let health = run.health.saturated ? "SATURATED: " + run.health.reasons.joined(separator: "; ") : "healthy"
        let details = ["  segment \(run.segment) · start \(run.startAt ?? "at once") · generator \(health)",
                       "  thresholds are evaluated on the merged result: phibench merge <segment results> --out DIR"]
        return try finishRun(&result, thresholds: [], in: dir, options: options, stop: stop, details: details,
                             failed: target.failure != nil)
    }
}
