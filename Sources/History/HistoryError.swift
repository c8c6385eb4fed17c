/// Why a history could not be opened, read, written or analysed. Every message says what was
/// expected; messages that name a database URL never contain its password.
package enum HistoryError: Error, CustomStringConvertible, Equatable {
    /// The `--db` value is neither a usable file path nor a valid `postgres://` URL.
    case invalidLocation(location: String, reason: String)
    /// The database could not be opened or reached (no such file, connection refused, bad password).
    case unavailable(location: String, reason: String)
    /// A query failed, or the stored data is not what this phibench wrote.
    case database(location: String, reason: String)
    /// The database was written by a newer phibench, with a schema this one does not know.
    case newerSchema(location: String, found: Int, known: Int)
    /// A `--metric` pattern matched no metric in the history; lists the names that exist.
    case unknownMetric(pattern: String, known: [String])
    /// A `--scenario` matched no scenario in the history.
    case unknownScenario(String, known: [String])
    /// A detection option is out of range.
    case invalidOption(String)

    package var description: String {
        switch self {
        case .invalidLocation(let l, let r): "\(l): not a history database location: \(r)"
        case .unavailable(let l, let r): "\(l): cannot open the history database: \(r)"
        case .database(let l, let r): "\(l): history database error: \(r)"
        case .newerSchema(let l, let found, let known):
            "\(l): history schema version \(found) is newer than this phibench understands (\(known)); upgrade phibench"
        case .unknownMetric(let p, let known):
            "--metric '\(p)' matches no metric in the history; known metrics: \(known.joined(separator: ", "))"
        case .unknownScenario(let s, let known):
            "--scenario '\(s)' is not in the history; known scenarios: \(known.isEmpty ? "(none: the history is empty)" : known.joined(separator: ", "))"
        case .invalidOption(let m): "invalid detection option: \(m)"
        }
    }
}
