import CLibPQ
import Foundation

/// A libpq call that failed: libpq's or the server's message, ready for a ``HistoryError`` reason.
struct PostgresFailure: Error, CustomStringConvertible {
    var description: String
}

/// One blocking libpq connection. Every libpq call of the history store is wrapped here, once; no
/// libpq type leaves this file.
///
/// `@unchecked Sendable`: a connection is not thread-safe, and ``PostgresHistoryStore`` confines it
/// to its own serial queue (every call goes through `PostgresHistoryStore.perform`).
final class PostgresConnection: @unchecked Sendable {
    /// nil once closed.
    private var handle: OpaquePointer?

    private init(handle: OpaquePointer) {
        self.handle = handle
    }

    deinit {
        close()
    }

    /// Ends the session; later calls fail with "connection closed".
    func close() {
        if let handle { PQfinish(handle) }
        handle = nil
    }

    /// Connects with libpq's keyword/value parameters (`host`, `port`, `user`, `dbname`, `sslmode` …);
    /// libpq handles TLS, authentication, `PGPASSWORD` and `~/.pgpass` as it does for psql.
    /// - Throws: ``PostgresFailure`` with libpq's message (the server's, for a refused login).
    static func connect(_ parameters: [(keyword: String, value: String)]) throws(PostgresFailure) -> PostgresConnection {
        let keywords = CStrings(parameters.map(\.keyword))
        let values = CStrings(parameters.map(\.value))
        let handle = keywords.withPointers { k in values.withPointers { v in PQconnectdbParams(k, v, 0) } }
        guard let handle else { throw PostgresFailure(description: "libpq could not allocate a connection") }
        let connection = PostgresConnection(handle: handle)
        guard PQstatus(handle) == CONNECTION_OK else { throw PostgresFailure(description: connection.lastMessage) }
        // libpq prints the server's notices (`relation … already exists, skipping`) on stderr by
        // default; the command's output is its own.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        return connection
    }

    /// Runs one statement with `parameters` bound as `$1`, `$2` … (text format, types inferred by the
    /// server or given by casts in `sql`; nil is SQL NULL), and returns its rows as text.
    /// - Throws: ``PostgresFailure`` with the server's message and SQLSTATE, or libpq's (a lost connection).
    @discardableResult
    func execute(_ sql: String, _ parameters: [String?] = []) throws(PostgresFailure) -> [[String?]] {
        guard let handle else { throw PostgresFailure(description: "connection closed") }
        let values = CStrings(parameters)
        let result = values.withPointers { p in PQexecParams(handle, sql, Int32(parameters.count), nil, p, nil, nil, 0) }
        defer { PQclear(result) }
        guard let result else { throw PostgresFailure(description: lastMessage) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            throw PostgresFailure(description: Self.message(of: result) ?? lastMessage)
        }
        let rows = Int(PQntuples(result)), columns = Int(PQnfields(result))
        return (0..<rows).map { row in
            (0..<columns).map { column in
                PQgetisnull(result, Int32(row), Int32(column)) == 1 ? nil : String(cString: PQgetvalue(result, Int32(row), Int32(column)))
            }
        }
    }

    /// Runs `body` between BEGIN and COMMIT; any error rolls back and is rethrown as it is.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            _ = try? execute("ROLLBACK")
            throw error
        }
    }

    /// `server said: MESSAGE (SQLSTATE XXXXX)` from a failed result's fields, as the server sent them.
    private static func message(of result: OpaquePointer) -> String? {
        // PG_DIAG_MESSAGE_PRIMARY is 'M' and PG_DIAG_SQLSTATE is 'C' (character macros Swift does not import).
        guard let primary = PQresultErrorField(result, Int32(UInt8(ascii: "M"))) else { return nil }
        let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { " (SQLSTATE \(String(cString: $0)))" } ?? ""
        return "server said: \(String(cString: primary))\(state)"
    }

    /// libpq's last message on one line (it spans lines: `connection to server … failed: FATAL:  …`).
    private var lastMessage: String {
        let text = handle.flatMap { PQerrorMessage($0) }.map { String(cString: $0) } ?? ""
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return lines.isEmpty ? "libpq gave no message" : lines.joined(separator: " ")
    }
}

/// NUL-terminated copies of Swift strings for libpq's `const char * const *` arguments (nil stays NULL).
private final class CStrings {
    private let pointers: [UnsafeMutablePointer<CChar>?]

    init(_ strings: [String?]) {
        pointers = strings.map { $0.flatMap { strdup($0) } } + [nil]
    }

    convenience init(_ strings: [String]) {
        self.init(strings.map(Optional.some))
    }

    deinit {
        for p in pointers { free(p) }
    }

    func withPointers<T>(_ body: (UnsafePointer<UnsafePointer<CChar>?>) -> T) -> T {
        pointers.map { $0.map { UnsafePointer($0) } }.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
