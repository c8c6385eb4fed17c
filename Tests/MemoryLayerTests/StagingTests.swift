import Testing
@testable import MemoryLayer

/// Write-behind: a stored state is readable, searchable and deletable before its batch is encoded,
/// and encoding it changes nothing a caller can see but the stated quantization.
@Suite("Write-behind staging")
struct StagingTests {
    private func store(_ level: MemoryLevel = .moderate, staging: Int = 8, retention: Int? = nil) throws -> MemoryStore {
        var c = smallConfiguration(level)
        c.stagingCapacity = staging
        c.retention = retention
        return try MemoryStore(configuration: c, directory: nil)
    }

    @Test("a staged state reads back exactly, is found by similar, and is encoded once its batch fills")
    func stagedThenEncoded() throws {
        let s = try store(staging: 8)
        let t = try #require(s.tiered)
        var rng = TestRandom(seed: 90)
        let states = (0..<5).map { makeState(UInt64($0), dimension: 16, rng: &rng) }
        for st in states { try s.store(st) }
        #expect(t.core.withLock { core in (0..<5).allSatisfy { core.table.location(UInt64($0)).tier == .staged } })
        // Exact before encoding (not even quantized yet).
        for (i, st) in states.enumerated() { #expect(try s.retrieve(UInt64(i)) == st) }
        let before = try s.similar(to: states[3].embedding, k: 2)
        #expect(before.first?.id == 3)
        for i in 5..<8 { try s.store(makeState(UInt64(i), dimension: 16, rng: &rng)) }
        // The eighth store filled the batch: every state is encoded, none is staged.
        #expect(t.core.withLock { core in core.staging.isEmpty && (0..<8).allSatisfy { core.table.location(UInt64($0)).tier != .staged } })
        for (i, st) in states.enumerated() { #expect(matches(try s.retrieve(UInt64(i)), st, .int8)) }
        // A state scores the same staged and encoded: its staged score is its future row's.
        let after = try s.similar(to: states[3].embedding, k: 2)
        #expect(after.first?.id == 3 && after.first?.score == before.first?.score)
    }

    @Test("a state deleted while staged is gone, and its batch skips it")
    func deleteStaged() throws {
        let s = try store(staging: 4)
        let t = try #require(s.tiered)
        var rng = TestRandom(seed: 91)
        let shared = makeState(0, dimension: 16, rng: &rng)
        try s.store(shared)
        var copy = shared
        copy.version = 1
        try s.store(copy)
        #expect(try s.delete(0))
        #expect(try s.retrieve(0) == nil && !(try s.delete(0)))
        #expect(try s.similar(to: shared.embedding, k: 3).map(\.id) == [1])
        t.flushStaging()
        let slot = t.core.withLock { $0.table.slot(1) }
        #expect(t.core.withLock { $0.refcounts[Int(slot)] } == 1)
        let stats = s.statistics()
        #expect(stats.liveStates == 1 && stats.storedStates == 2 && stats.dedup.uniqueContents == 1)
        #expect(stats.dedup.hits == 0)  // the deleted state never reached the content table
    }

    @Test("retention evicts staged states like any other, oldest first")
    func retentionEvictsStaged() throws {
        let s = try store(staging: 16, retention: 5)
        var rng = TestRandom(seed: 92)
        for i in 0..<12 { try s.store(makeState(UInt64(i), dimension: 16, rng: &rng)) }
        for i in 0..<7 { #expect(try s.retrieve(UInt64(i)) == nil) }
        for i in 7..<12 { #expect(try s.retrieve(UInt64(i)) != nil) }
        let stats = s.statistics()
        #expect(stats.liveStates == 5 && stats.evictedByRetention == 7)
    }

    @Test("a staging capacity of one encodes every state as it is stored")
    func capacityOne() throws {
        let s = try store(staging: 1)
        let t = try #require(s.tiered)
        var rng = TestRandom(seed: 93)
        try s.store(makeState(0, dimension: 16, rng: &rng))
        #expect(t.core.withLock { $0.staging.isEmpty && $0.table.location(0).tier == .hot })
    }
}
