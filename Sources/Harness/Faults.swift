import BenchModel
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Injected faults, compiled for the hot path. They exist so users (and our own tests) can prove
/// the harness sees what it should: a stall must show in open-loop tails, a slow stage in that
/// stage, a leak in the memory slope.
final class FaultInjector: Sendable {
    /// Stop-the-world pauses: when one triggers, every worker waits until it is over before starting
    /// its next episode, like a GC pause or a stuck lock would make the whole system wait.
    struct Stall: Sendable {
        var nanoseconds: UInt64
        var every: UInt64?
        var atNanoseconds: UInt64?
    }

    let stalls: [Stall]
    /// Stage index and extra busy ns for a slow-stage fault.
    let slowStage: (index: Int, nanoseconds: UInt64)?
    /// Stage index and ``busyWork(iterations:)`` iterations for a `work:` fault.
    let workStage: (index: Int, iterations: UInt64)?
    /// Bytes retained per episode.
    let leakBytes: Int

    private let pausedUntil = Atomic<UInt64>(0)
    private let firedAt = Mutex<Set<Int>>([])
    /// Addresses of the leaked blocks (as integers: raw pointers are not `Sendable`).
    private let leaked = Mutex<[UInt]>([])
    private let measureStart = Atomic<UInt64>(0)

    /// Compiles `faults` against the workload's stage names.
    /// - Throws: ``HarnessError/unknownStage(_:known:)`` for a slow stage the workload does not have.
    init(_ faults: [Fault], stageNames: [String]) throws(HarnessError) {
        var stalls: [Stall] = []
        var slow: (Int, UInt64)?
        var work: (Int, UInt64)?
        var leak = 0
        for f in faults {
            switch f {
            case .stall(let d, let every, let at):
                stalls.append(Stall(nanoseconds: UInt64(d * 1e9), every: every, atNanoseconds: at.map { UInt64($0 * 1e9) }))
            case .slow(let stage, let extra):
                guard let i = stageNames.firstIndex(of: stage) else {
                    throw .unknownStage(stage, known: stageNames)
                }
                slow = (i, UInt64(extra * 1e9))
            case .slowWork(let stage, let iterations):
                guard let i = stageNames.firstIndex(of: stage) else {
                    throw .unknownStage(stage, known: stageNames)
                }
                work = (i, iterations)
            case .leak(let bytes):
                leak += bytes
            }
        }
        self.stalls = stalls
        self.slowStage = slow
        self.workStage = work
        self.leakBytes = leak
    }

    /// Whether any fault acts inside episodes (stalls, leak); slow stages act through `StageTimings`.
    var injectsIntoEpisodes: Bool { !stalls.isEmpty || leakBytes > 0 }

    /// Marks the start of the measured part (for `stall at:`); faults stay dormant in warm-up.
    func arm(at start: UInt64) { measureStart.store(start, ordering: .relaxed) }

    /// Waits out a pause another worker's stall has started.
    @inline(__always)
    func waitIfPaused() {
        let until = pausedUntil.load(ordering: .relaxed)
        if until != 0 && until > monotonicNanoseconds() {
            sleep(untilMonotonic: until)
        }
    }

    /// Runs inside episode `episode`'s measured time: stalls that are due, and the leak.
    @inline(__always)
    func inject(episode: UInt64) {
        if !stalls.isEmpty { stallIfDue(episode: episode) }
        if leakBytes > 0 { leak() }
    }

    private func stallIfDue(episode: UInt64) {
        let start = measureStart.load(ordering: .relaxed)
        guard start != 0 else { return }
        let now = monotonicNanoseconds()
        for (i, stall) in stalls.enumerated() {
            var due = false
            if let every = stall.every, every > 0, episode % every == every - 1 {
                due = true
            } else if let at = stall.atNanoseconds, now >= start &+ at {
                due = firedAt.withLock { $0.insert(i).inserted }
            }
            if due {
                let until = now &+ stall.nanoseconds
                pausedUntil.store(until, ordering: .relaxed)
                sleep(untilMonotonic: until)
            }
        }
    }

    private func leak() {
        let p = UnsafeMutableRawPointer.allocate(byteCount: leakBytes, alignment: 16)
        // Touch every page so the leak is resident, not just reserved.
        memset(p, 0xA5, leakBytes)
        leaked.withLock { $0.append(UInt(bitPattern: p)) }
    }

    /// Frees what the leak retained (at the end of a trial, so trials do not compound).
    func releaseLeaks() {
        leaked.withLock { list in
            for address in list { UnsafeMutableRawPointer(bitPattern: address)?.deallocate() }
            list.removeAll()
        }
    }

    deinit { releaseLeaks() }
}
