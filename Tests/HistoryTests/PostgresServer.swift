import Foundation
import TestSupport
import Testing

/// A PostgreSQL server of the test's own: a fresh cluster in a temporary directory, listening on
/// loopback at a free port, with its socket in that directory, stopped and deleted at the end.
///
/// initdb and postgres refuse to run as root, so under root they run as the `postgres` user
/// (`runuser`), which owns the directory. Binaries come from Debian's `postgresql` package
/// (scripts/install-deps.sh installs it). The server runs in the foreground as our child, not
/// daemonized by `pg_ctl start`: a daemon inherits the descriptor Foundation watches to see its
/// child exit, and `Process.waitUntilExit()` then never returns.
///
/// `@unchecked Sendable`: every property is set once in `start()`; `server` is only touched again
/// by `stop()`, once, after the suite's tests are done.
final class PostgresServer: @unchecked Sendable {
    /// `postgres://postgres@127.0.0.1:PORT/`; append a database name.
    let baseURL: String
    let port: Int
    private let directory: URL
    private let bin: URL
    private var server: Process?

    /// The newest `/usr/lib/postgresql/N/bin` that has initdb and pg_ctl.
    static let binDirectory: URL? = {
        let root = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return versions.compactMap(Int.init).sorted().reversed().lazy
            .map { root.appendingPathComponent("\($0)/bin") }
            .first { FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("pg_ctl").path) }
    }()

    static let isRoot = geteuid() == 0

    /// Why the server cannot be started here, or nil when it can.
    static let unavailableReason: String? = {
        guard binDirectory != nil else {
            return "PostgreSQL server binaries not found under /usr/lib/postgresql (run scripts/install-deps.sh)"
        }
        if isRoot {
            guard getpwnam("postgres") != nil else { return "running as root and there is no 'postgres' user to run the server as" }
            guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser") else { return "running as root and runuser is missing" }
        }
        return nil
    }()

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The server the enclosing ``PostgresSuite`` started.
    @TaskLocal static var current: PostgresServer?

    private init(directory: URL, bin: URL, port: Int) {
        self.directory = directory
        self.bin = bin
        self.port = port
        baseURL = "postgres://postgres@127.0.0.1:\(port)/"
    }

    static func start() throws -> PostgresServer {
        guard let bin = binDirectory else { throw Failure(description: unavailableReason ?? "no PostgreSQL") }
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("phibench-pg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        if isRoot { try FileManager.default.setAttributes([.ownerAccountName: "postgres"], ofItemAtPath: dir.path) }
        let port = try LoopbackPort.free()
        let server = PostgresServer(directory: dir, bin: bin, port: port)
        do {
            let data = dir.appendingPathComponent("data").path
            try server.run("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"])
            // Everyone is trusted except ``passwordRole``, which must give its password (for the wrong-password test).
            let hba = URL(fileURLWithPath: data).appendingPathComponent("pg_hba.conf")
            let rules = try String(contentsOf: hba, encoding: .utf8)
            try ("host all \(passwordRole) 127.0.0.1/32 scram-sha-256\n" + rules).write(to: hba, atomically: false, encoding: .utf8)
            server.server = try server.launch("postgres", [
                "-D", data, "-p", "\(port)", "-k", dir.path, "-c", "listen_addresses=127.0.0.1",
                "-c", "fsync=off", "-c", "synchronous_commit=off",
            ], log: dir.appendingPathComponent("server.log"))
            try server.waitUntilReady(timeout: 60)
        } catch {
            let log = (try? String(contentsOf: dir.appendingPathComponent("server.log"), encoding: .utf8)) ?? ""
            server.stop()
            throw Failure(description: "\(error)\n\(log)")
        }
        return server
    }

    /// Polls `pg_isready` until the server accepts connections.
    private func waitUntilReady(timeout: Double) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if (try? run("pg_isready", ["-h", "127.0.0.1", "-p", "\(port)", "-U", "postgres"])) != nil { return }
            guard server?.isRunning == true else { throw Failure(description: "postgres exited during start-up") }
            guard Date() < deadline else { throw Failure(description: "postgres did not accept connections within \(Int(timeout)) s") }
            Thread.sleep(forTimeInterval: 0.2)
        }
    }

    /// The one role that logs in with a password (SCRAM) instead of being trusted; created by ``createPasswordRole(password:database:)``.
    static let passwordRole = "phibench_pw"

    /// Creates ``passwordRole`` with `password` and a database `name` it owns; returns the database's
    /// URL without the password.
    func createPasswordRole(password: String, database name: String) throws -> String {
        try psql("postgres", "CREATE ROLE \(Self.passwordRole) LOGIN PASSWORD '\(password)'")
        try psql("postgres", "CREATE DATABASE \(name) OWNER \(Self.passwordRole)")
        return "postgres://\(Self.passwordRole)@127.0.0.1:\(port)/\(name)"
    }

    /// Creates database `name` and returns its URL.
    func createDatabase(_ name: String) throws -> String {
        try run("createdb", ["-h", "127.0.0.1", "-p", "\(port)", "-U", "postgres", name])
        return baseURL + name
    }

    /// Runs SQL through psql on database `name` (to tamper with a history behind phibench's back).
    func psql(_ name: String, _ sql: String) throws {
        try run("psql", ["-h", "127.0.0.1", "-p", "\(port)", "-U", "postgres", "-d", name, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql])
    }

    func stop() {
        if let server, server.isRunning {
            // Immediate shutdown: the data is thrown away anyway. (Under root the child is runuser,
            // which exits when the server does.)
            if (try? run("pg_ctl", ["-D", directory.appendingPathComponent("data").path, "-m", "immediate", "stop"])) == nil {
                server.terminate()
            }
            server.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Starts a PostgreSQL program in the background (as `postgres` under root), its output to `log`.
    private func launch(_ program: String, _ arguments: [String], log: URL) throws -> Process {
        let p = command(program, arguments)
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        try handle.close()
        return p
    }

    private func command(_ program: String, _ arguments: [String]) -> Process {
        let p = Process()
        let tool = bin.appendingPathComponent(program).path
        if Self.isRoot {
            p.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            p.arguments = ["-u", "postgres", "--", tool] + arguments
        } else {
            p.executableURL = URL(fileURLWithPath: tool)
            p.arguments = arguments
        }
        p.currentDirectoryURL = directory
        return p
    }

    /// Runs a PostgreSQL program to completion, as the `postgres` user when we are root.
    private func run(_ program: String, _ arguments: [String]) throws {
        let p = command(program, arguments)
        let output = directory.appendingPathComponent("\(program)-\(UUID().uuidString).out")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        defer {
            try? handle.close()
            try? FileManager.default.removeItem(at: output)
        }
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        p.waitUntilExit()
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        guard p.terminationStatus == 0 else {
            throw Failure(description: "\(program) \(arguments.joined(separator: " ")) exited \(p.terminationStatus): \(text)")
        }
    }
}

/// Starts one ``PostgresServer`` for the suite it is attached to and stops it afterwards.
/// A server that fails to start fails the suite: only missing binaries skip it (``PostgresServer/unavailableReason``).
struct PostgresSuite: SuiteTrait, TestScoping {
    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let server = try PostgresServer.start()
        defer { server.stop() }
        try await PostgresServer.$current.withValue(server) { try await function() }
    }
}

extension Trait where Self == PostgresSuite {
    static var postgresServer: PostgresSuite { PostgresSuite() }
}
