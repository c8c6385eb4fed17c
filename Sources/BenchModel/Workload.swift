/// A system under test that the harness can drive, one episode at a time.
///
/// The harness knows this protocol and nothing of the system behind it. A workload brings its own
/// vocabulary (``WorkloadVocabulary``): its stages in order, the counters and gauges it keeps, the
/// per-episode samples it reports and the metrics derived from them. A workload is shared by every
/// worker thread (hence `Sendable`); per-thread mutable state lives in a ``Worker`` that exactly one
/// thread owns, so the hot path needs no locks of the harness's own.
public protocol Workload: Sendable {
    associatedtype Worker: WorkloadWorker

    /// What this workload reports: stage names (``StageTimings`` indices refer to them), counters,
    /// gauges, samples and metrics. Must not change during a run.
    var vocabulary: WorkloadVocabulary { get }

    /// Creates the per-thread state for worker `id` (0-based). Called on the worker's own thread.
    /// - Throws: whatever the workload needs to report as a set-up failure.
    func makeWorker(id: Int) throws -> Worker

    /// The current values of the vocabulary's counters (cumulative since the workload was created)
    /// and gauges. Must be safe to call from the sampler thread while workers run; the harness calls
    /// it at every span boundary and about once per interval.
    func statistics() -> WorkloadStatistics

    /// Whatever the workload wants a result to carry about itself (opaque to the harness and the
    /// reports, which show it as a table of fields). Called once at the end of each trial.
    func details() -> JSONValue?

    /// Events since the last call (e.g. a controller's decisions), for the time series and the
    /// report. Called from the sampler thread about once per interval.
    func drainEvents() -> [WorkloadEvent]

    /// True when the system under test runs outside phibench's process (a service, worker
    /// processes): phibench's own CPU is then the load generator's alone, and a saturated generator
    /// gets a warning. False (the default) for code that runs inside the process.
    var runsOutsideProcess: Bool { get }
}

extension Workload {
    public func details() -> JSONValue? { nil }
    public func drainEvents() -> [WorkloadEvent] { [] }
    public func statistics() -> WorkloadStatistics { WorkloadStatistics() }
    public var runsOutsideProcess: Bool { false }
    /// Names of the stages, in order.
    public var stageNames: [String] { vocabulary.stages.map(\.name) }
}

/// Per-thread state of a ``Workload``; owned by exactly one worker thread.
public protocol WorkloadWorker {
    /// Runs episode number `episode` (a global sequence number the harness assigns: the same
    /// number always means the same input) and reports each stage's time through `timings`.
    /// - Throws: an episode failure; the harness counts it in `errors` and carries on.
    mutating func runEpisode(_ episode: UInt64, timings: inout StageTimings) throws
}

/// The words a workload brings: what it measures beyond the harness's own figures.
public struct WorkloadVocabulary: Sendable, Equatable {
    /// One stage of an episode.
    public struct Stage: Sendable, Equatable {
        public var name: String
        /// The stage this one is part of (`parse.cached` is part of `parse`), nil for a top-level stage.
        public var parent: String?
        public var summary: String

        public init(_ name: String, parent: String? = nil, summary: String = "") {
            self.name = name
            self.parent = parent
            self.summary = summary
        }
    }

    /// The provider's name (`noop`, `process`, `http`, …).
    public var name: String
    /// Stages in episode order.
    public var stages: [Stage]
    /// Keys of ``WorkloadStatistics/values`` that only grow (cache hits): a span gets their difference.
    public var counters: [String]
    /// Keys of ``WorkloadStatistics/values`` that are levels (resident bytes): a span gets start, end, peak.
    public var gauges: [String]
    /// Names of per-episode samples reported through ``StageTimings/sample(_:_:)``; each becomes
    /// counters `NAME` (the sum) and `NAME#n` (how many), read by a ``MetricSource/sampleMean(_:)``.
    public var samples: [String]
    /// Metrics over the counters, gauges and samples above (or the harness's own).
    public var metrics: [MetricDescriptor]

    public init(name: String, stages: [Stage], counters: [String] = [], gauges: [String] = [], samples: [String] = [],
                metrics: [MetricDescriptor] = []) {
        self.name = name
        self.stages = stages
        self.counters = counters
        self.gauges = gauges
        self.samples = samples
        self.metrics = metrics
    }
}

/// A workload's counters and gauges at one moment, by the keys its vocabulary declares.
public struct WorkloadStatistics: Sendable, Equatable {
    public var values: [String: Double]

    public init(values: [String: Double] = [:]) {
        self.values = values
    }
}
