
extension TieredMemory {
    /// Bytes the layer holds in memory, by structure (all but the metrics store, which has its own
    /// lock), and the bytes of states being demoted. The caller holds `core`.
    static func resident(_ core: borrowing TieredCore) -> (MemoryResidentBreakdown, inFlightBytes: Int) {
        var r = MemoryResidentBreakdown()
        let inFlightBytes = dictionaryBytes(core.inFlight.capacity, entry: 8 + MemoryLayout<HotEntry>.stride)
            + core.inFlight.values.reduce(0) { $0 + $1.heapBytes }
        r.states = UInt64(core.hot.residentBytes + core.hotHeapBytes + inFlightBytes
            + arrayBytes(core.staging) + core.stagingHeapBytes)
        let perSlot = arrayBytes(core.refcounts) + arrayBytes(core.storedSizes) + arrayBytes(core.owners)
            + arrayBytes(core.freeSlots)
        let shared = dictionaryBytes(core.moreOwners.capacity, entry: 4 + 8)
            + core.moreOwners.values.reduce(0) { $0 + arrayBytes($1) }
        r.index = UInt64(core.index.residentBytes + perSlot + shared
            + dictionaryBytes(core.digests.capacity, entry: MemoryLayout<ContentDigest>.stride + MemoryLayout<DigestSlot>.stride))
        r.locations = UInt64(core.table.residentBytes)
        r.bloom = UInt64(core.bloom.residentBytes + (core.bloomKeys.map(arrayBytes) ?? 0))
        r.buffers = UInt64(dictionaryBytes(core.pending.capacity, entry: MemoryLayout<ContentDigest>.stride + MemoryLayout<PendingContent>.stride)
            + core.pendingBytes + dictionaryBytes(core.deadSlots.capacity, entry: 4)
            + dictionaryBytes(core.coldReads.capacity, entry: 9) + dictionaryBytes(core.corruptIDs.capacity, entry: 8)
            + dictionaryBytes(core.warmTouches.capacity, entry: 8 + MemoryLayout<WarmTouch>.stride)
            + arrayBytes(core.warmDeletions) + dictionaryBytes(core.warmBlocks.capacity, entry: 16)
            + dictionaryBytes(core.segments.capacity, entry: 4 + MemoryLayout<SegmentUsage>.stride))
        return (r, inFlightBytes)
    }

    func statistics() -> MemoryLayerStats {
        flushStaging()
        let c = configuration
        var s = MemoryLayerStats(level: c.level.rawValue)
        let m = metrics.withLock { store in
            (counters: store.counters, resident: store.residentBytes, ring: store.ringCount, chunks: store.chunkCount,
             records: store.archiveRecords, bytes: store.archiveBytes, precision: store.options.precisionBits)
        }
        let (k, r, hotCount, hotEntryBytes, corrupt, tally, settings, adaptive) = core.withLock {
            core -> (TierCounters, MemoryResidentBreakdown, Int, Int, Int, StrategyTally, TunableSettings, AdaptivePolicy?) in
            let (r, inFlightBytes) = Self.resident(core)
            return (core.counters, r, core.hotCount, core.hotHeapBytes + inFlightBytes, core.corruptIDs.count,
                    core.strategies, core.settings, core.policy)
        }
        var resident = r
        resident.metrics = UInt64(m.resident)
        let residentTotal = resident.states + resident.index + resident.locations + resident.bloom + resident.buffers
            + resident.metrics

        s.storedStates = k.stored
        s.liveStates = k.live
        s.retention = c.retention.map(UInt64.init)
        s.evictedByRetention = k.evicted
        s.logicalBytesPerState = k.stored == 0 ? 0 : Double(k.logicalBytes) / Double(k.stored)
        s.residentBytes = residentTotal
        s.residentBytesPerState = k.live == 0 ? 0 : Double(residentTotal) / Double(k.live)
        s.resident = resident
        s.disk.warmBytes = fileSize(atPath: warmPath) + fileSize(atPath: warmPath + "-journal")
        s.disk.coldBytes = k.coldBytesWritten - k.coldBytesReclaimed
        s.sqliteCacheLimitBytes = UInt64(max(64, c.warmCacheKiB)) * 1024

        s.tiers.hot = UInt64(hotCount)
        s.tiers.warm = k.warm
        s.tiers.cold = k.cold
        s.tiers.coldDead = k.coldDead
        s.migrations.hotToWarm = k.hotToWarm
        s.migrations.warmToCold = k.warmToCold
        s.migrations.coldToWarm = k.coldToWarm
        s.migrations.warmToHot = k.warmToHot

        let logical = s.logicalBytesPerState
        let contentPerState = k.live == 0 ? 0 : Double(k.contentStoredBytes) / Double(k.live)
        let recordBytes = k.stored == 0 ? 0 : Double(k.recordBytes) / Double(k.stored)
        func ratio(_ a: Double, _ b: Double) -> Double { b > 0 ? a / b : 0 }
        s.compression.hot = hotCount == 0 ? 0 : ratio(logical, Double(hotEntryBytes) / Double(hotCount))
        s.compression.warm = k.warm == 0 ? 0 : ratio(logical, recordBytes + 26 + contentPerState)
        let coldPerRecord = ratio(Double(k.coldBytesWritten), Double(k.coldRecordsWritten))
        s.compression.cold = k.cold == 0 ? 0 : ratio(logical, coldPerRecord + contentPerState)
        s.compression.content = ratio(Double(k.contentLogicalBytes), Double(k.contentStoredBytes))
        s.compression.archive = ratio(Double(m.counters.archivedLogicalBytes), Double(m.counters.archivedCompressedBytes))
        s.compression.overall = ratio(logical * Double(k.live),
                                      Double(residentTotal + s.disk.warmBytes + s.disk.coldBytes))

        s.dedup.uniqueContents = k.uniqueLive
        s.dedup.hits = k.dedupHits
        s.dedup.ratio = ratio(Double(k.live), Double(k.uniqueLive))
        s.bloom.queries = k.bloomQueries
        s.bloom.falsePositives = k.bloomFalsePositives
        s.bloom.falsePositiveRate = ratio(Double(k.bloomFalsePositives), Double(k.bloomFalsePositives + k.bloomNegatives))
        s.bloom.bytes = resident.bloom

        s.quantization.payloadBits = settings.payloadEncoding.bits
        s.quantization.indexBits = c.indexEncoding.bits
        s.quantization.maxAbsError = Double(k.quantMaxAbs)
        s.quantization.rmsError = k.quantElements == 0 ? 0 : (k.quantSumSquares / Double(k.quantElements)).squareRoot()
        s.quantization.maxRelativeError = Double(k.quantMaxRelative)
        s.quantization.relativeErrorBound = k.quantMaxBound

        s.metricsStore = metricsStats(m.counters, ring: m.ring, chunks: m.chunks, records: m.records, bytes: m.bytes,
                                      precisionBits: m.precision)

        s.faults = faultCounts(k, distinctCorrupt: corrupt)
        s.strategies = strategyStats(tally)
        if let p = adaptive, let a = c.adaptive {
            s.adaptive = MemoryAdaptiveStats(
                budgetBytes: UInt64(a.budgetBytes), costBudget: a.costBudget, rung: p.rung, rungName: p.current.name,
                residentBytes: p.last?.residentBytes ?? 0, costShare: p.last?.costShare ?? 0,
                peakResidentBytes: p.peakResidentAfterSettling, decisions: p.decisions)
        }
        return s
    }
}

/// The statistics of every strategy that ran.
func strategyStats(_ t: StrategyTally) -> [String: MemoryStrategyStats] {
    var out: [String: MemoryStrategyStats] = [:]
    for strategy in Strategy.allCases {
        let c = t[strategy]
        guard c.uses > 0 else { continue }
        out[strategy.name] = MemoryStrategyStats(
            uses: c.uses, ratio: c.storedBytes > 0 ? Double(c.logicalBytes) / Double(c.storedBytes) : 0,
            logicalBytes: c.logicalBytes, storedBytes: c.storedBytes,
            encodeNs: c.encodeSamples > 0 ? Double(c.encodeNanoseconds) / Double(c.encodeSamples) : 0,
            decodeNs: c.decodeSamples > 0 ? Double(c.decodeNanoseconds) / Double(c.decodeSamples) : 0,
            maxError: c.maxError, errorBound: c.errorBound)
    }
    return out
}

func faultCounts(_ k: TierCounters, distinctCorrupt: Int?) -> MemoryFaultCounts {
    var f = MemoryFaultCounts()
    f.corruptReads = k.corruptReads
    f.corruptRecords = UInt64(distinctCorrupt ?? 0)
    f.truncatedSegments = k.truncatedReads
    f.warmDamaged = k.warmDamaged
    f.diskFull = k.diskFull
    f.refusedStores = k.refusedStores
    f.ioErrors = k.ioErrors
    f.lastError = k.lastError
    return f
}

func metricsStats(_ k: MetricsCounters, ring: Int, chunks: Int, records: Int, bytes: Int,
                  precisionBits: Int?) -> MemoryMetricsStoreStats {
    var s = MemoryMetricsStoreStats()
    s.precisionBits = precisionBits
    s.streamBytes = k.archivedStreamBytes
    if k.archivedRecords > 0 {
        for c in MetricsColumn.allCases {
            let bits = Double(k.columnBits[c.rawValue]) / Double(k.archivedRecords)
            let bound = k.columnBound[c.rawValue]
            s.columns[c.name] = MemoryArchiveColumnStats(bitsPerValue: bits, ratio: bits > 0 ? Double(c.rawBits) / bits : 0,
                                                         maxAbsError: k.columnMaxError[c.rawValue], errorBound: bound)
        }
    }
    s.recorded = k.recorded
    s.important = k.important
    s.inRing = UInt64(ring)
    s.archiveChunks = UInt64(chunks)
    s.archiveRecords = UInt64(records)
    s.archiveBytes = UInt64(bytes)
    s.droppedByCleanup = k.droppedByCleanup
    return s
}

/// Heap bytes of an array's storage: header plus capacity × stride.
func arrayBytes<T>(_ a: [T]) -> Int { a.capacity == 0 ? 0 : 32 + a.capacity * MemoryLayout<T>.stride }

/// Heap bytes of a slice's storage from its start (a dropped prefix is not counted; it is freed
/// when the slice next grows into a new buffer).
func arrayBytes<T>(_ a: ArraySlice<T>) -> Int { a.capacity == 0 ? 0 : 32 + a.capacity * MemoryLayout<T>.stride }

/// Heap bytes of a native Swift dictionary or set of `capacity` (its maximum count before growing):
/// buckets at 3/4 load, each holding key and value, plus one occupancy bit per bucket.
func dictionaryBytes(_ capacity: Int, entry: Int) -> Int {
    guard capacity > 0 else { return 0 }
    let buckets = (capacity * 4 + 2) / 3
    return 48 + buckets * entry + buckets / 8
}
