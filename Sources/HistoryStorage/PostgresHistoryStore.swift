import Foundation
import History

/// A history in a PostgreSQL database, through libpq: for CI runners on many machines that add to
/// one history. The tables (``HistorySchema``) are created on first use.
///
/// libpq blocks, so every call runs on the store's own serial queue, never on a Swift concurrency
/// thread; the async methods wait for it there.
package final class PostgresHistoryStore: HistoryStore {
    package let location: String
    private let connection: PostgresConnection
    private let queue: DispatchQueue

    private init(location: String, connection: PostgresConnection, queue: DispatchQueue) {
        self.location = location
        self.connection = connection
        self.queue = queue
    }

    /// Connects and migrates.
    /// - Throws: ``HistoryError/unavailable(location:reason:)`` when the server cannot be reached or
    ///   refuses the login; ``HistoryError/newerSchema(location:found:known:)``.
    static func open(_ url: PostgresLocation) async throws(HistoryError) -> PostgresHistoryStore {
        let queue = DispatchQueue(label: "phibench.history.postgres")
        let connection = try await run(on: queue) { () throws(HistoryError) in
            do throws(PostgresFailure) {
                return try PostgresConnection.connect(connectionParameters(url))
            } catch {
                throw .unavailable(location: url.redacted, reason: error.description)
            }
        }
        let store = PostgresHistoryStore(location: url.redacted, connection: connection, queue: queue)
        do throws(HistoryError) {
            try await store.perform { c throws(HistoryError) in try migrate(c, location: url.redacted) }
        } catch {
            await store.close()
            throw error
        }
        return store
    }

    /// libpq's keywords for `url`. The password is passed only when the URL or `PGPASSWORD` has one
    /// (libpq then also tries `~/.pgpass`); `sslmode` means what it means to libpq.
    static func connectionParameters(_ url: PostgresLocation) -> [(keyword: String, value: String)] {
        var parameters: [(keyword: String, value: String)] = [
            ("host", url.host), ("port", String(url.port)), ("user", url.user), ("dbname", url.database),
            ("sslmode", url.tls.rawValue), ("connect_timeout", "10"), ("client_encoding", "UTF8"),
            ("application_name", "phibench"),
        ]
        if let password = url.password { parameters.append(("password", password)) }
        return parameters
    }

    /// An arbitrary constant naming phibench's migration lock among the server's advisory locks.
    private static let migrationLock: Int64 = 0x7068_6962_656E_6368 >> 8

    private static func migrate(_ c: PostgresConnection, location: String) throws(HistoryError) {
        do {
            try c.transaction {
                // Two CI jobs opening a new history at once: the second waits, then sees the tables.
                try c.execute("SELECT pg_advisory_xact_lock($1::int8)", [String(migrationLock)])
                try c.execute(HistorySchema.versionTable)
                let max = try c.execute("SELECT MAX(version) FROM phibench_history_schema").first?.first ?? nil
                let found = max.flatMap { Int($0) } ?? 0
                guard found <= HistorySchema.version else {
                    throw HistoryError.newerSchema(location: location, found: found, known: HistorySchema.version)
                }
                for statements in HistorySchema.migrations[found...] {
                    for sql in statements { try c.execute(sql) }
                }
                if found < HistorySchema.version {
                    try c.execute("DELETE FROM phibench_history_schema")
                    try c.execute("INSERT INTO phibench_history_schema (version) VALUES ($1::int4)", [String(HistorySchema.version)])
                }
            }
        } catch let error as HistoryError {
            throw error
        } catch {
            throw .unavailable(location: location, reason: "\(error)")
        }
    }

    package func add(_ records: [HistoryRecord]) async throws(HistoryError) -> Int {
        let location = location
        return try await perform { c throws(HistoryError) in
            do {
                return try c.transaction {
                    var added = 0
                    for r in records {
                        let inserted = try c.execute("""
                            INSERT INTO phibench_results (id, scenario, commit_id, dirty, started_at, fingerprint, machine, configuration)
                            VALUES ($1, $2, $3, $4::bool, $5, $6, $7, $8)
                            ON CONFLICT (id) DO NOTHING RETURNING id
                            """, [r.id, r.scenario, r.commit, String(r.dirty), r.startedAt, r.machine.hash, r.machine.text, r.configuration])
                        guard !inserted.isEmpty else { continue }
                        added += 1
                        // One statement per result: the metric columns as arrays, unnested into rows.
                        let m = r.metrics
                        try c.execute("""
                            INSERT INTO phibench_metric_values (result_id, position, metric, value, unit, direction, gated)
                            SELECT $1::text, * FROM unnest($2::int4[], $3::text[], $4::float8[], $5::text[], $6::text[], $7::bool[])
                            """, [r.id, arrayLiteral(m.indices.map { String($0) }), arrayLiteral(m.map { quoted($0.key) }),
                                  arrayLiteral(m.map { "\($0.value)" }), arrayLiteral(m.map { quoted($0.unit.rawValue) }),
                                  arrayLiteral(m.map { quoted($0.direction.rawValue) }), arrayLiteral(m.map { String($0.gated) })])
                    }
                    return added
                }
            } catch {
                throw .database(location: location, reason: "\(error)")
            }
        }
    }

    package func records(scenario: String?) async throws(HistoryError) -> [HistoryRecord] {
        let location = location
        let rows = try await perform { c throws(HistoryError) -> [RecordRow] in
            do {
                let sql = HistorySchema.selectRecords(scenarioPlaceholder: scenario == nil ? nil : "$1")
                return try c.execute(sql, scenario.map { [$0] } ?? []).map { fields throws(HistoryError) in
                    try Self.recordRow(fields, location: location)
                }
            } catch let error as HistoryError {
                throw error
            } catch {
                throw .database(location: location, reason: "\(error)")
            }
        }
        return try RecordRow.records(rows, location: location)
    }

    package func scenarios() async throws(HistoryError) -> [String] {
        let location = location
        return try await perform { c throws(HistoryError) in
            do {
                return try c.execute(HistorySchema.selectScenarios).compactMap { $0.first ?? nil }
            } catch {
                throw .database(location: location, reason: "\(error)")
            }
        }
    }

    package func close() async {
        try? await perform { c throws(HistoryError) in c.close() }
    }

    /// One row of ``HistorySchema/selectRecords(scenarioPlaceholder:)`` from libpq's text format.
    /// - Throws: ``HistoryError/database(location:reason:)`` for a NULL or a value of the wrong type.
    private static func recordRow(_ fields: [String?], location: String) throws(HistoryError) -> RecordRow {
        func bad(_ what: String) -> HistoryError {
            .database(location: location, reason: "result \(fields.first.flatMap { $0 } ?? "?"): unreadable \(what)")
        }
        guard fields.count == 13 else { throw bad("row of \(fields.count) columns (expected 13)") }
        var text: [String] = []
        for (i, f) in fields.enumerated() {
            guard let f else { throw bad("NULL in column \(i + 1)") }
            text.append(f)
        }
        func bool(_ s: String, _ what: String) throws(HistoryError) -> Bool {
            switch s {
            case "t": return true
            case "f": return false
            default: throw bad("\(what) '\(s)' (expected t or f)")
            }
        }
        guard let value = Double(text[9]) else { throw bad("value '\(text[9])' of metric \(text[8])") }
        return RecordRow(id: text[0], scenario: text[1], commit: text[2], dirty: try bool(text[3], "dirty flag"), startedAt: text[4],
                         fingerprint: text[5], machine: text[6], configuration: text[7], metric: text[8], value: value,
                         unit: text[10], direction: text[11], gated: try bool(text[12], "gated flag"))
    }

    /// Runs `body` with the connection on the store's queue.
    private func perform<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws(HistoryError) -> T) async throws(HistoryError) -> T {
        let connection = connection
        return try await Self.run(on: queue) { () throws(HistoryError) in try body(connection) }
    }

    private static func run<T: Sendable>(on queue: DispatchQueue, _ body: @escaping @Sendable () throws(HistoryError) -> T) async throws(HistoryError) -> T {
        try await withCheckedContinuation { (continuation: CheckedContinuation<Result<T, HistoryError>, Never>) in
            queue.async { continuation.resume(returning: Result { () throws(HistoryError) in try body() }) }
        }.get()
    }
}

/// A PostgreSQL array literal of already-formatted elements: `{1,2,3}`.
private func arrayLiteral(_ elements: [String]) -> String {
    "{" + elements.joined(separator: ",") + "}"
}

/// A text element of an array literal, double-quoted with `"` and `\` escaped.
private func quoted(_ text: String) -> String {
    "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
}
