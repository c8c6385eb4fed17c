import AsyncHTTPClient
import BenchModel
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

extension HTTPWorkload {
    /// What one response was, as the event loop saw it.
    struct Outcome: Sendable {
        var status: Int
        var serverTiming: [String]
        var bodyBytes: Int
        /// Monotonic ns when the response was complete (on the event loop).
        var finished: UInt64
    }

    /// Collects status, `Server-Timing` and body size; discards the body. Runs on the event loop.
    final class Collector: HTTPClientResponseDelegate, @unchecked Sendable {
        // Touched only on the channel's event loop, then handed over through the future.
        private var outcome = Outcome(status: 0, serverTiming: [], bodyBytes: 0, finished: 0)

        func didReceiveHead(task: HTTPClient.Task<Outcome>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
            outcome.status = Int(head.status.code)
            outcome.serverTiming = head.headers[canonicalForm: "server-timing"].map(String.init)
            return task.eventLoop.makeSucceededVoidFuture()
        }

        func didReceiveBodyPart(task: HTTPClient.Task<Outcome>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
            outcome.bodyBytes += buffer.readableBytes
            return task.eventLoop.makeSucceededVoidFuture()
        }

        func didFinishRequest(task: HTTPClient.Task<Outcome>) throws -> Outcome {
            outcome.finished = monotonicNanoseconds()
            return outcome
        }
    }

    /// A body with `{{episode}}` placeholders, split once so each episode only joins bytes.
    struct BodyTemplate: Sendable {
        let parts: [[UInt8]]

        init?(_ body: String?) {
            guard let body else { return nil }
            parts = body.components(separatedBy: "{{episode}}").map { Array($0.utf8) }
        }

        func render(_ episode: UInt64) -> [UInt8] {
            guard parts.count > 1 else { return parts[0] }
            let id = Array(String(episode).utf8)
            var out: [UInt8] = []
            out.reserveCapacity(parts.reduce(0) { $0 + $1.count } + id.count * (parts.count - 1))
            for (i, p) in parts.enumerated() {
                if i > 0 { out += id }
                out += p
            }
            return out
        }
    }

    /// Errors by kind, as counters (and metrics) of the workload.
    enum Counter: Int, CounterKind {
        case status4xx, status5xx, connect, timeout, closed, other, lateTiming, badTiming

        var key: String {
            switch self {
            case .status4xx: "http.errors.4xx"
            case .status5xx: "http.errors.5xx"
            case .connect: "http.errors.connect"
            case .timeout: "http.errors.timeout"
            case .closed: "http.errors.closed"
            case .other: "http.errors.other"
            case .lateTiming: "http.server_timing.late"
            case .badTiming: "http.server_timing.malformed"
            }
        }

        var summary: String {
            switch self {
            case .status4xx: "Responses with a status 400–499 (failed episodes)."
            case .status5xx: "Responses with a status ≥ 500 (failed episodes)."
            case .connect: "Episodes that could not connect (refused, unreachable, connect timeout)."
            case .timeout: "Episodes with no complete response within workload.http.timeout."
            case .closed: "Episodes whose connection the service closed before the response was complete."
            case .other: "Episodes that failed for another reason (see the first error)."
            case .lateTiming: "Server-Timing entries whose name the preflight did not have (not measured)."
            case .badTiming: "Server-Timing entries that could not be read (not measured)."
            }
        }

        var series: Bool { self == .status5xx || self == .connect }
    }

    /// One request: sent from the harness's thread, completed on the event loop, waited for here.
    func run(_ episode: UInt64, request: inout HTTPClient.Request, timings: inout StageTimings) throws {
        if let body { request.body = .bytes(body.render(episode)) }
        let begin = monotonicNanoseconds()
        let outcome: Outcome
        do {
            // `.indifferent`: a request that names an event loop may open an overflow connection
            // when none is idle on that loop at that instant (a released connection returns to the
            // pool just after our future completes), which churned connections under closed loop.
            outcome = try client.execute(request: request, delegate: Collector(), eventLoop: .indifferent,
                                         deadline: .now() + Self.timeAmount(spec.timeout)).futureResult.wait()
        } catch {
            counts.add(Self.kind(of: error))
            throw EpisodeFailure("\(spec.method) \(spec.url), episode \(episode): \(Self.describe(error))")
        }
        let woke = monotonicNanoseconds()
        timings.sample(Self.bridgeSample, Double(woke &- min(outcome.finished, woke)))
        if outcome.status >= 400 {
            counts.add(outcome.status >= 500 ? .status5xx : .status4xx)
            throw EpisodeFailure("\(spec.method) \(spec.url), episode \(episode): status \(outcome.status) \(HTTPResponseStatus(statusCode: outcome.status).reasonPhrase)")
        }
        var covered: UInt64 = 0
        if !outcome.serverTiming.isEmpty {
            let (entries, problems) = ServerTiming.parse(outcome.serverTiming)
            for e in entries {
                guard let ms = e.milliseconds else {
                    _ = withoutDuration.withLock { $0.insert(e.name) }
                    continue
                }
                guard let index = stageIndex[e.name] else {
                    counts.add(.lateTiming)
                    late.withLock { $0[e.name, default: 0] += 1 }
                    continue
                }
                let ns = UInt64(min(ms * 1e6, 1e15).rounded())
                timings.add(index, ns)
                if topLevel[index] { covered &+= ns }
            }
            if !problems.isEmpty {
                counts.add(.badTiming, UInt64(problems.count))
                self.problems.withLock { p in
                    p.count += UInt64(problems.count)
                    if p.examples.count < 3 { p.examples.append(problems[0].description) }
                }
            }
        }
        let elapsed = woke &- begin
        timings.add(vocabulary.stages.count - 1, elapsed > covered ? elapsed - covered : 0)
    }

    /// The counter an error belongs to.
    static func kind(of error: any Error) -> Counter {
        if let e = error as? HTTPClientError {
            switch e {
            case .connectTimeout: return .connect
            case .deadlineExceeded, .readTimeout, .writeTimeout: return .timeout
            case .remoteConnectionClosed: return .closed
            default: return .other
            }
        }
        if error is NIOConnectionError { return .connect }
        if let e = error as? IOError, [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, ECONNRESET].contains(e.errnoCode) {
            return e.errnoCode == ECONNRESET ? .closed : .connect
        }
        if let e = error as? ChannelError, case .connectTimeout = e { return .connect }
        return .other
    }

    /// An error in words: `connection refused`, `timed out`, or the error itself.
    static func describe(_ error: any Error) -> String {
        if let e = error as? NIOConnectionError {
            if let first = e.connectionErrors.first { return "cannot connect: \(describe(first.error))" }
            if let dns = e.dnsAAAAError ?? e.dnsAError { return "cannot resolve \(e.host): \(dns)" }
            return "cannot connect to \(e.host):\(e.port)"
        }
        if let e = error as? IOError {
            if e.errnoCode == ECONNREFUSED { return "connection refused" }
            return String(cString: strerror(e.errnoCode))
        }
        if let e = error as? HTTPClientError {
            switch e {
            case .deadlineExceeded, .readTimeout: return "timed out"
            case .connectTimeout: return "connect timed out"
            case .remoteConnectionClosed: return "the service closed the connection"
            default: return "\(e)"
            }
        }
        return "\(error)"
    }
}
