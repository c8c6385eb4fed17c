import BenchModel
import Synchronization

/// The arrivals of one open-loop phase, claimed in order by free workers (wrk2's scheme).
///
/// A worker that is free claims the earliest arrival nobody has claimed; if it is not due yet the
/// worker sleeps until it is, so each arrival costs one timer wake-up (a dispatcher thread handing
/// arrivals to workers would cost two). Arrivals that are due while every worker is busy form the
/// queue; its depth is `due − claimed − dropped`. With a bound `maxQueue`, an arrival that finds
/// the queue full is dropped (tail drop) and counted. Because claims only happen when a worker
/// is free, the queue only grows between two claims, so applying the bound at each claim (and at
/// each sample) drops exactly the arrivals a real bounded queue would have refused.
final class OpenLoopArrivals: Sendable {
    struct Claim {
        var index: Int
        /// Monotonic ns at which the arrival is due.
        var due: UInt64
    }

    private struct State {
        /// Next index to claim.
        var next = 0
        /// Due offsets for claims, and a second cursor on the same stream for counting what is due:
        /// two O(1) iterators instead of a stored list, so a 2-hour phase costs no memory.
        var claims: ArrivalStream
        var dues: ArrivalStream
        /// Offset of the first arrival not yet counted as due (nil: all counted).
        var nextDue: Double?
        /// Dropped index ranges at or after `next`, in order.
        var dropped: [Range<Int>] = []
        var droppedPending = 0
        var droppedTotal = 0
        /// Arrivals due at the last bookkeeping point.
        var lastDue = 0
        var maxDepth = 0
        var maxDepthInInterval = 0
    }

    let schedule: ArrivalSchedule
    let start: UInt64
    let maxQueue: Int?
    private let total: Int
    private let state: Mutex<State>

    init(schedule: ArrivalSchedule, start: UInt64, maxQueue: Int?) {
        self.schedule = schedule
        self.start = start
        self.maxQueue = maxQueue
        self.total = schedule.totalArrivals
        var dues = schedule.makeIterator()
        let first = dues.next()
        state = Mutex(State(claims: schedule.makeIterator(), dues: dues, nextDue: first))
    }

    /// Claims the next arrival, or nil when the schedule is exhausted.
    func claim(now: UInt64) -> Claim? {
        state.withLock { s in
            let depth = account(&s, now: now)
            s.maxDepth = Swift.max(s.maxDepth, depth)
            s.maxDepthInInterval = Swift.max(s.maxDepthInInterval, depth)
            while let first = s.dropped.first, first.lowerBound == s.next {
                s.next = first.upperBound
                s.droppedPending -= first.count
                s.dropped.removeFirst()
            }
            guard s.next < total else { return nil }
            s.claims.skip(to: s.next)
            guard let offset = s.claims.next() else { return nil }
            let claim = Claim(index: s.next, due: start &+ UInt64(offset * 1e9))
            s.next += 1
            return claim
        }
    }

    /// Brings the due count up to `now`, dropping what overflows the bound; returns the queue depth.
    private func account(_ s: inout State, now: UInt64) -> Int {
        var due = s.lastDue
        if schedule.burst > 0 {
            due = total
        } else if now > start {
            let t = Double(now &- start) / 1e9
            while let offset = s.nextDue, offset <= t {
                due += 1
                s.nextDue = s.dues.next()
            }
        }
        if due > s.lastDue {
            if let bound = maxQueue {
                let kept = Swift.max(0, s.lastDue - s.next - s.droppedPending)
                let keepFromNew = Swift.max(0, bound - kept)
                let firstDropped = s.lastDue + keepFromNew
                if firstDropped < due {
                    s.dropped.append(firstDropped..<due)
                    s.droppedPending += due - firstDropped
                    s.droppedTotal += due - firstDropped
                }
            }
            s.lastDue = due
        }
        return Swift.max(0, s.lastDue - s.next - s.droppedPending)
    }

    /// For the sampler: the largest depth since the last call, the arrivals due so far, the drops so far.
    func sample(now: UInt64) -> (maxDepth: Int, due: Int, dropped: Int) {
        state.withLock { s in
            let depth = account(&s, now: now)
            let m = Swift.max(s.maxDepthInInterval, depth)
            s.maxDepthInInterval = depth
            return (m, s.lastDue, s.droppedTotal)
        }
    }

    /// At the end of the phase: largest depth, drops, arrivals due but never started (a stop), and
    /// arrivals due in all.
    func finish(now: UInt64) -> (maxDepth: Int, dropped: Int, abandoned: Int, due: Int) {
        state.withLock { s in
            let depth = account(&s, now: now)
            return (Swift.max(s.maxDepth, depth), s.droppedTotal, depth, s.lastDue)
        }
    }
}
