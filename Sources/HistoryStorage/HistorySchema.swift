import BenchModel
import History

/// The history's tables, the same on SQLite and PostgreSQL (both accept these types: SQLite maps
/// `DOUBLE PRECISION` to REAL and `BOOLEAN` to an integer).
///
/// `phibench_results` has one row per stored result; `phibench_metric_values` one row per metric of
/// a result, in the result's catalogue order (`position`). Indexes serve the reads the commands do:
/// a scenario's results on one machine in time order, and one metric's values.
/// `phibench_history_schema` holds the version; migrations run once, in order, in a transaction.
enum HistorySchema {
    /// Statements of each version, applied in order; append, never edit a released one.
    static let migrations: [[String]] = [
        [
            """
            CREATE TABLE phibench_results (
                id TEXT PRIMARY KEY,
                scenario TEXT NOT NULL,
                commit_id TEXT NOT NULL,
                dirty BOOLEAN NOT NULL,
                started_at TEXT NOT NULL,
                fingerprint TEXT NOT NULL,
                machine TEXT NOT NULL,
                configuration TEXT NOT NULL)
            """,
            "CREATE INDEX phibench_results_series ON phibench_results (scenario, fingerprint, started_at)",
            """
            CREATE TABLE phibench_metric_values (
                result_id TEXT NOT NULL REFERENCES phibench_results (id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                metric TEXT NOT NULL,
                value DOUBLE PRECISION NOT NULL,
                unit TEXT NOT NULL,
                direction TEXT NOT NULL,
                gated BOOLEAN NOT NULL,
                PRIMARY KEY (result_id, metric))
            """,
            "CREATE INDEX phibench_metric_values_metric ON phibench_metric_values (metric, result_id)",
        ],
    ]

    static var version: Int { migrations.count }

    static let versionTable = "CREATE TABLE IF NOT EXISTS phibench_history_schema (version INTEGER NOT NULL)"

    /// The query both backends read records with; rows come grouped by result, metrics in order.
    static func selectRecords(scenarioPlaceholder: String?) -> String {
        """
        SELECT r.id, r.scenario, r.commit_id, r.dirty, r.started_at, r.fingerprint, r.machine, r.configuration,
               v.metric, v.value, v.unit, v.direction, v.gated
        FROM phibench_results r JOIN phibench_metric_values v ON v.result_id = r.id
        \(scenarioPlaceholder.map { "WHERE r.scenario = \($0)" } ?? "")
        ORDER BY r.started_at, r.commit_id, r.id, v.position
        """
    }

    static let selectScenarios = "SELECT DISTINCT scenario FROM phibench_results ORDER BY scenario"
}

/// One row of ``HistorySchema/selectRecords(scenarioPlaceholder:)``, as either backend decodes it.
struct RecordRow {
    var id: String
    var scenario: String
    var commit: String
    var dirty: Bool
    var startedAt: String
    var fingerprint: String
    var machine: String
    var configuration: String
    var metric: String
    var value: Double
    var unit: String
    var direction: String
    var gated: Bool
}

extension RecordRow {
    /// Groups rows (ordered by result) into records.
    /// - Throws: ``HistoryError/database(location:reason:)`` for a unit or direction this phibench
    ///   does not know, naming the result and metric.
    static func records(_ rows: [RecordRow], location: String) throws(HistoryError) -> [HistoryRecord] {
        var out: [HistoryRecord] = []
        var lastID: String?
        for row in rows {
            guard let unit = MetricUnit(rawValue: row.unit), let direction = MetricDirection(rawValue: row.direction) else {
                throw .database(location: location, reason: "result \(row.id), metric \(row.metric): unknown unit '\(row.unit)' or direction '\(row.direction)'")
            }
            let metric = HistoryMetric(key: row.metric, value: row.value, unit: unit, direction: direction, gated: row.gated)
            if row.id == lastID {
                out[out.count - 1].metrics.append(metric)
            } else {
                lastID = row.id
                out.append(HistoryRecord(scenario: row.scenario, commit: row.commit, dirty: row.dirty, startedAt: row.startedAt,
                                         machine: HistoryMachine(hash: row.fingerprint, text: row.machine),
                                         configuration: row.configuration, metrics: [metric]))
            }
        }
        return out
    }
}
