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
    /// Which CPU each worker is pinned to, if any.
    var placement: ThreadPlacement = .none

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
        /// Open loop: nanoseconds workers spent busy-waiting for arrivals to fall due, all workers
        /// summed (the CPU the spin window costs; 0 with `spin: 0` and in closed loop).
        var spinNanoseconds: UInt64 = 0
        /// Open loop (not bursts): whether the gaps between actual starts fit the intended process.
        var arrivalCheck: ArrivalCheck?
    }

    /// Runs `plan` open loop: `plan.workers` worker threads claim arrivals in order, each sleeping
    /// until `plan.spinNanoseconds` before its arrival is due and spinning the rest. The schedule
    /// starts once every worker has built its workload worker (plus ``StartGate/lead``), so the first
    /// arrivals are not late by thread start-up or a slow `makeWorker`.
    /// `end`, when set, ends the phase early: no further arrival is claimed (a steady warm-up).
    /// `notBefore` (monotonic ns), when later, is the schedule's start instead: segments of one test
    /// on several machines start each phase at the same moment.
    func runOpenLoop(_ plan: OpenLoopPlan, end: StopSignal? = nil, notBefore: UInt64 = 0) throws(HarnessError) -> Outcome {
        if let driving = workload as? any LoadDrivingWorkload {
            return try runDrivenOpenLoop(driving, plan, end: end, notBefore: notBefore)
        }
        let schedule = plan.schedule
        let starts = schedule.burst > 0 ? nil : StartSample(arrivals: schedule.totalArrivals)
        let gate = StartGate()
        let spun = Atomic<UInt64>(0)
        let opened = Mutex<OpenLoopArrivals?>(nil)
        do throws(HarnessError) {
            try startAll(plan.workers, name: "phibench-w", whileRunning: {
                let arrivals = gate.open(workers: plan.workers, stop: stop, notBefore: notBefore) { start in
                    let arrivals = OpenLoopArrivals(schedule: schedule, start: start, maxQueue: plan.maxQueue)
                    live.arrivals.withLock { $0 = arrivals }
                    return arrivals
                }
                opened.withLock { $0 = arrivals }
            }) { [self] (id: Int) throws(HarnessError) in
                requestPreciseTimers()
                var arrivals: OpenLoopArrivals?
                let spinning = try workerLoop(id: id, open: true, spinWindow: plan.spinNanoseconds, starts: starts) {
                    () -> (UInt64, UInt64, Int)? in
                    // The first call comes after this worker is built: wait there for the others.
                    if arrivals == nil { arrivals = gate.pass(stop: stop) }
                    guard !stop.isSet, !(end?.isSet ?? false),
                          let claim = arrivals?.claim(now: monotonicNanoseconds()) else { return nil }
                    return (episodes.next(), claim.due, claim.index)
                }
                spun.add(spinning, ordering: .relaxed)
            }
        } catch {
            live.arrivals.withLock { $0 = nil }
            throw error
        }
        guard let arrivals = opened.withLock({ $0 }) else {
            throw .invalid("the open-loop phase could not start its schedule")
        }
        return finishOpenLoop(plan, arrivals: arrivals, starts: starts, spun: spun.load(ordering: .relaxed))
    }

    /// The end of an open-loop phase: the arrivals' totals handed to the run's, the gap check, the outcome.
    func finishOpenLoop(_ plan: OpenLoopPlan, arrivals: OpenLoopArrivals, starts: StartSample?, spun: UInt64) -> Outcome {
        let schedule = plan.schedule
        let start = arrivals.start
        let end = monotonicNanoseconds()
        let totals = arrivals.finish(now: end)
        // Hand the phase's counts over to the run totals the sampler reads, in one step each.
        live.arrivals.withLock { $0 = nil }
        live.droppedBefore.add(UInt64(totals.dropped), ordering: .relaxed)
        live.dueBefore.add(UInt64(totals.due), ordering: .relaxed)
        let check = starts.map {
            ArrivalCheck.evaluate(rescaledGaps: $0.rescaledGaps(schedule, start: start), process: schedule.process)
        }
        return Outcome(start: start, end: end, maxQueueDepth: totals.maxDepth, dropped: UInt64(totals.dropped),
                       abandoned: stop.isSet ? UInt64(totals.abandoned) : 0, workers: plan.workers,
                       targetRate: schedule.meanRate, spinNanoseconds: spun,
                       arrivalCheck: check)
    }

    /// Runs `concurrency` workers back to back for `seconds`, or until `end` is set; starts at
    /// `notBefore` (monotonic ns) when that is later. With no workers (a segment whose share of the
    /// concurrency is 0) it waits out the phase, so the next phase still starts with the others.
    func runClosedLoop(concurrency: Int, seconds: Double, end: StopSignal? = nil, notBefore: UInt64 = 0) throws(HarnessError) -> Outcome {
        waitUntil(notBefore)
        let start = monotonicNanoseconds()
        let deadline = start &+ UInt64(Swift.min(seconds, 1e9) * 1e9)
        if let driving = workload as? any LoadDrivingWorkload, concurrency > 0 {
            return try runDrivenClosedLoop(driving, concurrency: concurrency, start: start, deadline: deadline, end: end)
        }
        try startAll(concurrency, name: "phibench-c") { [self] (id: Int) throws(HarnessError) in
            _ = try workerLoop(id: id, open: false, spinWindow: 0) { () -> (UInt64, UInt64, Int)? in
                let now = monotonicNanoseconds()
                guard !stop.isSet, now < deadline, !(end?.isSet ?? false) else { return nil }
                return (episodes.next(), now, -1)
            }
        }
        if concurrency <= 0 { waitUntil(deadline, end: end) }
        return Outcome(start: start, end: monotonicNanoseconds(), workers: concurrency, targetRate: nil)
    }

    /// Sleeps until monotonic `time`, waking for a stop (or `end`) within 20 ms.
    func waitUntil(_ time: UInt64, end: StopSignal? = nil) {
        var now = monotonicNanoseconds()
        while now < time, !stop.isSet, !(end?.isSet ?? false) {
            sleep(untilMonotonic: Swift.min(time, now &+ 20_000_000))
            now = monotonicNanoseconds()
        }
    }

    /// Starts `count` threads running `body(id)` and waits for all of them. A thread that throws stops
    /// the run, and the first such error is thrown here; when the system refuses a thread, the ones
    /// already started are stopped and joined, and the refusal is thrown.
    /// `whileRunning` runs on the calling thread once every thread has started, before the join.
    private func startAll(_ count: Int, name: String, whileRunning: () -> Void = {},
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
        whileRunning()
        threads.forEach { $0.join() }
        if let first = failures.first { throw first }
    }

    /// One worker thread: builds its workload worker, then runs episodes until `nextEpisode` says stop.
    ///
    /// `nextEpisode` returns (episode number, intended start ns, arrival index or -1 in closed loop).
    /// The worker readies everything an episode needs, then waits for the intended start (sleeping
    /// to `spinWindow` ns before it, spinning the rest) and starts at once: after a long wait any
    /// code or data in between runs cold, and on a VM each cold page costs up to a µs, which would
    /// count as lateness. `open`: record each episode's lateness (start − intended start), which
    /// closed loop, having no schedule, does not have; `starts`: the gap check's sample of starts.
    /// - Returns: nanoseconds spent spinning.
    private func workerLoop(id: Int, open: Bool, spinWindow: UInt64, starts: StartSample? = nil,
                            nextEpisode: () -> (UInt64, UInt64, Int)?) throws(HarnessError) -> UInt64 {
        try placement.pinWorker(id)
        var worker: W.Worker
        do {
            worker = try workload.makeWorker(id: id)
        } catch {
            throw .workerSetup(worker: id, reason: "\(error)")
        }
        let stripe = recorder.stripe(for: id)
        let allocated = memory.threadAllocationCounter()
        var timings = StageTimings(stageCount: recorder.stageCount, sampleCount: recorder.sampleCount,
                                   slowStage: faults.slowStage?.index, slowExtraNanoseconds: faults.slowStage?.nanoseconds ?? 0,
                                   workStage: faults.workStage?.index, workIterations: faults.workStage?.iterations ?? 0)
        let injecting = faults.injectsIntoEpisodes
        let stalls = !faults.stalls.isEmpty
        var spun: UInt64 = 0
        while let (episode, intended, arrival) = nextEpisode() {
            timings.reset()
            // Nothing between here and the episode allocates.
            let bytesBefore = allocated?.value ?? 0
            var begin: UInt64
            (spun, begin) = wait(untilMonotonic: intended, spinWindow: spinWindow, stop: stop, spun: spun)
            if stop.isSet { break }
            if stalls {
                faults.waitIfPaused()
                begin = monotonicNanoseconds()
            }
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
            stripe.record(timings: timings, intended: intended, begin: begin, end: end, open: open, failed: failed, bytesAllocated: bytes)
            if arrival >= 0 { starts?.record(index: arrival, time: begin) }
        }
        // Merge this thread's allocator cache into the allocator-wide counters before it exits.
        memory.flushThreadCache()
        return spun
    }
}

/// Holds an open-loop phase's workers until every one has built its workload worker, then starts
/// the schedule a little later, so that the first arrivals measure the harness's wake-up and not
/// thread creation or a slow `makeWorker` (a worker that builds large state there).
final class StartGate: Sendable {
    /// Between opening the gate and the first arrival: time for the waiting workers to see the gate
    /// open (they poll every 50 µs) and go to sleep until their first arrival.
    static let lead: UInt64 = 1_000_000

    private let ready = Atomic<Int>(0)
    private let arrivals = Mutex<OpenLoopArrivals?>(nil)
    private let opened = Atomic<Bool>(false)

    /// Worker side: reports ready and waits for the gate to open; nil if the run stopped first.
    func pass(stop: StopSignal) -> OpenLoopArrivals? {
        ready.add(1, ordering: .releasing)
        while !opened.load(ordering: .acquiring) {
            if stop.isSet { return nil }
            sleep(nanoseconds: 50_000)
        }
        return arrivals.withLock { $0 }
    }

    /// Driver side: waits until `workers` workers are ready (or a stop: a worker that failed to
    /// build requests one), then opens with the arrivals `make` builds for the schedule's start.
    func open(workers: Int, stop: StopSignal, notBefore: UInt64 = 0, _ make: (_ start: UInt64) -> OpenLoopArrivals) -> OpenLoopArrivals {
        while ready.load(ordering: .acquiring) < workers && !stop.isSet {
            sleep(nanoseconds: 50_000)
        }
        let made = make(Swift.max(monotonicNanoseconds() &+ Self.lead, notBefore))
        arrivals.withLock { $0 = made }
        opened.store(true, ordering: .releasing)
        return made
    }
}

/// The first error any of several threads reported.
final class FirstFailure: Sendable {
    private let error = Mutex<HarnessError?>(nil)

    func note(_ e: HarnessError) { error.withLock { if $0 == nil { $0 = e } } }

    var first: HarnessError? { error.withLock { $0 } }
}

/// Hands out global episode numbers: the same number always means the same input.
final class EpisodeCounter: Sendable {
    private let value: Atomic<UInt64>

    init() { value = Atomic(0) }

    func next() -> UInt64 { value.add(1, ordering: .relaxed).oldValue }

    var current: UInt64 { value.load(ordering: .relaxed) }
}
