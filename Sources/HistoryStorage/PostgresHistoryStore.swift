import History
import Logging
import NIOSSL
import PostgresNIO

/// A history in a PostgreSQL database, through PostgresNIO: for CI runners on many machines that
/// add to one history. The tables (``HistorySchema``) are created on first use.
public final class PostgresHistoryStore: HistoryStore {
    public let location: String
    private let connection: PostgresConnection
    private let logger: Logger

    private init(location: String, connection: PostgresConnection, logger: Logger) {
        self.location = location
        self.connection = connection
        self.logger = logger
    }

    /// Connects and migrates.
    /// - Throws: ``HistoryError/unavailable(location:reason:)`` when the server cannot be reached or
    ///   refuses the login; ``HistoryError/newerSchema(location:found:known:)``.
    static func open(_ url: PostgresLocation) async throws(HistoryError) -> PostgresHistoryStore {
        // PostgresNIO logs connection internals; the command reports failures itself.
        let logger = Logger(label: "phibench.history.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
        let tls: PostgresConnection.Configuration.TLS
        do {
            switch url.tls {
            case .disable: tls = .disable
            case .prefer: tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case .require: tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
        } catch {
            throw .unavailable(location: url.redacted, reason: "cannot set up TLS: \(error)")
        }
        let config = PostgresConnection.Configuration(host: url.host, port: url.port, username: url.user, password: url.password,
                                                      database: url.database, tls: tls)
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: config, id: 1, logger: logger)
        } catch {
            throw .unavailable(location: url.redacted, reason: describe(error))
        }
        let store = PostgresHistoryStore(location: url.redacted, connection: connection, logger: logger)
        do {
            try await store.migrate()
        } catch {
            await store.close()
            throw error
        }
        return store
    }

    /// An arbitrary constant naming phibench's migration lock among the server's advisory locks.
    private static let migrationLock: Int64 = 0x7068_6962_656E_6368 >> 8

    private func migrate() async throws(HistoryError) {
        do {
            try await connection.withTransaction(logger: logger) { c in
                // Two CI jobs opening a new history at once: the second waits, then sees the tables.
                try await c.query("SELECT pg_advisory_xact_lock(\(Self.migrationLock))", logger: logger)
                try await c.query(PostgresQuery(unsafeSQL: HistorySchema.versionTable), logger: logger)
                var found = 0
                for try await v in try await c.query("SELECT MAX(version) FROM phibench_history_schema", logger: logger).decode(Int?.self) {
                    found = v ?? 0
                }
                guard found <= HistorySchema.version else {
                    throw HistoryError.newerSchema(location: location, found: found, known: HistorySchema.version)
                }
                for statements in HistorySchema.migrations[found...] {
                    for sql in statements { try await c.query(PostgresQuery(unsafeSQL: sql), logger: logger) }
                }
                if found < HistorySchema.version {
                    try await c.query("DELETE FROM phibench_history_schema", logger: logger)
                    try await c.query("INSERT INTO phibench_history_schema (version) VALUES (\(HistorySchema.version))", logger: logger)
                }
            }
        } catch let error as PostgresTransactionError {
            if let e = error.closureError as? HistoryError { throw e }
            throw .unavailable(location: location, reason: Self.describe(error))
        } catch {
            throw .unavailable(location: location, reason: Self.describe(error))
        }
    }

    public func add(_ records: [HistoryRecord]) async throws(HistoryError) -> Int {
        do {
            return try await connection.withTransaction(logger: logger) { c in
                var added = 0
                for r in records {
                    let inserted = try await c.query("""
                        INSERT INTO phibench_results (id, scenario, commit_id, dirty, started_at, fingerprint, machine, configuration)
                        VALUES (\(r.id), \(r.scenario), \(r.commit), \(r.dirty), \(r.startedAt), \(r.machine.hash), \(r.machine.text), \(r.configuration))
                        ON CONFLICT (id) DO NOTHING RETURNING id
                        """, logger: logger).collect()
                    guard !inserted.isEmpty else { continue }
                    added += 1
                    // One statement per result: the metric columns as arrays, unnested into rows.
                    try await c.query("""
                        INSERT INTO phibench_metric_values (result_id, position, metric, value, unit, direction, gated)
                        SELECT \(r.id), * FROM unnest(\(r.metrics.indices.map { Int32($0) })::int4[], \(r.metrics.map(\.key))::text[],
                            \(r.metrics.map(\.value))::float8[], \(r.metrics.map(\.unit.rawValue))::text[],
                            \(r.metrics.map(\.direction.rawValue))::text[], \(r.metrics.map(\.gated))::bool[])
                        """, logger: logger)
                }
                return added
            }
        } catch {
            throw .database(location: location, reason: Self.describe(error))
        }
    }

    public func records(scenario: String?) async throws(HistoryError) -> [HistoryRecord] {
        var rows: [RecordRow] = []
        do {
            var binds = PostgresBindings()
            if let scenario { binds.append(scenario) }
            let query = PostgresQuery(unsafeSQL: HistorySchema.selectRecords(scenarioPlaceholder: scenario == nil ? nil : "$1"), binds: binds)
            let stream = try await connection.query(query, logger: logger)
            for try await (id, scenario, commit, dirty, startedAt, fingerprint, machine, configuration, metric, value, unit, direction, gated)
                in stream.decode((String, String, String, Bool, String, String, String, String, String, Double, String, String, Bool).self) {
                rows.append(RecordRow(id: id, scenario: scenario, commit: commit, dirty: dirty, startedAt: startedAt, fingerprint: fingerprint,
                                      machine: machine, configuration: configuration, metric: metric, value: value, unit: unit, direction: direction, gated: gated))
            }
        } catch {
            throw .database(location: location, reason: Self.describe(error))
        }
        return try RecordRow.records(rows, location: location)
    }

    public func scenarios() async throws(HistoryError) -> [String] {
        do {
            var out: [String] = []
            let stream = try await connection.query(PostgresQuery(unsafeSQL: HistorySchema.selectScenarios), logger: logger)
            for try await s in stream.decode(String.self) { out.append(s) }
            return out
        } catch {
            throw .database(location: location, reason: Self.describe(error))
        }
    }

    public func close() async {
        try? await connection.close()
    }

    /// A readable reason: the server's message, or the network error underneath. PSQLError's own
    /// description hides everything on purpose (it may reach end users); these parts carry no secrets.
    static func describe(_ error: any Error) -> String {
        if let e = error as? PSQLError {
            if let message = e.serverInfo?[.message] {
                let state = e.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                return "server said: \(message)\(state)"
            }
            if let underlying = e.underlying { return describe(underlying) }
            return "\(e.code)"
        }
        if let t = error as? PostgresTransactionError {
            if let inner = t.closureError ?? t.beginError ?? t.commitError { return describe(inner) }
        }
        return "\(error)"
    }
}
