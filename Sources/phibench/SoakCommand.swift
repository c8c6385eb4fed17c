import ArgumentParser
import BenchModel
import Foundation
import Harness
import LiveMetrics
import Reports

struct SoakCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak",
        abstract: "Run a scenario's steady load for a long time, streaming snapshots, and give a leak verdict.",
        discussion: """
            The soak runs the scenario's first phase at its mean rate (open loop) or first concurrency \
            (closed loop) for --duration. Every interval is appended to timeseries.jsonl as it happens \
            (a run killed with -9 leaves it readable: `phibench report DIR/timeseries.jsonl`). Ctrl-C or \
            SIGTERM ends the soak early with a full report.
            Examples:
              phibench soak scenarios/soak.yaml --duration 10m
              phibench soak scenarios/soak.yaml --duration 2h --interval 10s --out runs/nightly
            Exit status 1 when a leak is found or a threshold fails.
            """)

    @Argument(help: "Scenario file (YAML).")
    var scenario: String

    @Option(parsing: .unconditional, help: "How long to run: a duration like 90s, 10m or 2h (more than 0, at most a year).")
    var duration: DurationArgument

    @Option(parsing: .unconditional, help: "Snapshot interval: a duration like 1s or 10s (default: the scenario's interval).")
    var interval: DurationArgument?

    @Option(parsing: .unconditional, help: "Growth per episode below which memory is not called a leak: a size like 128B or 1KiB.")
    var leakTolerance = SizeArgument(argument: "128B")!

    @OptionGroup var options: MeasureOptions

    @OptionGroup var live: LiveMetricsOptions

    func validate() throws {
        guard duration.seconds > 0 else { throw ValidationError("--duration must be more than 0, e.g. 90s, 10m or 2h") }
        if let interval, interval.seconds < 0.001 {
            throw ValidationError("--interval must be at least 1ms, e.g. 1s")
        }
    }

    func run() async throws {
        let seconds = duration.seconds
        var loaded: LoadedScenario
        do {
            loaded = try SoakPlan.steady(try loadScenario(scenario, overrides: options.overrides), seconds: seconds,
                                         interval: interval?.seconds)
        } catch let error as ScenarioError {
            throw InputError(error)
        }
        let prepared = try options.prepare(loaded)
        loaded = prepared.loaded
        let (target, thresholds) = (prepared.target, prepared.thresholds)
        let dir = try options.runDirectory(scenarioName: loaded.record.name + "-soak")

        let log: TimeseriesLog
        do {
            log = try TimeseriesLog(url: dir.appendingPathComponent("timeseries.jsonl"), scenario: loaded.record,
                                    machine: currentMachine(), build: currentBuild(version: Phibench.version),
                                    workload: target.vocabulary.name, catalogue: target.catalogue)
        } catch {
            throw InputError(error)
        }
        let stop = StopSignal()
        stop.installSignalHandlers()
        let endpoint = try live.start()
        let progress = options.progressLine()
        let runOptions = RunOptions(stop: stop, onInterval: log.append, onProgress: progress.update,
                                    onPhase: progress.phase, version: Phibench.version)
            .exporting(to: endpoint, target: target, scenario: loaded.record.name)
        var result: BenchResult
        do {
            result = try target.run(loaded.record, options: runOptions, directory: dir)
        } catch {
            endpoint?.shutdown()
            throw error
        }
        progress.clear()
        try? log.finish(interrupted: result.interrupted)
        if let problem = log.writeError {
            result.warnings.append(RunWarning(.other, .note, "timeseries.jsonl: \(problem)"))
        }
        result.leak = LeakAnalysis.verdict(result.timeseries, toleranceBytesPerEpisode: leakTolerance.bytes)
        if result.leak == nil {
            result.warnings.append(RunWarning(.other, .note, "too few intervals for a leak verdict (need 6 after warm-up); run longer or use a shorter --interval"))
        }
        let status = try finishRun(&result, thresholds: thresholds, in: dir, options: options, stop: stop,
                                   details: ["  log     \(dir.appendingPathComponent("timeseries.jsonl").relativePath)"],
                                   failed: result.leak?.leaking == true || target.failure != nil)
        live.finish(endpoint, stop: stop)
        if status != 0 { throw ExitCode(status) }
    }
}
