// Where the states are and what they occupy: resident bytes, disk, tier counts, migrations.

/// Resident bytes by structure.
package struct MemoryResidentBreakdown: Sendable, Codable, Equatable {
    /// States kept whole in memory: the hot LRU (or, at `off`, every state).
    package var states: UInt64 = 0
    /// The similarity index: quantized rows, norms, per-content refcounts and owners.
    package var index: UInt64 = 0
    /// Per-state location and content slot (12 bytes a state).
    package var locations: UInt64 = 0
    package var bloom: UInt64 = 0
    /// Contents and refcount changes not yet written to the warm database, and cold read counts.
    package var buffers: UInt64 = 0
    /// The metrics ring buffer and compressed archive.
    package var metrics: UInt64 = 0

    package init() {}
}

/// Bytes on disk.
package struct MemoryDiskStats: Sendable, Codable, Equatable {
    /// The warm SQLite database and its journal.
    package var warmBytes: UInt64 = 0
    /// Cold segment files, including dead records (segments with no live record are removed).
    package var coldBytes: UInt64 = 0

    package init() {}

    enum CodingKeys: String, CodingKey {
        case warmBytes = "warm_bytes"
        case coldBytes = "cold_bytes"
    }
}

/// Live states per tier.
package struct MemoryTierCounts: Sendable, Codable, Equatable {
    package var hot: UInt64 = 0
    package var warm: UInt64 = 0
    package var cold: UInt64 = 0
    /// Records in cold segments that were promoted or deleted (dead space until their whole segment is
    /// dead and its file removed).
    package var coldDead: UInt64 = 0

    package init() {}

    enum CodingKeys: String, CodingKey {
        case hot, warm, cold
        case coldDead = "cold_dead"
    }
}

/// States moved between tiers: demotions by idleness or capacity, promotions by reads.
package struct MemoryMigrationCounts: Sendable, Codable, Equatable {
    package var hotToWarm: UInt64 = 0
    package var warmToCold: UInt64 = 0
    package var coldToWarm: UInt64 = 0
    package var warmToHot: UInt64 = 0

    package init() {}

    package var demotions: UInt64 { hotToWarm + warmToCold }
    package var promotions: UInt64 { coldToWarm + warmToHot }

    enum CodingKeys: String, CodingKey {
        case hotToWarm = "hot_to_warm"
        case warmToCold = "warm_to_cold"
        case coldToWarm = "cold_to_warm"
        case warmToHot = "warm_to_hot"
    }
}
