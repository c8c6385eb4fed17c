import Testing
@testable import MemoryLayer

@Suite("Deduplication")
struct DedupTests {
    private func state(_ v: UInt64, _ e: [Float]) -> ConsciousState {
        ConsciousState(version: v, phi: Double(v), embedding: e, emotion: [0.5], attentionFocus: Int32(v),
                       timestamp: Double(v), importance: 0.5)
    }

    @Test("equal embeddings share one content; refcounts follow stores and deletes")
    func refcounts() throws {
        let store = try MemoryStore(configuration: smallConfiguration(.moderate), directory: nil)
        let t = try #require(store.tiered)
        var rng = TestRandom(seed: 30)
        let shared = (0..<16).map { _ in rng.symmetric() }
        let other = (0..<16).map { _ in rng.symmetric() }
        let a = try store.store(state(0, shared))
        let b = try store.store(state(1, shared))
        let c = try store.store(state(2, other))
        let d = try store.store(state(3, shared))
        t.flushStaging()  // write-behind: encode the staged states before looking at their slots
        let slot = t.core.withLock { $0.table.slot(a) }
        #expect(t.core.withLock { [$0.table.slot(b), $0.table.slot(d)] } == [slot, slot])
        #expect(t.core.withLock { $0.table.slot(c) } != slot)
        #expect(t.core.withLock { $0.refcounts[Int(slot)] } == 3)
        var s = store.statistics()
        #expect(s.dedup.uniqueContents == 2)
        #expect(s.dedup.hits == 2)
        #expect(s.dedup.ratio == 2)

        // Deleting a shared state keeps the others and their embedding.
        #expect(try store.delete(a))
        #expect(!(try store.delete(a)))
        #expect(t.core.withLock { $0.refcounts[Int(slot)] } == 2)
        #expect(try store.retrieve(a) == nil)
        #expect(matches(try store.retrieve(b), state(1, shared), .int8))
        #expect(matches(try store.retrieve(d), state(3, shared), .int8))
        let top = try store.similar(to: shared, k: 3)
        #expect(top.map(\.id) == [d, b, c])
        #expect(top[0].score == top[1].score)

        #expect(try store.delete(b))
        #expect(try store.delete(d))
        #expect(t.core.withLock { $0.refcounts[Int(slot)] } == 0)
        s = store.statistics()
        #expect(s.dedup.uniqueContents == 1)
        #expect(try store.similar(to: shared, k: 3).map(\.id) == [c])
    }

    @Test("dedup works against contents already in the warm database, and survives their states moving")
    func dedupAcrossTiers() throws {
        let store = try MemoryStore(configuration: smallConfiguration(.conservative), directory: nil)
        let t = try #require(store.tiered)
        var rng = TestRandom(seed: 31)
        let shared = (0..<16).map { _ in rng.symmetric() }
        let first = try store.store(state(0, shared))
        for i in 1..<50 { try store.store(makeState(UInt64(i), dimension: 16, rng: &rng)) }
        #expect(t.core.withLock { $0.pending.isEmpty || $0.pending.count < 50 })
        #expect(t.core.withLock { $0.table.location(first).tier } == .cold)
        let again = try store.store(state(50, shared))
        t.flushStaging()
        #expect(t.core.withLock { $0.table.slot(again) == $0.table.slot(first) })
        #expect(store.statistics().dedup.hits == 1)
        // Delete the first owner, push the second through all tiers: the content must survive.
        #expect(try store.delete(first))
        for i in 51..<120 { try store.store(makeState(UInt64(i), dimension: 16, rng: &rng)) }
        #expect(t.core.withLock { $0.table.location(again).tier } == .cold)
        #expect(matches(try store.retrieve(again), state(50, shared), .float32))
    }

    @Test("once every sharer is deleted, the same embedding stored again is new content")
    func reviveAfterDeletion() throws {
        let store = try MemoryStore(configuration: smallConfiguration(.moderate), directory: nil)
        var rng = TestRandom(seed: 32)
        let e = (0..<16).map { _ in rng.symmetric() }
        let a = try store.store(state(0, e))
        for i in 1..<40 { try store.store(makeState(UInt64(i), dimension: 16, rng: &rng)) }
        #expect(try store.delete(a))
        for i in 40..<50 { try store.store(makeState(UInt64(i), dimension: 16, rng: &rng)) }
        let b = try store.store(state(50, e))
        for i in 51..<100 { try store.store(makeState(UInt64(i), dimension: 16, rng: &rng)) }
        #expect(matches(try store.retrieve(b), state(50, e), .int8))
        let s = store.statistics()
        #expect(s.dedup.hits == 0)
        // The Bloom filter remembered the deleted content: that "maybe" was a false positive.
        #expect(s.bloom.falsePositives >= 1)
        #expect(s.faults.total == 0)
    }
}
