import BenchModel

/// Phases of a ``LoadDrivingWorkload``: the workload's own threads do the I/O; the schedule, the
/// episode numbers, the stop and the recording stay the harness's, exactly as for worker threads.
extension LoadDriver {
    /// Open loop: the same arrivals, queue bound and drops as ``runOpenLoop(_:end:notBefore:)``; the
    /// schedule starts ``StartGate/lead`` after the call (the driver's threads exist already).
    func runDrivenOpenLoop(_ driving: any LoadDrivingWorkload, _ plan: OpenLoopPlan, end: StopSignal?,
                           notBefore: UInt64) throws(HarnessError) -> Outcome {
        try checkDrivenFaults()
        let schedule = plan.schedule
        let starts = schedule.burst > 0 ? nil : StartSample(arrivals: schedule.totalArrivals)
        let arrivals = OpenLoopArrivals(schedule: schedule, start: Swift.max(monotonicNanoseconds() &+ StartGate.lead, notBefore),
                                        maxQueue: plan.maxQueue)
        live.arrivals.withLock { $0 = arrivals }
        let phase = DrivenPhase(
            lanes: plan.workers, open: true, spinWindow: plan.spinNanoseconds,
            claim: { [stop, episodes] now in
                guard !stop.isSet, !(end?.isSet ?? false), let c = arrivals.claim(now: now) else { return nil }
                return EpisodeClaim(episode: episodes.next(), due: c.due, arrival: c.index)
            },
            makeRecorder: { [self] thread in ThreadEpisodeRecorder(self, thread: thread, open: true, starts: starts) },
            stopped: { [stop] in stop.isSet })
        let spun: UInt64
        do {
            spun = try driving.drive(phase)
        } catch {
            live.arrivals.withLock { $0 = nil }
            throw .workerSetup(worker: 0, reason: "\(error)")
        }
        return finishOpenLoop(plan, arrivals: arrivals, starts: starts, spun: spun)
    }

    /// Closed loop: `concurrency` episodes in flight, back to back, until `deadline` (or `end`).
    func runDrivenClosedLoop(_ driving: any LoadDrivingWorkload, concurrency: Int, start: UInt64, deadline: UInt64,
                             end: StopSignal?) throws(HarnessError) -> Outcome {
        try checkDrivenFaults()
        let phase = DrivenPhase(
            lanes: concurrency, open: false, spinWindow: 0,
            claim: { [stop, episodes] now in
                guard !stop.isSet, now < deadline, !(end?.isSet ?? false) else { return nil }
                return EpisodeClaim(episode: episodes.next(), due: now, arrival: -1)
            },
            makeRecorder: { [self] thread in ThreadEpisodeRecorder(self, thread: thread, open: false, starts: nil) },
            stopped: { [stop] in stop.isSet })
        do {
            _ = try driving.drive(phase)
        } catch {
            throw .workerSetup(worker: 0, reason: "\(error)")
        }
        return Outcome(start: start, end: monotonicNanoseconds(), workers: concurrency, targetRate: nil)
    }

    /// Faults that act inside episodes pause or grow the generator's own threads; on a driver's
    /// event loop a pause would stop every connection at once, which is not the fault the scenario
    /// describes (its service runs elsewhere). Slow stages act through stage bodies, which a driving
    /// workload does not run.
    private func checkDrivenFaults() throws(HarnessError) {
        if faults.injectsIntoEpisodes || faults.slowStage != nil || faults.workStage != nil {
            throw .invalid("inject: faults act inside phibench's own episodes, and this workload's episodes are requests to a service elsewhere; inject faults into the service instead")
        }
    }
}

/// Records a driving workload's episodes from one of its threads into the recorder's stripe for that
/// thread, with the bytes that thread allocated since its previous episode.
final class ThreadEpisodeRecorder<W: Workload>: EpisodeRecorder {
    private let stripe: Recorder.Stripe
    private let allocated: ThreadAllocationCounter?
    private var lastBytes: UInt64
    private let open: Bool
    private let starts: StartSample?
    private let live: LiveState
    private let memory: any MemorySampler
    private let stageCount: Int
    private let sampleCount: Int

    init(_ driver: LoadDriver<W>, thread: Int, open: Bool, starts: StartSample?) {
        stripe = driver.recorder.stripe(for: thread)
        allocated = driver.memory.threadAllocationCounter()
        lastBytes = allocated?.value ?? 0
        self.open = open
        self.starts = starts
        live = driver.live
        memory = driver.memory
        stageCount = driver.recorder.stageCount
        sampleCount = driver.recorder.sampleCount
    }

    func makeTimings() -> StageTimings { StageTimings(stageCount: stageCount, sampleCount: sampleCount) }

    func record(_ timings: borrowing StageTimings, claim: EpisodeClaim, begin: UInt64, end: UInt64, failure: (any Error)?) {
        let now = allocated?.value ?? 0
        let bytes = now &- lastBytes
        lastBytes = now
        stripe.record(timings: timings, intended: claim.due, begin: begin, end: end, open: open, failed: failure != nil,
                      bytesAllocated: bytes)
        if claim.arrival >= 0 { starts?.record(index: claim.arrival, time: begin) }
        if let failure { live.noteFirstError(failure) }
    }

    func finish() { memory.flushThreadCache() }
}
