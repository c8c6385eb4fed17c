import BenchModel
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// What the preflight request found: the service's `Server-Timing` stages, in order, and the
/// resolved endpoint the run connects to.
package struct HTTPPreflight: Sendable {
    package var vocabulary: WorkloadVocabulary
    /// Stage names from the preflight's `Server-Timing` entries that had a `dur`.
    package var serverStages: [String]
    let endpoint: HTTPEndpoint
}

/// Why an HTTP workload cannot run: exit status 2 before any load.
package enum HTTPWorkloadError: Error, CustomStringConvertible, Equatable {
    case preflight(url: String, reason: String)

    package var description: String {
        switch self {
        case .preflight(let url, let reason): "preflight request to \(url) failed: \(reason)"
        }
    }
}

/// An HTTP service as the system under test, driven the way wrk drives it: event loops of its own
/// (SwiftNIO, `workload.threads` of them), each with its share of the keep-alive connections
/// (`workload.connections`), one request in flight per connection. The harness's schedule is run on
/// the loops themselves — a timer, then the spin window — so a request costs no thread hop; the
/// request bytes are encoded once per template; responses are parsed as they arrive by nodejs/http-parser (``HTTPResponseParser``). Each
/// `Server-Timing` entry with a `dur` is a stage; `transport` is what they do not cover.
package final class HTTPWorkload: LoadDrivingWorkload {
    package typealias Worker = NoWorker
    package let vocabulary: WorkloadVocabulary
    package var runsOutsideProcess: Bool { true }
    let spec: HTTPWorkloadSpec
    let preflight: HTTPPreflight
    let endpoint: HTTPEndpoint
    let group: MultiThreadedEventLoopGroup
    let loops: [any EventLoop]
    /// Lane `i` (connection `i`) lives on loop `i % loops.count`; made on first use, kept across phases.
    private let lanes = Mutex<[NIOLoopBound<HTTPLane>]>([])
    let stageIndex: [String: Int]
    let topLevel: [Bool]
    let counts = EventCounters<Counter>()
    /// Server-Timing names first seen after the preflight, with how often; malformed entries.
    let late = Mutex<[String: UInt64]>([:])
    let problems = Mutex<(count: UInt64, examples: [String])>((0, []))
    let withoutDuration = Mutex<Set<String>>([])

    /// Sends one request (episode 0's body) and reads the stages from its `Server-Timing` headers.
    /// A refused connection, a timeout or a status ≥ 400 is an error naming the URL.
    /// - Throws: ``HTTPWorkloadError``.
    package static func preflight(_ spec: HTTPWorkloadSpec) throws(HTTPWorkloadError) -> HTTPPreflight {
        let endpoint = try HTTPEndpoint(spec: spec)
        let outcome = try exchange(endpoint)
        guard outcome.status < 400 else {
            throw .preflight(url: spec.url, reason: "the service answered \(outcome.status) \(HTTPResponseStatus(statusCode: outcome.status).reasonPhrase)")
        }
        let (entries, problems) = ServerTiming.parse(outcome.serverTiming)
        if let p = problems.first {
            throw .preflight(url: spec.url, reason: "its Server-Timing header has an entry phibench cannot read: \(p)")
        }
        // Declared stages win (a stage may not appear in every response); else the preflight's.
        var stages = spec.stages
        if stages.isEmpty {
            for e in entries where e.milliseconds != nil && !stages.contains(e.name) { stages.append(e.name) }
        }
        for name in stages {
            if let problem = WorkerProtocol.validName(name) {
                throw .preflight(url: spec.url, reason: "Server-Timing metric \"\(name)\" cannot be a stage name: it \(problem)")
            }
        }
        var vocabularyStages = stages.map { WorkloadVocabulary.Stage($0, summary: "Server-Timing `\($0)` (dur) of the service.") }
        vocabularyStages.append(.init(WorkerProtocol.transportStage,
                                      summary: "Service time the Server-Timing stages do not cover: client, connection, network and untimed server work (service − Σ stages)."))
        let vocabulary = WorkloadVocabulary(name: "http", stages: vocabularyStages, counters: Counter.allCases.map(\.key),
                                            metrics: Counter.descriptors)
        return HTTPPreflight(vocabulary: vocabulary, serverStages: stages, endpoint: endpoint)
    }

    /// One request (episode 0's) on a connection of its own, waited for: the preflight.
    static func exchange(_ endpoint: HTTPEndpoint) throws(HTTPWorkloadError) -> HTTPResponseOutcome {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let loop = group.next()
        let response = loop.flatSubmit {
            let lane = HTTPLane(loop: loop, endpoint: endpoint)
            let promise = loop.makePromise(of: HTTPResponseOutcome.self)
            lane.oneShot = promise
            lane.send(EpisodeClaim(episode: 0, due: 0, arrival: -1), begin: monotonicNanoseconds())
            let timer = loop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(endpoint.timeout))) { lane.timeOut() }
            promise.futureResult.assumeIsolated().whenComplete { _ in
                timer.cancel()
                lane.close()
            }
            return promise.futureResult
        }
        do {
            return try response.wait()
        } catch let failure as HTTPFailure {
            throw .preflight(url: endpoint.url, reason: failure.reason)
        } catch {
            throw .preflight(url: endpoint.url, reason: describe(error))
        }
    }

    /// Called once, when the workload is released after its trial, with ``warnings()``.
    let onWarnings: @Sendable ([RunWarning]) -> Void

    /// Creates the event loops (connections are made on first use) for a run whose stages the
    /// preflight found.
    /// - Parameter onWarnings: receives ``warnings()`` when the workload is released.
    package init(spec: HTTPWorkloadSpec, preflight: HTTPPreflight, onWarnings: @escaping @Sendable ([RunWarning]) -> Void = { _ in }) {
        self.spec = spec
        self.onWarnings = onWarnings
        self.preflight = preflight
        endpoint = preflight.endpoint
        vocabulary = preflight.vocabulary
        stageIndex = Dictionary(uniqueKeysWithValues: preflight.serverStages.enumerated().map { ($1, $0) })
        topLevel = vocabulary.stages.map { $0.parent == nil }
        group = MultiThreadedEventLoopGroup(numberOfThreads: Swift.max(1, Swift.min(spec.threads, spec.connections)))
        loops = Array(group.makeIterator())
    }

    deinit {
        onWarnings(warnings())
        // The last reference may go on one of the loops (a task of the last phase), which cannot wait
        // for itself to stop.
        if loops.contains(where: \.inEventLoop) {
            group.shutdownGracefully { _ in }
        } else {
            try? group.syncShutdownGracefully()
        }
    }

    /// Runs one phase on the loops: lane `i` of the phase on loop `i % loops`, each loop recording
    /// into its own stripe; returns when every loop's lanes are done.
    package func drive(_ phase: DrivenPhase) throws -> UInt64 {
        let lanes = try lanes(phase.lanes)
        var shares: [EventLoopFuture<UInt64>] = []
        for (thread, loop) in loops.enumerated() {
            let mine = stride(from: thread, to: lanes.count, by: loops.count).map { lanes[$0] }
            guard !mine.isEmpty else { continue }
            shares.append(loop.flatSubmit { [self] in
                let share = HTTPLoopPhase(phase, thread: thread, loop: loop, workload: self, lanes: mine.map(\.value))
                share.start()
                return share.done.futureResult
            })
        }
        return try EventLoopFuture.whenAllSucceed(shares, on: loops[0]).wait().reduce(0, &+)
    }

    /// The first `count` lanes, made on their loops as needed.
    private func lanes(_ count: Int) throws -> [NIOLoopBound<HTTPLane>] {
        let have = lanes.withLock { $0 }
        guard have.count < count else { return Array(have.prefix(count)) }
        var made = have
        for i in have.count..<count {
            let loop = loops[i % loops.count]
            let endpoint = endpoint
            made.append(try loop.submit { NIOLoopBound(HTTPLane(loop: loop, endpoint: endpoint), eventLoop: loop) }.wait())
        }
        lanes.withLock { $0 = made }
        return made
    }

    package func statistics() -> WorkloadStatistics { counts.statistics }

    package func details() -> JSONValue? {
        var out: [String: JSONValue] = [
            "url": .string(spec.url), "method": .string(spec.method), "connections": .number(Double(spec.connections)),
            "event-loop threads": .number(Double(loops.count)),
            "stages (Server-Timing)": .string(preflight.serverStages.joined(separator: ", ")),
        ]
        let lateNames = late.withLock { $0 }
        if !lateNames.isEmpty {
            out["late Server-Timing names (not measured)"] = .string(lateNames.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", "))
        }
        let p = problems.withLock { $0 }
        if p.count > 0 {
            out["malformed Server-Timing entries"] = .string("\(p.count), e.g. " + p.examples.joined(separator: "; "))
        }
        let noDur = withoutDuration.withLock { $0 }
        if !noDur.isEmpty { out["Server-Timing names without dur"] = .string(noDur.sorted().joined(separator: ", ")) }
        return .object(out)
    }

    /// Warnings the result should carry: late names and malformed entries were not measured.
    package func warnings() -> [RunWarning] {
        var out: [RunWarning] = []
        let lateNames = late.withLock { $0 }
        if !lateNames.isEmpty {
            out.append(RunWarning(.other, .note, "Server-Timing names that first appeared after the preflight are not stages of this run and were not measured: \(lateNames.keys.sorted().joined(separator: ", ")); list every stage in workload.http.stages to measure them"))
        }
        let p = problems.withLock { $0 }
        if p.count > 0 {
            out.append(RunWarning(.other, .note, "\(p.count) Server-Timing entries could not be read and were not measured, e.g. \(p.examples.first ?? "")"))
        }
        return out
    }
}
