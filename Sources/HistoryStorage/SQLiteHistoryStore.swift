import Foundation
import GRDB
import History

/// A history in an SQLite file, through GRDB: the default, for one machine or a CI cache directory.
package final class SQLiteHistoryStore: HistoryStore {
    package let location: String
    private let queue: DatabaseQueue

    /// Opens the file at `path`, creating it (and its tables) when `create` is true.
    /// - Throws: ``HistoryError/unavailable(location:reason:)`` when the file is missing (and not to be
    ///   created), not an SQLite database, or cannot be opened; ``HistoryError/newerSchema(location:found:known:)``.
    package init(path: String, create: Bool) throws(HistoryError) {
        location = path
        guard !path.isEmpty else { throw .invalidLocation(location: "''", reason: "empty path") }
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        if isDirectory.boolValue { throw .unavailable(location: path, reason: "is a directory; expected an SQLite file") }
        if !exists && !create {
            throw .unavailable(location: path, reason: "no such file (phibench history add creates it)")
        }
        var config = Configuration()
        config.label = "phibench.history"
        // Several CI jobs may add to one file; wait for the other writer rather than fail.
        config.busyMode = .timeout(10)
        config.foreignKeysEnabled = true
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
        } catch {
            throw .unavailable(location: path, reason: Self.reason(error))
        }
        try migrate()
    }

    private func migrate() throws(HistoryError) {
        do {
            try queue.inTransaction(.immediate) { db in
                try db.execute(sql: HistorySchema.versionTable)
                let found = try Int.fetchOne(db, sql: "SELECT MAX(version) FROM phibench_history_schema") ?? 0
                guard found <= HistorySchema.version else {
                    throw HistoryError.newerSchema(location: location, found: found, known: HistorySchema.version)
                }
                for statements in HistorySchema.migrations[found...] {
                    for sql in statements { try db.execute(sql: sql) }
                }
                if found < HistorySchema.version {
                    try db.execute(sql: "DELETE FROM phibench_history_schema")
                    try db.execute(sql: "INSERT INTO phibench_history_schema (version) VALUES (?)", arguments: [HistorySchema.version])
                }
                return .commit
            }
        } catch let error as HistoryError {
            throw error
        } catch {
            throw .unavailable(location: location, reason: Self.reason(error))
        }
    }

    package func add(_ records: [HistoryRecord]) async throws(HistoryError) -> Int {
        do {
            return try await queue.write { db in
                var added = 0
                for r in records {
                    try db.execute(sql: """
                        INSERT INTO phibench_results (id, scenario, commit_id, dirty, started_at, fingerprint, machine, configuration)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING
                        """, arguments: [r.id, r.scenario, r.commit, r.dirty, r.startedAt, r.machine.hash, r.machine.text, r.configuration])
                    guard db.changesCount > 0 else { continue }
                    added += 1
                    for (position, m) in r.metrics.enumerated() {
                        try db.execute(sql: """
                            INSERT INTO phibench_metric_values (result_id, position, metric, value, unit, direction, gated)
                            VALUES (?, ?, ?, ?, ?, ?, ?)
                            """, arguments: [r.id, position, m.key, m.value, m.unit.rawValue, m.direction.rawValue, m.gated])
                    }
                }
                return added
            }
        } catch {
            throw .database(location: location, reason: Self.reason(error))
        }
    }

    package func records(scenario: String?) async throws(HistoryError) -> [HistoryRecord] {
        let rows: [RecordRow]
        do {
            rows = try await queue.read { db in
                let sql = HistorySchema.selectRecords(scenarioPlaceholder: scenario == nil ? nil : "?")
                // `decode` throws on a NULL or a value of the wrong type, where subscripts would trap.
                return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(scenario.map { [$0] } ?? [])).map { row in
                    try RecordRow(id: row.decode(atIndex: 0), scenario: row.decode(atIndex: 1), commit: row.decode(atIndex: 2),
                                  dirty: row.decode(atIndex: 3), startedAt: row.decode(atIndex: 4), fingerprint: row.decode(atIndex: 5),
                                  machine: row.decode(atIndex: 6), configuration: row.decode(atIndex: 7), metric: row.decode(atIndex: 8),
                                  value: row.decode(atIndex: 9), unit: row.decode(atIndex: 10), direction: row.decode(atIndex: 11), gated: row.decode(atIndex: 12))
                }
            }
        } catch {
            throw .database(location: location, reason: Self.reason(error))
        }
        return try RecordRow.records(rows, location: location)
    }

    package func scenarios() async throws(HistoryError) -> [String] {
        do {
            return try await queue.read { db in try String.fetchAll(db, sql: HistorySchema.selectScenarios) }
        } catch {
            throw .database(location: location, reason: Self.reason(error))
        }
    }

    package func close() async {
        try? queue.close()
    }

    /// SQLite's own message ("file is not a database"), without GRDB's statement dump.
    private static func reason(_ error: any Error) -> String {
        if let e = error as? DatabaseError { return e.message ?? "SQLite error \(e.resultCode)" }
        return "\(error)"
    }
}
