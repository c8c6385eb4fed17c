/// Φ computation cache counters.
package struct PhiStats: Sendable, Codable, Equatable {
    package var hits: UInt64
    package var misses: UInt64
    package var evictions: UInt64

    package init(hits: UInt64 = 0, misses: UInt64 = 0, evictions: UInt64 = 0) {
        self.hits = hits
        self.misses = misses
        self.evictions = evictions
    }

    /// hits / (hits + misses); 0 when nothing was looked up.
    package var cacheHitRate: Double {
        let total = hits &+ misses
        return total == 0 ? 0 : Double(hits) / Double(total)
    }
}
