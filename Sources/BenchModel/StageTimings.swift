import Synchronization
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
    /// Whether each stage ran in the current episode (a stage may be skipped, e.g. on a cache hit).
    public var ran: [Bool]
    /// Index of the stage that gets extra busy work, if a slow-stage fault is injected.
    public var slowStage: Int?
    /// Extra busy work per episode for ``slowStage``, in nanoseconds of wall time.
    public var slowExtraNanoseconds: UInt64
    /// Per-episode samples of the workload's declared sample metrics, indexed like
    /// ``WorkloadVocabulary/samples``; meaningful where ``sampled`` is true.
    public var samples: [Double]
    public var sampled: [Bool]
    /// Index of the stage that gets a fixed amount of extra work, if a `work:` fault is injected.
    public var workStage: Int?
    /// Iterations of ``busyWork(iterations:)`` per episode for ``workStage``: the same instructions
    /// every run, unlike the wall-time spin of ``slowExtraNanoseconds``.
    public var workIterations: UInt64
    /// Calls every stage body on the harness's behalf when set (the instruction counter attributes
    /// each stage's instructions this way); nil calls bodies directly.
    public var router: (any StageRouter)?

    public init(stageCount: Int, sampleCount: Int = 0, slowStage: Int? = nil, slowExtraNanoseconds: UInt64 = 0,
                workStage: Int? = nil, workIterations: UInt64 = 0) {
        nanoseconds = Array(repeating: 0, count: stageCount)
        ran = Array(repeating: false, count: stageCount)
        samples = Array(repeating: 0, count: sampleCount)
        sampled = Array(repeating: false, count: sampleCount)
        self.slowStage = slowStage
        self.slowExtraNanoseconds = slowExtraNanoseconds
        self.workStage = workStage
        self.workIterations = workIterations
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

    /// Times `body` as stage `stage`; injected extra work for the stage runs inside the timing.
    @inlinable
    public mutating func measure<T, E: Error>(_ stage: Int, _ body: () throws(E) -> T) throws(E) -> T {
        let spinNanoseconds = stage == slowStage ? slowExtraNanoseconds : 0
        let work = stage == workStage ? workIterations : 0
        let start = monotonicNanoseconds()
        let value: T
        if let router {
            // The router sees a plain `() -> Void`, so its call is cheap (no generic code through an
            // existential): the instruction counter adds little to each stage it attributes.
            var outcome: Result<T, E>?
            router.call(stage: stage) {
                outcome = Result { () throws(E) -> T in try Self.run(body, spinNanoseconds: spinNanoseconds, work: work) }
            }
            guard let outcome else { fatalError("StageRouter.call(stage:_:) did not call the stage body") }
            value = try outcome.get()
        } else {
            value = try Self.run(body, spinNanoseconds: spinNanoseconds, work: work)
        }
        add(stage, monotonicNanoseconds() &- start)
        return value
    }

    /// A stage body followed by its injected extra work.
    @inlinable
    static func run<T, E: Error>(_ body: () throws(E) -> T, spinNanoseconds: UInt64, work: UInt64) throws(E) -> T {
        let value = try body()
        if spinNanoseconds > 0 { spin(nanoseconds: spinNanoseconds) }
        if work > 0 { busyWork(iterations: work) }
        return value
    }

    /// Adds an externally measured duration to stage `stage`.
    @inlinable
    public mutating func add(_ stage: Int, _ duration: UInt64) {
        nanoseconds[stage] &+= duration
        ran[stage] = true
    }
}

/// Calls each stage body for ``StageTimings/measure(_:_:)``, so that a tool can attribute the
/// body's cost to its stage: the instruction counter calls it through a function named after the
/// stage index, whose inclusive cost callgrind reports. Class-bound so that ``StageTimings`` stays a
/// loadable value the harness can borrow cheaply.
public protocol StageRouter: AnyObject, Sendable {
    /// Calls `body` exactly once, on the calling thread.
    func call(stage: Int, _ body: () -> Void)
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

/// Where ``busyWork(iterations:)`` leaves its result. An atomic store is a side effect the optimiser
/// must keep, and with it the loop computing the value; ``blackHole(_:)`` is not enough here (a
/// release build specialised it, found the argument dead and removed the loop).
private let busyWorkSink = Atomic<UInt64>(0)

/// Runs `iterations` rounds of a fixed integer recurrence: the same instructions for the same count
/// on every run, unlike ``spin(nanoseconds:)`` which runs for wall time. Each iteration is one
/// dependent multiply and a few instructions around it (`phibench instructions` measures the exact
/// figure); 0 does nothing.
@inline(never)
public func busyWork(iterations: UInt64) {
    var x: UInt64 = 0x9E37_79B9_7F4A_7C15
    var i: UInt64 = 0
    while i < iterations {
        // Mixing in the counter stops the optimiser from folding several rounds into one.
        x = (x ^ i) &* 6364136223846793005 &+ 1442695040888963407
        i &+= 1
    }
    busyWorkSink.store(x, ordering: .relaxed)
}
