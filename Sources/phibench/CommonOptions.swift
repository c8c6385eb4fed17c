import ArgumentParser
import BenchModel
import Foundation
import Harness

/// Options every measuring command shares.
struct MeasureOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Directory for result.json and the reports (default: runs/<scenario>-<time>).")
    var out: String?

    @Option(name: .customLong("set"), help: ArgumentHelp(
        "Override a scenario value: KEY=VALUE or KEY+=VALUE (append to a list); VALUE is YAML.",
        discussion: "e.g. --set pipeline.esgt.steps=400 --set 'inject+={slow: ESGT, extra: 200us}'",
        valueName: "KEY=VALUE"))
    var overrides: [String] = []

    @Option(help: ArgumentHelp(
        "What to drive when the scenario has no `workload:` key: one of \(Phibench.workloads.names.joined(separator: ", ")).",
        discussion: "Default: the workload whose section the scenario has, else \(Phibench.workloads.names.first ?? "none"). noop measures the harness itself.",
        valueName: "name"))
    var workload: String?

    @Flag(help: "No progress line and no summary table.")
    var quiet = false

    @Flag(help: "Print result.json to stdout instead of the summary table.")
    var json = false

    /// The scenario in `file` (with --set), the workload it drives (its `workload:`, else --workload)
    /// and its thresholds parsed against that workload's metrics: what a measuring command starts from.
    /// - Throws: ``InputError`` (exit 2) for a bad scenario, workload or threshold.
    func prepare(_ file: String) throws -> (loaded: LoadedScenario, target: WorkloadTarget, thresholds: [Threshold]) {
        try prepare(loadScenario(file, overrides: overrides))
    }

    /// The same for a scenario already loaded (soak's steady plan of one).
    func prepare(_ loaded: LoadedScenario) throws -> (loaded: LoadedScenario, target: WorkloadTarget, thresholds: [Threshold]) {
        var loaded = loaded
        let target = try WorkloadTarget(kind: workload, loaded: &loaded)
        return (loaded, target, try validateThresholds(loaded, catalogue: target.catalogue))
    }

    /// The progress line on stderr; none with --quiet or --json.
    func progressLine() -> ProgressLine { ProgressLine(enabled: !quiet && !json) }

    /// The run directory, created.
    func runDirectory(scenarioName: String) throws -> URL {
        let path: String
        if let out {
            path = out
        } else {
            let f = DateFormatter()
            f.dateFormat = "yyyyMMdd-HHmmss"
            f.timeZone = TimeZone(identifier: "UTC")
            path = "runs/\(scenarioName)-\(f.string(from: Date()))"
        }
        let url = URL(fileURLWithPath: path, isDirectory: true)
        try createOutputDirectory(url)
        return url
    }
}
