import BenchModel
import Synchronization

/// Runs one phase of load against a workload: open loop (workers claiming arrivals in order and
/// starting each when it is due) or closed loop (each worker back to back).
///
/// Latency is measured from each arrival's *intended* start, so when the system falls behind the
/// wait shows in the latency (coordinated-omission correct, as wrk2 does it), and queue depth
/// grows and is recorded.
struct LoadDriver<W: Workload>: Sendable {
    let workload: W
    let recorder: Recorder
    let faults: FaultInjector
    let memory: any MemorySampler
    let live: LiveState
    let stop: StopSignal
    /// The next global episode number.
    let episodes: EpisodeCounter

    /// What a phase did, besides the recorder's measurements.
    struct Outcome: Sendable {
        var start: UInt64
        var end: UInt64
        var maxQueueDepth: Int = 0
        var dropped: UInt64 = 0
        /// Arrivals due but not started because the run was interrupted.
        var abandoned: UInt64 = 0
        var workers: Int
        var targetRate: Double?
    }

    /// Runs `schedule` open loop with `workers` worker threads and an optional queue bound.
    func runOpenLoop(_ schedule: ArrivalSchedule, workers: Int, maxQueue: Int?) throws(HarnessError) -> Outcome {
        let start = monotonicNanoseconds()
        let arrivals = OpenLoopArrivals(schedule: schedule, start: start, maxQueue: maxQueue)
        live.arrivals.withLock { $0 = arrivals }
        do throws(HarnessError) {
            try startAll(workers, name: "phibench-w") { [self] (id: Int) throws(HarnessError) in
                requestPreciseTimers()
                try workerLoop(id: id, scheduled: true) { () -> (UInt64, UInt64)? in
                    guard !stop.isSet, let claim = arrivals.claim(now: monotonicNanoseconds()) else { return nil }
                    // Not due yet: sleep to its due time, in slices so a stop is seen within 20 ms.
                    while !stop.isSet {
                        let now = monotonicNanoseconds()
                        if now >= claim.due { break }
                        sleep(untilMonotonic: Swift.min(claim.due, now &+ 20_000_000))
                    }
                    return stop.isSet ? nil : (episodes.next(), claim.due)
                }
            }
        } catch {
            live.arrivals.withLock { $0 = nil }
            throw error
        }
        let end = monotonicNanoseconds()
        let totals = arrivals.finish(now: end)
        // Hand the phase's counts over to the run totals the sampler reads, in one step each.
        live.arrivals.withLock { $0 = nil }
        live.droppedBefore.add(UInt64(totals.dropped), ordering: .relaxed)
        live.dueBefore.add(UInt64(schedule.arrivalsDue(by: Double(end &- start) / 1e9)), ordering: .relaxed)
        return Outcome(start: start, end: end, maxQueueDepth: totals.maxDepth, dropped: UInt64(totals.dropped),
                       abandoned: stop.isSet ? UInt64(totals.abandoned) : 0, workers: workers,
                       targetRate: schedule.meanRate)
    }

    /// Runs `concurrency` workers back to back for `seconds`.
    func runClosedLoop(concurrency: Int, seconds: Double) throws(HarnessError) -> Outcome {
        let start = monotonicNanoseconds()
        let deadline = start &+ UInt64(Swift.min(seconds, 1e9) * 1e9)
        try startAll(concurrency, name: "phibench-c") { [self] (id: Int) throws(HarnessError) in
            try workerLoop(id: id, scheduled: false) { () -> (UInt64, UInt64)? in
                let now = monotonicNanoseconds()
                guard !stop.isSet, now < deadline else { return nil }
                return (episodes.next(), now)
            }
        }
        return Outcome(start: start, end: monotonicNanoseconds(), workers: concurrency, targetRate: nil)
    }

    /// Starts `count` threads running `body(id)` and waits for all of them. A thread that throws stops
    /// the run, and the first such error is thrown here; when the system refuses a thread, the ones
    /// already started are stopped and joined, and the refusal is thrown.
    private func startAll(_ count: Int, name: String,
                          _ body: @escaping @Sendable (Int) throws(HarnessError) -> Void) throws(HarnessError) {
        let failures = FirstFailure()
        var threads: [OSThread] = []
        for id in 0..<count {
            do {
                threads.append(try OSThread(name: "\(name)\(id)") { [stop] in
                    do throws(HarnessError) { try body(id) } catch {
                        failures.note(error)
                        stop.request()
                    }
                })
            } catch {
                stop.request()
                threads.forEach { $0.join() }
                throw error
            }
        }
        threads.forEach { $0.join() }
        if let first = failures.first { throw first }
    }

    /// One worker thread: builds its workload worker, then runs episodes until `nextEpisode` says stop.
    /// `nextEpisode` returns (episode number, intended start ns); `scheduled` says the intended start
    /// is an open-loop arrival time, whose lateness is recorded.
    private func workerLoop(id: Int, scheduled: Bool, nextEpisode: () -> (UInt64, UInt64)?) throws(HarnessError) {
        var worker: W.Worker
        do {
            worker = try workload.makeWorker(id: id)
        } catch {
            throw .workerSetup(worker: id, reason: "\(error)")
        }
        let stripe = recorder.stripe(for: id)
        let allocated = memory.threadAllocationCounter()
        var timings = StageTimings(stageCount: recorder.stageCount, sampleCount: recorder.sampleCount,
                                   slowStage: faults.slowStage?.index, slowExtraNanoseconds: faults.slowStage?.nanoseconds ?? 0)
        let injecting = faults.injectsIntoEpisodes
        while let (episode, intended) = nextEpisode() {
            if !faults.stalls.isEmpty { faults.waitIfPaused() }
            timings.reset()
            let bytesBefore = allocated?.value ?? 0
            let begin = monotonicNanoseconds()
            var failed = false
            do {
                if injecting { faults.inject(episode: episode) }
                try worker.runEpisode(episode, timings: &timings)
            } catch {
                failed = true
                live.noteFirstError(error)
            }
            let end = monotonicNanoseconds()
            let bytes = (allocated?.value ?? 0) &- bytesBefore
            stripe.record(timings: timings, e2e: end &- Swift.min(intended, begin), service: end &- begin,
                          lateness: scheduled ? begin &- Swift.min(intended, begin) : nil,
                          completion: end, failed: failed, bytesAllocated: bytes)
        }
        // Merge this thread's allocator cache into the allocator-wide counters before it exits.
        memory.flushThreadCache()
    }
}

/// The first error any of several threads reported.
final class FirstFailure: Sendable {
    private let error = Mutex<HarnessError?>(nil)

    func note(_ e: HarnessError) { error.withLock { if $0 == nil { $0 = e } } }

    var first: HarnessError? { error.withLock { $0 } }
}

/// Hands out global episode numbers: the same number always means the same stimulus.
final class EpisodeCounter: Sendable {
    private let value: Atomic<UInt64>

    init() { value = Atomic(0) }

    func next() -> UInt64 { value.add(1, ordering: .relaxed).oldValue }

    var current: UInt64 { value.load(ordering: .relaxed) }
}
