/// A workload that runs a phase's load on threads of its own — an HTTP client on event loops, many
/// requests in flight per thread, as wrk does it — instead of one harness worker thread per episode in
/// flight. The harness keeps everything that makes the measurement: the schedule (which arrival is due
/// when, the queue bound, drops), episode numbers, the stop, and the recording (latency from the
/// intended start, so coordinated omission stays corrected). The workload owns only the I/O.
///
/// ``Workload/makeWorker(id:)`` is never called for such a workload.
public protocol LoadDrivingWorkload: Workload {
    /// Runs one phase: claims episodes from `phase` until it returns nil, starts each when it is due,
    /// records each when it completes, and returns once every claimed episode is recorded. Called on
    /// a harness thread, which it blocks.
    /// - Returns: nanoseconds spent busy-waiting for arrivals to fall due (the spin window's CPU).
    /// - Throws: a failure of the driver itself (not of an episode, which is recorded as failed).
    func drive(_ phase: DrivenPhase) throws -> UInt64
}

/// One episode to start.
public struct EpisodeClaim: Sendable {
    /// The global episode number (the same number always means the same input).
    public var episode: UInt64
    /// Monotonic ns at which it is due: its intended start. In closed loop, the moment it was claimed.
    public var due: UInt64
    /// Its index in the open-loop schedule; −1 in closed loop.
    public var arrival: Int

    public init(episode: UInt64, due: UInt64, arrival: Int) {
        self.episode = episode
        self.due = due
        self.arrival = arrival
    }
}

/// What the harness hands a ``LoadDrivingWorkload`` for one phase.
public struct DrivenPhase: Sendable {
    /// Episodes in flight at most: the phase's workers (open loop) or concurrency level (closed loop).
    public let lanes: Int
    /// Open loop: episodes start when due and lateness is measured. Closed loop: back to back.
    public let open: Bool
    /// Open loop: how long before an arrival is due to stop sleeping and busy-wait the rest.
    public let spinWindow: UInt64
    private let claimNext: @Sendable (_ now: UInt64) -> EpisodeClaim?
    private let makeRecorderOnThread: @Sendable (_ thread: Int) -> any EpisodeRecorder
    private let stopped: @Sendable () -> Bool

    public init(lanes: Int, open: Bool, spinWindow: UInt64,
                claim: @escaping @Sendable (_ now: UInt64) -> EpisodeClaim?,
                makeRecorder: @escaping @Sendable (_ thread: Int) -> any EpisodeRecorder,
                stopped: @escaping @Sendable () -> Bool) {
        self.lanes = lanes
        self.open = open
        self.spinWindow = spinWindow
        self.claimNext = claim
        self.makeRecorderOnThread = makeRecorder
        self.stopped = stopped
    }

    /// The next episode to start, or nil when the phase is over (its schedule exhausted, its time up,
    /// or the run stopped). Safe from any thread; claims come in schedule order.
    public func claim(now: UInt64) -> EpisodeClaim? { claimNext(now) }

    /// A recorder for the driver's thread number `thread` (0-based): call it on that thread, once,
    /// and use it only there (it reads that thread's allocation counter).
    public func makeRecorder(thread: Int) -> any EpisodeRecorder { makeRecorderOnThread(thread) }

    /// Whether the run was interrupted: stop waiting for arrivals (episodes in flight still complete).
    public var isStopped: Bool { stopped() }
}

/// Where a driving workload records its episodes; owned by one of its threads.
public protocol EpisodeRecorder: AnyObject {
    /// Empty timings of the workload's shape (stages, samples), for the driver to fill per episode.
    func makeTimings() -> StageTimings
    /// Records one finished episode: `begin` is when it actually started (its request was sent),
    /// `end` when it completed; `failure` is nil for a success.
    func record(_ timings: borrowing StageTimings, claim: EpisodeClaim, begin: UInt64, end: UInt64, failure: (any Error)?)
    /// The thread is done with this phase (flushes its allocator counters).
    func finish()
}

/// The ``Workload/Worker`` of a ``LoadDrivingWorkload``, which has none: uninhabited.
public enum NoWorker: WorkloadWorker {
    public mutating func runEpisode(_ episode: UInt64, timings: inout StageTimings) throws {
        switch self {}
    }
}

/// A driving workload was asked for a worker thread's state, which it does not have.
public struct NoWorkerError: Error, CustomStringConvertible {
    public var description: String { "this workload drives its own load; the harness asked it for a worker thread" }
}

extension LoadDrivingWorkload where Worker == NoWorker {
    public func makeWorker(id: Int) throws -> NoWorker { throw NoWorkerError() }
}
