import BenchModel
import ExternalWorkloads
import Foundation
import Harness
import Synchronization
import Testing

@Suite("Process workloads (phibench-worker/1)", .serialized)
struct ProcessWorkloadTests {
    func spec(_ argv: [String], workers: Int = 2, timeout: Double = 2, maxRestarts: Int = 10,
              params: [String: JSONValue] = [:]) -> ProcessWorkloadSpec {
        ProcessWorkloadSpec(argv: argv, directory: Fixtures.packageRoot.path, workers: workers, timeout: timeout,
                            handshakeTimeout: 5, maxRestarts: maxRestarts, params: .object(params))
    }

    func faulty(_ params: [String: JSONValue], workers: Int = 1, timeout: Double = 2, maxRestarts: Int = 10) -> ProcessWorkloadSpec {
        spec([Fixtures.python!, Fixtures.faultyWorker], workers: workers, timeout: timeout, maxRestarts: maxRestarts, params: params)
    }

    /// Runs `spec` with `phases`; returns the result and the workload's fatal message, if any.
    func run(_ spec: ProcessWorkloadSpec, phases: [Phase], in dir: URL) throws -> (BenchResult, String?) {
        let handshake = try ProcessWorkload.preflight(spec, seed: 5, logPath: dir.appendingPathComponent("preflight.log").path)
        let fatal = Mutex<String?>(nil)
        let stop = StopSignal()
        let result = try BenchmarkRunner.run(scenario: Fixtures.record("proc", phases: phases, workers: spec.workers),
                                             options: RunOptions(stop: stop)) { _, seed in
            try ProcessWorkload(spec: spec, seed: seed, logDirectory: dir.path, expected: handshake) { message in
                fatal.withLock { $0 = message }
                stop.request()
            }
        }
        return (result, fatal.withLock { $0 })
    }

    @Test("the C no-op worker through every phase kind: its stage, transport, no errors",
          .enabled(if: Fixtures.hasNoopWorker, "needs .build/*/phibench-noop-worker (swift build)"))
    func noopEveryPhase() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (r, fatal) = try run(spec([Fixtures.noopWorker!]), phases: Fixtures.everyPhaseKind, in: dir)
        #expect(fatal == nil)
        #expect(r.catalogue.stageKeys == ["noop", "transport"])
        #expect(r.workload.name == "process")
        #expect(r.summary.errors == 0)
        #expect(r.phases.map(\.kind) == ["constant", "ramp", "step", "step", "spike", "burst", "closed", "closed"])
        for p in r.phases { #expect(p.stats.episodes > 0, "phase \(p.label) ran no episode") }
        let transport = try #require(r.summary.metric("transport.p50"))
        let service = try #require(r.summary.metric("service.p50"))
        // Transport is the service time the worker's stages do not cover; a no-op's stage is 0.
        #expect(transport > 0 && transport <= service * 1.01)
        #expect(r.summary.metric("noop.max") == 0)
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("worker-1.log").path))
    }

    @Test("a Python worker: declared stages in order with sub-stages, custom metric means, seed and params reach it",
          .enabled(if: Fixtures.hasPython, "needs python3"))
    func pythonStagesAndMetrics() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (r, _) = try run(faulty(["work_us": .number(100)], workers: 2),
                             phases: [Phase(.constant(rate: 200, duration: 0.5)), Phase(.closed(concurrency: [2], each: 0.3))], in: dir)
        #expect(r.catalogue.stageKeys == ["work", "work.inner", "transport"])
        #expect(r.catalogue.topLevelStageKeys == ["work", "transport"])
        #expect(r.summary.errors == 0)
        let work = try #require(r.summary.metric("work.p50"))
        #expect(work >= 90_000, "100 µs of busy work per episode, got \(work) ns")
        #expect(try #require(r.summary.metric("work.inner.p50")) < work)
        #expect(r.summary.metric("answered") != nil, "the worker's declared metric")
        #expect(r.catalogue.descriptor("answered")?.origin == .workload)
    }

    @Test("a worker that crashes mid-run: episodes fail with the exit status and its stderr, it is restarted, the run goes on",
          .enabled(if: Fixtures.hasPython, "needs python3"))
    func crash() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (r, fatal) = try run(faulty(["crash_after": .number(30)], maxRestarts: 100),
                                 phases: [Phase(.constant(rate: 200, duration: 1))], in: dir)
        #expect(fatal == nil)
        let crashed = try #require(r.summary.metric("worker.errors.crashed"))
        #expect(crashed >= 2)
        let restarts = try #require(r.summary.metric("worker.restarts"))
        #expect(restarts == crashed || restarts == crashed - 1, "restarted when next needed")
        #expect(Double(r.summary.errors) == crashed)
        #expect(r.summary.episodes > UInt64(crashed) * 20, "it kept running between crashes")
        let first = r.warnings.first { $0.kind == .failedEpisodes }?.message ?? ""
        #expect(first.contains("exited with status 3") && first.contains("faulty_worker: crashing"), "\(first)")
        let log = try String(contentsOf: dir.appendingPathComponent("worker-0.log"), encoding: .utf8)
        #expect(log.contains("--- phibench: restarting worker 0"))
    }

    @Test("a worker that hangs past the timeout: the episode fails as a timeout, the child is killed and replaced",
          .enabled(if: Fixtures.hasPython, "needs python3"))
    func hang() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (r, fatal) = try run(faulty(["hang_after": .number(20)], timeout: 0.2, maxRestarts: 100),
                                 phases: [Phase(.closed(concurrency: [1], each: 1))], in: dir)
        #expect(fatal == nil)
        let timeouts = try #require(r.summary.metric("worker.errors.timeout"))
        #expect(timeouts >= 1)
        #expect(r.summary.episodes > UInt64(timeouts) * 15)
        #expect(try #require(r.summary.metric("e2e.max")) >= 190_000_000, "a timed-out episode lasts the timeout")
        let first = r.warnings.first { $0.kind == .failedEpisodes }?.message ?? ""
        #expect(first.contains("did not answer") && first.contains("200"), "\(first)")
    }

    @Test("garbage, unknown stages and wrong ids are protocol errors (with the offending line); error answers are failures without a restart",
          .enabled(if: Fixtures.hasPython, "needs python3"),
          arguments: [("garbage_every", "not a protocol message"), ("unknown_stage_every", "unknown stage \"surprise\""),
                      ("wrong_id_every", "answered id"), ("error_every", "rejected")])
    func protocolViolations(_ mode: String, _ reason: String) throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (r, fatal) = try run(faulty([mode: .number(10)], maxRestarts: 100),
                                 phases: [Phase(.closed(concurrency: [1], each: 1.5))], in: dir)
        #expect(fatal == nil)
        #expect(r.summary.errors >= 2)
        let first = r.warnings.first { $0.kind == .failedEpisodes }?.message ?? ""
        #expect(first.contains(reason), "\(first)")
        if mode == "error_every" {
            #expect(r.summary.metric("worker.errors.reported") == Double(r.summary.errors))
            #expect(r.summary.metric("worker.restarts") == 0)
        } else {
            #expect(r.summary.metric("worker.errors.protocol") == Double(r.summary.errors))
            // A child is restarted when its slot is next needed, so a fault in the phase's last
            // episode leaves one fault without a restart.
            let restarts = try #require(r.summary.metric("worker.restarts"))
            #expect(restarts == Double(r.summary.errors) || restarts == Double(r.summary.errors) - 1,
                    "restarts \(restarts), errors \(r.summary.errors)")
        }
        if mode == "garbage_every" { #expect(first.contains("`garbage garbage`")) }
    }

    @Test("past max_restarts the run is stopped once, with the reason",
          .enabled(if: Fixtures.hasPython, "needs python3"))
    func restartLimit() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (r, fatal) = try run(faulty(["crash_after": .number(3)], maxRestarts: 2),
                                 phases: [Phase(.constant(rate: 200, duration: 5))], in: dir)
        let message = try #require(fatal)
        #expect(message.contains("exceeded workload.max_restarts (2)") && message.contains("exited with status 3"), "\(message)")
        #expect(r.durationSeconds < 4, "the stop ends the run early")
        #expect(r.trials.allSatisfy { $0.partial })
    }

    @Test("a failed handshake names the command and the reason", .enabled(if: Fixtures.hasPython, "needs python3"),
          arguments: [("exit", "exited before answering"), ("garbage", "hello, I am not JSON"), ("refuse", "missing licence key"),
                      ("no_stages", "at least one stage"), ("hang", "no init_ok within")])
    func handshakeFailures(_ mode: String, _ reason: String) throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var s = faulty(["handshake": .string(mode)])
        s.handshakeTimeout = mode == "hang" ? 1 : 10
        #expect {
            _ = try ProcessWorkload.preflight(s, seed: 1, logPath: dir.appendingPathComponent("p.log").path)
        } throws: { error in
            let text = "\(error)"
            return text.contains("faulty_worker.py") && text.contains(reason) && text.contains("handshake")
        }
    }

    @Test("the end: stdin closed, SIGTERM after 2 s, SIGKILL 2 s later", .enabled(if: Fixtures.hasPython, "needs python3"),
          arguments: [("exits", 0.0, 1.5), ("linger", 1.9, 3.5), ("ignore_term", 3.9, 6.0)])
    func shutdown(_ mode: String, _ atLeast: Double, _ atMost: Double) throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var workload: ProcessWorkload? = try ProcessWorkload(spec: faulty(mode == "exits" ? [:] : ["on_eof": .string(mode)]), seed: 1,
                                                             logDirectory: dir.path)
        let pid = try #require(workload?.childProcessIDs.first ?? nil)
        #expect(kill(pid, 0) == 0, "the child runs")
        let started = ContinuousClock.now
        workload = nil
        let took = ContinuousClock.now - started
        #expect(took >= .seconds(atLeast) && took < .seconds(atMost), "\(mode): stopped after \(took)")
        #expect(kill(pid, 0) == -1 && errno == ESRCH, "the child is gone (and reaped)")
    }

    @Test("a command that does not exist fails the handshake naming it")
    func missingCommand() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect {
            _ = try ProcessWorkload.preflight(spec(["./no-such-worker-binary"]), seed: 1, logPath: dir.appendingPathComponent("p.log").path)
        } throws: { "\($0)".contains("no-such-worker-binary") }
    }
}
