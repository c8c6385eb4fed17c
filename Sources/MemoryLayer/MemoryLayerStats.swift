/// What the memory layer reports into result.json (`memory_layer`).
///
/// Byte figures: *logical* is a state's plain in-memory form (the `ConsciousState` struct plus its
/// embedding and emotion floats, no array headers); *resident* is what the layer's own structures
/// hold in memory (capacities × element sizes, dictionary buckets, array headers), not counting
/// allocator rounding or SQLite's page cache (bounded by `sqlite_cache_limit_bytes`).
package struct MemoryLayerStats: Sendable, Codable, Equatable {
    /// `off`, `conservative`, `moderate` or `aggressive`.
    package var level: String
    /// Conscious states stored (ever).
    package var storedStates: UInt64
    /// Bytes of one state before any optimisation (its plain in-memory form), mean over states stored.
    package var logicalBytesPerState: Double
    /// Bytes the layer keeps in memory per live state (``residentBytes`` / ``liveStates``).
    package var residentBytesPerState: Double
    /// States stored and not deleted.
    package var liveStates: UInt64
    /// Most live states the store keeps (`pipeline.memory_retention`); nil (absent in JSON): unlimited.
    package var retention: UInt64?
    /// States deleted, oldest first, because a store made live states exceed ``retention``.
    package var evictedByRetention: UInt64
    /// Bytes the layer keeps in memory in total.
    package var residentBytes: UInt64
    /// Where the resident bytes are.
    package var resident: MemoryResidentBreakdown
    /// Bytes of the layer's files on disk.
    package var disk: MemoryDiskStats
    /// Upper bound of SQLite's page cache for the warm tier, bytes (not in ``residentBytes``).
    package var sqliteCacheLimitBytes: UInt64
    package var tiers: MemoryTierCounts
    package var migrations: MemoryMigrationCounts
    package var compression: MemoryCompressionStats
    package var dedup: MemoryDedupStats
    package var bloom: MemoryBloomStats
    package var quantization: MemoryQuantizationStats
    package var metricsStore: MemoryMetricsStoreStats
    package var faults: MemoryFaultCounts
    /// Each compression strategy used, by name (`sparse_csr`, `binarize`, `graph_prune`, `codec_blosc`, …).
    package var strategies: [String: MemoryStrategyStats] = [:]
    /// The adaptive policy: where it is and what it decided (nil unless `pipeline.memory: adaptive`).
    package var adaptive: MemoryAdaptiveStats?

    package init(level: String, storedStates: UInt64 = 0, logicalBytesPerState: Double = 0, residentBytesPerState: Double = 0,
                liveStates: UInt64 = 0, retention: UInt64? = nil, evictedByRetention: UInt64 = 0, residentBytes: UInt64 = 0, resident: MemoryResidentBreakdown = .init(),
                disk: MemoryDiskStats = .init(), sqliteCacheLimitBytes: UInt64 = 0, tiers: MemoryTierCounts = .init(),
                migrations: MemoryMigrationCounts = .init(), compression: MemoryCompressionStats = .init(),
                dedup: MemoryDedupStats = .init(), bloom: MemoryBloomStats = .init(),
                quantization: MemoryQuantizationStats = .init(), metricsStore: MemoryMetricsStoreStats = .init(),
                faults: MemoryFaultCounts = .init()) {
        self.level = level
        self.storedStates = storedStates
        self.logicalBytesPerState = logicalBytesPerState
        self.residentBytesPerState = residentBytesPerState
        self.liveStates = liveStates
        self.retention = retention
        self.evictedByRetention = evictedByRetention
        self.residentBytes = residentBytes
        self.resident = resident
        self.disk = disk
        self.sqliteCacheLimitBytes = sqliteCacheLimitBytes
        self.tiers = tiers
        self.migrations = migrations
        self.compression = compression
        self.dedup = dedup
        self.bloom = bloom
        self.quantization = quantization
        self.metricsStore = metricsStore
        self.faults = faults
    }

    enum CodingKeys: String, CodingKey {
        case level
        case storedStates = "stored_states"
        case logicalBytesPerState = "logical_bytes_per_state"
        case residentBytesPerState = "resident_bytes_per_state"
        case liveStates = "live_states"
        case retention
        case evictedByRetention = "evicted_by_retention"
        case residentBytes = "resident_bytes"
        case resident, disk
        case sqliteCacheLimitBytes = "sqlite_cache_limit_bytes"
        case tiers, migrations, compression, dedup, bloom, quantization
        case metricsStore = "metrics_store"
        case faults, strategies, adaptive
    }

    /// Reads results written before a field existed: missing fields take their defaults.
    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(level: try c.decode(String.self, forKey: .level))
        storedStates = try c.decodeIfPresent(UInt64.self, forKey: .storedStates) ?? 0
        logicalBytesPerState = try c.decodeIfPresent(Double.self, forKey: .logicalBytesPerState) ?? 0
        residentBytesPerState = try c.decodeIfPresent(Double.self, forKey: .residentBytesPerState) ?? 0
        liveStates = try c.decodeIfPresent(UInt64.self, forKey: .liveStates) ?? storedStates
        retention = try c.decodeIfPresent(UInt64.self, forKey: .retention)
        evictedByRetention = try c.decodeIfPresent(UInt64.self, forKey: .evictedByRetention) ?? 0
        residentBytes = try c.decodeIfPresent(UInt64.self, forKey: .residentBytes) ?? 0
        resident = try c.decodeIfPresent(MemoryResidentBreakdown.self, forKey: .resident) ?? .init()
        disk = try c.decodeIfPresent(MemoryDiskStats.self, forKey: .disk) ?? .init()
        sqliteCacheLimitBytes = try c.decodeIfPresent(UInt64.self, forKey: .sqliteCacheLimitBytes) ?? 0
        tiers = try c.decodeIfPresent(MemoryTierCounts.self, forKey: .tiers) ?? .init()
        migrations = try c.decodeIfPresent(MemoryMigrationCounts.self, forKey: .migrations) ?? .init()
        compression = try c.decodeIfPresent(MemoryCompressionStats.self, forKey: .compression) ?? .init()
        dedup = try c.decodeIfPresent(MemoryDedupStats.self, forKey: .dedup) ?? .init()
        bloom = try c.decodeIfPresent(MemoryBloomStats.self, forKey: .bloom) ?? .init()
        quantization = try c.decodeIfPresent(MemoryQuantizationStats.self, forKey: .quantization) ?? .init()
        metricsStore = try c.decodeIfPresent(MemoryMetricsStoreStats.self, forKey: .metricsStore) ?? .init()
        faults = try c.decodeIfPresent(MemoryFaultCounts.self, forKey: .faults) ?? .init()
        strategies = try c.decodeIfPresent([String: MemoryStrategyStats].self, forKey: .strategies) ?? [:]
        adaptive = try c.decodeIfPresent(MemoryAdaptiveStats.self, forKey: .adaptive)
    }
}

/// Faults detected; a faulty item is reported as an error, never returned as data.
package struct MemoryFaultCounts: Sendable, Codable, Equatable {
    /// Distinct states found corrupt (checksum or decoding failure).
    package var corruptRecords: UInt64 = 0
    /// Reads that hit a corrupt record.
    package var corruptReads: UInt64 = 0
    /// Reads that hit a truncated cold segment.
    package var truncatedSegments: UInt64 = 0
    /// Errors from a damaged warm SQLite database.
    package var warmDamaged: UInt64 = 0
    /// Writes that failed for lack of disk space (or write budget).
    package var diskFull: UInt64 = 0
    /// Stores refused because nothing could be written to make room.
    package var refusedStores: UInt64 = 0
    /// Other I/O errors.
    package var ioErrors: UInt64 = 0
    /// The last fault's message.
    package var lastError: String?

    package init() {}

    package var total: UInt64 { corruptReads + truncatedSegments + warmDamaged + diskFull + ioErrors }

    enum CodingKeys: String, CodingKey {
        case corruptRecords = "corrupt_records"
        case corruptReads = "corrupt_reads"
        case truncatedSegments = "truncated_segments"
        case warmDamaged = "warm_damaged"
        case diskFull = "disk_full"
        case refusedStores = "refused_stores"
        case ioErrors = "io_errors"
        case lastError = "last_error"
    }
}
