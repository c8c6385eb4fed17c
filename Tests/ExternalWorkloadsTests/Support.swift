import BenchModel
import Foundation
import Harness
import Testing

/// Paths and helpers the external-workload tests share.
enum Fixtures {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// python3 on PATH (resolved to the interpreter itself, past wrappers like pyenv's shims, so a
    /// restarted child starts quickly), or nil: tests that need it are disabled with that reason.
    static let python: String? = {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/python3"
            guard FileManager.default.isExecutableFile(atPath: path) else { continue }
            let p = Process()
            p.executableURL = URL(fileURLWithPath: path)
            p.arguments = ["-c", "import sys; print(sys.executable)"]
            let out = Pipe()
            p.standardOutput = out
            guard (try? p.run()) != nil else { return path }
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            let resolved = text.trimmingCharacters(in: .whitespacesAndNewlines)
            return FileManager.default.isExecutableFile(atPath: resolved) ? resolved : path
        }
        return nil
    }()
    static var hasPython: Bool { python != nil }

    /// The C no-op worker built by `swift build` (debug or release), or nil.
    static let noopWorker: String? = {
        for config in ["debug", "release"] {
            let path = packageRoot.appendingPathComponent(".build/\(config)/phibench-noop-worker").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }()
    static var hasNoopWorker: Bool { noopWorker != nil }

    static let faultyWorker = packageRoot.appendingPathComponent("Tests/Fixtures/workers/faulty_worker.py").path
    static let examples = packageRoot.appendingPathComponent("examples").path

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("phibench-ext-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Every phase kind, briefly: what "through every phase kind" means in these tests.
    static let everyPhaseKind: [Phase] = [
        Phase(.constant(rate: 200, duration: 0.3)),
        Phase(.ramp(from: 50, to: 200, duration: 0.3)),
        Phase(.step(rates: [100, 200], each: 0.15)),
        Phase(.spike(base: 50, peak: 300, at: 0.1, hold: 0.1, duration: 0.3)),
        Phase(.burst(count: 20)),
        Phase(.closed(concurrency: [1, 2], each: 0.2)),
    ]

    static func record(_ name: String, phases: [Phase], workers: Int = 2) -> ScenarioRecord {
        let spec = Scenario(name: name, seed: 5, warmup: 0, interval: 0.1, workers: workers, phases: phases)
        return ScenarioRecord(name: name, description: "", file: "<test>", overrides: [], spec: spec)
    }
}

/// A service process (examples/service.py) on a free loopback port for one test.
final class ServiceProcess {
    let process = Process()
    let port: Int

    init() throws {
        process.executableURL = URL(fileURLWithPath: Fixtures.python!)
        process.arguments = ["\(Fixtures.examples)/service.py", "--port", "0"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first line says where it listens.
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let colon = text.lastIndex(of: ":"),
              let port = Int(text[text.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)) else {
            kill(process.processIdentifier, SIGKILL)
            throw ServiceError(text: text)
        }
        self.port = port
    }

    struct ServiceError: Error { var text: String }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    deinit {
        // SIGKILL: the test process may have SIGTERM ignored, and children inherit that.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
