/// The knobs that may change while the store runs (the adaptive policy turns them); the rest of
/// ``MemoryConfiguration`` is fixed for the store's life. A change applies to what is encoded or
/// moved from then on; what is already stored keeps its coding (every item says how it was coded).
struct TunableSettings: Sendable, Equatable {
    var payloadEncoding: EmbeddingEncoding
    var record: RecordOptions
    var payloadCodec: MemoryConfiguration.PayloadCodec
    var hotCapacity: Int
    var hotIdleEpisodes: UInt64
    var stagingCapacity: Int
    var temporalCold: Bool

    init(_ c: MemoryConfiguration) {
        payloadEncoding = c.payloadEncoding
        record = c.recordOptions
        payloadCodec = c.payloadCodec
        hotCapacity = c.hotCapacity
        hotIdleEpisodes = c.hotIdleEpisodes
        stagingCapacity = c.stagingCapacity
        temporalCold = c.temporalCold
    }

    /// Hot states beyond which a store waits for maintenance, and refuses if the disk is full.
    var hotHardLimit: Int { hotCapacity + max(64, hotCapacity) }
}

/// A state stored but not yet encoded: held as given (its arrays are shared, not copied) until the
/// write-behind batch it belongs to is encoded.
struct StagedState {
    var id: UInt64
    var state: ConsciousState
    /// Bytes of the state's plain form, as a store counts them.
    var logical: Int
    /// Logical time it was stored at (its first access).
    var at: UInt64
}

/// Reads of one warm state since its row was last updated.
struct WarmTouch: Equatable {
    var reads: Int
    var lastAccess: UInt64
}

/// A content not yet written to the warm database: its payload, uncompressed, shared with the hot
/// entry of the state that brought it (it is LZ4-packed when written).
struct PendingContent {
    var slot: UInt32
    var payload: ArraySlice<UInt8>
}

/// Where the content of a digest is: its slot, and the slot's generation when it took the content
/// (a slot reused since holds another content, so the entry is stale).
struct DigestSlot {
    var slot: UInt32
    var generation: UInt32
}

/// Cold records of one segment file: written, still live, and the file's bytes.
struct SegmentUsage: Equatable {
    var records = 0
    var live = 0
    var bytes: UInt64 = 0
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
    /// Write-behind: states stored but not yet encoded, in id order (ids are dense here; a state
    /// deleted meanwhile stays until its batch is taken, and is skipped). One thread at a time
    /// encodes a prefix of it (`processing`); the entries stay here, readable, until that commits.
    var staging: [StagedState] = []
    var stagingHeapBytes = 0
    var processing = false
    /// Hot states being written to the warm tier; still served from here until that commits.
    var inFlight: [StateKey: HotEntry] = [:]
    var index: EmbeddingIndex
    /// By slot.
    var refcounts: [UInt32] = []
    /// By slot: packed payload bytes in the warm database.
    var storedSizes: [UInt32] = []
    /// By slot: one state using it (UInt64.max: none); the rest of a shared slot's states are in
    /// `moreOwners`, ascending (a slice, so dropping the oldest is O(1)).
    var owners: [UInt64] = []
    var moreOwners: [StateKey: ArraySlice<UInt64>] = [:]
    /// Slots no state uses and whose content row is gone from the warm database: reused first.
    var freeSlots: [UInt32] = []
    var bloom: ScalableBloomFilter
    private let bloomFalsePositiveRate: Double
    /// By slot, with retention only: the Bloom key of its content, to rebuild the filter from live contents.
    var bloomKeys: [BloomKey]?
    /// The content of each digest stored: the exact dedup lookup (the Bloom filter is in front of
    /// it). Entries of contents since deleted are stale, recognised by refcount and generation, and
    /// purged when they are as many as the live ones.
    var digests: [ContentDigest: DigestSlot] = [:]
    var pending: [ContentDigest: PendingContent] = [:]
    var pendingBytes = 0
    /// Slots whose last state went (refcount 0): the next maintenance pass deletes their content rows,
    /// then the slots are free. Refcounts themselves live only here (the database never reads them).
    var deadSlots: Set<UInt32> = []
    var coldReads: [UInt64: UInt8] = [:]
    /// Reads of warm states (kept here, not in the database, while the state is warm): reads, and last access.
    var warmTouches: [StateKey: WarmTouch] = [:]
    /// By warm block: its records whose states are still warm there.
    var warmBlocks: [UInt64: Int] = [:]
    /// The number the next warm block gets.
    var nextWarmBlock: UInt64 = 0
    /// Warm blocks none of whose states are warm any more: the next maintenance pass deletes their rows.
    var warmDeletions: [UInt64] = []
    /// By cold segment number.
    var segments: [UInt32: SegmentUsage] = [:]
    var corruptIDs: Set<UInt64> = []
    /// Why the last write of hot states to the warm tier failed; cleared by the next that succeeds.
    var maintenanceError: MemoryLayerError?
    var counters = TierCounters()
    /// What each compression strategy did.
    var strategies = StrategyTally()
    var settings: TunableSettings
    /// The adaptive policy (nil at fixed levels), when it next looks, and its decisions not yet drained.
    var policy: AdaptivePolicy?
    var nextCheck: UInt64
    var undrainedDecisions: [MemoryDecision] = []

    init(configuration c: MemoryConfiguration) {
        settings = TunableSettings(c)
        policy = c.adaptive.map { AdaptivePolicy(budgetBytes: UInt64($0.budgetBytes), costBudget: $0.costBudget) }
        nextCheck = c.adaptive?.intervalEpisodes ?? .max
        nextSweep = c.sweepIntervalEpisodes
        retention = c.retention
        index = EmbeddingIndex(encoding: c.indexEncoding, dimension: c.dimension)
        bloom = ScalableBloomFilter(targetFalsePositiveRate: c.bloomFalsePositiveRate)
        bloomFalsePositiveRate = c.bloomFalsePositiveRate
        bloomKeys = c.retention == nil ? nil : []
    }

    /// The slot of a live content with `digest`, if one is stored.
    func liveSlot(of digest: ContentDigest) -> UInt32? {
        guard let e = digests[digest], refcounts[Int(e.slot)] > 0, index.generation(of: e.slot) == e.generation else {
            return nil
        }
        return e.slot
    }

    /// Adds a new content, in a free slot if there is one, and returns its slot. Its index row is
    /// quantized from `embedding` straight into the index; `payload` is kept until written to the
    /// warm database, and counted at its raw size until then (``counters`` get the packed size then).
    /// - Parameter maxAbs: max|embedding| over its finite elements, when the caller has it.
    mutating func addContent(_ digest: ContentDigest, embedding: [Float], maxAbs: Float? = nil, payload: ArraySlice<UInt8>,
                             logical: Int) -> UInt32 {
        let slot: UInt32
        let rawSize = UInt32(BlobCodec.headerBytes + payload.count)
        if let s = freeSlots.popLast() {
            slot = s
            embedding.withUnsafeBufferPointer { index.overwrite(s, quantizing: $0, maxAbs: maxAbs) }
            refcounts[Int(s)] = 0
            storedSizes[Int(s)] = rawSize
            owners[Int(s)] = .max
            bloomKeys?[Int(s)] = BloomKey(digest)
        } else {
            slot = embedding.withUnsafeBufferPointer { index.append(quantizing: $0, maxAbs: maxAbs) }
            refcounts.append(0)
            storedSizes.append(rawSize)
            owners.append(.max)
            bloomKeys?.append(BloomKey(digest))
        }
        rebuildBloomIfStale()
        bloom.insert(digest)
        if digests.count >= 2 * max(Int(counters.uniqueLive), 64) { purgeStaleDigests() }
        digests[digest] = DigestSlot(slot: slot, generation: index.generation(of: slot))
        // A pending content of this digest whose states were all deleted is replaced (its slot is freed at the next flush).
        if let replaced = pending.updateValue(PendingContent(slot: slot, payload: payload), forKey: digest) {
            pendingBytes -= 32 + replaced.payload.count
        }
        pendingBytes += 32 + payload.count
        counters.uniqueLive += 1
        counters.contentStoredBytes += UInt64(rawSize)
        counters.contentLogicalBytes += UInt64(logical)
        return slot
    }

    /// Records the packed size of content `slot` once it is written (it was counted raw until then).
    mutating func settleStoredSize(_ slot: UInt32, _ size: UInt32) {
        if refcounts[Int(slot)] > 0 {
            counters.contentStoredBytes = counters.contentStoredBytes &- UInt64(storedSizes[Int(slot)]) &+ UInt64(size)
        }
        storedSizes[Int(slot)] = size
    }

    /// Drops dedup entries of contents no longer live, in place (the map keeps its capacity): O(entries)
    /// once per at least as many new contents, so O(1) per store amortised, and the map holds at most
    /// about twice the live contents.
    private mutating func purgeStaleDigests() {
        var stale: [ContentDigest] = []
        for (d, e) in digests where refcounts[Int(e.slot)] == 0 || index.generation(of: e.slot) != e.generation {
            stale.append(d)
        }
        for d in stale { digests.removeValue(forKey: d) }
    }

    /// Registers a stored state, not yet encoded, and returns its id; then deletes the oldest states
    /// while live states exceed the retention.
    mutating func stage(_ state: ConsciousState, logical: Int) -> UInt64 {
        let id = table.append(.staged, slot: .max)
        staging.append(StagedState(id: id, state: state, logical: logical, at: clock))
        stagingHeapBytes += heapBytes(state)
        clock += 1
        counters.stored += 1
        counters.live += 1
        evictPastRetention()
        table.compactIfDue()
        return id
    }

    /// The staged state `id`, if it is still staged.
    func staged(_ id: UInt64) -> ConsciousState? {
        guard table.location(id).tier == .staged, let first = staging.first?.id, id >= first else { return nil }
        let i = Int(id - first)
        return i < staging.count && staging[i].id == id ? staging[i].state : nil
    }

    /// Drops the staged entries up to `lastID` (their batch was encoded).
    mutating func unstage(through lastID: UInt64) {
        var n = 0
        while n < staging.count && staging[n].id <= lastID {
            stagingHeapBytes -= heapBytes(staging[n].state)
            n += 1
        }
        staging.removeFirst(n)
    }

    /// Makes staged state `id` hot with its encoded entry (whose slot names its content).
    mutating func place(_ id: UInt64, _ entry: HotEntry) {
        let slot = entry.slot
        table.set(.hot, of: id, slot: slot)
        refcounts[Int(slot)] += 1
        if owners[Int(slot)] == .max { owners[Int(slot)] = id } else { moreOwners[StateKey(UInt64(slot)), default: []].append(id) }
        hotHeapBytes += entry.heapBytes
        hot.insert(id, entry)
    }

    /// Deletes the oldest states while live states exceed the retention.
    private mutating func evictPastRetention() {
        guard let limit = retention else { return }
        while counters.live > UInt64(limit), let oldest = table.oldestLive() {
            remove(oldest)
            counters.evicted += 1
        }
    }

    /// Deletes state `id` from whichever tier holds it. Returns whether it was live.
    @discardableResult
    mutating func remove(_ id: UInt64) -> Bool {
        let location = table.location(id)
        switch location.tier {
        case .absent, .deleted:
            return false
        case .staged:
            // Not encoded yet: nothing refers to a content; its batch skips it.
            table.set(.deleted, of: id)
            counters.live -= 1
            counters.deleted += 1
            return true
        case .hot:
            // Being written to the warm tier: the write's row is deleted when it commits (an orphan).
            if let e = hot.remove(id) { hotHeapBytes -= e.heapBytes } else { inFlight[StateKey(id)] = nil }
        case .warm:
            counters.warm -= 1
            leaveWarmBlock(location.warmBlock)
        case .cold:
            // Segments are append-only: the record stays as dead space until its segment is removed.
            counters.cold -= 1
            counters.coldDead += 1
            segments[location.coldAddress.segment]?.live -= 1
        }
        release(id)
        return true
    }

    /// A state left warm block `block` (deleted, promoted or moved to cold): its row goes once none is left.
    mutating func leaveWarmBlock(_ block: UInt64) {
        guard let live = warmBlocks[block] else { return }
        if live > 1 {
            warmBlocks[block] = live - 1
        } else {
            warmBlocks[block] = nil
            warmDeletions.append(block)
        }
    }

    /// Takes the number of a new warm block.
    mutating func takeWarmBlock() -> UInt64 {
        defer { nextWarmBlock += 1 }
        return nextWarmBlock
    }

    /// Forgets state `id` (already removed from its tier) and drops its content's reference.
    private mutating func release(_ id: UInt64) {
        table.set(.deleted, of: id)
        let slot = table.slot(id)
        refcounts[Int(slot)] -= 1
        let key = StateKey(UInt64(slot))
        if owners[Int(slot)] == id {
            owners[Int(slot)] = moreOwners[key]?.popLast() ?? .max
        } else if let more = moreOwners[key] {
            // `more` is ascending (ids are appended as stored; only its newest ever becomes the owner),
            // so the oldest sharer, the one retention deletes, goes in O(1), in place.
            var lo = more.startIndex, hi = more.endIndex
            while lo < hi {
                let mid = (lo + hi) / 2
                if more[mid] < id { lo = mid + 1 } else { hi = mid }
            }
            if lo < more.endIndex && more[lo] == id {
                if lo == more.startIndex { moreOwners[key]?.removeFirst() } else { moreOwners[key]?.remove(at: lo) }
            }
        }
        if moreOwners[key]?.isEmpty == true { moreOwners[key] = nil }
        if refcounts[Int(slot)] == 0 {
            deadSlots.insert(slot)
            index.setLive(slot, false)
            counters.uniqueLive -= 1
            counters.contentStoredBytes -= UInt64(storedSizes[Int(slot)])
        }
        coldReads[id] = nil
        warmTouches[StateKey(id)] = nil
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

    /// States held whole in memory: hot, being demoted, or staged.
    var hotCount: Int { hot.count + inFlight.count + staging.count }

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
