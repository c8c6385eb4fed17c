import BenchModel
import Histogram
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// What is running right now, shared between the driver (writes) and the sampler (reads).
final class LiveState: Sendable {
    /// Index of the running phase in the result's `phases[]`, −1 before the first.
    let phase = Atomic<Int>(-1)
    /// Arrivals due in open-loop phases that have ended.
    let dueBefore = Atomic<UInt64>(0)
    /// Arrivals dropped by queues of phases that have ended.
    let droppedBefore = Atomic<UInt64>(0)
    /// Largest value of each gauge sampled since the current phase started, and in the measured part.
    let phasePeaks = Mutex<[String: Double]>([:])
    let runPeaks = Mutex<[String: Double]>([:])
    /// The running open-loop phase's arrivals, nil in closed loop.
    let arrivals = Mutex<OpenLoopArrivals?>(nil)
    /// Human label of the running phase, for the progress line.
    let label = Mutex<String>("")
    /// What the first failing episode threw, so a result says why episodes failed, not only how many.
    let firstError = Mutex<String?>(nil)

    func noteFirstError(_ error: any Error) {
        firstError.withLock { if $0 == nil { $0 = String(describing: error) } }
    }

    /// Raises the phase and run peaks to the gauges of `probe` where it is higher.
    func notePeaks(_ probe: Probe) {
        let gauges = probe.gauges
        phasePeaks.withLock { p in for (k, v) in gauges where v > (p[k] ?? -.infinity) { p[k] = v } }
        runPeaks.withLock { p in for (k, v) in gauges where v > (p[k] ?? -.infinity) { p[k] = v } }
    }

    /// Starts a new phase's peaks at `probe`'s levels.
    func resetPhasePeaks(_ probe: Probe) {
        phasePeaks.withLock { $0 = probe.gauges }
    }
}

/// One interval as the sampler saw it: the time-series point and the interval's raw span (counters,
/// gauges and its end-to-end latency histogram), so a streamed log can be merged back exactly.
public struct IntervalSnapshot: Sendable {
    public let point: TimeseriesPoint
    public let span: Span
}

/// A progress report for a live display.
public struct RunProgress: Sendable {
    public var phaseLabel: String
    public var elapsedSeconds: Double
    /// Estimated seconds left, nil when unknown (bursts, queues draining).
    public var remainingSeconds: Double?
    public var throughputEps: Double
    public var p99Ns: Double
    public var queueDepth: UInt64
    public var episodes: UInt64
}

/// Takes one ``TimeseriesPoint`` per interval on its own thread: the recorder's interval measures,
/// a ``Probe`` of the process and the workload, the open-loop queue, and the workload's events. Each
/// point's metrics are the catalogue's series metrics evaluated on the interval's span.
final class Sampler: Sendable {
    struct Hooks: Sendable {
        /// Called with every interval, on the sampler thread (soak runs stream it to disk).
        var onInterval: @Sendable (IntervalSnapshot) -> Void = { _ in }
        /// Called after every point with a progress summary.
        var onProgress: (@Sendable (RunProgress) -> Void)?
        /// Total nominal seconds of the measured part, for the ETA.
        var nominalSeconds: Double = 0
    }

    /// What the sampler hands back at the end.
    struct Collected: Sendable {
        var points: [TimeseriesPoint]
        /// Each interval's gauge levels at its end, for slopes over any span of intervals.
        var gaugeSamples: [(phase: Int, episodesTotal: UInt64, gauges: [String: Double])]
        var events: [WorkloadEvent]
    }

    private struct Cursor: Sendable {
        var probe: Probe
        var scheduled: UInt64 = 0
        var dropped: UInt64 = 0
        var episodesTotal: UInt64 = 0
        var interval: Measurements
    }

    private let recorder: Recorder
    private let memory: any MemorySampler
    private let live: LiveState
    private let workload: WorkloadProbe
    private let events: @Sendable () -> [WorkloadEvent]
    private let catalogue: MetricCatalogue
    private let shape: RecordingShape
    private let intervalNs: UInt64
    private let start: UInt64
    private let hooks: Hooks
    private let cursor: Mutex<Cursor>
    private let collected = Mutex(Collected(points: [], gaugeSamples: [], events: []))
    private let finished = DispatchSemaphore(value: 0)
    private let done = Atomic<Bool>(false)
    private let thread = Mutex<OSThread?>(nil)
    private let placement: ThreadPlacement
    private let pinError = Mutex<HarnessError?>(nil)

    init(recorder: Recorder, memory: any MemorySampler, live: LiveState, interval: Double, start: Probe, placement: ThreadPlacement = .none,
         workload: WorkloadProbe, events: @escaping @Sendable () -> [WorkloadEvent], catalogue: MetricCatalogue,
         shape: RecordingShape, hooks: Hooks) {
        self.recorder = recorder
        self.memory = memory
        self.live = live
        self.workload = workload
        self.events = events
        self.catalogue = catalogue
        self.shape = shape
        self.intervalNs = UInt64(Swift.min(Swift.max(interval, 0.001), 86_400) * 1e9)
        self.start = start.time
        self.hooks = hooks
        self.placement = placement
        // Warm-up's arrivals and drops are already in the run totals; the first interval starts after them.
        self.cursor = Mutex(Cursor(probe: start, scheduled: live.dueBefore.load(ordering: .relaxed),
                                   dropped: live.droppedBefore.load(ordering: .relaxed), interval: recorder.makeInterval()))
    }

    /// Starts sampling on a thread of its own.
    /// - Throws: ``HarnessError`` when the thread cannot start or cannot be pinned where `affinity:` says.
    func run() throws(HarnessError) {
        let started = DispatchSemaphore(value: 0)
        let t = try OSThread(name: "phibench-sampler") { [self] in
            do throws(HarnessError) { try placement.pinSampler() } catch {
                pinError.withLock { $0 = error }
                started.signal()
                return
            }
            started.signal()
            var tick: UInt64 = 1
            while !done.load(ordering: .relaxed) {
                let due = start &+ tick &* intervalNs
                let now = monotonicNanoseconds()
                if due > now {
                    _ = finished.wait(timeout: .now() + .nanoseconds(Int(clamping: due - now)))
                    if done.load(ordering: .relaxed) { break }
                }
                takePoint(at: Swift.max(due, monotonicNanoseconds()))
                tick += 1
            }
        }
        thread.withLock { $0 = t }
        started.wait()
        if let error = pinError.withLock({ $0 }) {
            t.join()
            throw error
        }
    }

    /// Stops sampling, taking a last partial point if the last interval saw any work.
    func finish() -> Collected {
        done.store(true, ordering: .relaxed)
        finished.signal()
        thread.withLock { $0 }?.join()
        let now = monotonicNanoseconds()
        let sinceLast = cursor.withLock { now &- $0.probe.time }
        // A sliver of an interval is left out unless it holds episodes: the series must add up
        // to the run's totals (soak logs are rebuilt from it, a live exporter counts from it).
        if sinceLast > intervalNs / 10 || recorder.intervalHasEpisodes() {
            takePoint(at: now)
        }
        return collected.withLock { $0 }
    }

    private func takePoint(at now: UInt64) {
        let probe = Probe.take(memory, workload: workload, at: now)
        live.notePeaks(probe)
        let arrivals = live.arrivals.withLock { $0 }
        let open = arrivals?.sample(now: now)
        let depth = UInt64(open?.maxDepth ?? 0)
        let dropped = live.droppedBefore.load(ordering: .relaxed) + UInt64(open?.dropped ?? 0)
        let scheduled = live.dueBefore.load(ordering: .relaxed) + UInt64(open?.due ?? 0)
        let phase = live.phase.load(ordering: .relaxed)
        let tSeconds = Double(now &- start) / 1e9
        let newEvents = events().map { e in
            var e = e
            e.tSeconds = tSeconds
            return e
        }

        let snapshot: IntervalSnapshot = cursor.withLock { c in
            recorder.takeInterval(into: &c.interval)
            let dt = Double(now &- c.probe.time) / 1e9
            c.episodesTotal += c.interval.episodes
            let span = c.probe.span(to: probe, measurements: c.interval, seconds: dt, dropped: dropped &- c.dropped,
                                    shape: RecordingShape(stageNames: recorder.intervalStages ? shape.stageNames : [], sampleNames: shape.sampleNames,
                                                          countsAllocations: shape.countsAllocations))
            let point = TimeseriesPoint(
                tSeconds: tSeconds, intervalSeconds: dt, phase: phase, episodes: c.interval.episodes,
                episodesTotal: c.episodesTotal,
                targetRate: arrivals == nil ? nil : (dt > 0 ? Double(scheduled &- c.scheduled) / dt : 0),
                queueDepth: depth, metrics: catalogue.evaluate(span, onlySeries: true))
            c.probe = probe
            c.scheduled = scheduled
            c.dropped = dropped
            return IntervalSnapshot(point: point, span: span)
        }
        collected.withLock {
            $0.points.append(snapshot.point)
            $0.gaugeSamples.append((phase, snapshot.point.episodesTotal, probe.gauges))
            $0.events += newEvents
        }
        hooks.onInterval(snapshot)
        if let onProgress = hooks.onProgress {
            let p = snapshot.point
            onProgress(RunProgress(
                phaseLabel: live.label.withLock { $0 },
                elapsedSeconds: p.tSeconds,
                remainingSeconds: hooks.nominalSeconds > p.tSeconds ? hooks.nominalSeconds - p.tSeconds : nil,
                throughputEps: p.metric(MetricKey.throughput) ?? 0, p99Ns: p.metric(MetricKey.e2e(.p99)) ?? 0, queueDepth: p.queueDepth,
                episodes: p.episodesTotal))
        }
    }
}
