import ArgumentParser
import BenchModel
import Foundation
import History
import HistoryStorage
import Reports

extension DetectionOptions.Test: ExpressibleByArgument {}

/// `phibench history`: keep results across commits and find where metrics changed.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Keep results across commits (SQLite or PostgreSQL) and find change points in them.",
        discussion: """
            A history is an SQLite file (a path) or a PostgreSQL database (postgres://user@host:port/db; \
            the password may come from PGPASSWORD). Results are kept per scenario and machine fingerprint \
            (CPU, cores, kernel, OS, build configuration, jemalloc); series never mix them.
            Examples:
              phibench history add runs/bench/result.json --db history.sqlite
              phibench history report --db history.sqlite --out runs/history
              phibench history check --db postgres://ci@db.internal:5432/perf --metric 'e2e.*'
            """,
        subcommands: [HistoryAddCommand.self, HistoryReportCommand.self, HistoryCheckCommand.self])
}

/// `--db`, shared by the history subcommands.
struct HistoryDatabaseOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The history: an SQLite file path, or postgres://user@host:port/database.", valueName: "PATH_OR_URL"))
    var db: String

    /// Opens the history; every failure is an input error (exit 2) naming the database.
    private func open(create: Bool) async throws -> any HistoryStore {
        do { return try await HistoryDatabase.open(db, create: create) } catch { throw InputError(error) }
    }

    /// Opens the history (created when `create`), runs `body` on it and closes it, also when `body`
    /// throws (its error goes on as it is).
    func withStore<R>(create: Bool, _ body: (any HistoryStore) async throws -> R) async throws -> R {
        let store = try await open(create: create)
        let result: R
        do {
            result = try await body(store)
        } catch {
            await store.close()
            throw error
        }
        await store.close()
        return result
    }
}

/// What `report` and `check` analyse, and how.
struct HistoryAnalysisOptions: ParsableArguments {
    @Option(help: "Only this scenario.")
    var scenario: String?

    @Option(help: ArgumentHelp("Metric name or pattern (`*` matches any run of characters); repeatable.", valueName: "PATTERN"))
    var metric: [String] = []

    @Option(help: "Results per sliding window of the detector.")
    var window = DetectionOptions().window

    @Option(name: .customLong("max-pvalue"), help: "Largest t-test p-value of a change point.")
    var maxPValue = DetectionOptions().maxPValue

    @Option(help: "Smallest relative change of a change point, e.g. 1% or 0.01 (default: any size).")
    var minMagnitude: PercentageArgument?

    @Option(help: "Fewest results on each side of a change point (so single outliers are never one).")
    var minSegment = DetectionOptions().minSegment

    @Option(help: ArgumentHelp("What the t-test runs on: ranks (robust to outliers, the default) or values (Otava's test).",
                               valueName: "ranks|values"))
    var test: DetectionOptions.Test = DetectionOptions().test

    @Option(help: "A regression counts as new while it starts within this many newest results of its series.")
    var recent = 10

    var detection: DetectionOptions {
        DetectionOptions(window: window, maxPValue: maxPValue, minMagnitude: minMagnitude?.fraction ?? 0,
                         minSegment: minSegment, test: test)
    }

    func validate() throws {
        do { try detection.validate() } catch { throw ValidationError(error.description) }
        guard recent >= 1 else { throw ValidationError("--recent must be at least 1, got \(recent)") }
    }

    /// Reads the history and analyses the selected series.
    /// - Parameter gatedByDefault: without `--metric`, analyse only the metrics the results' catalogues
    ///   gate (compare's default gate); else every metric.
    func analyze(_ store: any HistoryStore, gatedByDefault: Bool = false) async throws -> (records: Int, analyses: [SeriesAnalysis]) {
        do {
            if let scenario, !(try await store.scenarios()).contains(scenario) {
                throw HistoryError.unknownScenario(scenario, known: try await store.scenarios())
            }
            let records = try await store.records(scenario: scenario)
            guard !records.isEmpty else {
                throw InputError("\(store.location): the history has no results yet; add some with phibench history add RESULT --db \(store.location)")
            }
            var known: [String] = []
            var gated: Set<String> = []
            for r in records {
                for m in r.metrics {
                    if !known.contains(m.key) { known.append(m.key) }
                    if m.gated { gated.insert(m.key) }
                }
            }
            let selected: Set<String>
            if metric.isEmpty && gatedByDefault {
                selected = gated
            } else {
                selected = try MetricSelection.select(metric, from: known)
            }
            return (records.count, try SeriesAnalysis.analyze(records, metrics: selected, options: detection))
        } catch let error as HistoryError {
            throw InputError(error)
        }
    }
}

struct HistoryAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Store results in the history (a result already stored is not added again).",
        discussion: """
            Examples:
              phibench history add runs/bench/result.json --db history.sqlite
              PGPASSWORD=… phibench history add runs/*/result.json --db postgres://ci@db:5432/perf
            """)

    @Argument(help: "result.json files, or run directories holding one.")
    var results: [String]

    @OptionGroup var database: HistoryDatabaseOptions

    func run() async throws {
        var records: [HistoryRecord] = []
        for path in results {
            var url = URL(fileURLWithPath: path)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                url = url.appendingPathComponent("result.json")
            }
            do { records.append(HistoryRecord(result: try ResultCodec.load(url, v1: Phibench.workloads.resultV1))) } catch { throw InputError(error) }
        }
        let (added, location) = try await database.withStore(create: true) { store in
            do throws(HistoryError) { return (try await store.add(records), store.location) } catch { throw InputError(error) }
        }
        let dirty = records.filter(\.dirty).count
        print("added \(added) result\(added == 1 ? "" : "s") to \(location)"
              + (added < records.count ? " (\(records.count - added) already there)" : "")
              + (dirty > 0 ? "; \(dirty) built from a dirty tree" : ""))
    }
}

struct HistoryReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write history.html: each metric across commits, with its change points.",
        discussion: """
            Examples:
              phibench history report --db history.sqlite --out runs/history
              phibench history report --db history.sqlite --scenario bench --metric 'e2e.*' --metric throughput
            """)

    @OptionGroup var database: HistoryDatabaseOptions
    @OptionGroup var analysis: HistoryAnalysisOptions

    @Option(name: .shortAndLong, help: "Output directory (default: runs/history).")
    var out = "runs/history"

    func run() async throws {
        let (result, location) = try await database.withStore(create: false) { store in
            (try await analysis.analyze(store), store.location)
        }
        let findings = HistoryCheck.regressions(in: result.analyses, recent: analysis.recent)
        let html = HistoryReport.render(
            HistoryReport.Input(analyses: result.analyses, findings: findings, options: analysis.detection, recent: analysis.recent,
                                source: location, resultCount: result.records),
            generator: "phibench \(Phibench.version)")
        let dir = URL(fileURLWithPath: out, isDirectory: true)
        let file = dir.appendingPathComponent("history.html")
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try Data(html.utf8).write(to: file, options: .atomic)
        } catch {
            throw InputError("\(file.relativePath): cannot write the history report: \(error.localizedDescription)")
        }
        let changes = result.analyses.reduce(0) { $0 + $1.changes.count }
        print("\(result.records) results, \(result.analyses.count) series, \(changes) change point\(changes == 1 ? "" : "s")")
        print("  history  \(file.relativePath)")
    }
}

struct HistoryCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Exit 1 when the newest results start a regression change point, naming the commit.",
        discussion: """
            Looks at the last change point of every series (metric × scenario × machine): when it is a \
            regression that starts within the newest --recent results, the check fails and names the commit \
            where it starts. Without --metric it checks compare's default gate: the metrics the results' catalogues \
            gate (e2e.p50/p90/p99, every stage's p50, throughput, allocations per episode, RSS growth, and \
            the workload's own, such as the Φ cache hit rate); a --metric that matches \
            nothing is an error, so a typo never turns the check off.
            Examples:
              phibench history check --db history.sqlite
              phibench history check --db history.sqlite --metric e2e.p99 --min-magnitude 2%
            Exit status 1 on a regression, 2 on a bad option or database.
            """)

    @OptionGroup var database: HistoryDatabaseOptions
    @OptionGroup var analysis: HistoryAnalysisOptions

    func run() async throws {
        let result = try await database.withStore(create: false) { store in try await analysis.analyze(store, gatedByDefault: true) }
        let findings = HistoryCheck.regressions(in: result.analyses, recent: analysis.recent)
        for f in findings {
            let c = f.change, cmp = c.comparison, s = f.series
            print("regression: \(s.key.metric) (\(s.key.scenario), machine \(s.key.fingerprint)) starts at commit \(c.first.commit)"
                  + " (last before: \(c.lastBefore.commit)): \(HistoryReport.changeText(c, unit: s.unit, metric: s.key.metric)),"
                  + " magnitude \(Units.fixed(cmp.magnitude * 100, digits: 2))%, \(f.resultsSince) newest results on the new level")
        }
        if findings.isEmpty {
            print("no regression starts in the newest \(analysis.recent) results of \(result.analyses.count) series (\(result.records) results)")
        } else {
            throw ExitCode(1)
        }
    }
}
