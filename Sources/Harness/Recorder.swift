import BenchModel
import Synchronization

/// Latency histograms and counters for one span (a phase, a trial, an interval).
///
/// Histogram slots: ``e2e``, ``service``, ``lateness``, then one per workload stage in its order.
struct Measurements: Sendable {
    static let e2e = 0
    static let service = 1
    static let lateness = 2
    /// Slots before the first stage.
    static let fixedSlots = 3
    /// Keys of the fixed slots, in slot order.
    static let fixedKeys = [SpanKey.e2e, SpanKey.service, SpanKey.lateness]

    var histograms: [LatencyHistogram]
    /// Per declared sample: the sum of the values reported and how many were.
    var sampleSums: [Double]
    var sampleCounts: [Double]
    var episodes: UInt64 = 0
    var errors: UInt64 = 0
    /// Bytes allocated by worker threads during episodes (jemalloc per-thread counters).
    var bytesAllocated: UInt64 = 0
    /// Monotonic ns of the latest completion, 0 if none.
    var lastCompletion: UInt64 = 0

    init(stageCount: Int, sampleCount: Int) {
        histograms = (0..<(Self.fixedSlots + stageCount)).map { _ in LatencyHistogram() }
        sampleSums = Array(repeating: 0, count: sampleCount)
        sampleCounts = Array(repeating: 0, count: sampleCount)
    }

    mutating func add(_ other: Measurements) {
        for i in histograms.indices { histograms[i].add(other.histograms[i]) }
        for i in sampleSums.indices {
            sampleSums[i] += other.sampleSums[i]
            sampleCounts[i] += other.sampleCounts[i]
        }
        episodes &+= other.episodes
        errors &+= other.errors
        bytesAllocated &+= other.bytesAllocated
        lastCompletion = Swift.max(lastCompletion, other.lastCompletion)
    }

    /// Empties the span, keeping the histograms' storage.
    mutating func reset() {
        for i in histograms.indices { histograms[i].reset() }
        for i in sampleSums.indices {
            sampleSums[i] = 0
            sampleCounts[i] = 0
        }
        episodes = 0
        errors = 0
        bytesAllocated = 0
        lastCompletion = 0
    }

    /// The histograms by key; histograms that recorded nothing are left out (a stage that never ran,
    /// lateness in closed loop).
    func keyed(stageNames: [String]) -> [String: LatencyHistogram] {
        var out: [String: LatencyHistogram] = [:]
        for (i, h) in histograms.enumerated() where h.count > 0 {
            out[i < Self.fixedSlots ? Self.fixedKeys[i] : stageNames[i - Self.fixedSlots]] = h
        }
        // An episode measure is kept even when empty, so a span always says how many episodes it timed.
        for i in [Self.e2e, Self.service] where out[Self.fixedKeys[i]] == nil { out[Self.fixedKeys[i]] = histograms[i] }
        return out
    }

    /// The counters the recorder itself measures: bytes allocated (when counted) and the samples.
    func counters(sampleNames: [String], countsAllocations: Bool) -> [String: Double] {
        var out: [String: Double] = [:]
        if countsAllocations { out[SpanKey.allocatedBytes] = Double(bytesAllocated) }
        for (i, name) in sampleNames.enumerated() where sampleCounts[i] > 0 {
            out[name] = sampleSums[i]
            out[MetricSource.sampleCountKey(name)] = sampleCounts[i]
        }
        return out
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
            var interval: Measurements
        }

        let state: Mutex<State>
        /// An empty interval the sampler swaps in for the full one, so a worker's lock is held for a
        /// swap, not for merging and resetting histograms (only the sampler takes this lock).
        let spare: Mutex<Measurements>
        /// Whether the interval keeps stage histograms too (see ``Recorder/intervalStages``).
        let intervalStages: Bool

        init(stageCount: Int, sampleCount: Int, intervalStages: Bool) {
            self.intervalStages = intervalStages
            let intervalStageCount = intervalStages ? stageCount : 0
            state = Mutex(State(phase: Measurements(stageCount: stageCount, sampleCount: sampleCount),
                                interval: Measurements(stageCount: intervalStageCount, sampleCount: sampleCount)))
            spare = Mutex(Measurements(stageCount: intervalStageCount, sampleCount: sampleCount))
        }

        /// Records an episode due at `intended` that started at `begin` and ended at `end`: end-to-end
        /// from the intended start (coordinated omission corrected), service from the actual start,
        /// lateness (open loop) as how late it started.
        @inline(__always)
        func record(timings: borrowing StageTimings, intended: UInt64, begin: UInt64, end: UInt64, open: Bool,
                    failed: Bool, bytesAllocated: UInt64) {
            let from = Swift.min(intended, begin)
            record(timings: timings, e2e: end &- from, service: end &- Swift.min(begin, end), lateness: open ? begin &- from : nil,
                   completion: end, failed: failed, bytesAllocated: bytesAllocated)
        }

        /// Records one finished episode: per-stage times, samples, end-to-end, service and (open loop)
        /// lateness. The interval keeps only the episode measures (stage detail is per phase) unless
        /// `intervalStages` asks for the stages too.
        @inline(__always)
        func record(timings: borrowing StageTimings, e2e: UInt64, service: UInt64, lateness: UInt64?, completion: UInt64,
                    failed: Bool, bytesAllocated: UInt64) {
            state.withLock { s in
                for i in 0..<timings.ran.count where timings.ran[i] {
                    s.phase.histograms[Measurements.fixedSlots + i].record(timings.nanoseconds[i])
                    if intervalStages { s.interval.histograms[Measurements.fixedSlots + i].record(timings.nanoseconds[i]) }
                }
                for i in 0..<timings.sampled.count where timings.sampled[i] {
                    s.phase.sampleSums[i] += timings.samples[i]
                    s.phase.sampleCounts[i] += 1
                    s.interval.sampleSums[i] += timings.samples[i]
                    s.interval.sampleCounts[i] += 1
                }
                s.phase.histograms[Measurements.e2e].record(e2e)
                s.phase.histograms[Measurements.service].record(service)
                s.interval.histograms[Measurements.e2e].record(e2e)
                if let lateness {
                    s.phase.histograms[Measurements.lateness].record(lateness)
                    s.interval.histograms[Measurements.lateness].record(lateness)
                }
                s.phase.episodes &+= 1
                s.phase.bytesAllocated &+= bytesAllocated
                s.phase.lastCompletion = Swift.max(s.phase.lastCompletion, completion)
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
    let sampleCount: Int
    /// Intervals keep per-stage histograms as well (for a live exporter): one more histogram record
    /// per stage per episode, under the stripe lock already held.
    let intervalStages: Bool

    init(stageCount: Int, sampleCount: Int, stripes: Int, intervalStages: Bool = false) {
        self.stageCount = stageCount
        self.sampleCount = sampleCount
        self.intervalStages = intervalStages
        self.stripes = (0..<Swift.max(1, stripes)).map { _ in
            Stripe(stageCount: stageCount, sampleCount: sampleCount, intervalStages: intervalStages)
        }
    }

    /// The stripe worker `id` records into.
    func stripe(for worker: Int) -> Stripe { stripes[worker % stripes.count] }

    /// Takes the current phase's measurements out of every stripe and resets them.
    func takePhase() -> Measurements {
        var total = Measurements(stageCount: stageCount, sampleCount: sampleCount)
        for stripe in stripes {
            stripe.state.withLock { s in
                total.add(s.phase)
                s.phase.reset()
            }
        }
        return total
    }

    /// Takes the current interval's measurements out of every stripe (into `total`, which is reset
    /// first) and resets them.
    func takeInterval(into total: inout Measurements) {
        total.reset()
        for stripe in stripes {
            stripe.spare.withLock { spare in
                stripe.state.withLock { s in swap(&s.interval, &spare) }
                total.add(spare)
                spare.reset()
            }
        }
    }

    /// Whether any stripe holds episodes not yet taken into an interval.
    func intervalHasEpisodes() -> Bool {
        stripes.contains { stripe in stripe.state.withLock { $0.interval.episodes > 0 } }
    }

    /// An empty interval accumulator of the right shape.
    func makeInterval() -> Measurements { Measurements(stageCount: intervalStages ? stageCount : 0, sampleCount: sampleCount) }
}
