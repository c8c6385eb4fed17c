@testable import Pipeline
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

@Suite struct PhiCacheModelTests {
    @Test("the cache is an exact LRU, also when keys collide in its index", arguments: [1, 7, 64])
    func agreesWithAModel(capacity: Int) {
        let cache = PhiCache(capacity: capacity)
        var model: [UInt64] = []  // most recent first
        var rng = Xoshiro256(seed: UInt64(capacity))
        for _ in 0..<20_000 {
            // Few distinct low bits: long probe runs, and evictions that shift them.
            let key = UInt64(rng.below(3 * capacity + 5)) << 40 | UInt64(rng.below(4))
            if rng.below(2) == 0 {
                let hit = cache.lookup(key)
                if let i = model.firstIndex(of: key) {
                    #expect(hit == Double(key))
                    model.remove(at: i)
                    model.insert(key, at: 0)
                } else {
                    #expect(hit == nil)
                }
            } else {
                cache.insert(key, Double(key))
                model.removeAll { $0 == key }
                model.insert(key, at: 0)
                if model.count > capacity { model.removeLast() }
            }
        }
        #expect(cache.keysByRecency() == model)
        for key in model { #expect(cache.lookup(key) == Double(key)) }
    }
}

@Suite struct PhiKeyTests {
    /// The key from first principles: the k most active nodes (ties to the lower id), ascending.
    private func reference(_ activity: [Double], k: Int, binarize: Double) -> (nodes: [Int32], state: UInt32, key: UInt64) {
        let top = activity.indices.sorted { activity[$0] != activity[$1] ? activity[$0] > activity[$1] : $0 < $1 }
        let nodes = top.prefix(k).sorted().map(Int32.init)
        let peak = activity[top[0]]
        var state: UInt32 = 0
        var key = SplitMix64.hash(UInt64(k), 0x9417)
        for (i, n) in nodes.enumerated() {
            if activity[Int(n)] >= binarize * peak && peak > 0 { state |= 1 << UInt32(i) }
            key = SplitMix64.mix(key ^ UInt64(n))
        }
        return (nodes, state, SplitMix64.hash(key, UInt64(state)))
    }

    @Test("the fast key equals the key from a full sort, ties included", arguments: [2, 8, 12])
    func matchesFullSort(k: Int) {
        var rng = Xoshiro256(seed: UInt64(k))
        for round in 0..<500 {
            // Few distinct levels on some rounds, so ties between nodes are common.
            let levels = round % 3 == 0 ? 4 : 1 << 30
            let activity = (0..<64).map { _ in Double(rng.below(levels)) / Double(levels) }
            var nodes = [Int32](repeating: -1, count: k)
            let (key, state) = nodes.withUnsafeMutableBufferPointer { n in
                activity.withUnsafeBufferPointer { EpisodeRunner.phiKey($0, k: k, binarize: 0.5, nodes: n) }
            }
            let expected = reference(activity, k: k, binarize: 0.5)
            #expect(nodes == expected.nodes && state == expected.state && key == expected.key, "round \(round)")
        }
    }
}
