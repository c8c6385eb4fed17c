/// Every knob of the memory layer. ``preset(_:)`` gives the values of each ``MemoryLevel``;
/// tests and scenarios may change any field. Times are logical: counted in states stored
/// (one per episode), so migrations are deterministic and independent of wall time.
package struct MemoryConfiguration: Sendable, Equatable {
    /// The codec of stored embedding payloads (the warm tier's content rows).
    package enum PayloadCodec: String, Sendable, Equatable, CaseIterable {
        /// liblz4: fastest to write and read.
        case lz4
        /// zlib (deflate) at the archive's level: smaller, slower.
        case zlib
        /// Blosc (c-blosc 1): byte shuffle by element size, then LZ4, made for numeric arrays.
        case blosc
    }

    /// The adaptive policy's budgets and how often it looks.
    package struct Adaptive: Sendable, Equatable {
        /// Bytes the layer may keep in memory (its resident bytes, as the statistics count them).
        package var budgetBytes: Int
        /// The share of episode time the layer may take: its own store, record and query time ÷
        /// (that + the rest of the episode, as the pipeline reports it). The layer cannot run the
        /// layer-off side at run time, so this is what it can measure of its cost.
        package var costBudget: Double
        /// States stored between two checks (logical time: the same for a seed whatever the machine).
        package var intervalEpisodes: UInt64

        package init(budgetBytes: Int, costBudget: Double, intervalEpisodes: UInt64 = 256) {
            self.budgetBytes = budgetBytes
            self.costBudget = costBudget
            self.intervalEpisodes = intervalEpisodes
        }
    }

    /// How LZ4 compresses a tier's blobs.
    package enum Effort: Sendable, Equatable {
        /// LZ4's fast compressor; higher acceleration is faster and compresses less (1 = default).
        case fast(acceleration: Int)
        /// LZ4HC at `level` (3 … 12): slower to write, smaller, as fast to read.
        case high(level: Int)
    }

    /// The level these values belong to (`off` selects the naive store; the other fields are then unused).
    package var level: MemoryLevel
    /// Elements per embedding (the pipeline's workspace size).
    package var dimension: Int = 512
    /// How stored states keep their embedding: `float32` (bit-exact), `int8` or `int4`.
    package var payloadEncoding: EmbeddingEncoding
    /// How the resident similarity index keeps each embedding (`int8` or `int4`).
    package var indexEncoding: EmbeddingEncoding
    /// States the hot tier (in-memory LRU) holds before it demotes the least recently used.
    package var hotCapacity: Int
    /// T1: a hot state not accessed for this many episodes moves to warm.
    package var hotIdleEpisodes: UInt64
    /// T2: a warm state not accessed for this many episodes moves to cold.
    package var warmIdleEpisodes: UInt64
    /// Reads of a cold state that promote it to warm.
    package var coldReadsToWarm: Int = 2
    /// Reads of a warm state that promote it to hot.
    package var warmReadsToHot: Int = 5
    /// Episodes between sweeps of the warm tier for idle states.
    package var sweepIntervalEpisodes: UInt64
    /// Compression of embedding payloads in the warm database.
    package var payloadEffort: Effort
    /// Codec of embedding payloads in the warm database (LZ4 at ``payloadEffort``, zlib or Blosc).
    package var payloadCodec: PayloadCodec = .lz4
    /// A sparse vector (the recruited nodes' activation) is kept as CSR below this density; 0 never.
    /// Measured (StrategyTests): with one-byte indices and float values CSR stops being smaller above
    /// 50 non-zeros of 64 (78 %); 0.75 keeps it where it saves at least a few percent. Encoding either
    /// way costs a few hundred ns for 64 elements, so size decides.
    package var sparseBreakEven: Double = 0.75
    /// Binary feature vectors are bit-packed (lossless).
    package var binarize: Bool = true
    /// Coupling-graph edges below this share of a snapshot's largest weight are dropped (0 keeps all).
    package var graphPruneThreshold: Float = 0
    /// Cold blocks XOR each record with the previous record of its stream before LZ4, when that is smaller.
    package var temporalCold: Bool = false
    /// Compression of cold segment blocks.
    package var coldEffort: Effort
    /// Records per cold block (one LZ4 block, one checksum, plus one checksum per record).
    package var coldBlockRecords: Int = 128
    /// A cold segment file is closed and a new one started past this size, bytes.
    package var segmentBytes: Int = 64 << 20
    /// States stored write-behind and encoded together (quantized, hashed, deduplicated, indexed)
    /// once this many accumulate, by the store that fills the batch; 1 encodes each state as it is
    /// stored. Staged states are readable and searchable at once.
    package var stagingCapacity: Int = 16
    /// Most states one maintenance pass moves between two tiers.
    package var maintenanceBatch: Int = 1024
    /// Fewest states a pass over the hot capacity demotes (while the hot tier has them): a small hot
    /// tier (the adaptive policy goes down to 16) then writes warm blocks of this many states, one
    /// transaction each, rather than one or two states a pass (~3 allocations an episode more, measured).
    package var demotionBatch: Int = 32
    /// SQLite page cache of the warm tier, KiB (bounds what SQLite keeps in memory).
    package var warmCacheKiB: Int = 1024
    /// Target false-positive rate of the Bloom filter in front of the dedup lookup.
    package var bloomFalsePositiveRate: Double = 0.01
    /// Per-episode metrics the ring buffer holds before they are archived as one chunk.
    package var metricsRingCapacity: Int
    /// Bytes the compressed metrics archive may use; past it, cleanup keeps only important records.
    package var metricsArchiveBudgetBytes: Int
    /// zlib level (1 … 9) of metrics archive chunks.
    package var archiveZlibLevel: Int
    /// When set, the archive keeps the continuous metrics (arousal, salience, emotion) as multiples of
    /// 2^−bits, absolute error ≤ 2^−(bits+1); nil keeps every archived metric bit-exact. Those four
    /// readings carry per-episode noise in every mantissa bit (measured on the pipeline: 60, 63, 31 and
    /// 30 bits per value after XOR coding), so bit-exact archives stay near 3.4:1; at 12 bits they
    /// cost 8–11 bits each.
    package var archivePrecisionBits: Int?
    /// A metrics record is important when Φ moved at least this much since the previous record.
    package var phiChangeThreshold: Double = 0.1
    /// … or any emotion component moved at least this much.
    package var emotionChangeThreshold: Float = 0.1
    /// Fault seam: bytes the on-disk tiers may write before writes fail as if the disk were full
    /// (nil: no limit other than the disk's).
    package var writeBudgetBytes: Int64?
    /// The adaptive policy (set for ``MemoryLevel/adaptive``; nil at fixed levels).
    package var adaptive: Adaptive?
    /// Most states kept live (nil: every state is kept until deleted, the presets' default). A store
    /// that makes more live deletes the oldest (lowest ids) first, exactly as ``MemoryStore/delete(_:)``
    /// would, and everything the layer holds in memory per state then stays bounded: index slots and
    /// id tables are reused or compacted, the Bloom filter is rebuilt from live contents, and the
    /// metrics history keeps at most this many records besides the ring. On-disk space is reclaimed
    /// lazily (warm rows by the next maintenance pass, a cold segment file once all its records are dead).
    package var retention: Int?

    /// The values of `level`.
    package static func preset(_ level: MemoryLevel) -> MemoryConfiguration {
        var c: MemoryConfiguration
        switch level {
        case .off, .conservative:
            c = MemoryConfiguration(
                level: level, payloadEncoding: .float32, indexEncoding: .int8, hotCapacity: 4096,
                hotIdleEpisodes: 4096, warmIdleEpisodes: 32768, sweepIntervalEpisodes: 4096,
                payloadEffort: .fast(acceleration: 4), coldEffort: .fast(acceleration: 1),
                metricsRingCapacity: 4096, metricsArchiveBudgetBytes: 8 << 20, archiveZlibLevel: 1)
            // Exact float payloads are what Blosc's byte shuffle is for.
            c.payloadCodec = .blosc
        case .moderate, .adaptive:
            c = MemoryConfiguration(
                level: level, payloadEncoding: .int8, indexEncoding: .int4, hotCapacity: 1024,
                hotIdleEpisodes: 1024, warmIdleEpisodes: 8192, sweepIntervalEpisodes: 1024,
                payloadEffort: .fast(acceleration: 1), coldEffort: .high(level: 9),
                metricsRingCapacity: 1024, metricsArchiveBudgetBytes: 2 << 20, archiveZlibLevel: 6)
            c.archivePrecisionBits = 12
            c.graphPruneThreshold = 0.1
            if level == .adaptive {
                // Starts on the cheapest rung; the policy moves from there.
                c.adaptive = Adaptive(budgetBytes: 16 << 20, costBudget: 0.05)
                let first = PolicyRung.ladder[0]
                c.payloadEncoding = first.payloadEncoding
                c.hotCapacity = first.hotCapacity
                c.hotIdleEpisodes = UInt64(first.hotCapacity)
                c.payloadCodec = first.payloadCodec
                c.graphPruneThreshold = first.pruneThreshold
                c.archivePrecisionBits = first.archivePrecisionBits
                c.temporalCold = first.temporalCold
            }
        case .aggressive:
            c = MemoryConfiguration(
                level: level, payloadEncoding: .int4, indexEncoding: .int4, hotCapacity: 256,
                hotIdleEpisodes: 256, warmIdleEpisodes: 2048, sweepIntervalEpisodes: 256,
                payloadEffort: .high(level: 9), coldEffort: .high(level: 12),
                metricsRingCapacity: 256, metricsArchiveBudgetBytes: 512 << 10, archiveZlibLevel: 9)
            c.archivePrecisionBits = 8
            c.graphPruneThreshold = 0.25
            c.payloadCodec = .zlib
            c.temporalCold = true
        }
        return c
    }

    var payloadLZ4: LZ4Effort { Self.lz4(payloadEffort) }
    var recordOptions: RecordOptions {
        RecordOptions(sparseBreakEven: sparseBreakEven, binarize: binarize, pruneThreshold: graphPruneThreshold)
    }
    var coldLZ4: LZ4Effort { Self.lz4(coldEffort) }

    private static func lz4(_ e: Effort) -> LZ4Effort {
        switch e {
        case .fast(let a): .fast(acceleration: Int32(clamping: max(1, a)))
        case .high(let l): .high(level: Int32(clamping: min(12, max(3, l))))
        }
    }

    /// Checks the values can work together.
    /// - Throws: ``MemoryLayerError/invalidState(_:)`` naming the bad field.
    func validate() throws(MemoryLayerError) {
        func fail(_ why: String) -> MemoryLayerError { .invalidState("configuration: \(why)") }
        guard dimension > 0 else { throw fail("dimension must be positive") }
        guard indexEncoding != .float32 else { throw fail("the index must be int8 or int4") }
        guard hotCapacity > 0 else { throw fail("hotCapacity must be positive") }
        guard coldBlockRecords > 0, coldBlockRecords <= 255 else { throw fail("coldBlockRecords must be 1…255") }
        guard segmentBytes > 0, segmentBytes <= Int(UInt32.max) else { throw fail("segmentBytes must be 1 … 4 GiB") }
        guard coldReadsToWarm > 0, warmReadsToHot > 0 else { throw fail("promotion read counts must be positive") }
        guard sweepIntervalEpisodes > 0 else { throw fail("sweepIntervalEpisodes must be positive") }
        guard maintenanceBatch > 0 else { throw fail("maintenanceBatch must be positive") }
        guard demotionBatch > 0 else { throw fail("demotionBatch must be positive") }
        guard stagingCapacity >= 1, stagingCapacity <= 4096 else { throw fail("stagingCapacity must be 1…4096") }
        guard metricsRingCapacity > 1 else { throw fail("metricsRingCapacity must be at least 2") }
        guard (1...9).contains(archiveZlibLevel) else { throw fail("archiveZlibLevel must be 1…9") }
        if let p = archivePrecisionBits, !(0...40).contains(p) { throw fail("archivePrecisionBits must be 0…40") }
        guard (0...1).contains(sparseBreakEven) else { throw fail("sparseBreakEven must be in [0, 1]") }
        guard graphPruneThreshold >= 0, graphPruneThreshold < 1 else { throw fail("graphPruneThreshold must be in [0, 1)") }
        guard bloomFalsePositiveRate > 0, bloomFalsePositiveRate < 1 else { throw fail("bloomFalsePositiveRate must be in (0, 1)") }
        if let r = retention, r < 1 { throw fail("retention must be at least 1 state (nil keeps every state)") }
        if let a = adaptive {
            guard a.budgetBytes > 0 else { throw fail("the adaptive memory budget must be positive") }
            guard a.costBudget > 0, a.costBudget <= 1 else { throw fail("the adaptive cost budget must be in (0, 1]") }
            guard a.intervalEpisodes > 0 else { throw fail("the adaptive interval must be positive") }
        }
    }
}
