import DequeModule
import Dispatch
import Synchronization

/// The queue between the open-loop dispatcher and the workers: arrivals that are due but not started.
///
/// Bounded by `maxQueue` when set: an arrival that finds the queue full is dropped and counted, never
/// silently skipped. Depth is tracked as the largest number waiting, per phase and per interval.
final class ArrivalQueue: Sendable {
    struct Arrival: Sendable {
        /// Global episode number.
        var episode: UInt64
        /// Monotonic ns at which it was due to start.
        var intended: UInt64
    }

    private struct State {
        var items = Deque<Arrival>()
        var closed = false
        var dropped: UInt64 = 0
        var enqueued: UInt64 = 0
        var maxDepth = 0
        var maxDepthInInterval = 0
    }

    private let state = Mutex(State())
    private let available = DispatchSemaphore(value: 0)
    private let maxQueue: Int?
    private let consumers: Int

    init(maxQueue: Int?, consumers: Int) {
        self.maxQueue = maxQueue
        self.consumers = consumers
    }

    /// Offers an arrival; returns false if it was dropped because the queue was full.
    @discardableResult
    func offer(_ arrival: Arrival) -> Bool {
        let accepted = state.withLock { s -> Bool in
            if let bound = maxQueue, s.items.count >= bound {
                s.dropped += 1
                return false
            }
            s.items.append(arrival)
            s.enqueued += 1
            s.maxDepth = Swift.max(s.maxDepth, s.items.count)
            s.maxDepthInInterval = Swift.max(s.maxDepthInInterval, s.items.count)
            return true
        }
        if accepted { available.signal() }
        return accepted
    }

    /// Blocks until an arrival is available; nil once the queue is closed and empty.
    func take() -> Arrival? {
        available.wait()
        return state.withLock { s in s.items.popFirst() }
    }

    /// No more arrivals will come; wakes every consumer so it can see the end.
    func close() {
        state.withLock { $0.closed = true }
        for _ in 0..<consumers { available.signal() }
    }

    /// Arrivals waiting right now.
    var depth: Int { state.withLock { $0.items.count } }

    /// Largest depth seen since the last call (then reset), for the per-interval time series.
    func takeIntervalMaxDepth() -> Int {
        state.withLock { s in
            let m = Swift.max(s.maxDepthInInterval, s.items.count)
            s.maxDepthInInterval = s.items.count
            return m
        }
    }

    /// Largest depth over the queue's life, arrivals dropped, arrivals accepted.
    var totals: (maxDepth: Int, dropped: UInt64, enqueued: UInt64) {
        state.withLock { ($0.maxDepth, $0.dropped, $0.enqueued) }
    }
}
