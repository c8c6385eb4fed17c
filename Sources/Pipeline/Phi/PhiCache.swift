import BenchModel
import Synchronization

/// The Φ results cache: least-recently-used, keyed by a 64-bit hash of the binarised state and the
/// node set, shared by every worker behind a mutex. Computing a missed value happens outside the
/// lock; two workers missing the same key at once both compute it and the second insert wins.
public final class PhiCache: Sendable {
    /// Maximum entries (0: nothing is cached and every lookup is a miss).
    public let capacity: Int
    private let table: Mutex<LRUTable>

    public init(capacity: Int) {
        self.capacity = capacity
        table = Mutex(LRUTable(capacity: capacity))
    }

    /// The cached value for `key`, marking it most recently used; counts a hit or a miss.
    public func lookup(_ key: UInt64) -> Double? {
        table.withLock { $0.get(key) }
    }

    /// Stores `value` under `key` as the most recently used entry, evicting the least recently
    /// used one when full.
    public func insert(_ key: UInt64, _ value: Double) {
        table.withLock { $0.put(key, value) }
    }

    /// Hits, misses and evictions since creation.
    public var statistics: PhiStats {
        table.withLock { PhiStats(hits: $0.hits, misses: $0.misses, evictions: $0.evictions) }
    }

    /// Entries held.
    public var count: Int { table.withLock { $0.count } }

    /// Cached keys, most recently used first (for inspection and tests; allocates).
    public func keysByRecency() -> [UInt64] {
        table.withLock { t in
            var keys: [UInt64] = []
            var slot = t.head
            while slot >= 0 {
                keys.append(t.keys[Int(slot)])
                slot = t.next[Int(slot)]
            }
            return keys
        }
    }
}

/// An LRU map from UInt64 to Double: a dictionary from key to slot plus a doubly linked recency
/// list threaded through parallel arrays, so steady-state operations allocate nothing.
struct LRUTable {
    let capacity: Int
    private var index: [UInt64: Int32]
    private(set) var keys: [UInt64] = []
    private var values: [Double] = []
    private var prev: [Int32] = []
    private(set) var next: [Int32] = []
    /// Most and least recently used slots, -1 when empty.
    private(set) var head: Int32 = -1
    private var tail: Int32 = -1
    private(set) var hits: UInt64 = 0
    private(set) var misses: UInt64 = 0
    private(set) var evictions: UInt64 = 0

    init(capacity: Int) {
        self.capacity = capacity
        index = Dictionary(minimumCapacity: capacity)
        let initial = min(capacity, 1 << 16)
        keys.reserveCapacity(initial)
        values.reserveCapacity(initial)
        prev.reserveCapacity(initial)
        next.reserveCapacity(initial)
    }

    var count: Int { keys.count }

    mutating func get(_ key: UInt64) -> Double? {
        guard let slot = index[key] else {
            misses += 1
            return nil
        }
        hits += 1
        moveToFront(slot)
        return values[Int(slot)]
    }

    mutating func put(_ key: UInt64, _ value: Double) {
        guard capacity > 0 else { return }
        if let slot = index[key] {
            values[Int(slot)] = value
            moveToFront(slot)
            return
        }
        let slot: Int32
        if keys.count < capacity {
            slot = Int32(keys.count)
            keys.append(key)
            values.append(value)
            prev.append(-1)
            next.append(-1)
        } else {
            slot = tail
            unlink(slot)
            index[keys[Int(slot)]] = nil
            evictions += 1
            keys[Int(slot)] = key
            values[Int(slot)] = value
        }
        index[key] = slot
        pushFront(slot)
    }

    private mutating func moveToFront(_ slot: Int32) {
        guard slot != head else { return }
        unlink(slot)
        pushFront(slot)
    }

    private mutating func unlink(_ slot: Int32) {
        let p = prev[Int(slot)], n = next[Int(slot)]
        if p >= 0 { next[Int(p)] = n } else { head = n }
        if n >= 0 { prev[Int(n)] = p } else { tail = p }
        prev[Int(slot)] = -1
        next[Int(slot)] = -1
    }

    private mutating func pushFront(_ slot: Int32) {
        prev[Int(slot)] = -1
        next[Int(slot)] = head
        if head >= 0 { prev[Int(head)] = slot }
        head = slot
        if tail < 0 { tail = slot }
    }
}
