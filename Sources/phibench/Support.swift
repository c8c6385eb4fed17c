import BenchModel
import Foundation
import Harness
import Pipeline
import Reports

/// Loads and validates a scenario file, turning every problem into an input error (exit 2).
func loadScenario(_ file: String, overrides: [String]) throws -> LoadedScenario {
    do {
        return try ScenarioLoader.load(file: file, overrides: overrides)
    } catch {
        throw InputError(error)
    }
}

/// Parses the scenario's thresholds against the workload's metrics (exit 2 on a bad expression).
func validateThresholds(_ loaded: LoadedScenario, catalogue: MetricCatalogue) throws -> [Threshold] {
    do {
        return try loaded.validate(catalogue: catalogue)
    } catch {
        throw InputError(error)
    }
}

/// The workload a command drives, set up from the scenario's workload settings.
struct WorkloadTarget {
    let kind: WorkloadKind
    let config: PipelineConfig?

    init(kind: WorkloadKind, loaded: LoadedScenario) throws {
        self.kind = kind
        switch kind {
        case .pipeline:
            do {
                config = try PipelineConfig(settings: loaded.scenario.workload)
            } catch {
                // Point at the scenario line (or --set) the offending key came from.
                let key: String = switch error {
                case .unknownKey(let key, _, _), .invalidValue(let key, _, _): key
                case .inconsistent(let keys, _): keys.first ?? "pipeline"
                }
                throw InputError(loaded.error(key: key, error.description))
            }
        case .noop:
            config = nil
        }
    }

    /// What the workload reports, known before it runs.
    var vocabulary: WorkloadVocabulary {
        switch kind {
        case .pipeline: PipelineWorkload.stageVocabulary
        case .noop: SyntheticWorkload().vocabulary
        }
    }

    /// The metrics a run of this workload has.
    var catalogue: MetricCatalogue { MetricCatalogue.standard(for: vocabulary) }

    /// Runs the scenario; the pipeline's memory layer keeps its on-disk tiers under `directory`.
    func run(_ record: ScenarioRecord, options: RunOptions, directory: URL) throws -> BenchResult {
        do {
            switch kind {
            case .pipeline:
                let config = config!
                return try BenchmarkRunner.run(scenario: record, options: options) { trial, seed in
                    let tiers = directory.appendingPathComponent("memory/trial-\(trial)", isDirectory: true)
                    return try PipelineWorkload(config: config, seed: seed, directory: tiers)
                }
            case .noop:
                return try BenchmarkRunner.run(scenario: record, options: options) { _, _ in SyntheticWorkload() }
            }
        } catch let error as HarnessError {
            throw InputError(error)
        } catch let error as PipelineError {
            throw InputError(error)
        }
    }
}

/// Writes result.json (atomically), turning a failure into an input error.
func writeResult(_ result: BenchResult, to url: URL) throws {
    do { try ResultCodec.write(result, to: url) } catch { throw InputError(error) }
}

/// Loads a result.json (version 1 or 2), turning a failure into an input error.
func loadResult(_ path: String) throws -> BenchResult {
    do { return try ResultCodec.load(URL(fileURLWithPath: path)) } catch { throw InputError(error) }
}

/// Writes report.html, summary.csv, timeseries.csv and summary.md next to result.json and says
/// where the report is. Report failures are reported but do not lose the result.
func writeReports(for result: BenchResult, in dir: URL) -> String {
    do {
        try ReportWriter.write(results: [result], to: dir, options: reportOptions(sources: [dir]))
        return "  report  \(dir.appendingPathComponent("report.html").relativePath)"
    } catch {
        printError("warning: reports not written: \(error)")
        return "  report  (not written: \(error))"
    }
}

/// The live status line on stderr: only when stderr is a terminal and not `--quiet`.
final class ProgressLine: Sendable {
    let enabled: Bool

    init(enabled: Bool) {
        self.enabled = enabled && isatty(STDERR_FILENO) == 1
    }

    func update(_ p: RunProgress) {
        guard enabled else { return }
        let eta = p.remainingSeconds.map { "ETA \(Int($0.rounded(.up)))s" } ?? "draining"
        let line = "\(p.phaseLabel)  \(Int(p.elapsedSeconds))s  \(eta)  \(Units.fixed(p.throughputEps, digits: 0))/s  p99 \(Units.formatNanoseconds(p.p99Ns))  queue \(p.queueDepth)  episodes \(p.episodes)"
        FileHandle.standardError.write(Data("\r\u{1B}[2K\(line)".utf8))
    }

    func phase(_ index: Int, _ label: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K\(label)…".utf8))
    }

    func clear() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }
}

/// Report settings every command uses: flame graphs drawn by the Profiling module.
func reportOptions(sources: [URL?]) -> ReportOptions {
    ReportOptions(sourceDirectories: sources, flameGraph: { FlameGraph.svg(folded: $0, title: $1, width: $2) },
                  generator: "phibench \(Phibench.version)")
}

/// What every measuring command does with a finished run: evaluates the thresholds, writes
/// result.json and the reports, prints the summary (with `details` lines after it) or the JSON, and
/// returns the exit status: 130/143 when interrupted, 1 when a threshold failed or `failed`, else 0.
func finishRun(_ result: inout BenchResult, thresholds: [Threshold], in dir: URL, options: MeasureOptions,
               stop: StopSignal, details: [String] = [], failed: Bool = false) throws -> Int32 {
    Threshold.evaluate(thresholds, into: &result)
    try writeResult(result, to: dir.appendingPathComponent("result.json"))
    let reportNote = writeReports(for: result, in: dir)
    if options.json {
        let data: Data
        do { data = try ResultCodec.encode(result) } catch { throw InputError(error) }
        print(String(decoding: data, as: UTF8.self))
    } else if !options.quiet {
        print(TerminalSummary.render(result))
        if !details.isEmpty { print("\n" + details.joined(separator: "\n")) }
        print("\n  result  \(dir.appendingPathComponent("result.json").relativePath)")
        print(reportNote)
    }
    if let status = stop.exitStatus { return status }
    return failed || result.thresholds.contains(where: { !$0.passed }) ? 1 : 0
}
