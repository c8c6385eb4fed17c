import Testing
@testable import MemoryLayer

@Suite("Tiers and migrations")
struct MigrationTests {
    @Test("idle states move hot → warm → cold, in logical time, and stay retrievable")
    func demotions() throws {
        let store = try MemoryStore(configuration: smallConfiguration(.moderate), directory: nil)
        var rng = TestRandom(seed: 20)
        let states = (0..<60).map { makeState(UInt64($0), dimension: 16, rng: &rng) }
        for s in states { try store.store(s) }
        let s = store.statistics()
        #expect(s.tiers.hot <= 8)
        #expect(s.tiers.warm > 0)
        #expect(s.tiers.cold > 0)
        #expect(s.migrations.hotToWarm == s.tiers.warm + s.tiers.cold)
        #expect(s.migrations.warmToCold == s.tiers.cold)
        for (i, st) in states.enumerated() {
            #expect(matches(try store.retrieve(UInt64(i)), st, .int8))
        }
    }

    @Test("a cold state read twice moves to warm; a warm state read five times moves to hot")
    func promotions() throws {
        let store = try MemoryStore(configuration: smallConfiguration(.conservative), directory: nil)
        var rng = TestRandom(seed: 21)
        let states = (0..<60).map { makeState(UInt64($0), dimension: 16, rng: &rng) }
        for s in states { try store.store(s) }
        let t = try #require(store.tiered)
        let tier = { (id: UInt64) in t.core.withLock { $0.table.location(id).tier } }
        #expect(tier(0) == .cold)
        #expect(matches(try store.retrieve(0), states[0], .float32))
        #expect(tier(0) == .cold)
        #expect(matches(try store.retrieve(0), states[0], .float32))
        #expect(tier(0) == .warm)
        for _ in 0..<4 { #expect(matches(try store.retrieve(0), states[0], .float32)) }
        #expect(tier(0) == .warm)
        #expect(matches(try store.retrieve(0), states[0], .float32))
        #expect(tier(0) == .hot)
        let s = store.statistics()
        #expect(s.migrations.coldToWarm == 1)
        #expect(s.migrations.warmToHot == 1)
        #expect(s.tiers.coldDead == 1)
        #expect(s.migrations.promotions == 2)
    }

    @Test("a read keeps a hot state hot: idleness counts from the last access")
    func readsRefreshIdleness() throws {
        let store = try MemoryStore(configuration: smallConfiguration(.aggressive), directory: nil)
        var rng = TestRandom(seed: 22)
        try store.store(makeState(0, dimension: 16, rng: &rng))
        let t = try #require(store.tiered)
        t.flushStaging()  // hot, not staged, so reads touch it
        for i in 1..<6 {
            try store.store(makeState(UInt64(i), dimension: 16, rng: &rng))
            _ = try store.retrieve(0)
        }
        #expect(t.core.withLock { $0.table.location(0).tier } == .hot)
        for i in 6..<20 { try store.store(makeState(UInt64(i), dimension: 16, rng: &rng)) }
        #expect(t.core.withLock { $0.table.location(0).tier } != .hot)
    }

    /// Property: after any sequence of stores, reads (which promote), deletes and more stores
    /// (which demote), every live state is retrievable as stored and every deleted one is gone.
    @Test("every item survives any sequence of migrations", arguments: [
        (MemoryLevel.conservative, UInt64(1)), (.moderate, 2), (.aggressive, 3), (.moderate, 4), (.conservative, 5),
    ])
    func randomOperations(level: MemoryLevel, seed: UInt64) throws {
        var c = smallConfiguration(level)
        c.warmReadsToHot = 3
        let store = try MemoryStore(configuration: c, directory: nil)
        var rng = TestRandom(seed: seed)
        var model: [UInt64: ConsciousState] = [:]
        var deleted: Set<UInt64> = []
        var pool: [[Float]] = []  // earlier embeddings, reused to exercise dedup
        var next: UInt64 = 0
        for _ in 0..<600 {
            switch rng.below(10) {
            case 0..<5:
                var s = makeState(next, dimension: 16, rng: &rng)
                if !pool.isEmpty && rng.below(4) == 0 { s.embedding = pool[rng.below(pool.count)] }
                pool.append(s.embedding)
                let id = try store.store(s)
                #expect(id == next)
                model[id] = s
                next += 1
            case 5..<8 where next > 0:
                // Favour old ids so cold and warm states get read (and promoted).
                let id = UInt64(rng.below(Int(next)) / (rng.below(3) + 1))
                let r = try store.retrieve(id)
                if let s = model[id] { #expect(matches(r, s, c.payloadEncoding), "state \(id)") } else { #expect(r == nil) }
            case 8 where next > 0:
                let id = UInt64(rng.below(Int(next)))
                let existed = try store.delete(id)
                #expect(existed == (model[id] != nil))
                model[id] = nil
                deleted.insert(id)
            default:
                if let (id, s) = model.randomElement(using: &rng) {
                    let top = try store.similar(to: s.embedding, k: 3)
                    #expect(top.allSatisfy { model[$0.id] != nil })
                    #expect(top.first.map { $0.score > 0.9 } == true)
                    _ = id
                }
            }
        }
        for (id, s) in model { #expect(matches(try store.retrieve(id), s, c.payloadEncoding), "state \(id)") }
        for id in deleted { #expect(try store.retrieve(id) == nil) }
        let stats = store.statistics()
        #expect(stats.liveStates == UInt64(model.count))
        #expect(stats.tiers.hot + stats.tiers.warm + stats.tiers.cold == stats.liveStates)
        #expect(stats.migrations.hotToWarm > 0 && stats.migrations.warmToCold > 0)
        #expect(stats.migrations.coldToWarm > 0)
        #expect(stats.faults.total == 0)
    }
}

extension TestRandom: RandomNumberGenerator {}

@Suite("Warm read counting")
struct WarmReadCountTests {
    @Test("reads of a warm state add up across maintenance passes (the store keeps them while it is warm)")
    func readsSurviveFlushes() throws {
        var c = smallConfiguration(.moderate)
        c.warmIdleEpisodes = 1000  // keep the state warm while stores run maintenance
        let store = try MemoryStore(configuration: c, directory: nil)
        let t = try #require(store.tiered)
        var rng = TestRandom(seed: 23)
        let first = makeState(0, dimension: 16, rng: &rng)
        try store.store(first)
        var next: UInt64 = 1
        func storeSome(_ n: Int) throws {
            for _ in 0..<n {
                try store.store(makeState(next, dimension: 16, rng: &rng))
                next += 1
            }
        }
        try storeSome(20)
        #expect(t.core.withLock { $0.table.location(0).tier } == .warm)
        for _ in 0..<4 {
            #expect(matches(try store.retrieve(0), first, .int8))
            try storeSome(9)  // passes a sweep interval
        }
        #expect(t.core.withLock { $0.warmTouches[StateKey(0)]?.reads } == 4)
        #expect(t.core.withLock { $0.table.location(0).tier } == .warm)
        #expect(matches(try store.retrieve(0), first, .int8))
        #expect(t.core.withLock { $0.table.location(0).tier } == .hot)
        #expect(store.statistics().migrations.warmToHot == 1)
    }
}
