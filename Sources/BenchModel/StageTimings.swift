#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the monotonic clock in nanoseconds (vDSO `clock_gettime`, about 20 ns).
@inlinable
public func monotonicNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

/// Keeps `value` alive so the optimiser cannot remove the work that produced it.
@inline(never)
public func blackHole<T>(_ value: T) {
    withExtendedLifetime(value) {}
}

/// The cheap recorder handle a workload gets for each episode.
///
/// One instance per worker thread, reset by the harness before every episode; a workload wraps each
/// stage in ``measure(_:_:)``. A stage measured twice in one episode accumulates. The harness also
/// uses this handle to inject a slow stage (extra busy work inside the named stage's timing), so a
/// fault looks to the reports exactly like a slower stage would.
public struct StageTimings {
    /// Nanoseconds spent per stage in the current episode; meaningful where ``ran`` is true.
    public var nanoseconds: [UInt64]
    /// Whether each stage ran in the current episode (Φ runs only for ignited events).
    public var ran: [Bool]
    /// Index of the stage that gets extra busy work, if a slow-stage fault is injected.
    public var slowStage: Int?
    /// Extra busy work per episode for ``slowStage``, in nanoseconds.
    public var slowExtraNanoseconds: UInt64
    /// Per-episode samples of the workload's declared sample metrics, indexed like
    /// ``WorkloadVocabulary/samples``; meaningful where ``sampled`` is true.
    public var samples: [Double]
    public var sampled: [Bool]

    public init(stageCount: Int, sampleCount: Int = 0, slowStage: Int? = nil, slowExtraNanoseconds: UInt64 = 0) {
        nanoseconds = Array(repeating: 0, count: stageCount)
        ran = Array(repeating: false, count: stageCount)
        samples = Array(repeating: 0, count: sampleCount)
        sampled = Array(repeating: false, count: sampleCount)
        self.slowStage = slowStage
        self.slowExtraNanoseconds = slowExtraNanoseconds
    }

    /// Clears the per-episode values. Called by the harness, not by workloads.
    @inlinable
    public mutating func reset() {
        for i in nanoseconds.indices {
            nanoseconds[i] = 0
            ran[i] = false
        }
        for i in sampled.indices { sampled[i] = false }
    }

    /// Reports this episode's value of sample `index` (a custom per-episode metric, e.g. a score or
    /// a queue length inside the workload). A sample reported twice in one episode keeps the last.
    @inlinable
    public mutating func sample(_ index: Int, _ value: Double) {
        guard samples.indices.contains(index), value.isFinite else { return }
        samples[index] = value
        sampled[index] = true
    }

    /// Times `body` as stage `stage`.
    @inlinable
    public mutating func measure<T>(_ stage: Int, _ body: () throws -> T) rethrows -> T {
        let start = monotonicNanoseconds()
        let value = try body()
        if stage == slowStage {
            spin(nanoseconds: slowExtraNanoseconds)
        }
        add(stage, monotonicNanoseconds() &- start)
        return value
    }

    /// Adds an externally measured duration to stage `stage`.
    @inlinable
    public mutating func add(_ stage: Int, _ duration: UInt64) {
        nanoseconds[stage] &+= duration
        ran[stage] = true
    }
}

/// Busy-waits for `nanoseconds` of wall time, doing real work the optimiser cannot drop.
@inline(never)
public func spin(nanoseconds: UInt64) {
    guard nanoseconds > 0 else { return }
    let end = monotonicNanoseconds() &+ nanoseconds
    var x: UInt64 = 0x9E37_79B9_7F4A_7C15
    repeat {
        for _ in 0..<64 { x = x &* 6364136223846793005 &+ 1442695040888963407 }
    } while monotonicNanoseconds() < end
    blackHole(x)
}
