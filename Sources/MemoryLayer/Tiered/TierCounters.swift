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
    /// The largest stated relative bound of the encodings used (they may change at run time).
    var quantMaxBound: Double = 0
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
