import BenchModel
import Synchronization

/// The Φ results cache: least-recently-used, keyed by a 64-bit hash of the binarised state and the
/// node set, shared by every worker behind a mutex. Computing a missed value happens outside the
/// lock; two workers missing the same key at once both compute it and the second insert wins.
package final class PhiCache: Sendable {
    /// Maximum entries (0: nothing is cached and every lookup is a miss).
    package let capacity: Int
    private let table: Mutex<LRUTable>

    package init(capacity: Int) {
        self.capacity = capacity
        table = Mutex(LRUTable(capacity: capacity))
    }

    /// The cached value for `key`, marking it most recently used; counts a hit or a miss.
    package func lookup(_ key: UInt64) -> Double? {
        table.withLock { $0.get(key) }
    }

    /// Stores `value` under `key` as the most recently used entry, evicting the least recently
    /// used one when full.
    package func insert(_ key: UInt64, _ value: Double) {
        table.withLock { $0.put(key, value) }
    }

    /// Hits, misses and evictions since creation.
    package var statistics: PhiStats {
        table.withLock { PhiStats(hits: $0.hits, misses: $0.misses, evictions: $0.evictions) }
    }

    /// Entries held.
    package var count: Int { table.withLock { $0.count } }

    /// Cached keys, most recently used first (for inspection and tests; allocates).
    package func keysByRecency() -> [UInt64] {
        table.withLock { $0.keysByRecency }
    }
}

/// An LRU map from UInt64 to Double that allocates nothing in steady state and touches few cache
/// lines per operation: entries (key, value and recency links together, 24 bytes) in one array, and
/// an open-addressing index of entry numbers probed linearly from the key's low bits. The keys are
/// already well-mixed 64-bit hashes, so they index the table as they are (no SipHash); deletion
/// shifts later probes back (no tombstones). A hit reads one index slot and one entry, and relinks
/// it at the front: its neighbours' and the old head's links.
struct LRUTable {
    private struct Entry {
        var key: UInt64
        var value: Double
        var prev: Int32
        var next: Int32
    }

    let capacity: Int
    private var entries: [Entry] = []
    /// Entry number + 1 per bucket, 0 when empty; a power of two ≥ 2·capacity buckets.
    private var buckets: [Int32]
    private let mask: Int
    /// Most and least recently used entries, -1 when empty.
    private(set) var head: Int32 = -1
    private var tail: Int32 = -1
    private(set) var hits: UInt64 = 0
    private(set) var misses: UInt64 = 0
    private(set) var evictions: UInt64 = 0

    init(capacity: Int) {
        self.capacity = capacity
        var size = 8
        while size < 2 * capacity { size <<= 1 }
        buckets = [Int32](repeating: 0, count: size)
        mask = size - 1
        entries.reserveCapacity(min(capacity, 1 << 16))
    }

    var count: Int { entries.count }

    /// Keys, most recently used first.
    var keysByRecency: [UInt64] {
        var keys: [UInt64] = []
        var e = head
        while e >= 0 {
            keys.append(entries[Int(e)].key)
            e = entries[Int(e)].next
        }
        return keys
    }

    mutating func get(_ key: UInt64) -> Double? {
        guard let e = find(key).entry else {
            misses += 1
            return nil
        }
        hits += 1
        moveToFront(e)
        return entries[Int(e)].value
    }

    mutating func put(_ key: UInt64, _ value: Double) {
        guard capacity > 0 else { return }
        let (found, bucket) = find(key)
        if let e = found {
            entries[Int(e)].value = value
            moveToFront(e)
            return
        }
        let e: Int32
        if entries.count < capacity {
            e = Int32(entries.count)
            entries.append(Entry(key: key, value: value, prev: -1, next: -1))
            buckets[bucket] = e + 1
        } else {
            e = tail
            unlink(e)
            removeFromIndex(entries[Int(e)].key)
            evictions += 1
            entries[Int(e)].key = key
            entries[Int(e)].value = value
            // The removal may have shifted probes: find the free bucket again.
            buckets[find(key).bucket] = e + 1
        }
        pushFront(e)
    }

    /// The entry holding `key`, or the empty bucket where it would go.
    private func find(_ key: UInt64) -> (entry: Int32?, bucket: Int) {
        var b = Int(truncatingIfNeeded: key) & mask
        while true {
            let slot = buckets[b]
            if slot == 0 { return (nil, b) }
            if entries[Int(slot - 1)].key == key { return (slot - 1, b) }
            b = (b + 1) & mask
        }
    }

    /// Removes `key` from the index, moving later entries of its probe run back (linear probing's
    /// deletion without tombstones).
    private mutating func removeFromIndex(_ key: UInt64) {
        var hole = find(key).bucket
        var b = (hole + 1) & mask
        buckets[hole] = 0
        while buckets[b] != 0 {
            let home = Int(truncatingIfNeeded: entries[Int(buckets[b] - 1)].key) & mask
            // Move it back if its home is not in (hole, b] (cyclically).
            if (b - home) & mask >= (b - hole) & mask {
                buckets[hole] = buckets[b]
                buckets[b] = 0
                hole = b
            }
            b = (b + 1) & mask
        }
    }

    private mutating func moveToFront(_ e: Int32) {
        guard e != head else { return }
        unlink(e)
        pushFront(e)
    }

    private mutating func unlink(_ e: Int32) {
        let p = entries[Int(e)].prev, n = entries[Int(e)].next
        if p >= 0 { entries[Int(p)].next = n } else { head = n }
        if n >= 0 { entries[Int(n)].prev = p } else { tail = p }
        entries[Int(e)].prev = -1
        entries[Int(e)].next = -1
    }

    private mutating func pushFront(_ e: Int32) {
        entries[Int(e)].prev = -1
        entries[Int(e)].next = head
        if head >= 0 { entries[Int(head)].prev = e }
        head = e
        if tail < 0 { tail = e }
    }
}
