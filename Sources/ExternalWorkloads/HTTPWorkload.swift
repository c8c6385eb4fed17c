import AsyncHTTPClient
import BenchModel
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// What the preflight request found: the service's `Server-Timing` stages, in order.
public struct HTTPPreflight: Sendable, Equatable {
    public var vocabulary: WorkloadVocabulary
    /// Stage names from the preflight's `Server-Timing` entries that had a `dur`.
    public var serverStages: [String]
}

/// Why an HTTP workload cannot run: exit status 2 before any load.
public enum HTTPWorkloadError: Error, CustomStringConvertible, Equatable {
    case preflight(url: String, reason: String)

    public var description: String {
        switch self {
        case .preflight(let url, let reason): "preflight request to \(url) failed: \(reason)"
        }
    }
}

/// An HTTP service as the system under test: one request per episode, over a bounded pool of
/// keep-alive connections (async-http-client on SwiftNIO), one request in flight per harness worker
/// thread. Each `Server-Timing` entry with a `dur` is a stage; `transport` is what they do not cover.
///
/// The harness calls ``Worker/runEpisode(_:timings:)`` synchronously on its own thread. The request
/// is started from that thread on AHC's event-loop-future API and the thread blocks in
/// `EventLoopFuture.wait()` (a condition variable) until the event loop completes it: one wake-up
/// per request and no hop through Swift concurrency's executor. What the wake-up costs is measured
/// per episode as the `http.bridge_ns` sample (response complete on the event loop → worker awake).
public final class HTTPWorkload: Workload {
    public let vocabulary: WorkloadVocabulary
    let spec: HTTPWorkloadSpec
    let preflight: HTTPPreflight
    let group: MultiThreadedEventLoopGroup
    let client: HTTPClient
    let stageIndex: [String: Int]
    let topLevel: [Bool]
    let body: BodyTemplate?
    let counts = EventCounters<Counter>()
    /// Server-Timing names first seen after the preflight, with how often; malformed entries.
    let late = Mutex<[String: UInt64]>([:])
    let problems = Mutex<(count: UInt64, examples: [String])>((0, []))
    let withoutDuration = Mutex<Set<String>>([])

    /// Index of the `http.bridge_ns` sample.
    static let bridgeSample = 0

    /// Sends one request (episode 0's body) and reads the stages from its `Server-Timing` headers.
    /// A refused connection, a timeout or a status ≥ 400 is an error naming the URL.
    /// - Throws: ``HTTPWorkloadError``.
    public static func preflight(_ spec: HTTPWorkloadSpec) throws(HTTPWorkloadError) -> HTTPPreflight {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let client = HTTPClient(eventLoopGroupProvider: .shared(group), configuration: configuration(spec))
        defer {
            try? client.syncShutdown()
            try? group.syncShutdownGracefully()
        }
        let outcome: Outcome
        do {
            let request = try makeRequest(spec, body: BodyTemplate(spec.body), episode: 0)
            outcome = try client.execute(request: request, delegate: Collector(), deadline: .now() + timeAmount(spec.timeout))
                .futureResult.wait()
        } catch {
            throw .preflight(url: spec.url, reason: describe(error))
        }
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
        let vocabulary = WorkloadVocabulary(
            name: "http", stages: vocabularyStages, counters: Counter.allCases.map(\.key), samples: ["http.bridge_ns"],
            metrics: Counter.descriptors + [
                MetricDescriptor(key: "http.bridge_ns", label: "Thread wake-up after a response", unit: .nanoseconds,
                                 direction: .lowerIsBetter, source: .sampleMean("http.bridge_ns"),
                                 summary: "Response complete on the event loop → the harness's worker thread running again (the sync/async bridge's cost), mean.",
                                 origin: .workload),
            ])
        return HTTPPreflight(vocabulary: vocabulary, serverStages: stages)
    }

    /// Called once, when the workload is released after its trial, with ``warnings()``.
    let onWarnings: @Sendable ([RunWarning]) -> Void

    /// Creates the client (not yet connected) for a run whose stages the preflight found.
    /// - Parameter onWarnings: receives ``warnings()`` when the workload is released.
    public init(spec: HTTPWorkloadSpec, preflight: HTTPPreflight, onWarnings: @escaping @Sendable ([RunWarning]) -> Void = { _ in }) {
        self.spec = spec
        self.onWarnings = onWarnings
        self.preflight = preflight
        vocabulary = preflight.vocabulary
        stageIndex = Dictionary(uniqueKeysWithValues: preflight.serverStages.enumerated().map { ($1, $0) })
        topLevel = vocabulary.stages.map { $0.parent == nil }
        body = BodyTemplate(spec.body)
        // One event loop: measured against two on this 2-core machine (scripts/http-vs-wrk.sh), two
        // gave less throughput (6.3k and 4.6k vs 7.2k and 9.9k requests/s): the loop's work per
        // request is small next to the wake-ups a second loop adds, and the service needs a core.
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        client = HTTPClient(eventLoopGroupProvider: .shared(group), configuration: Self.configuration(spec))
    }

    deinit {
        onWarnings(warnings())
        try? client.syncShutdown()
        try? group.syncShutdownGracefully()
    }

    static func configuration(_ spec: HTTPWorkloadSpec) -> HTTPClient.Configuration {
        var pool = HTTPClient.Configuration.ConnectionPool(idleTimeout: .seconds(60),
                                                           concurrentHTTP1ConnectionsPerHostSoftLimit: spec.connections)
        // A refused connection fails the episode at once instead of being retried until the deadline.
        pool.retryConnectionEstablishment = false
        var c = HTTPClient.Configuration(timeout: .init(connect: timeAmount(spec.timeout), read: timeAmount(spec.timeout)),
                                         connectionPool: pool)
        c.httpVersion = .http1Only
        c.decompression = .disabled
        c.redirectConfiguration = .disallow
        return c
    }

    static func timeAmount(_ seconds: Double) -> TimeAmount { .nanoseconds(Int64(min(seconds, 1e6) * 1e9)) }

    static func makeRequest(_ spec: HTTPWorkloadSpec, body: BodyTemplate?, episode: UInt64) throws -> HTTPClient.Request {
        var headers = HTTPHeaders()
        for h in spec.headers { headers.add(name: h.name, value: h.value) }
        return try HTTPClient.Request(url: spec.url, method: HTTPMethod(rawValue: spec.method), headers: headers,
                                      body: body.map { .bytes($0.render(episode)) })
    }

    public func makeWorker(id: Int) throws -> Worker {
        Worker(workload: self, request: try Self.makeRequest(spec, body: body, episode: 0))
    }

    public func statistics() -> WorkloadStatistics { counts.statistics }

    public func details() -> JSONValue? {
        var out: [String: JSONValue] = [
            "url": .string(spec.url), "method": .string(spec.method), "connections": .number(Double(spec.connections)),
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
    public func warnings() -> [RunWarning] {
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

    /// The per-thread side: a prepared request.
    public struct Worker: WorkloadWorker {
        let workload: HTTPWorkload
        var request: HTTPClient.Request

        public mutating func runEpisode(_ episode: UInt64, timings: inout StageTimings) throws {
            try workload.run(episode, request: &request, timings: &timings)
        }
    }
}
