/// Where a state is, packed in 8 bytes (one per state id, resident).
struct Location: Equatable {
    enum Tier: UInt64 {
        case absent = 0, hot = 1, warm = 2, cold = 3, deleted = 4
    }

    var raw: UInt64

    static let absent = Location(raw: Tier.absent.rawValue << 60)
    static let hot = Location(raw: Tier.hot.rawValue << 60)
    static let warm = Location(raw: Tier.warm.rawValue << 60)
    static let deleted = Location(raw: Tier.deleted.rawValue << 60)

    static func cold(_ a: ColdAddress) -> Location {
        precondition(a.segment < 1 << 20, "more than a million cold segments")
        return Location(raw: Tier.cold.rawValue << 60 | UInt64(a.segment) << 40 | UInt64(a.offset) << 8 | UInt64(a.index))
    }

    var tier: Tier { Tier(rawValue: raw >> 60) ?? .absent }

    var coldAddress: ColdAddress {
        ColdAddress(segment: UInt32((raw >> 40) & 0xF_FFFF), offset: UInt32(truncatingIfNeeded: raw >> 8),
                    index: UInt8(truncatingIfNeeded: raw))
    }
}

/// Reads of one warm state since its row was last updated.
struct WarmTouch: Equatable {
    var reads: Int
    var lastAccess: UInt64
}

/// A content not yet written to the warm database.
struct PendingContent {
    var slot: UInt32
    var stored: [UInt8]
}

/// Cold records of one segment file: written, still live, and the file's bytes.
struct SegmentUsage: Equatable {
    var records = 0
    var live = 0
    var bytes: UInt64 = 0
}

/// Counters behind ``MemoryLayerStats``.
struct TierCounters {
    var stored: UInt64 = 0
    var live: UInt64 = 0
    var deleted: UInt64 = 0
    /// States deleted because a store made live states exceed the retention.
    var evicted: UInt64 = 0
    var logicalBytes: UInt64 = 0
    var warm: UInt64 = 0
    var cold: UInt64 = 0
    var recordBytes: UInt64 = 0
    var coldDead: UInt64 = 0
    var coldBytesWritten: UInt64 = 0
    var coldRecordsWritten: UInt64 = 0
    /// Bytes of cold segment files removed because every record in them was dead.
    var coldBytesReclaimed: UInt64 = 0
    var segmentsRemoved: UInt64 = 0
    var hotToWarm: UInt64 = 0
    var warmToCold: UInt64 = 0
    var coldToWarm: UInt64 = 0
    var warmToHot: UInt64 = 0
    var uniqueLive: UInt64 = 0
    var dedupHits: UInt64 = 0
    var contentLogicalBytes: UInt64 = 0
    var contentStoredBytes: UInt64 = 0
    var bloomQueries: UInt64 = 0
    var bloomNegatives: UInt64 = 0
    var bloomFalsePositives: UInt64 = 0
    var bloomRebuilds: UInt64 = 0
    var quantMaxAbs: Float = 0
    var quantMaxRelative: Float = 0
    var quantSumSquares: Double = 0
    var quantElements: UInt64 = 0
    var corruptReads: UInt64 = 0
    var truncatedReads: UInt64 = 0
    var warmDamaged: UInt64 = 0
    var diskFull: UInt64 = 0
    var ioErrors: UInt64 = 0
    var refusedStores: UInt64 = 0
    var lastError: String?
}

/// Everything the store keeps in memory about its states, behind one Mutex.
///
/// Deleting a state (``remove(_:)``, for ``MemoryStore/delete(_:)`` and for retention alike) happens
/// here, under the lock, at once: the state reads as gone from then on. What it leaves on disk is
/// cleaned up by the next maintenance pass (its warm row) or never read again (its cold record,
/// until the whole segment is dead and removed). A content slot no state uses is reused by a new
/// content once its warm row is deleted, so per-state and per-content memory stays bounded by the
/// most states ever live at once.
struct TieredCore {
    /// Logical time: states stored so far.
    var clock: UInt64 = 0
    var nextSweep: UInt64
    /// Most live states (nil: unlimited).
    let retention: Int?
    /// By state id: location and content slot.
    var table = StateTable()
    var hot = LRUList<HotEntry>()
    var hotHeapBytes = 0
    /// Hot states being written to the warm tier; still served from here until that commits.
    var inFlight: [UInt64: HotEntry] = [:]
    var index: EmbeddingIndex
    /// By slot.
    var refcounts: [UInt32] = []
    /// By slot: packed payload bytes in the warm database.
    var storedSizes: [UInt32] = []
    /// By slot: one state using it (UInt64.max: none); the rest of a shared slot's states are in
    /// `moreOwners`, ascending (a slice, so dropping the oldest is O(1)).
    var owners: [UInt64] = []
    var moreOwners: [UInt32: ArraySlice<UInt64>] = [:]
    /// Slots no state uses and whose content row is gone from the warm database: reused first.
    var freeSlots: [UInt32] = []
    var bloom: ScalableBloomFilter
    private let bloomFalsePositiveRate: Double
    /// By slot, with retention only: the Bloom key of its content, to rebuild the filter from live contents.
    var bloomKeys: [BloomKey]?
    var pending: [ContentDigest: PendingContent] = [:]
    var pendingBytes = 0
    var dirtyRefcounts: Set<UInt32> = []
    var coldReads: [UInt64: UInt8] = [:]
    /// Reads of warm states not yet written to the database: reads since, and last access.
    var warmTouches: [UInt64: WarmTouch] = [:]
    /// Deleted states whose warm rows the next maintenance pass removes, in deletion order.
    var warmDeletions: [UInt64] = []
    /// By cold segment number.
    var segments: [UInt32: SegmentUsage] = [:]
    var corruptIDs: Set<UInt64> = []
    /// Why the last write of hot states to the warm tier failed; cleared by the next that succeeds.
    var maintenanceError: MemoryLayerError?
    var counters = TierCounters()

    init(configuration c: MemoryConfiguration) {
        nextSweep = c.sweepIntervalEpisodes
        retention = c.retention
        index = EmbeddingIndex(encoding: c.indexEncoding, dimension: c.dimension)
        bloom = ScalableBloomFilter(targetFalsePositiveRate: c.bloomFalsePositiveRate)
        bloomFalsePositiveRate = c.bloomFalsePositiveRate
        bloomKeys = c.retention == nil ? nil : []
    }

    /// Adds a new content, in a free slot if there is one, and returns its slot.
    mutating func addContent(_ digest: ContentDigest, index q: QuantizedVector, stored: [UInt8], logical: Int) -> UInt32 {
        let slot: UInt32
        if let s = freeSlots.popLast() {
            slot = s
            index.overwrite(s, with: q)
            refcounts[Int(s)] = 0
            storedSizes[Int(s)] = UInt32(stored.count)
            owners[Int(s)] = .max
            bloomKeys?[Int(s)] = BloomKey(digest)
        } else {
            slot = index.append(q)
            refcounts.append(0)
            storedSizes.append(UInt32(stored.count))
            owners.append(.max)
            bloomKeys?.append(BloomKey(digest))
        }
        rebuildBloomIfStale()
        bloom.insert(digest)
        // A pending content of this digest whose states were all deleted is replaced (its slot is freed at the next flush).
        if let replaced = pending.updateValue(PendingContent(slot: slot, stored: stored), forKey: digest) {
            pendingBytes -= 32 + replaced.stored.capacity
        }
        pendingBytes += 32 + stored.capacity
        counters.uniqueLive += 1
        counters.contentStoredBytes += UInt64(stored.count)
        counters.contentLogicalBytes += UInt64(logical)
        return slot
    }

    /// Registers a new hot state using `slot` and returns its id; then deletes the oldest states
    /// while live states exceed the retention.
    mutating func addState(record: [UInt8], slot: UInt32, payload: [UInt8]) -> UInt64 {
        let id = table.append(slot: slot)
        refcounts[Int(slot)] += 1
        dirtyRefcounts.insert(slot)
        if owners[Int(slot)] == .max { owners[Int(slot)] = id } else { moreOwners[slot, default: []].append(id) }
        let entry = HotEntry(record: record, slot: slot, payload: payload, lastAccess: clock)
        hotHeapBytes += entry.heapBytes
        hot.insert(id, entry)
        clock += 1
        counters.stored += 1
        counters.live += 1
        if let limit = retention {
            while counters.live > UInt64(limit), let oldest = table.oldestLive() {
                remove(oldest)
                counters.evicted += 1
            }
        }
        table.compactIfDue()
        return id
    }

    /// Deletes state `id` from whichever tier holds it. Returns whether it was live.
    @discardableResult
    mutating func remove(_ id: UInt64) -> Bool {
        let location = table.location(id)
        switch location.tier {
        case .absent, .deleted:
            return false
        case .hot:
            // Being written to the warm tier: the write's row is deleted when it commits (an orphan).
            if let e = hot.remove(id) { hotHeapBytes -= e.heapBytes } else { inFlight[id] = nil }
        case .warm:
            counters.warm -= 1
            warmDeletions.append(id)
        case .cold:
            // Segments are append-only: the record stays as dead space until its segment is removed.
            counters.cold -= 1
            counters.coldDead += 1
            segments[location.coldAddress.segment]?.live -= 1
        }
        release(id)
        return true
    }

    /// Forgets state `id` (already removed from its tier) and drops its content's reference.
    private mutating func release(_ id: UInt64) {
        table.set(.deleted, of: id)
        let slot = table.slot(id)
        refcounts[Int(slot)] -= 1
        dirtyRefcounts.insert(slot)
        if owners[Int(slot)] == id {
            owners[Int(slot)] = moreOwners[slot]?.popLast() ?? .max
        } else if let more = moreOwners[slot] {
            // `more` is ascending (ids are appended as stored; only its newest ever becomes the owner),
            // so the oldest sharer, the one retention deletes, goes in O(1), in place.
            var lo = more.startIndex, hi = more.endIndex
            while lo < hi {
                let mid = (lo + hi) / 2
                if more[mid] < id { lo = mid + 1 } else { hi = mid }
            }
            if lo < more.endIndex && more[lo] == id {
                if lo == more.startIndex { moreOwners[slot]?.removeFirst() } else { moreOwners[slot]?.remove(at: lo) }
            }
        }
        if moreOwners[slot]?.isEmpty == true { moreOwners[slot] = nil }
        if refcounts[Int(slot)] == 0 {
            index.setLive(slot, false)
            counters.uniqueLive -= 1
            counters.contentStoredBytes -= UInt64(storedSizes[Int(slot)])
        }
        coldReads[id] = nil
        warmTouches[id] = nil
        counters.live -= 1
        counters.deleted += 1
    }

    /// With retention, replaces a full Bloom filter that holds mostly deleted contents by one of
    /// the live contents, sized for twice as many: O(live) once per at least that many new
    /// contents, so O(1) per store amortised, and the filter's size follows the live contents.
    private mutating func rebuildBloomIfStale() {
        guard let keys = bloomKeys, bloom.isFull, bloom.count >= 2 * Int(counters.uniqueLive) else { return }
        var fresh = ScalableBloomFilter(initialCapacity: 2 * max(Int(counters.uniqueLive), 512),
                                        targetFalsePositiveRate: bloomFalsePositiveRate)
        for (slot, key) in keys.enumerated() where refcounts[slot] > 0 { fresh.insert(key) }
        bloom = fresh
        counters.bloomRebuilds += 1
    }

    /// States using `slot`, newest first.
    func states(using slot: UInt32) -> [UInt64] {
        let first = owners[Int(slot)]
        guard first != .max else { return [] }
        guard let more = moreOwners[slot] else { return [first] }
        return ([first] + more).sorted(by: >)
    }

    var hotCount: Int { hot.count + inFlight.count }

    mutating func note(_ error: MemoryLayerError) {
        counters.lastError = error.description
        switch error {
        case .corrupt(let id, _, _):
            counters.corruptReads += 1
            corruptIDs.insert(id)
        case .truncatedSegment(_, _):
            counters.truncatedReads += 1
        case .warmTierDamaged(_, _):
            counters.warmDamaged += 1
        case .diskFull(_):
            counters.diskFull += 1
        case .io(_, _):
            counters.ioErrors += 1
        case .dimensionMismatch(_, _), .invalidState(_):
            break
        }
    }
}
