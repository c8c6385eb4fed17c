/// What the memory layer reports into result.json (`memory_layer`).
///
/// Byte figures: *logical* is a state's plain in-memory form (the `ConsciousState` struct plus its
/// embedding and emotion floats, no array headers); *resident* is what the layer's own structures
/// hold in memory (capacities × element sizes, dictionary buckets, array headers), not counting
/// allocator rounding or SQLite's page cache (bounded by `sqlite_cache_limit_bytes`).
public struct MemoryLayerStats: Sendable, Codable, Equatable {
    /// `off`, `conservative`, `moderate` or `aggressive`.
    public var level: String
    /// Conscious states stored (ever).
    public var storedStates: UInt64
    /// Bytes of one state before any optimisation (its plain in-memory form), mean over states stored.
    public var logicalBytesPerState: Double
    /// Bytes the layer keeps in memory per live state (``residentBytes`` / ``liveStates``).
    public var residentBytesPerState: Double
    /// States stored and not deleted.
    public var liveStates: UInt64
    /// Most live states the store keeps (`pipeline.memory_retention`); nil (absent in JSON): unlimited.
    public var retention: UInt64?
    /// States deleted, oldest first, because a store made live states exceed ``retention``.
    public var evictedByRetention: UInt64
    /// Bytes the layer keeps in memory in total.
    public var residentBytes: UInt64
    /// Where the resident bytes are.
    public var resident: MemoryResidentBreakdown
    /// Bytes of the layer's files on disk.
    public var disk: MemoryDiskStats
    /// Upper bound of SQLite's page cache for the warm tier, bytes (not in ``residentBytes``).
    public var sqliteCacheLimitBytes: UInt64
    public var tiers: MemoryTierCounts
    public var migrations: MemoryMigrationCounts
    public var compression: MemoryCompressionStats
    public var dedup: MemoryDedupStats
    public var bloom: MemoryBloomStats
    public var quantization: MemoryQuantizationStats
    public var metricsStore: MemoryMetricsStoreStats
    public var faults: MemoryFaultCounts
    /// Each compression strategy used, by name (`sparse_csr`, `binarize`, `graph_prune`, `codec_blosc`, …).
    public var strategies: [String: MemoryStrategyStats] = [:]
    /// The adaptive policy: where it is and what it decided (nil unless `pipeline.memory: adaptive`).
    public var adaptive: MemoryAdaptiveStats?

    public init(level: String, storedStates: UInt64 = 0, logicalBytesPerState: Double = 0, residentBytesPerState: Double = 0,
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
    public init(from decoder: any Decoder) throws {
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

/// One compression strategy: how often it ran, what it saved, what it cost, what it lost.
public struct MemoryStrategyStats: Sendable, Codable, Equatable {
    /// Items it coded (vectors, graphs, blobs, blocks).
    public var uses: UInt64
    /// Their plain bytes ÷ the bytes it made of them (> 1 is smaller).
    public var ratio: Double
    public var logicalBytes: UInt64
    public var storedBytes: UInt64
    /// Mean time to encode / decode one item, ns (sampled; 0 when never sampled).
    public var encodeNs: Double
    public var decodeNs: Double
    /// Largest error seen and the stated bound, in the strategy's measure: relative to max|x| for
    /// quantization, the share of a graph's weight norm dropped for pruning; 0 for lossless strategies.
    public var maxError: Double
    public var errorBound: Double

    public init(uses: UInt64, ratio: Double, logicalBytes: UInt64, storedBytes: UInt64, encodeNs: Double, decodeNs: Double,
                maxError: Double, errorBound: Double) {
        self.uses = uses
        self.ratio = ratio
        self.logicalBytes = logicalBytes
        self.storedBytes = storedBytes
        self.encodeNs = encodeNs
        self.decodeNs = decodeNs
        self.maxError = maxError
        self.errorBound = errorBound
    }

    enum CodingKeys: String, CodingKey {
        case uses, ratio
        case logicalBytes = "logical_bytes"
        case storedBytes = "stored_bytes"
        case encodeNs = "encode_ns"
        case decodeNs = "decode_ns"
        case maxError = "max_error"
        case errorBound = "error_bound"
    }
}

/// The adaptive policy's state and history.
public struct MemoryAdaptiveStats: Sendable, Codable, Equatable {
    /// The resident-memory budget, bytes, and the share of episode time the layer may take.
    public var budgetBytes: UInt64
    public var costBudget: Double
    /// The rung of the strategy ladder in use at the end (0 = cheapest, highest = most compressed).
    public var rung: Int
    public var rungName: String
    /// Resident bytes and cost share at the last check.
    public var residentBytes: UInt64
    public var costShare: Double
    /// Largest resident bytes at any check after the first move.
    public var peakResidentBytes: UInt64
    /// Every decision, oldest first.
    public var decisions: [MemoryDecision]

    public init(budgetBytes: UInt64, costBudget: Double, rung: Int, rungName: String, residentBytes: UInt64,
                costShare: Double, peakResidentBytes: UInt64, decisions: [MemoryDecision]) {
        self.budgetBytes = budgetBytes
        self.costBudget = costBudget
        self.rung = rung
        self.rungName = rungName
        self.residentBytes = residentBytes
        self.costShare = costShare
        self.peakResidentBytes = peakResidentBytes
        self.decisions = decisions
    }

    enum CodingKeys: String, CodingKey {
        case budgetBytes = "budget_bytes"
        case costBudget = "cost_budget"
        case rung
        case rungName = "rung_name"
        case residentBytes = "resident_bytes"
        case costShare = "cost_share"
        case peakResidentBytes = "peak_resident_bytes"
        case decisions
    }
}

/// One decision of the adaptive policy: when (in stored states, the layer's logical time), what and why.
public struct MemoryDecision: Sendable, Codable, Equatable {
    /// States stored when it was taken (one per episode).
    public var episode: UInt64
    /// The rung it moved from and to.
    public var from: String
    public var to: String
    /// Why, with the telemetry it read.
    public var reason: String
    public var residentBytes: UInt64
    public var costShare: Double

    public init(episode: UInt64, from: String, to: String, reason: String, residentBytes: UInt64, costShare: Double) {
        self.episode = episode
        self.from = from
        self.to = to
        self.reason = reason
        self.residentBytes = residentBytes
        self.costShare = costShare
    }

    enum CodingKeys: String, CodingKey {
        case episode, from, to, reason
        case residentBytes = "resident_bytes"
        case costShare = "cost_share"
    }
}

/// Resident bytes by structure.
public struct MemoryResidentBreakdown: Sendable, Codable, Equatable {
    /// States kept whole in memory: the hot LRU (or, at `off`, every state).
    public var states: UInt64 = 0
    /// The similarity index: quantized rows, norms, per-content refcounts and owners.
    public var index: UInt64 = 0
    /// Per-state location and content slot (12 bytes a state).
    public var locations: UInt64 = 0
    public var bloom: UInt64 = 0
    /// Contents and refcount changes not yet written to the warm database, and cold read counts.
    public var buffers: UInt64 = 0
    /// The metrics ring buffer and compressed archive.
    public var metrics: UInt64 = 0

    public init() {}
}

/// Bytes on disk.
public struct MemoryDiskStats: Sendable, Codable, Equatable {
    /// The warm SQLite database and its journal.
    public var warmBytes: UInt64 = 0
    /// Cold segment files, including dead records (segments with no live record are removed).
    public var coldBytes: UInt64 = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case warmBytes = "warm_bytes"
        case coldBytes = "cold_bytes"
    }
}

/// Live states per tier.
public struct MemoryTierCounts: Sendable, Codable, Equatable {
    public var hot: UInt64 = 0
    public var warm: UInt64 = 0
    public var cold: UInt64 = 0
    /// Records in cold segments that were promoted or deleted (dead space until their whole segment is
    /// dead and its file removed).
    public var coldDead: UInt64 = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case hot, warm, cold
        case coldDead = "cold_dead"
    }
}

/// States moved between tiers: demotions by idleness or capacity, promotions by reads.
public struct MemoryMigrationCounts: Sendable, Codable, Equatable {
    public var hotToWarm: UInt64 = 0
    public var warmToCold: UInt64 = 0
    public var coldToWarm: UInt64 = 0
    public var warmToHot: UInt64 = 0

    public init() {}

    public var demotions: UInt64 { hotToWarm + warmToCold }
    public var promotions: UInt64 { coldToWarm + warmToHot }

    enum CodingKeys: String, CodingKey {
        case hotToWarm = "hot_to_warm"
        case warmToCold = "warm_to_cold"
        case coldToWarm = "cold_to_warm"
        case warmToHot = "warm_to_hot"
    }
}

/// Compression ratios (logical bytes ÷ bytes spent; > 1 is smaller; 0 when there is nothing to measure).
public struct MemoryCompressionStats: Sendable, Codable, Equatable {
    /// A hot state's logical bytes ÷ its entry (packed record + payload).
    public var hot: Double = 0
    /// A warm state's logical bytes ÷ (its record + the mean content bytes per live state).
    public var warm: Double = 0
    /// A cold state's logical bytes ÷ (its share of cold blocks + the mean content bytes per live state).
    public var cold: Double = 0
    /// Embedding bytes of distinct contents ÷ their packed payloads (quantization and LZ4; no dedup).
    public var content: Double = 0
    /// Metrics archive: plain in-memory bytes ÷ compressed chunk bytes, as first archived (1 at `off`,
    /// which keeps metrics plain).
    public var archive: Double = 0
    /// All live states' logical bytes ÷ (resident + disk bytes).
    public var overall: Double = 0

    public init() {}
}

/// Content-addressed deduplication of embeddings.
public struct MemoryDedupStats: Sendable, Codable, Equatable {
    /// Distinct embedding contents referenced by live states.
    public var uniqueContents: UInt64 = 0
    /// Stores whose embedding was already stored.
    public var hits: UInt64 = 0
    /// Live states ÷ distinct contents (1 = no duplicates).
    public var ratio: Double = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case uniqueContents = "unique_contents"
        case hits, ratio
    }
}

/// The Bloom filter in front of the dedup lookup.
public struct MemoryBloomStats: Sendable, Codable, Equatable {
    public var queries: UInt64 = 0
    /// "Maybe" answers for contents that were not stored (found absent by the exact lookup).
    public var falsePositives: UInt64 = 0
    /// falsePositives ÷ (falsePositives + "no" answers).
    public var falsePositiveRate: Double = 0
    public var bytes: UInt64 = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case queries
        case falsePositives = "false_positives"
        case falsePositiveRate = "false_positive_rate"
        case bytes
    }
}

/// Quantization of the embeddings as stored (what a retrieval returns) and in the index.
public struct MemoryQuantizationStats: Sendable, Codable, Equatable {
    /// Bits per element of stored embeddings (32 = exact).
    public var payloadBits: Int = 32
    /// Bits per element of the similarity index (0 = no index).
    public var indexBits: Int = 0
    /// Largest |x − x̂| seen.
    public var maxAbsError: Double = 0
    /// Root mean square of x − x̂ over all elements stored.
    public var rmsError: Double = 0
    /// Largest |x − x̂| ÷ max|x| of its vector seen.
    public var maxRelativeError: Double = 0
    /// The stated bound on that relative error (1/254 for int8, 1/14 for int4, each + 2⁻²⁰ for float32 rounding; 0 exact).
    public var relativeErrorBound: Double = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case payloadBits = "payload_bits"
        case indexBits = "index_bits"
        case maxAbsError = "max_abs_error"
        case rmsError = "rms_error"
        case maxRelativeError = "max_relative_error"
        case relativeErrorBound = "relative_error_bound"
    }
}

/// The per-episode metrics store.
public struct MemoryMetricsStoreStats: Sendable, Codable, Equatable {
    public var recorded: UInt64 = 0
    /// Records flagged important (Φ change, emotion change, attention shift).
    public var important: UInt64 = 0
    public var inRing: UInt64 = 0
    public var archiveChunks: UInt64 = 0
    public var archiveRecords: UInt64 = 0
    public var archiveBytes: UInt64 = 0
    /// Records removed by cleanup to keep the archive within its byte budget.
    public var droppedByCleanup: UInt64 = 0
    /// Archived continuous metrics are multiples of 2^−precision_bits (nil: every column bit-exact).
    public var precisionBits: Int?
    /// Bytes of the archived chunks' column bit streams before the final zlib pass (as first archived).
    public var streamBytes: UInt64 = 0
    /// What each column cost in the archive, by column name (`episode`, `timestamp`, `phi`, `arousal`, …).
    public var columns: [String: MemoryArchiveColumnStats] = [:]

    public init() {}

    enum CodingKeys: String, CodingKey {
        case recorded, important
        case inRing = "in_ring"
        case archiveChunks = "archive_chunks"
        case archiveRecords = "archive_records"
        case archiveBytes = "archive_bytes"
        case droppedByCleanup = "dropped_by_cleanup"
        case precisionBits = "precision_bits"
        case streamBytes = "stream_bytes"
        case columns
    }

    /// Reads results written before a field existed: missing fields take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        recorded = try c.decodeIfPresent(UInt64.self, forKey: .recorded) ?? 0
        important = try c.decodeIfPresent(UInt64.self, forKey: .important) ?? 0
        inRing = try c.decodeIfPresent(UInt64.self, forKey: .inRing) ?? 0
        archiveChunks = try c.decodeIfPresent(UInt64.self, forKey: .archiveChunks) ?? 0
        archiveRecords = try c.decodeIfPresent(UInt64.self, forKey: .archiveRecords) ?? 0
        archiveBytes = try c.decodeIfPresent(UInt64.self, forKey: .archiveBytes) ?? 0
        droppedByCleanup = try c.decodeIfPresent(UInt64.self, forKey: .droppedByCleanup) ?? 0
        precisionBits = try c.decodeIfPresent(Int.self, forKey: .precisionBits)
        streamBytes = try c.decodeIfPresent(UInt64.self, forKey: .streamBytes) ?? 0
        columns = try c.decodeIfPresent([String: MemoryArchiveColumnStats].self, forKey: .columns) ?? [:]
    }
}

/// One column of the metrics archive: what its coder spent and what it lost.
public struct MemoryArchiveColumnStats: Sendable, Codable, Equatable {
    /// Mean bits per value the column coder spent, before the final zlib pass over the whole chunk.
    public var bitsPerValue: Double
    /// The field's plain bits ÷ ``bitsPerValue`` (64 for a Double, 32 for a Float or Int32, 8 for a Bool).
    public var ratio: Double
    /// Largest |x − x̂| seen (0: bit-exact).
    public var maxAbsError: Double
    /// The stated bound on |x − x̂| (0: the column is bit-exact).
    public var errorBound: Double

    public init(bitsPerValue: Double, ratio: Double, maxAbsError: Double, errorBound: Double) {
        self.bitsPerValue = bitsPerValue
        self.ratio = ratio
        self.maxAbsError = maxAbsError
        self.errorBound = errorBound
    }

    enum CodingKeys: String, CodingKey {
        case bitsPerValue = "bits_per_value"
        case ratio
        case maxAbsError = "max_abs_error"
        case errorBound = "error_bound"
    }
}

/// Faults detected; a faulty item is reported as an error, never returned as data.
public struct MemoryFaultCounts: Sendable, Codable, Equatable {
    /// Distinct states found corrupt (checksum or decoding failure).
    public var corruptRecords: UInt64 = 0
    /// Reads that hit a corrupt record.
    public var corruptReads: UInt64 = 0
    /// Reads that hit a truncated cold segment.
    public var truncatedSegments: UInt64 = 0
    /// Errors from a damaged warm SQLite database.
    public var warmDamaged: UInt64 = 0
    /// Writes that failed for lack of disk space (or write budget).
    public var diskFull: UInt64 = 0
    /// Stores refused because nothing could be written to make room.
    public var refusedStores: UInt64 = 0
    /// Other I/O errors.
    public var ioErrors: UInt64 = 0
    /// The last fault's message.
    public var lastError: String?

    public init() {}

    public var total: UInt64 { corruptReads + truncatedSegments + warmDamaged + diskFull + ioErrors }

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
