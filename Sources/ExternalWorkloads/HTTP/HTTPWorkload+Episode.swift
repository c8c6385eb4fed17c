import BenchModel
import Foundation
import NIOPosix
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization

extension HTTPWorkload {
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

    /// Turns one completed request into the episode's stages, or its failure (counted by kind):
    /// a transport failure, a status ≥ 400. Each `Server-Timing` entry with a `dur` that names a
    /// stage adds to it; `transport` gets the service time they do not cover.
    func evaluate(_ episode: UInt64, status: Int, serverTiming: [String], elapsed: UInt64, failure: HTTPFailure?,
                  timings: inout StageTimings) -> EpisodeFailure? {
        if let failure {
            counts.add(failure.kind)
            return EpisodeFailure("\(spec.method) \(spec.url), episode \(episode): \(failure.reason)")
        }
        if status >= 400 {
            counts.add(status >= 500 ? .status5xx : .status4xx)
            return EpisodeFailure("\(spec.method) \(spec.url), episode \(episode): status \(status) \(HTTPResponseStatus(statusCode: status).reasonPhrase)")
        }
        var covered: UInt64 = 0
        if !serverTiming.isEmpty {
            let (entries, problems) = ServerTiming.parse(serverTiming)
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
        timings.add(vocabulary.stages.count - 1, elapsed > covered ? elapsed - covered : 0)
        return nil
    }

    /// The counter an error belongs to.
    static func kind(of error: any Error) -> Counter {
        if let f = error as? HTTPFailure { return f.kind }
        if error is NIOConnectionError || error is NIOSSLError { return .connect }
        if let e = error as? IOError {
            if e.errnoCode == ECONNRESET || e.errnoCode == EPIPE { return .closed }
            if [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH].contains(e.errnoCode) { return .connect }
        }
        if let e = error as? ChannelError {
            switch e {
            case .connectTimeout: return .connect
            case .eof, .ioOnClosedChannel, .alreadyClosed, .outputClosed: return .closed
            default: break
            }
        }
        return .other
    }

    /// An error in words: `connection refused`, `timed out`, or the error itself.
    static func describe(_ error: any Error) -> String {
        if let f = error as? HTTPFailure { return f.reason }
        if let e = error as? NIOConnectionError {
            if let first = e.connectionErrors.first { return "cannot connect: \(describe(first.error))" }
            if let dns = e.dnsAAAAError ?? e.dnsAError { return "cannot resolve \(e.host): \(dns)" }
            return "cannot connect to \(e.host):\(e.port)"
        }
        if let e = error as? IOError {
            if e.errnoCode == ECONNREFUSED { return "connection refused" }
            return String(cString: strerror(e.errnoCode))
        }
        if let e = error as? ChannelError, case .connectTimeout = e { return "connect timed out" }
        if let e = error as? NIOSSLError { return "TLS: \(e)" }
        if let e = error as? BoringSSLError { return "TLS: \(e)" }
        return "\(error)"
    }
}
