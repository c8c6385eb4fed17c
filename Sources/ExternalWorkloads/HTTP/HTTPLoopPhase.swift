import BenchModel
import CPause
import NIOCore

/// One event loop's share of a phase: its lanes claim episodes from the harness's schedule, wait on
/// the loop for each to fall due (a timer, then the spin window), send it, and record the response.
/// Lives on its loop; touched only there.
final class HTTPLoopPhase {
    let phase: DrivenPhase
    let loop: any EventLoop
    private let workload: HTTPWorkload
    private let recorder: any EpisodeRecorder
    private var timings: StageTimings
    private let lanes: [HTTPLane]
    private var active: Int
    private var spun: UInt64 = 0
    let done: EventLoopPromise<UInt64>
    /// How often lanes are checked for a request past its timeout.
    private let sweepInterval: UInt64
    private var sweep: Scheduled<Void>?

    init(_ phase: DrivenPhase, thread: Int, loop: any EventLoop, workload: HTTPWorkload, lanes: [HTTPLane]) {
        self.phase = phase
        self.loop = loop
        self.workload = workload
        self.lanes = lanes
        recorder = phase.makeRecorder(thread: thread)
        timings = recorder.makeTimings()
        active = lanes.count
        done = loop.makePromise(of: UInt64.self)
        sweepInterval = Swift.max(1_000_000, Swift.min(workload.endpoint.timeout / 4, 100_000_000))
    }

    func start() {
        for lane in lanes {
            lane.phase = self
            next(lane)
        }
        scheduleSweep()
    }

    /// A free lane takes the next episode: now in closed loop or when it is already due; else it waits.
    private func next(_ lane: HTTPLane) {
        let now = monotonicNanoseconds()
        guard let claim = phase.claim(now: now) else {
            finished(lane)
            return
        }
        if phase.open && claim.due > now { wait(lane, for: claim) } else { lane.send(claim, begin: now) }
    }

    /// Sleeps on the loop's timer until the spin window before `claim` is due (in steps of at most
    /// 20 ms, so a stop is seen), then busy-waits the rest and sends. While it spins the loop reads
    /// nothing, which is why the window is the harness's small default.
    private func wait(_ lane: HTTPLane, for claim: EpisodeClaim) {
        var now = monotonicNanoseconds()
        if phase.isStopped {
            finished(lane)
            return
        }
        let wake = claim.due &- Swift.min(phase.spinWindow, claim.due)
        if now < wake {
            let delay = Swift.min(wake &- now, 20_000_000)
            loop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(delay))) { [self] in wait(lane, for: claim) }
            return
        }
        let from = now
        while now < claim.due {
            phibench_cpu_relax()
            now = monotonicNanoseconds()
        }
        spun &+= now &- from
        lane.send(claim, begin: now)
    }

    /// A lane's request is over: record it (the workload turns status and Server-Timing into the
    /// episode's stages or its failure), then the lane takes the next episode.
    func completed(_ lane: HTTPLane, claim: EpisodeClaim, end: UInt64, status: Int, serverTiming: [String], failure: HTTPFailure?) {
        timings.reset()
        let error = workload.evaluate(claim.episode, status: status, serverTiming: serverTiming,
                                      elapsed: end &- Swift.min(lane.begin, end), failure: failure, timings: &timings)
        recorder.record(timings, claim: claim, begin: lane.begin, end: end, failure: error)
        if lane.phase === self { next(lane) }
    }

    private func finished(_ lane: HTTPLane) {
        lane.phase = nil
        active -= 1
        if active == 0 {
            sweep?.cancel()
            sweep = nil
            recorder.finish()
            done.succeed(spun)
        }
    }

    /// Fails requests past the timeout, every `sweepInterval` while the phase runs.
    private func scheduleSweep() {
        sweep = loop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(sweepInterval))) { [self] in
            guard active > 0 else { return }
            let now = monotonicNanoseconds()
            for lane in lanes where lane.claim != nil && now &- lane.begin > workload.endpoint.timeout {
                lane.timeOut()
            }
            scheduleSweep()
        }
    }
}
