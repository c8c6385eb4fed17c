import BenchModel
import Foundation
import Harness
import Testing
import TestSupport

/// Paths and helpers the external-workload tests share.
enum Fixtures {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// python3 on PATH, resolved past shims (TestSupport).
    static var python: String? { TestTools.python }
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

/// examples/service.py on a free loopback port for one test (TestSupport's).
typealias ServiceProcess = ExampleService
