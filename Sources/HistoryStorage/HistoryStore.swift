import History

/// A place results are kept across commits: an SQLite file or a PostgreSQL database, with the same
/// schema (``HistorySchema``) on both.
package protocol HistoryStore: Sendable {
    /// The location as the user gave it, password redacted, for messages.
    var location: String { get }

    /// Stores `records`; a record already stored (same ``HistoryRecord/id``) is left as it is.
    /// All or nothing: on error nothing of this call is kept.
    /// - Returns: how many records were new.
    /// - Throws: ``HistoryError/database(location:reason:)`` when the write fails.
    func add(_ records: [HistoryRecord]) async throws(HistoryError) -> Int

    /// Every stored record (of `scenario` when given), ordered by start time.
    /// - Throws: ``HistoryError/database(location:reason:)`` when the read fails or a stored row is
    ///   not what phibench writes.
    func records(scenario: String?) async throws(HistoryError) -> [HistoryRecord]

    /// The scenarios that have records, sorted.
    func scenarios() async throws(HistoryError) -> [String]

    /// Releases the file or connection. The store is not used afterwards.
    func close() async
}

/// Opens the history at a `--db` value: a `postgres://` (or `postgresql://`) URL, or a file path
/// for SQLite.
package enum HistoryDatabase {
    /// Opens (and on first use creates and migrates) the history at `location`.
    /// - Parameter create: create an SQLite file that does not exist (for `add`); when false, a
    ///   missing file is an error, so `report` and `check` on a mistyped path do not pass on an empty history.
    /// - Throws: ``HistoryError/invalidLocation(location:reason:)`` for a malformed URL or path,
    ///   ``HistoryError/unavailable(location:reason:)`` when the database cannot be opened or reached,
    ///   ``HistoryError/newerSchema(location:found:known:)`` for a history written by a newer phibench.
    package static func open(_ location: String, create: Bool) async throws(HistoryError) -> any HistoryStore {
        let lower = location.lowercased()
        if lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://") {
            let url = try PostgresLocation(parsing: location)
            return try await PostgresHistoryStore.open(url)
        }
        if lower.contains("://") {
            let scheme = String(location.prefix { $0 != ":" })
            throw .invalidLocation(location: PostgresLocation.redacted(location),
                                   reason: "unknown scheme '\(scheme)'; expected a file path (SQLite) or postgres://user@host:port/database")
        }
        return try SQLiteHistoryStore(path: location, create: create)
    }
}
