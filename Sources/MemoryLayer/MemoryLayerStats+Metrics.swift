// The per-episode metrics store and its compressed archive.

/// The per-episode metrics store.
package struct MemoryMetricsStoreStats: Sendable, Codable, Equatable {
    package var recorded: UInt64 = 0
    /// Records flagged important (Φ change, emotion change, attention shift).
    package var important: UInt64 = 0
    package var inRing: UInt64 = 0
    package var archiveChunks: UInt64 = 0
    package var archiveRecords: UInt64 = 0
    package var archiveBytes: UInt64 = 0
    /// Records removed by cleanup to keep the archive within its byte budget.
    package var droppedByCleanup: UInt64 = 0
    /// Archived continuous metrics are multiples of 2^−precision_bits (nil: every column bit-exact).
    package var precisionBits: Int?
    /// Bytes of the archived chunks' column bit streams before the final zlib pass (as first archived).
    package var streamBytes: UInt64 = 0
    /// What each column cost in the archive, by column name (`episode`, `timestamp`, `phi`, `arousal`, …).
    package var columns: [String: MemoryArchiveColumnStats] = [:]

    package init() {}

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
    package init(from decoder: any Decoder) throws {
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
package struct MemoryArchiveColumnStats: Sendable, Codable, Equatable {
    /// Mean bits per value the column coder spent, before the final zlib pass over the whole chunk.
    package var bitsPerValue: Double
    /// The field's plain bits ÷ ``bitsPerValue`` (64 for a Double, 32 for a Float or Int32, 8 for a Bool).
    package var ratio: Double
    /// Largest |x − x̂| seen (0: bit-exact).
    package var maxAbsError: Double
    /// The stated bound on |x − x̂| (0: the column is bit-exact).
    package var errorBound: Double

    package init(bitsPerValue: Double, ratio: Double, maxAbsError: Double, errorBound: Double) {
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
