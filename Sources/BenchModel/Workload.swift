/// A system under test that the harness can drive, one episode at a time.
///
/// The harness knows this protocol and nothing of the pipeline behind it. A workload is shared
/// by every worker thread (hence `Sendable`); per-thread mutable state lives in a ``Worker`` that
/// exactly one thread owns, so the hot path needs no locks of the harness's own.
public protocol Workload: Sendable {
    associatedtype Worker: WorkloadWorker

    /// Names of the stages an episode reports, in pipeline order. ``StageTimings`` indices refer
    /// to this array. Names may contain dots for sub-stages (`PHI.hit`, `MEMORY.store`).
    var stageNames: [String] { get }

    /// Creates the per-thread state for worker `id` (0-based). Called on the worker's own thread.
    /// - Throws: whatever the workload needs to report as a set-up failure.
    func makeWorker(id: Int) throws -> Worker

    /// Counters accumulated since the workload was created (Φ cache, memory layer). Must be safe to
    /// call from the sampler thread while workers run; the harness calls it about once per interval.
    func statistics() -> WorkloadStatistics
}

/// Per-thread state of a ``Workload``; owned by exactly one worker thread.
public protocol WorkloadWorker {
    /// Runs episode number `episode` (a global sequence number the harness assigns: the same
    /// number always means the same stimulus) and reports each stage's time through `timings`.
    /// - Throws: an episode failure; the harness counts it in `errors` and carries on.
    mutating func runEpisode(_ episode: UInt64, timings: inout StageTimings) throws
}

/// What a workload reports about itself besides latency.
public struct WorkloadStatistics: Sendable, Codable, Equatable {
    /// Φ computation cache counters.
    public var phi: PhiStats
    /// Memory-layer statistics, when the workload has a memory layer switched on.
    public var memoryLayer: MemoryLayerStats?
    /// Episodes that reached ignition (the ESGT event fired).
    public var ignitions: UInt64

    public init(phi: PhiStats = PhiStats(), memoryLayer: MemoryLayerStats? = nil, ignitions: UInt64 = 0) {
        self.phi = phi
        self.memoryLayer = memoryLayer
        self.ignitions = ignitions
    }

    enum CodingKeys: String, CodingKey {
        case phi
        case memoryLayer = "memory_layer"
        case ignitions
    }
}
