import BenchModel
import Histogram
import Synchronization

/// A fresh latency histogram (ns, 3 significant digits) that grows as larger values arrive.
func makeLatencyHistogram() -> Histogram<UInt64> {
    var h = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 1_000_000, numberOfSignificantValueDigits: .three)
    h.autoResize = true
    return h
}

/// Latency histograms and counters for one span (a phase, a trial, an interval).
struct Measurements: Sendable {
    /// Per stage, indexed like the workload's `stageNames`.
    var stages: [Histogram<UInt64>]
    /// From intended start (open loop) or actual start (closed loop) to completion.
    var e2e: Histogram<UInt64>
    /// From actual start to completion (service time, no queueing).
    var service: Histogram<UInt64>
    /// Open loop only: actual start − intended start, clamped at 0 (queueing plus the harness's wake-up).
    var lateness: Histogram<UInt64>
    var episodes: UInt64 = 0
    var errors: UInt64 = 0
    /// Bytes allocated by worker threads during episodes (jemalloc per-thread counters).
    var bytesAllocated: UInt64 = 0
    /// Monotonic ns of the latest completion, 0 if none.
    var lastCompletion: UInt64 = 0

    init(stageCount: Int) {
        stages = (0..<stageCount).map { _ in makeLatencyHistogram() }
        e2e = makeLatencyHistogram()
        service = makeLatencyHistogram()
        lateness = makeLatencyHistogram()
    }

    mutating func add(_ other: Measurements) {
        for i in stages.indices { stages[i].add(other.stages[i]) }
        e2e.add(other.e2e)
        service.add(other.service)
        lateness.add(other.lateness)
        episodes += other.episodes
        errors += other.errors
        bytesAllocated += other.bytesAllocated
        lastCompletion = Swift.max(lastCompletion, other.lastCompletion)
    }

    /// Empties the span, keeping the histograms' storage.
    mutating func reset() {
        for i in stages.indices { stages[i].reset() }
        e2e.reset()
        service.reset()
        lateness.reset()
        episodes = 0
        errors = 0
        bytesAllocated = 0
        lastCompletion = 0
    }

    /// Latency summaries keyed `e2e`, `service`, `lateness` (when any open-loop episode ran) and by
    /// stage name (stages that never ran are left out).
    func latencySummaries(stageNames: [String]) -> [String: LatencySummary] {
        var out = ["e2e": e2e.latencySummary, "service": service.latencySummary]
        if lateness.totalCount > 0 { out["lateness"] = lateness.latencySummary }
        for (i, name) in stageNames.enumerated() where stages[i].totalCount > 0 {
            out[name] = stages[i].latencySummary
        }
        return out
    }

    /// Encoded histograms, same keys as ``latencySummaries(stageNames:)``.
    func encodedHistograms(stageNames: [String]) -> [String: EncodedHistogram] {
        var out = ["e2e": EncodedHistogram(e2e), "service": EncodedHistogram(service)]
        if lateness.totalCount > 0 { out["lateness"] = EncodedHistogram(lateness) }
        for (i, name) in stageNames.enumerated() where stages[i].totalCount > 0 {
            out[name] = EncodedHistogram(stages[i])
        }
        return out
    }
}

/// What one interval of the time series saw, taken out of the recorder by the sampler.
struct IntervalMeasurements: Sendable {
    var e2e = makeLatencyHistogram()
    var episodes: UInt64 = 0
    var errors: UInt64 = 0
    var bytesAllocated: UInt64 = 0

    mutating func add(_ other: IntervalMeasurements) {
        e2e.add(other.e2e)
        episodes += other.episodes
        errors += other.errors
        bytesAllocated += other.bytesAllocated
    }

    mutating func reset() {
        e2e.reset()
        episodes = 0
        errors = 0
        bytesAllocated = 0
    }
}

/// Where workers record episodes: a fixed number of stripes, each behind its own (almost always
/// uncontended) lock, merged when a phase ends. A stripe per worker would multiply histogram memory
/// by the concurrency (50 workers × 12 histograms), which would show up in the very RSS figures the
/// harness reports; a stripe per two cores keeps the harness's footprint constant across phases.
final class Recorder: Sendable {
    final class Stripe: Sendable {
        struct State: Sendable {
            var phase: Measurements
            var interval = IntervalMeasurements()
        }

        let state: Mutex<State>

        init(stageCount: Int) {
            state = Mutex(State(phase: Measurements(stageCount: stageCount)))
        }

        /// Records one finished episode: per-stage times, end-to-end and service latency, and its
        /// lateness (nil in closed loop).
        @inline(__always)
        func record(timings: borrowing StageTimings, e2e: UInt64, service: UInt64, lateness: UInt64?,
                    completion: UInt64, failed: Bool, bytesAllocated: UInt64) {
            state.withLock { s in
                for i in 0..<timings.ran.count where timings.ran[i] {
                    s.phase.stages[i].record(timings.nanoseconds[i])
                }
                s.phase.e2e.record(e2e)
                s.phase.service.record(service)
                if let lateness { s.phase.lateness.record(lateness) }
                s.phase.episodes &+= 1
                s.phase.bytesAllocated &+= bytesAllocated
                s.phase.lastCompletion = Swift.max(s.phase.lastCompletion, completion)
                s.interval.e2e.record(e2e)
                s.interval.episodes &+= 1
                s.interval.bytesAllocated &+= bytesAllocated
                if failed {
                    s.phase.errors &+= 1
                    s.interval.errors &+= 1
                }
            }
        }
    }

    let stripes: [Stripe]
    let stageCount: Int

    init(stageCount: Int, stripes: Int) {
        self.stageCount = stageCount
        self.stripes = (0..<Swift.max(1, stripes)).map { _ in Stripe(stageCount: stageCount) }
    }

    /// The stripe worker `id` records into.
    func stripe(for worker: Int) -> Stripe { stripes[worker % stripes.count] }

    /// Takes the current phase's measurements out of every stripe and resets them.
    func takePhase() -> Measurements {
        var total = Measurements(stageCount: stageCount)
        for stripe in stripes {
            stripe.state.withLock { s in
                total.add(s.phase)
                s.phase.reset()
            }
        }
        return total
    }

    /// Takes the current interval's measurements out of every stripe and resets them.
    func takeInterval(into total: inout IntervalMeasurements) {
        for stripe in stripes {
            stripe.state.withLock { s in
                total.add(s.interval)
                s.interval.reset()
            }
        }
    }
}
