// Where the states are and what they occupy: resident bytes, disk, tier counts, migrations.

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
