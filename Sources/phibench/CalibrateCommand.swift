import ArgumentParser
import BenchModel
import Foundation
import Gate
import Harness
import Reports

struct CalibrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Measure each metric's run-to-run noise with A/A trials of one build, for the gate's minimum detectable effect.",
        discussion: """
            Runs the scenario --trials times, each trial in a process of its own (as make bench runs its sides), \
            and writes calibration.json: every metric's median and robust relative noise. `compare --calibration \
            FILE` (and make bench) then compute each gated metric's MDE from this noise instead of from the few \
            trials of the comparison itself. It also prints the MDE the gate would have with --plan trials per \
            side, and the trials per side that would bring it down to --threshold.
            --from makes the calibration from A/A results you already have (say the base side of past \
            make bench runs, or runs/ab/A-*/result.json) instead of running trials: one scenario, one build.
            Examples:
              phibench calibrate scenarios/bench.yaml --trials 20 --out runs/calibration
              phibench calibrate scenarios/bench.yaml --trials 30 --plan 10 --threshold 3%
              phibench calibrate --from runs/aa/*/result.json --plan 12
            """)

    @Argument(help: "Scenario file (YAML) to run the A/A trials of; omit with --from.")
    var scenario: String?

    @Option(parsing: .upToNextOption, help: ArgumentHelp(
        "Results of A/A runs (result.json) to calibrate from instead of running trials; every trial in them counts.",
        valueName: "RESULT"))
    var from: [String] = []

    @Option(parsing: .unconditional, help: "A/A trials to run (3…1000), each in its own process.")
    var trials = 20

    @Option(parsing: .unconditional, help: "Trials per side the gate uses, for the MDE printed.")
    var plan = 10

    @Option(parsing: .unconditional, help: "The gate's threshold, a percentage like 5% or a fraction like 0.05.")
    var threshold = PercentageArgument(argument: "5%")!

    @Option(name: .shortAndLong, help: "Directory for calibration.json, the merged result and each trial's run.")
    var out: String = "runs/calibration"

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a scenario value (as for run).", valueName: "KEY=VALUE"))
    var overrides: [String] = []

    @Option(help: ArgumentHelp("What to drive when the scenario has no `workload:` key (as for run).", valueName: "name"))
    var workload: String?

    func validate() throws {
        guard (3...1_000).contains(trials) else { throw ValidationError("--trials must be 3…1000, got \(trials)") }
        guard (2...1_000).contains(plan) else { throw ValidationError("--plan must be 2…1000, got \(plan)") }
        switch (scenario, from.isEmpty) {
        case (nil, true): throw ValidationError("give a scenario to run A/A trials of, or --from RESULT… to calibrate from results you have")
        case (.some, false): throw ValidationError("give either a scenario or --from RESULT…, not both")
        case (nil, false):
            guard overrides.isEmpty, workload == nil else { throw ValidationError("--set and --workload apply to running a scenario, not to --from") }
        case (.some, true): break
        }
    }

    func run() async throws {
        let dir = URL(fileURLWithPath: out, isDirectory: true)
        guard let scenario else {
            // --from: the trials are in the results given.
            let results = try from.map(loadResult)
            // A/A means one build on one machine: merge refuses anything else, naming the file.
            let merged: BenchResult
            do { merged = try ResultMerger.merge(results, files: from) } catch { throw InputError(error) }
            guard merged.completeTrials.count >= 3 else {
                throw InputError("calibrate: the results have \(merged.completeTrials.count) complete trials; at least 3 are needed")
            }
            try createOutputDirectory(dir)
            try finish(merged, in: dir)
            return
        }
        _ = try loadScenario(scenario, overrides: overrides)
        try createOutputDirectory(dir)
        let stop = StopSignal()
        stop.installSignalHandlers()
        var results: [BenchResult] = []
        var files: [String] = []
        for k in 0..<trials where !stop.isSet {
            let trialDir = dir.appendingPathComponent("trial-\(k)").path
            FileHandle.standardError.write(Data("calibrate: trial \(k + 1)/\(trials)\n".utf8))
            var args = ["run", scenario, "--trials", "1", "--quiet", "--out", trialDir]
            if let workload { args += ["--workload", workload] }
            for o in overrides { args += ["--set", o] }
            let status = try runSelf(args)
            guard status == 0 || status == 1 else {
                throw InputError("calibrate: trial \(k + 1) exited with status \(status); see \(trialDir)")
            }
            let file = trialDir + "/result.json"
            results.append(try loadResult(file))
            files.append(file)
        }
        guard results.count >= 3 else { throw InputError("calibrate: stopped after \(results.count) trials; at least 3 are needed") }
        let merged: BenchResult
        do { merged = try ResultMerger.merge(results, files: files) } catch { throw InputError(error) }
        try finish(merged, in: dir)
        if let status = stop.exitStatus { throw ExitCode(status) }
    }

    /// Writes the merged A/A result and its calibration to `dir` (created) and prints the summary.
    private func finish(_ merged: BenchResult, in dir: URL) throws {
        try writeResult(merged, to: dir.appendingPathComponent("result.json"))
        guard let calibration = Calibration.make(from: [merged], createdAt: ISO8601DateFormatter().string(from: Date())) else {
            throw InputError("calibrate: no metric had enough trials")
        }
        let file = dir.appendingPathComponent("calibration.json")
        do { try calibration.write(to: file) } catch { throw InputError(error) }
        print(CalibrationSummary.render(calibration, catalogue: merged.catalogue, plan: plan, threshold: threshold.fraction))
        print("\n  calibration  \(file.relativePath)")
    }
}

/// Runs this executable with `arguments` and waits; returns its exit status.
func runSelf(_ arguments: [String]) throws -> Int32 {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    p.arguments = arguments
    do { try p.run() } catch { throw InputError("cannot start \(p.executableURL?.path ?? "phibench"): \(error.localizedDescription)") }
    p.waitUntilExit()
    return p.terminationStatus
}
