import Pipeline
import Testing

@Suite struct PhiCacheTests {
    @Test func hitsReturnTheStoredValueAndAreCounted() {
        let cache = PhiCache(capacity: 4)
        #expect(cache.lookup(7) == nil)
        cache.insert(7, 1.25)
        #expect(cache.lookup(7) == 1.25)
        #expect(cache.lookup(7) == 1.25)
        #expect(cache.lookup(8) == nil)
        let s = cache.statistics
        #expect(s.hits == 2 && s.misses == 2 && s.evictions == 0 && s.cacheHitRate == 0.5)
    }

    @Test func leastRecentlyUsedIsEvicted() {
        let cache = PhiCache(capacity: 3)
        cache.insert(1, 1)
        cache.insert(2, 2)
        cache.insert(3, 3)
        #expect(cache.keysByRecency() == [3, 2, 1])
        #expect(cache.lookup(1) == 1)  // 1 becomes most recent; 2 is now the oldest
        #expect(cache.keysByRecency() == [1, 3, 2])
        cache.insert(4, 4)
        #expect(cache.keysByRecency() == [4, 1, 3])
        #expect(cache.lookup(2) == nil)
        cache.insert(5, 5)  // evicts 3
        #expect(cache.lookup(3) == nil)
        #expect(cache.lookup(1) == 1 && cache.lookup(4) == 4 && cache.lookup(5) == 5)
        let s = cache.statistics
        #expect(s.evictions == 2 && s.hits == 4 && s.misses == 2 && cache.count == 3)
    }

    @Test func reinsertingUpdatesWithoutEvicting() {
        let cache = PhiCache(capacity: 2)
        cache.insert(1, 1)
        cache.insert(2, 2)
        cache.insert(1, 10)
        #expect(cache.keysByRecency() == [1, 2])
        #expect(cache.lookup(1) == 10 && cache.statistics.evictions == 0)
    }

    @Test func zeroCapacityCachesNothing() {
        let cache = PhiCache(capacity: 0)
        cache.insert(1, 1)
        #expect(cache.lookup(1) == nil && cache.count == 0 && cache.statistics.misses == 1)
    }

    @Test func manyKeysKeepTheListConsistent() {
        let cache = PhiCache(capacity: 50)
        var rng = Xoshiro256(seed: 9)
        for _ in 0..<5_000 {
            let key = UInt64(rng.below(120))
            if let v = cache.lookup(key) {
                #expect(v == Double(key))
            } else {
                cache.insert(key, Double(key))
            }
        }
        let keys = cache.keysByRecency()
        #expect(keys.count == 50 && Set(keys).count == 50)
        let s = cache.statistics
        #expect(s.hits + s.misses == 5_000 && s.evictions == s.misses - 50)
    }
}
