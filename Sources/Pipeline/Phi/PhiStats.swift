/// Φ computation cache counters.
public struct PhiStats: Sendable, Codable, Equatable {
    public var hits: UInt64
    public var misses: UInt64
    public var evictions: UInt64

    public init(hits: UInt64 = 0, misses: UInt64 = 0, evictions: UInt64 = 0) {
        self.hits = hits
        self.misses = misses
        self.evictions = evictions
    }

    /// hits / (hits + misses); 0 when nothing was looked up.
    public var cacheHitRate: Double {
        let total = hits &+ misses
        return total == 0 ? 0 : Double(hits) / Double(total)
    }
}
