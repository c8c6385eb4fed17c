import ArgumentParser
import BenchModel
import Foundation

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
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw InputError("\(path): cannot create the output directory: \(error.localizedDescription)")
        }
        return url
    }
}
