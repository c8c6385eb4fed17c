import BenchModel
import ExternalWorkloads
import Foundation
import TestSupport
import Harness
import Synchronization
import Testing

@Suite("HTTP workloads", .serialized)
struct HTTPWorkloadTests {
    func run(_ spec: HTTPWorkloadSpec, phases: [Phase]) throws -> BenchResult {
        let preflight = try HTTPWorkload.preflight(spec)
        return try BenchmarkRunner.run(scenario: Fixtures.record("http", phases: phases, workers: spec.connections),
                                       options: RunOptions()) { _, _ in HTTPWorkload(spec: spec, preflight: preflight) }
    }

    func post(_ service: ServiceProcess, _ path: String, connections: Int = 2) -> HTTPWorkloadSpec {
        HTTPWorkloadSpec(url: service.url(path), method: "POST", headers: [.init("Content-Type", "application/json")],
                         body: #"{"episode": {{episode}}}"#, timeout: 2, connections: connections)
    }

    @Test("the Python service through every phase kind: Server-Timing entries are the stages, in order",
          .enabled(if: Fixtures.hasPython, "needs python3"))
    func everyPhase() throws {
        let service = try ServiceProcess()
        let r = try run(post(service, "/episode"), phases: Fixtures.everyPhaseKind)
        // Episode 0 (the preflight's) does not ignite, so PHI appears later: not a stage, and said so.
        #expect(Array(r.catalogue.stageKeys.prefix(5)) == ["MMEI", "MCEA", "MEA", "TIG", "ESGT"])
        #expect(r.catalogue.stageKeys.last == "transport")
        #expect(r.workload.name == "http")
        #expect(r.summary.errors == 0)
        for p in r.phases { #expect(p.stats.episodes > 0, "phase \(p.label) ran no episode") }
        let esgt = try #require(r.summary.metric("ESGT.p50"))
        #expect(esgt > 10_000, "the service's ESGT takes hundreds of µs in Python, got \(esgt) ns")
        #expect(try #require(r.summary.metric("service.p50")) > esgt)
        #expect(r.summary.metric("http.bridge_ns") != nil)
    }

    @Test("a name first seen after the preflight is counted and named, not silently dropped",
          .enabled(if: Fixtures.hasPython, "needs python3"))
    func lateNames() throws {
        let service = try ServiceProcess()
        let spec = post(service, "/late")
        let preflight = try HTTPWorkload.preflight(spec)
        #expect(!preflight.serverStages.contains("late"))
        let record = Fixtures.record("late", phases: [Phase(.closed(concurrency: [1], each: 0.3))], workers: 2)
        let warnings = Mutex<[RunWarning]>([])
        let r = try BenchmarkRunner.run(scenario: record, options: RunOptions()) { _, _ in
            HTTPWorkload(spec: spec, preflight: preflight) { w in warnings.withLock { $0 += w } }
        }
        #expect((r.summary.metric("http.server_timing.late") ?? 0) > 0)
        let named = r.workload.details?.flattened().first { $0.path.hasPrefix("late Server-Timing names") }?.value
        guard case .string(let names)? = named else { Issue.record("no late names in the details"); return }
        #expect(names.contains("late ×"), "\(names)")
        #expect(warnings.withLock { $0.contains { $0.message.contains("late") } })
    }

    @Test("status 500 fails the episode and is counted by kind; the run goes on",
          .enabled(if: Fixtures.hasPython, "needs python3"))
    func serverErrors() throws {
        let service = try ServiceProcess()
        let r = try run(post(service, "/flaky"), phases: [Phase(.constant(rate: 100, duration: 0.5))])
        let errors = try #require(r.summary.metric("http.errors.5xx"))
        #expect(errors > 10)
        #expect(Double(r.summary.errors) == errors)
        #expect(r.summary.episodes > r.summary.errors, "even episodes succeed")
        let first = r.warnings.first { $0.kind == .failedEpisodes }?.message ?? ""
        #expect(first.contains("status 500"), "\(first)")
    }

    @Test("a service that goes away mid-run: connection errors are counted, not fatal",
          .enabled(if: Fixtures.hasPython, "needs python3"))
    func serviceGoesAway() throws {
        var service: ServiceProcess? = try ServiceProcess()
        let spec = post(service!, "/episode", connections: 1)
        let preflight = try HTTPWorkload.preflight(spec)
        service = nil
        let record = Fixtures.record("gone", phases: [Phase(.constant(rate: 100, duration: 0.3))], workers: 1)
        let r = try BenchmarkRunner.run(scenario: record, options: RunOptions()) { _, _ in HTTPWorkload(spec: spec, preflight: preflight) }
        #expect(r.summary.errors == r.summary.episodes && r.summary.episodes > 5)
        let connect = (r.summary.metric("http.errors.connect") ?? 0) + (r.summary.metric("http.errors.closed") ?? 0)
        #expect(connect == Double(r.summary.errors), "\(r.summary.metrics.filter { $0.key.hasPrefix("http.errors") })")
    }

    @Test("the preflight turns a refused connection and a 404 into an error naming the URL",
          .enabled(if: Fixtures.hasPython, "needs python3"))
    func preflightFailures() throws {
        let service = try ServiceProcess()
        let missing = post(service, "/nowhere")
        #expect { _ = try HTTPWorkload.preflight(missing) } throws: { error in
            "\(error)".contains(missing.url) && "\(error)".contains("404")
        }
        // A port nobody listens on: bind one, note it, close it.
        let closed = HTTPWorkloadSpec(url: "http://127.0.0.1:\(try LoopbackPort.free())/episode", timeout: 2)
        let started = ContinuousClock.now
        #expect { _ = try HTTPWorkload.preflight(closed) } throws: { error in
            "\(error)".contains(closed.url) && "\(error)".contains("refused")
        }
        #expect(ContinuousClock.now - started < .seconds(1.5), "refused is immediate, not a timeout")
    }
}
