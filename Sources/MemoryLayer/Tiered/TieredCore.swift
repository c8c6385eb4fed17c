/// Where a state is, packed in 8 bytes (one per state id, resident).
struct Location: Equatable {
    enum Tier: UInt64 {
        case absent = 0, hot = 1, warm = 2, cold = 3, deleted = 4
    }

    var raw: UInt64

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

/// Counters behind ``MemoryLayerStats``.
struct TierCounters {
    var stored: UInt64 = 0
    var live: UInt64 = 0
    var deleted: UInt64 = 0
    var logicalBytes: UInt64 = 0
    var warm: UInt64 = 0
    var cold: UInt64 = 0
    var recordBytes: UInt64 = 0
    var coldDead: UInt64 = 0
    var coldBytesWritten: UInt64 = 0
    var coldRecordsWritten: UInt64 = 0
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
struct TieredCore {
    /// Logical time: states stored so far.
    var clock: UInt64 = 0
    var nextSweep: UInt64
    /// By state id.
    var locations: [Location] = []
    /// By state id: the content slot of its embedding.
    var slotOfID: [UInt32] = []
    var hot = LRUList<HotEntry>()
    var hotHeapBytes = 0
    /// Hot states being written to the warm tier; still served from here until that commits.
    var inFlight: [UInt64: HotEntry] = [:]
    var index: EmbeddingIndex
    /// By slot.
    var refcounts: [UInt32] = []
    /// By slot: packed payload bytes in the warm database.
    var storedSizes: [UInt32] = []
    /// By slot: one state using it (UInt64.max: none); the rest of a shared slot's states are in `moreOwners`.
    var owners: [UInt64] = []
    var moreOwners: [UInt32: [UInt64]] = [:]
    var bloom: ScalableBloomFilter
    var pending: [ContentDigest: PendingContent] = [:]
    var pendingBytes = 0
    var dirtyRefcounts: Set<UInt32> = []
    var coldReads: [UInt64: UInt8] = [:]
    /// Reads of warm states not yet written to the database: reads since, and last access.
    var warmTouches: [UInt64: WarmTouch] = [:]
    var corruptIDs: Set<UInt64> = []
    /// Why the last write of hot states to the warm tier failed; cleared by the next that succeeds.
    var maintenanceError: MemoryLayerError?
    var counters = TierCounters()

    init(configuration c: MemoryConfiguration) {
        nextSweep = c.sweepIntervalEpisodes
        index = EmbeddingIndex(encoding: c.indexEncoding, dimension: c.dimension)
        bloom = ScalableBloomFilter(targetFalsePositiveRate: c.bloomFalsePositiveRate)
    }

    /// Adds a new content and returns its slot.
    mutating func addContent(_ digest: ContentDigest, index q: QuantizedVector, stored: [UInt8], logical: Int) -> UInt32 {
        let slot = index.append(q)
        refcounts.append(0)
        storedSizes.append(UInt32(stored.count))
        owners.append(.max)
        bloom.insert(digest)
        pending[digest] = PendingContent(slot: slot, stored: stored)
        pendingBytes += 32 + stored.capacity
        counters.uniqueLive += 1
        counters.contentStoredBytes += UInt64(stored.count)
        counters.contentLogicalBytes += UInt64(logical)
        return slot
    }

    /// Registers a new hot state using `slot` and returns its id.
    mutating func addState(record: [UInt8], slot: UInt32, payload: [UInt8]) -> UInt64 {
        let id = UInt64(locations.count)
        locations.append(.hot)
        slotOfID.append(slot)
        refcounts[Int(slot)] += 1
        dirtyRefcounts.insert(slot)
        if owners[Int(slot)] == .max { owners[Int(slot)] = id } else { moreOwners[slot, default: []].append(id) }
        let entry = HotEntry(record: record, slot: slot, payload: payload, lastAccess: clock)
        hotHeapBytes += entry.heapBytes
        hot.insert(id, entry)
        clock += 1
        counters.stored += 1
        counters.live += 1
        return id
    }

    /// Forgets state `id` (already removed from its tier) and drops its content's reference.
    mutating func release(_ id: UInt64) {
        locations[Int(id)] = .deleted
        let slot = slotOfID[Int(id)]
        refcounts[Int(slot)] -= 1
        dirtyRefcounts.insert(slot)
        if owners[Int(slot)] == id {
            owners[Int(slot)] = moreOwners[slot]?.popLast() ?? .max
        } else if var more = moreOwners[slot], let i = more.firstIndex(of: id) {
            more.remove(at: i)
            moreOwners[slot] = more
        }
        if moreOwners[slot]?.isEmpty == true { moreOwners[slot] = nil }
        if refcounts[Int(slot)] == 0 {
            counters.uniqueLive -= 1
            counters.contentStoredBytes -= UInt64(storedSizes[Int(slot)])
        }
        coldReads[id] = nil
        warmTouches[id] = nil
        counters.live -= 1
        counters.deleted += 1
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
