@_exported import BenchModel
import Foundation
@_exported import Harness
@_exported import Reports
@_exported import Gate

/// Benchmark your own Swift code with phibench's harness: conform a type to ``Workload`` (its
/// stages, and a ``WorkloadWorker`` that runs one episode and times each stage with
/// ``StageTimings/measure(_:_:)``), write a scenario YAML (the same format `phibench run` reads:
/// phases, warm-up, thresholds), and call ``Benchmark/run(scenarioFile:overrides:trials:outputDirectory:makeWorkload:)``.
/// The result.json it writes is the one `phibench compare`, `phibench report` and `phibench merge` read.
public enum Benchmark {
    /// What a run gave: the result (also written as result.json) and whether every threshold held.
    public struct Outcome: Sendable {
        public var result: BenchResult
        public var thresholdsPassed: Bool
        /// result.json and the reports (report.html, summary.csv, timeseries.csv, summary.md).
        public var files: [URL]
    }

    /// Why a benchmark could not run.
    public enum Failure: Error, CustomStringConvertible {
        case scenario(ScenarioError)
        case harness(HarnessError)
        case report(String)
        case workload(any Error)

        public var description: String {
            switch self {
            case .scenario(let e): e.description
            case .harness(let e): e.description
            case .report(let s): s
            case .workload(let e): "the workload could not be created: \(e)"
            }
        }
    }

    /// Loads `scenarioFile` (with `--set`-style `overrides`), checks its thresholds against the
    /// workload's metrics, runs it `trials` times, each on a fresh workload from `makeWorkload(trial, seed)`,
    /// evaluates the thresholds and writes result.json and the reports into `outputDirectory`.
    /// - Throws: ``Failure`` (a bad scenario or threshold, a workload that cannot be created, a
    ///   report that cannot be written).
    public static func run<W: Workload>(
        scenarioFile: String, overrides: [String] = [], trials: Int = 1, outputDirectory: String,
        makeWorkload: (_ trial: Int, _ seed: UInt64) throws -> W
    ) throws(Failure) -> Outcome {
        let loaded: LoadedScenario
        do { loaded = try ScenarioLoader.load(file: scenarioFile, overrides: overrides) } catch { throw .scenario(error) }
        return try run(loaded, trials: trials, outputDirectory: outputDirectory, makeWorkload: makeWorkload)
    }

    /// Like ``run(scenarioFile:overrides:trials:outputDirectory:makeWorkload:)``, on the workload
    /// `provider` prepares from the scenario's sections it owns (checked by the provider; its
    /// complaints come out located at the scenario line). The workload's context has
    /// `outputDirectory` as its folder.
    public static func run(
        scenarioFile: String, overrides: [String] = [], trials: Int = 1, outputDirectory: String,
        provider: any WorkloadProvider
    ) throws(Failure) -> Outcome {
        var loaded: LoadedScenario
        let prepared: any PreparedWorkload
        do {
            loaded = try ScenarioLoader.load(file: scenarioFile, overrides: overrides, workloads: WorkloadProviders([provider]))
            prepared = try loaded.prepare(provider)
        } catch {
            throw .scenario(error)
        }
        let directory = URL(fileURLWithPath: outputDirectory, isDirectory: true)
        func open<P: PreparedWorkload>(_ p: P) throws(Failure) -> Outcome {
            try Benchmark.run(loaded, trials: trials, outputDirectory: outputDirectory) { trial, seed in
                try p.makeWorkload(WorkloadContext(trial: trial, seed: seed, directory: directory))
            }
        }
        return try open(prepared)
    }

    private static func run<W: Workload>(
        _ loaded: LoadedScenario, trials: Int, outputDirectory: String, makeWorkload: (_ trial: Int, _ seed: UInt64) throws -> W
    ) throws(Failure) -> Outcome {
        // The first trial's workload tells the catalogue (its stages) before any load runs.
        var first: W?
        do { first = try makeWorkload(0, loaded.scenario.seed) } catch { throw .workload(error) }
        let thresholds: [Threshold]
        do {
            thresholds = try loaded.validate(catalogue: MetricCatalogue.standard(for: first!.vocabulary))
        } catch {
            throw .scenario(error)
        }
        var result: BenchResult
        do {
            result = try BenchmarkRunner.run(scenario: loaded.record, options: RunOptions(trials: trials)) { trial, seed in
                if trial == 0, let w = first {
                    first = nil
                    return w
                }
                return try makeWorkload(trial, seed)
            }
        } catch let error as HarnessError {
            throw .harness(error)
        } catch {
            throw .workload(error)
        }
        Threshold.evaluate(thresholds, into: &result)
        let dir = URL(fileURLWithPath: outputDirectory, isDirectory: true)
        var files: [URL] = []
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let file = dir.appendingPathComponent("result.json")
            try ResultCodec.write(result, to: file)
            files = [file] + (try ReportWriter.write(results: [result], to: dir, options: ReportOptions(generator: "PhibenchKit")))
        } catch {
            throw .report("\(outputDirectory): \(error)")
        }
        return Outcome(result: result, thresholdsPassed: result.thresholds.allSatisfy(\.passed), files: files)
    }
}
