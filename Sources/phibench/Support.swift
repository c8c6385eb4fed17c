import BenchModel
import ExternalWorkloads
import Foundation
import Harness
import Reports
import Synchronization

/// Loads and validates a scenario file (with the sections of the registered workloads), turning every
/// problem into an input error (exit 2).
func loadScenario(_ file: String, overrides: [String]) throws -> LoadedScenario {
    do {
        return try ScenarioLoader.load(file: file, overrides: overrides, workloads: Phibench.workloads)
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

/// The workload a command drives: a registered provider's (``Phibench/workloads``), chosen by
/// `--workload NAME` or by the sections the scenario has. Workloads outside this process (worker
/// processes, an HTTP service) are probed when prepared, before any load, because their stages (the
/// catalogue, the threshold check) come from the system itself.
final class WorkloadTarget: Sendable {
    /// The workload, its settings checked.
    let prepared: any PreparedWorkload
    /// Whether the workload's code runs inside this process (what instruction counts can count).
    let runsInProcess: Bool
    /// What external workloads report while they run.
    private let notes: RunNotes

    /// - Parameter requested: `--workload`; nil means the workload a structured section (`workload:`)
    ///   configures, else the workload whose section the scenario has, else the first registered one.
    /// - Parameter loaded: made to fit the workload (``LoadedScenario/prepare(_:)``): run this record.
    /// - Throws: ``InputError`` for an unknown `--workload`, settings the workload rejects, a
    ///   `--workload` that contradicts the scenario, a worker that fails its handshake or an HTTP
    ///   preflight that fails (exit 2).
    init(kind requested: String?, loaded: inout LoadedScenario, workloads: WorkloadProviders = Phibench.workloads) throws {
        let provider = try Self.provider(requested, loaded: loaded, workloads: workloads)
        do {
            prepared = try loaded.prepare(provider)
        } catch {
            throw InputError(error)
        }
        let external = prepared as? any ExternalTarget
        runsInProcess = external == nil
        notes = external?.notes ?? RunNotes()
    }

    /// `--workload NAME`'s provider; without it, the one whose section the scenario has, else the first.
    private static func provider(_ requested: String?, loaded: LoadedScenario,
                                 workloads: WorkloadProviders) throws -> any WorkloadProvider {
        // A structured section (`workload: { process: … }`) names its workload itself.
        for (section, value) in loaded.sections.sorted(by: { $0.key < $1.key }) {
            guard let owner = workloads.owner(ofSection: section, value: value) else { continue }
            guard let requested else { return owner }
            guard requested == owner.name else {
                throw InputError(loaded.error(key: section,
                    "--workload \(requested) contradicts the scenario's `\(section):` (\(owner.name)); leave out --workload, or drive another workload with --set \(section)=null"))
            }
            return owner
        }
        if let requested {
            guard let provider = workloads.provider(named: requested) else {
                let hint = KeySuggestion.closest(to: requested, among: workloads.names).map { "did you mean `\($0)`? " } ?? ""
                throw InputError("--workload \(requested): no such workload; \(hint)registered: \(workloads.names.joined(separator: ", "))")
            }
            return provider
        }
        var owners: [(name: String, section: String)] = []
        for key in loaded.scenario.workload.keys.sorted() {
            let section = WorkloadProviders.section(of: key)
            if let owner = workloads.owner(ofSection: section), !owners.contains(where: { $0.name == owner.name }) {
                owners.append((owner.name, section))
            }
        }
        guard owners.count <= 1 else {
            throw InputError(loaded.error(key: owners[1].section,
                "configures the \(owners[1].name) workload, but `\(owners[0].section):` configures the \(owners[0].name) one; choose one with --workload NAME or remove one of them"))
        }
        guard let provider = owners.first.flatMap({ workloads.provider(named: $0.name) }) ?? workloads.all.first else {
            throw InputError("no workload is registered")
        }
        return provider
    }

    /// What the workload reports, known before it runs.
    var vocabulary: WorkloadVocabulary { prepared.vocabulary }

    /// The metrics a run of this workload has.
    var catalogue: MetricCatalogue { MetricCatalogue.standard(for: vocabulary) }

    /// Set when an external workload stopped the run: the caller exits 1 with this message.
    var failure: String? { notes.failure }

    /// Runs the scenario; the workload may keep files under `directory` (the pipeline's memory layer
    /// its on-disk tiers, worker processes their stderr as `directory/worker-<n>.log`).
    func run(_ record: ScenarioRecord, options: RunOptions, directory: URL) throws -> BenchResult {
        notes.arm(options.stop)
        var result: BenchResult
        do {
            result = try prepared.run(record, options: options, directory: directory)
        } catch {
            // A workload that cannot start, or the harness refusing the plan: an input error.
            throw InputError("\(error)")
        }
        for w in notes.warnings where !result.warnings.contains(w) { result.warnings.append(w) }
        if let failure {
            result.warnings.append(RunWarning(.other, .bad, failure))
            printError("error: \(failure)")
        }
        return result
    }
}

extension PreparedWorkload {
    /// Runs `record` on a fresh workload per trial (the existential opened here, so the harness's
    /// generic runner gets the concrete type).
    func run(_ record: ScenarioRecord, options: RunOptions, directory: URL) throws -> BenchResult {
        try BenchmarkRunner.run(scenario: record, options: options) { trial, seed in
            try makeWorkload(WorkloadContext(trial: trial, seed: seed, directory: directory))
        }
    }
}

/// What external workloads tell the command while they run: why one stopped the run, warnings.
final class RunNotes: Sendable {
    private let failureMessage = Mutex<String?>(nil)
    private let raised = Mutex<[RunWarning]>([])
    private let stop = Mutex<StopSignal?>(nil)

    /// The run's stop signal, which a failing workload requests.
    func arm(_ signal: StopSignal) { stop.withLock { $0 = signal } }

    /// Records the first failure and stops the run.
    func fail(_ message: String) {
        failureMessage.withLock { if $0 == nil { $0 = message } }
        stop.withLock { $0 }?.request()
    }

    func warn(_ warnings: [RunWarning]) { raised.withLock { $0.append(contentsOf: warnings) } }

    var failure: String? { failureMessage.withLock { $0 } }
    var warnings: [RunWarning] { raised.withLock { $0 } }
}

/// Writes result.json (atomically), turning a failure into an input error.
func writeResult(_ result: BenchResult, to url: URL) throws {
    do { try ResultCodec.write(result, to: url) } catch { throw InputError(error) }
}

/// Creates the output directory `dir` with its parents, turning a failure into an input error that
/// names it.
func createOutputDirectory(_ dir: URL) throws {
    do {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    } catch {
        throw InputError("\(dir.relativePath): cannot create the output directory: \(error.localizedDescription)")
    }
}

/// Loads a result.json (version 1 or 2), turning a failure into an input error.
func loadResult(_ path: String) throws -> BenchResult {
    do { return try ResultCodec.load(URL(fileURLWithPath: path), v1: Phibench.workloads.resultV1) } catch { throw InputError(error) }
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
