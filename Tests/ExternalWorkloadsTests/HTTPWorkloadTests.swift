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
        #expect(r.summary.metric("lateness.p50") != nil, "open-loop phases measure the lateness of their starts")
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

    @Test("a schedule an outside service cannot keep up with is named in a warning, with why, not blamed on the generator",
          .enabled(if: Fixtures.hasPython, "needs python3"))
    func saturatedGeneratorWarns() throws {
        let service = try ServiceProcess()
        // One connection to a Python service that takes hundreds of µs, asked for 5,000/s with room for one queued arrival.
        let r = try run(post(service, "/episode", connections: 1),
                        phases: [Phase(.constant(rate: 5000, duration: 0.3), maxQueue: 1)])
        let g = try #require(r.generator)
        #expect(g.saturated && g.dropped > 0, "\(g)")
        #expect(g.cpuPerEpisode.map { $0 > 0 } == true)
        let warning = r.warnings.first { $0.kind == .saturatedGenerator }?.message ?? ""
        #expect(warning.contains("dropped") && warning.contains("did not keep up") && !warning.contains("CPU-bound"),
                "\(r.warnings.map(\.message))")
    }

    // MARK: The event-loop driver against nginx

    @Test("nginx on loopback, closed then open loop on two event loops: every request answered, the schedule kept, stages from Server-Timing",
          .enabled(if: NginxServer.binary != nil, "needs nginx (scripts/install-deps.sh)"))
    func nginxOnEventLoops() throws {
        let nginx = try NginxServer()
        let spec = HTTPWorkloadSpec(url: nginx.url("/timed"), timeout: 2, connections: 4, threads: 2)
        let r = try run(spec, phases: [Phase(.closed(concurrency: [4], each: 0.3)), Phase(.constant(rate: 2000, duration: 0.3))])
        #expect(r.summary.errors == 0)
        #expect(r.catalogue.stageKeys == ["db", "render", "transport"])
        let db = try #require(r.summary.metric("db.p50"))
        #expect(abs(db - 250_000) < 1_000, "Server-Timing db;dur=0.25 is 250 µs, got \(db) ns")
        #expect(r.phases[0].stats.episodes > 100, "closed loop on 4 connections ran \(r.phases[0].stats.episodes) requests in 0.3 s")
        #expect(r.phases[1].stats.episodes == 600, "an open-loop phase of 2,000/s for 0.3 s has 600 arrivals, all started")
        #expect(r.phases[1].stats.metric("lateness.p50") != nil)
        let threads = r.workload.details?.flattened().first { $0.path == "event-loop threads" }?.value
        #expect(threads == .number(2))
    }

    @Test("a service that closes the connection after every response: each request reconnects and none fails",
          .enabled(if: NginxServer.binary != nil, "needs nginx (scripts/install-deps.sh)"))
    func reconnectsAfterClose() throws {
        let nginx = try NginxServer()
        let r = try run(HTTPWorkloadSpec(url: nginx.url("/close"), timeout: 2, connections: 2),
                        phases: [Phase(.closed(concurrency: [2], each: 0.3))])
        #expect(r.summary.errors == 0, "\(r.warnings.map(\.message))")
        #expect(r.summary.episodes > 20)
    }

    @Test("https on loopback with a self-signed certificate: trusted through ca_file, refused without it",
          .enabled(if: NginxServer.binary != nil && NginxServer.openssl != nil, "needs nginx and openssl"))
    func httpsSelfSigned() throws {
        let nginx = try NginxServer(tls: true)
        let trusted = HTTPWorkloadSpec(url: nginx.url("/timed"), timeout: 2, connections: 2, caFile: nginx.certificate)
        let r = try run(trusted, phases: [Phase(.closed(concurrency: [2], each: 0.3)), Phase(.constant(rate: 500, duration: 0.2))])
        #expect(r.summary.errors == 0, "\(r.warnings.map(\.message))")
        #expect(r.summary.episodes > 100)
        #expect(r.catalogue.stageKeys == ["db", "render", "transport"])
        let untrusted = HTTPWorkloadSpec(url: nginx.url("/"), timeout: 2)
        #expect { _ = try HTTPWorkload.preflight(untrusted) } throws: { error in
            "\(error)".contains(untrusted.url) && "\(error)".contains("TLS")
        }
    }

    @Test("a service that stops answering: requests in flight time out at workload.http.timeout, counted as timeouts")
    func silentServiceTimesOut() throws {
        let silent = try SilentAfterFirstServer()
        let spec = HTTPWorkloadSpec(url: "http://127.0.0.1:\(silent.port)/", timeout: 0.1, connections: 1)
        let preflight = try HTTPWorkload.preflight(spec)
        let record = Fixtures.record("silent", phases: [Phase(.closed(concurrency: [1], each: 0.5))], workers: 1)
        let r = try BenchmarkRunner.run(scenario: record, options: RunOptions()) { _, _ in HTTPWorkload(spec: spec, preflight: preflight) }
        #expect(r.summary.episodes >= 2 && r.summary.errors == r.summary.episodes, "\(r.summary.episodes) episodes, \(r.summary.errors) errors")
        #expect(r.summary.metric("http.errors.timeout") == Double(r.summary.errors))
        #expect(try #require(r.summary.metric("service.p50")) >= 100_000_000, "a timeout is counted at the timeout, not before")
        let first = r.warnings.first { $0.kind == .failedEpisodes }?.message ?? ""
        #expect(first.contains("timed out"), "\(first)")
        withExtendedLifetime(silent) {}
    }
}

/// Answers the first connection's request (the preflight), then accepts connections and never
/// answers them.
final class SilentAfterFirstServer: Sendable {
    let port: Int
    private let fd: Int32
    private let held = HeldSockets()

    final class HeldSockets: Sendable {
        let fds = Mutex<[Int32]>([])
    }

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard ok, listen(fd, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
        port = Int(UInt16(bigEndian: addr.sin_port))
        let held = held
        let t = Thread {
            var first = true
            while true {
                let c = accept(fd, nil, nil)
                if c < 0 { return }
                if first {
                    first = false
                    var buffer = [UInt8](repeating: 0, count: 4096)
                    _ = read(c, &buffer, buffer.count)
                    let reply = Array("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n".utf8)
                    _ = write(c, reply, reply.count)
                    close(c)
                } else {
                    held.fds.withLock { $0.append(c) }
                }
            }
        }
        t.start()
    }

    deinit {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
        for c in held.fds.withLock({ $0 }) { close(c) }
    }
}
