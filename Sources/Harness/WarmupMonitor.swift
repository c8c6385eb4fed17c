import BenchModel
import Dispatch
import Synchronization

/// Watches a warm-up phase for steady state (``SteadyWarmup``): every batch it takes the recorder's
/// interval, appends the batch's median end-to-end latency to the series and asks MSER whether the
/// series has settled; when it has, it ends the phase through `end`. Runs on a thread of its own,
/// which sleeps between batches.
final class WarmupMonitor: Sendable {
    private let rule: SteadyWarmup
    private let recorder: Recorder
    private let end: StopSignal
    private let stop: StopSignal
    private let state = Mutex(State())
    private let thread = Mutex<OSThread?>(nil)

    struct State: Sendable {
        /// One median e2e per batch that saw episodes (an empty batch adds nothing).
        var series: [Double] = []
        /// Seconds since the warm-up's start at the end of each batch in ``series``.
        var ends: [Double] = []
        /// MSER's truncation point, an index into ``series``.
        var truncation = 0
        /// Whether MSER called the series steady (the monitor then ended the warm-up).
        var settled = false

        /// Seconds from the warm-up's start to the truncation point (where the transient ended).
        var transientSeconds: Double { truncation == 0 || ends.isEmpty ? 0 : ends[Swift.min(truncation, ends.count) - 1] }
    }

    init(rule: SteadyWarmup, recorder: Recorder, end: StopSignal, stop: StopSignal) {
        self.rule = rule
        self.recorder = recorder
        self.end = end
        self.stop = stop
    }

    /// Starts watching; the warm-up began at `start` (monotonic ns).
    func run(start: UInt64) throws(HarnessError) {
        let batchNs = UInt64(rule.batch * 1e9)
        let t = try OSThread(name: "phibench-warmup") { [self] in
            var interval = recorder.makeInterval()
            var tick: UInt64 = 1
            while !end.isSet && !stop.isSet {
                let due = start &+ tick &* batchNs
                while monotonicNanoseconds() < due && !end.isSet && !stop.isSet {
                    sleep(nanoseconds: Swift.min(due &- Swift.min(due, monotonicNanoseconds()), 10_000_000))
                }
                if end.isSet || stop.isSet { break }
                interval.reset()
                recorder.takeInterval(into: &interval)
                tick += 1
                let e2e = interval.histograms[Measurements.e2e]
                guard e2e.count > 0 else { continue }
                let elapsed = Double(monotonicNanoseconds() &- start) / 1e9
                let settled = state.withLock { s in
                    s.series.append(e2e.value(of: .p50))
                    s.ends.append(elapsed)
                    let verdict = rule.isSteady(s.series, elapsed: elapsed)
                    s.truncation = verdict.truncation
                    s.settled = verdict.steady
                    return verdict.steady
                }
                if settled { end.request() }
            }
        }
        thread.withLock { $0 = t }
    }

    /// Stops watching (the phase is over) and returns what it saw.
    func finish() -> State {
        end.request()
        thread.withLock { $0 }?.join()
        return state.withLock { $0 }
    }
}
