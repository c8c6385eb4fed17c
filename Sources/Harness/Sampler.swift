import BenchModel
import Histogram
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Process CPU time so far (getrusage), seconds.
func processCPUTime() -> (user: Double, system: Double) {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return (seconds(usage.ru_utime), seconds(usage.ru_stime))
}

/// What is running right now, shared between the driver (writes) and the sampler (reads).
final class LiveState: Sendable {
    /// Index of the running phase in the result's `phases[]`, −1 before the first.
    let phase = Atomic<Int>(-1)
    /// Arrivals due in open-loop phases that have ended.
    let dueBefore = Atomic<UInt64>(0)
    /// Arrivals dropped by queues of phases that have ended.
    let droppedBefore = Atomic<UInt64>(0)
    /// Largest RSS seen since the current phase started.
    let phaseRSSPeak = Atomic<UInt64>(0)
    /// Largest RSS seen in the measured part.
    let runRSSPeak = Atomic<UInt64>(0)
    /// The running open-loop phase's arrivals, nil in closed loop.
    let arrivals = Mutex<OpenLoopArrivals?>(nil)
    /// Human label of the running phase, for the progress line.
    let label = Mutex<String>("")
    /// What the first failing episode threw, so a result says why episodes failed, not only how many.
    let firstError = Mutex<String?>(nil)

    func noteFirstError(_ error: any Error) {
        firstError.withLock { if $0 == nil { $0 = String(describing: error) } }
    }

    func notePeak(_ rss: UInt64) {
        phaseRSSPeak.max(rss)
        runRSSPeak.max(rss)
    }
}

extension Atomic where Value == UInt64 {
    func max(_ value: UInt64) {
        var current = load(ordering: .relaxed)
        while value > current {
            let (exchanged, original) = compareExchange(expected: current, desired: value, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }
}

/// One interval as the sampler saw it: the time-series point and the interval's end-to-end
/// latency histogram (so a streamed log can be merged back into exact percentiles).
public struct IntervalSnapshot: Sendable {
    public let point: TimeseriesPoint
    let e2e: Histogram<UInt64>

    /// The interval's end-to-end latency histogram, encoded.
    public func encodedLatency() -> EncodedHistogram { EncodedHistogram(e2e) }
}

/// A progress report for a live display.
public struct RunProgress: Sendable {
    public var phaseLabel: String
    public var elapsedSeconds: Double
    /// Estimated seconds left, nil when unknown (bursts, queues draining).
    public var remainingSeconds: Double?
    public var throughputEps: Double
    public var p99Ns: UInt64
    public var queueDepth: UInt64
    public var episodes: UInt64
}

/// Takes one ``TimeseriesPoint`` per interval on its own thread, from the recorder (latency,
/// episodes), the memory sampler (RSS, jemalloc), getrusage (CPU) and the workload (Φ cache).
/// Constant memory per interval: the interval histogram is reused, not kept.
final class Sampler: Sendable {
    struct Hooks: Sendable {
        /// Called with every interval, on the sampler thread (soak runs stream it to disk).
        var onInterval: @Sendable (IntervalSnapshot) -> Void = { _ in }
        /// Called after every point with a progress summary.
        var onProgress: (@Sendable (RunProgress) -> Void)?
        /// Total nominal seconds of the measured part, for the ETA.
        var nominalSeconds: Double = 0
    }

    private struct Cursor: Sendable {
        var lastTime: UInt64
        var cpu: (user: Double, system: Double)
        var requests: UInt64?
        var phi: PhiStats
        var scheduled: UInt64 = 0
        var dropped: UInt64 = 0
        var episodesTotal: UInt64 = 0
        var interval = IntervalMeasurements()
    }

    private let recorder: Recorder
    private let memory: any MemorySampler
    private let live: LiveState
    private let statistics: @Sendable () -> WorkloadStatistics
    private let intervalNs: UInt64
    private let start: UInt64
    private let hooks: Hooks
    private let cursor: Mutex<Cursor>
    private let points = Mutex<[TimeseriesPoint]>([])
    private let finished = DispatchSemaphore(value: 0)
    private let done = Atomic<Bool>(false)
    private let thread = Mutex<OSThread?>(nil)

    init(recorder: Recorder, memory: any MemorySampler, live: LiveState, interval: Double,
         start: UInt64, statistics: @escaping @Sendable () -> WorkloadStatistics, hooks: Hooks) {
        self.recorder = recorder
        self.memory = memory
        self.live = live
        self.statistics = statistics
        self.intervalNs = Swift.max(1_000_000, UInt64(interval * 1e9))
        self.start = start
        self.hooks = hooks
        self.cursor = Mutex(Cursor(lastTime: start, cpu: processCPUTime(),
                                   requests: memory.allocatorSnapshot()?.requests, phi: statistics().phi))
    }

    /// Starts sampling on a thread of its own.
    func run() {
        let t = OSThread(name: "phibench-sampler") { [self] in
            var tick: UInt64 = 1
            while !done.load(ordering: .relaxed) {
                let due = start &+ tick &* intervalNs
                let now = monotonicNanoseconds()
                if due > now {
                    _ = finished.wait(timeout: .now() + .nanoseconds(Int(due - now)))
                    if done.load(ordering: .relaxed) { break }
                }
                takePoint(at: Swift.max(due, monotonicNanoseconds()))
                tick += 1
            }
        }
        thread.withLock { $0 = t }
    }

    /// Stops sampling, taking a last partial point if the last interval saw any work.
    /// - Returns: every point taken.
    func finish() -> [TimeseriesPoint] {
        done.store(true, ordering: .relaxed)
        finished.signal()
        thread.withLock { $0 }?.join()
        let now = monotonicNanoseconds()
        let sinceLast = cursor.withLock { now &- $0.lastTime }
        if sinceLast > intervalNs / 10 {
            takePoint(at: now)
        }
        return points.withLock { $0 }
    }

    private func takePoint(at now: UInt64) {
        let rss = memory.residentBytes()
        live.notePeak(rss)
        let allocator = memory.allocatorSnapshot()
        let cpu = processCPUTime()
        let phi = statistics().phi
        let arrivals = live.arrivals.withLock { $0 }
        let open = arrivals?.sample(now: now)
        let depth = UInt64(open?.maxDepth ?? 0)
        let dropped = live.droppedBefore.load(ordering: .relaxed) + UInt64(open?.dropped ?? 0)
        let scheduled = live.dueBefore.load(ordering: .relaxed) + UInt64(open?.due ?? 0)

        let (point, e2e): (TimeseriesPoint, Histogram<UInt64>) = cursor.withLock { c in
            c.interval.reset()
            recorder.takeInterval(into: &c.interval)
            let dt = Double(now &- c.lastTime) / 1e9
            let phiDelta = phi.since(c.phi)
            c.episodesTotal += c.interval.episodes
            let cpuUsed = (cpu.user - c.cpu.user) + (cpu.system - c.cpu.system)
            let p = TimeseriesPoint(
                tSeconds: Double(now &- start) / 1e9,
                intervalSeconds: dt,
                phase: live.phase.load(ordering: .relaxed),
                episodes: c.interval.episodes,
                episodesTotal: c.episodesTotal,
                throughputEps: dt > 0 ? Double(c.interval.episodes) / dt : 0,
                targetRate: arrivals == nil ? nil : (dt > 0 ? Double(scheduled &- c.scheduled) / dt : 0),
                p50Ns: c.interval.e2e.totalCount > 0 ? c.interval.e2e.valueAtPercentile(50) : 0,
                p99Ns: c.interval.e2e.totalCount > 0 ? c.interval.e2e.valueAtPercentile(99) : 0,
                maxNs: c.interval.e2e.totalCount > 0 ? c.interval.e2e.max : 0,
                rssBytes: rss,
                jemallocAllocated: allocator?.stats.allocated,
                allocations: allocator.flatMap { a in c.requests.map { a.requests &- $0 } },
                bytesAllocated: allocator == nil ? nil : c.interval.bytesAllocated,
                queueDepth: depth,
                dropped: dropped &- c.dropped,
                errors: c.interval.errors,
                cpuUtilization: dt > 0 ? cpuUsed / dt : 0,
                phiCacheHitRate: phiDelta.hits + phiDelta.misses > 0 ? phiDelta.cacheHitRate : nil)
            c.lastTime = now
            c.cpu = cpu
            c.requests = allocator?.requests
            c.phi = phi
            c.scheduled = scheduled
            c.dropped = dropped
            return (p, c.interval.e2e)
        }
        points.withLock { $0.append(point) }
        hooks.onInterval(IntervalSnapshot(point: point, e2e: e2e))
        if let onProgress = hooks.onProgress {
            let elapsed = point.tSeconds
            onProgress(RunProgress(
                phaseLabel: live.label.withLock { $0 },
                elapsedSeconds: elapsed,
                remainingSeconds: hooks.nominalSeconds > elapsed ? hooks.nominalSeconds - elapsed : nil,
                throughputEps: point.throughputEps, p99Ns: point.p99Ns, queueDepth: point.queueDepth,
                episodes: point.episodesTotal))
        }
    }
}
