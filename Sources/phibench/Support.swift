import BenchModel
import ExternalWorkloads
import Foundation
import Harness
import Pipeline
import Reports
import Synchronization

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

/// The workload a command drives: the scenario's `workload:` (worker processes, an HTTP service)
/// or a built-in one (`--workload pipeline|noop`). External workloads are probed here, before any
/// load, because their stages (the catalogue, the threshold check) come from the system itself.
final class WorkloadTarget: Sendable {
    enum Kind {
        case pipeline(PipelineConfig)
        case noop
        case process(ProcessWorkloadSpec, ProcessHandshake)
        case http(HTTPWorkloadSpec, HTTPPreflight)
    }

    let kind: Kind

    /// Whether the workload's code runs inside this process (what instruction counts can count).
    var runsInProcess: Bool {
        switch kind {
        case .pipeline, .noop: true
        case .process, .http: false
        }
    }

    /// Why an external workload stopped the run (restart limit reached), if it did: exit status 1.
    private let failureMessage = Mutex<String?>(nil)
    /// Warnings external workloads raised during the run (late Server-Timing names, …).
    private let workloadWarnings = Mutex<[RunWarning]>([])

    /// - Parameter kind: `--workload`; nil means the scenario's `workload:`, else the pipeline.
    /// - Throws: ``InputError`` for bad pipeline settings, a `--workload` that contradicts the
    ///   scenario, a worker that fails its handshake or an HTTP preflight that fails (exit 2).
    init(kind requested: WorkloadKind?, loaded: LoadedScenario) throws {
        if let external = loaded.scenario.external {
            if let requested {
                throw InputError(loaded.error(key: "workload",
                    "--workload \(requested.rawValue) contradicts the scenario's `workload:` (\(external.kind)); leave out --workload, or drive the built-in one with --set workload=null"))
            }
            switch external {
            case .process(let spec):
                let log = FileManager.default.temporaryDirectory.appendingPathComponent("phibench-preflight-\(getpid()).log").path
                defer { try? FileManager.default.removeItem(atPath: log) }
                do {
                    kind = .process(spec, try ProcessWorkload.preflight(spec, seed: loaded.scenario.seed, logPath: log))
                } catch {
                    throw InputError(loaded.error(key: "workload.process", error.description))
                }
            case .http(let spec):
                do {
                    kind = .http(spec, try HTTPWorkload.preflight(spec))
                } catch {
                    throw InputError(loaded.error(key: "workload.http.url", error.description))
                }
            }
            return
        }
        switch requested ?? .pipeline {
        case .pipeline:
            do {
                kind = .pipeline(try PipelineConfig(settings: loaded.scenario.workload))
            } catch {
                // Point at the scenario line (or --set) the offending key came from.
                let key: String = switch error {
                case .unknownKey(let key, _, _), .invalidValue(let key, _, _): key
                case .inconsistent(let keys, _): keys.first ?? "pipeline"
                }
                throw InputError(loaded.error(key: key, error.description))
            }
        case .noop:
            kind = .noop
        }
    }

    /// What the workload reports, known before it runs.
    var vocabulary: WorkloadVocabulary {
        switch kind {
        case .pipeline: PipelineWorkload.stageVocabulary
        case .noop: SyntheticWorkload().vocabulary
        case .process(_, let handshake): handshake.vocabulary
        case .http(_, let preflight): preflight.vocabulary
        }
    }

    /// The metrics a run of this workload has.
    var catalogue: MetricCatalogue { MetricCatalogue.standard(for: vocabulary) }

    /// Set when an external workload stopped the run: the caller exits 1 with this message.
    var failure: String? { failureMessage.withLock { $0 } }

    /// Runs the scenario; the pipeline's memory layer keeps its on-disk tiers under `directory`,
    /// worker processes write their stderr to `directory/worker-<n>.log`.
    func run(_ record: ScenarioRecord, options: RunOptions, directory: URL) throws -> BenchResult {
        var result: BenchResult
        do {
            switch kind {
            case .pipeline(let config):
                result = try BenchmarkRunner.run(scenario: record, options: options) { trial, seed in
                    let tiers = directory.appendingPathComponent("memory/trial-\(trial)", isDirectory: true)
                    return try PipelineWorkload(config: config, seed: seed, directory: tiers)
                }
            case .noop:
                result = try BenchmarkRunner.run(scenario: record, options: options) { _, _ in SyntheticWorkload() }
            case .process(let spec, let handshake):
                let stop = options.stop
                result = try BenchmarkRunner.run(scenario: record, options: options) { [self] _, seed in
                    try ProcessWorkload(spec: spec, seed: seed, logDirectory: directory.path, expected: handshake) { message in
                        self.failureMessage.withLock { if $0 == nil { $0 = message } }
                        stop.request()
                    }
                }
            case .http(let spec, let preflight):
                result = try BenchmarkRunner.run(scenario: record, options: options) { [self] _, _ in
                    HTTPWorkload(spec: spec, preflight: preflight) { warnings in
                        self.workloadWarnings.withLock { $0.append(contentsOf: warnings) }
                    }
                }
            }
        } catch let error as HarnessError {
            throw InputError(error)
        } catch let error as PipelineError {
            throw InputError(error)
        } catch let error as ProcessWorkloadError {
            throw InputError(error)
        }
        for w in workloadWarnings.withLock({ $0 }) where !result.warnings.contains(w) { result.warnings.append(w) }
        if let failure {
            result.warnings.append(RunWarning(.other, .bad, failure))
            printError("error: \(failure)")
        }
        return result
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
        var lines = details
        if let g = result.generator, result.segment == nil { lines.insert("  generator  \(g.summaryLine)", at: 0) }
        if !lines.isEmpty { print("\n" + lines.joined(separator: "\n")) }
        print("\n  result  \(dir.appendingPathComponent("result.json").relativePath)")
        print(reportNote)
    }
    if let status = stop.exitStatus { return status }
    return failed || result.thresholds.contains(where: { !$0.passed }) ? 1 : 0
}
