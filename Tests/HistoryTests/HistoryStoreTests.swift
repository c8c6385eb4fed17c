import Foundation
import History
import HistoryStorage
import Testing

/// What every backend must do; run against SQLite and against a real PostgreSQL.
enum StoreContract {
    /// Two scenarios, two machines, a dirty result, values that must come back bit-exact (infinities too).
    static func sampleHistory() -> [HistoryRecord] {
        var g = Noise(seed: 2)
        let a = Records.history(["e2e.p99": (0..<12).map { _ in 1.5e6 * (1 + 0.02 * g.normal()) },
                                 "throughput": (0..<12).map { _ in 812.25 + g.normal() }])
        var b = Records.history(["e2e.p99": [0.1, 1e-300, 123_456_789.123456789, .infinity, -.infinity]], scenario: "smoke", machine: Records.machineB)
        b[1].dirty = true
        return a + b
    }

    /// `open(create)` opens the same database each time.
    static func exercise(_ open: (Bool) async throws -> any HistoryStore) async throws {
        let history = sampleHistory()
        let store = try await open(true)
        #expect(try await store.add(Array(history.prefix(5))) == 5)
        #expect(try await store.add(history) == history.count - 5, "records already stored are not added again")
        #expect(try await store.add(history) == 0)
        await store.close()

        let reopened = try await open(false)
        let expected = history.sorted { ($0.startedAt, $0.commit, $0.id) < ($1.startedAt, $1.commit, $1.id) }
        let all = try await reopened.records(scenario: nil)
        #expect(all == expected)
        #expect(try await reopened.records(scenario: "smoke") == expected.filter { $0.scenario == "smoke" })
        #expect(try await reopened.records(scenario: "nope").isEmpty)
        #expect(try await reopened.scenarios() == ["bench", "smoke"])
        // What the report and check see is the same whatever the backend.
        #expect(MetricSeries.extract(from: all) == MetricSeries.extract(from: history))
        await reopened.close()
    }
}

@Suite("History store: SQLite")
struct SQLiteHistoryStoreTests {
    func temporaryPath() -> String {
        NSTemporaryDirectory() + "phibench-history-\(UUID().uuidString).sqlite"
    }

    @Test("stores and reads back the history; adding a result twice keeps one copy")
    func roundTrip() async throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await StoreContract.exercise { create in try await HistoryDatabase.open(path, create: create) }
    }

    @Test("a missing file is created by add only; a directory, a non-database file and a newer schema are clear errors")
    func badFiles() async throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        await #expect(throws: HistoryError.unavailable(location: path, reason: "no such file (phibench history add creates it)")) {
            try await HistoryDatabase.open(path, create: false)
        }
        #expect(!FileManager.default.fileExists(atPath: path))

        do {
            let error = await #expect(throws: HistoryError.self) { try await HistoryDatabase.open(NSTemporaryDirectory(), create: true) }
            #expect(error?.description.contains("is a directory") == true, "\(String(describing: error))")
        }

        try "not a database, just text".write(toFile: path, atomically: true, encoding: .utf8)
        let error = await #expect(throws: HistoryError.self) { try await HistoryDatabase.open(path, create: true) }
        #expect(error?.description.contains(path) == true && error?.description.contains("not a database") == true, "\(String(describing: error))")
        try FileManager.default.removeItem(atPath: path)

        let store = try await HistoryDatabase.open(path, create: true)
        await store.close()
        let raw = try SQLiteScratch(path: path)
        try raw.execute("UPDATE phibench_history_schema SET version = 99")
        await #expect(throws: HistoryError.newerSchema(location: path, found: 99, known: 1)) { try await HistoryDatabase.open(path, create: false) }
    }

    @Test("URLs of unknown schemes and malformed postgres URLs are refused before connecting, password redacted")
    func badURLs() async throws {
        let cases: [(String, String)] = [
            ("mysql://root:hunter2@db/x", "unknown scheme 'mysql'"),
            ("postgres://u:hunter2@host", "no database name"),
            ("postgres://:hunter2@host/db", "no user name"),
            ("postgres://u:hunter2@host:99999/db", "out of range"),
            ("postgres://u:hunter2@host/db?sslmode=maybe", "sslmode 'maybe'"),
            ("postgres://u:hunter2@host/db?timeout=3", "unknown parameter 'timeout'"),
        ]
        for (url, reason) in cases {
            let error = await #expect(throws: HistoryError.self) { try await HistoryDatabase.open(url, create: true) }
            let text = error?.description ?? ""
            #expect(text.contains(reason), "\(url): \(text)")
            #expect(!text.contains("hunter2"), "password leaked: \(text)")
        }
    }
}

@Suite("History store: PostgreSQL", .serialized, .enabled(if: PostgresServer.unavailableReason == nil, "\(PostgresServer.unavailableReason ?? "")"),
       .postgresServer)
struct PostgresHistoryStoreTests {
    var server: PostgresServer { PostgresServer.current! }

    @Test("stores and reads back the same history as SQLite; adding a result twice keeps one copy")
    func roundTrip() async throws {
        let url = try server.createDatabase("roundtrip")
        try await StoreContract.exercise { _ in try await HistoryDatabase.open(url, create: true) }
    }

    @Test("the tables are created once: two stores opening a new database at the same time both work")
    func concurrentFirstUse() async throws {
        let url = try server.createDatabase("concurrent")
        async let a = HistoryDatabase.open(url, create: true)
        async let b = HistoryDatabase.open(url, create: true)
        let (sa, sb) = try await (a, b)
        let history = StoreContract.sampleHistory()
        async let addedA = sa.add(history)
        async let addedB = sb.add(history)
        let total = try await addedA + addedB
        #expect(total == history.count, "each record is stored once, by one of the two")
        #expect(try await sa.records(scenario: nil).count == history.count)
        await sa.close()
        await sb.close()
    }

    @Test("a closed port, a missing database and a newer schema are clear errors naming the URL without its password")
    func badConnections() async throws {
        let closed = "postgres://postgres:hunter2@127.0.0.1:\(server.port == 1 ? 2 : 1)/x?sslmode=disable"
        var error = await #expect(throws: HistoryError.self) { try await HistoryDatabase.open(closed, create: true) }
        var text = error?.description ?? ""
        #expect(text.contains("postgres://postgres:***@127.0.0.1") && text.contains("cannot open"), "\(text)")
        #expect(!text.contains("hunter2"))

        let missing = server.baseURL + "no_such_db"
        error = await #expect(throws: HistoryError.self) { try await HistoryDatabase.open(missing, create: true) }
        text = error?.description ?? ""
        #expect(text.contains(missing) && text.contains("does not exist"), "\(text)")

        let tls = server.baseURL + "postgres?sslmode=require"
        error = await #expect(throws: HistoryError.self) { try await HistoryDatabase.open(tls, create: true) }
        text = error?.description ?? ""
        #expect(text.contains(tls) && text.contains("SSL"), "the server has no TLS: \(text)")

        let url = try server.createDatabase("newer")
        await (try await HistoryDatabase.open(url, create: true)).close()
        try server.psql("newer", "UPDATE phibench_history_schema SET version = 99")
        await #expect(throws: HistoryError.newerSchema(location: url, found: 99, known: 1)) { try await HistoryDatabase.open(url, create: true) }
    }

    @Test("a wrong password is a clear error with the server's reason and the password hidden; the right one opens the history")
    func wrongPassword() async throws {
        let url = try server.createPasswordRole(password: "right-one", database: "passworded")
        let wrong = url.replacingOccurrences(of: "@", with: ":wrong-one@") + "?sslmode=disable"
        let error = await #expect(throws: HistoryError.self) { try await HistoryDatabase.open(wrong, create: true) }
        let text = error?.description ?? ""
        #expect(text.contains("postgres://\(PostgresServer.passwordRole):***@127.0.0.1") && text.contains("cannot open")
                && text.contains("password authentication failed"), "\(text)")
        #expect(!text.contains("wrong-one"))

        let right = url.replacingOccurrences(of: "@", with: ":right-one@") + "?sslmode=disable"
        let store = try await HistoryDatabase.open(right, create: true)
        #expect(try await store.add(StoreContract.sampleHistory()) == StoreContract.sampleHistory().count)
        await store.close()
    }
}
