import Foundation
import Testing
@testable import MemoryLayer

@Suite("Retention")
struct RetentionTests {
    private func retained(_ level: MemoryLevel, _ n: Int, dimension: Int = 16) -> MemoryConfiguration {
        var c = smallConfiguration(level, dimension: dimension)
        c.retention = n
        return c
    }

    private func state(_ version: UInt64, _ embedding: [Float]) -> ConsciousState {
        ConsciousState(version: version, phi: 1, embedding: embedding, emotion: [0.5], attentionFocus: 1,
                       timestamp: Double(version), importance: 0.5)
    }

    @Test("after 10·N stores only the newest N are live, exact; older ids read nil and are never similar",
          arguments: MemoryLevel.allCases)
    func keepsTheNewest(level: MemoryLevel) throws {
        let n = 40
        let store = try MemoryStore(configuration: retained(level, n), directory: nil)
        var rng = TestRandom(seed: 70)
        let states = (0..<(10 * n)).map { makeState(UInt64($0), dimension: 16, rng: &rng) }
        for (i, s) in states.enumerated() { #expect(try store.store(s) == UInt64(i)) }
        let encoding = level == .off ? EmbeddingEncoding.float32 : store.configuration.payloadEncoding
        let firstLive = 9 * n
        for id in firstLive..<(10 * n) {
            #expect(matches(try store.retrieve(UInt64(id)), states[id], encoding), "state \(id)")
        }
        for id in 0..<firstLive { #expect(try store.retrieve(UInt64(id)) == nil, "evicted state \(id)") }
        for probe in [0, 5, firstLive - 1] {
            let top = try store.similar(to: states[probe].embedding, k: 10)
            #expect(top.count == 10)
            #expect(top.allSatisfy { $0.id >= UInt64(firstLive) }, "evicted id returned for \(probe)")
        }
        for probe in [firstLive, 10 * n - 1] {
            #expect(try store.similar(to: states[probe].embedding, k: 1).first?.id == UInt64(probe))
        }
        #expect(try store.similar(to: states[0].embedding, k: 1000).count == n)
        let s = store.statistics()
        #expect(s.liveStates == UInt64(n))
        #expect(s.storedStates == UInt64(10 * n))
        #expect(s.retention == UInt64(n))
        #expect(s.evictedByRetention == UInt64(9 * n))
        #expect(s.tiers.hot + s.tiers.warm + s.tiers.cold == s.liveStates)
        #expect(s.faults.total == 0)
        #expect(try !store.delete(0))
    }

    @Test("without retention nothing is evicted (the presets keep everything)")
    func unlimitedByDefault() throws {
        for level in MemoryLevel.allCases { #expect(MemoryConfiguration.preset(level).retention == nil) }
        let store = try MemoryStore(configuration: smallConfiguration(.moderate), directory: nil)
        var rng = TestRandom(seed: 71)
        for i in 0..<200 { try store.store(makeState(UInt64(i), dimension: 16, rng: &rng)) }
        let s = store.statistics()
        #expect(s.liveStates == 200 && s.evictedByRetention == 0 && s.retention == nil)
        #expect(try store.retrieve(0) != nil)
    }

    @Test("a retention below 1 is refused", arguments: MemoryLevel.allCases)
    func badRetention(level: MemoryLevel) {
        var c = smallConfiguration(level)
        c.retention = 0
        #expect(throws: MemoryLayerError.self) { try MemoryStore(configuration: c, directory: nil) }
    }

    @Test("evicting a state that shares its content with a live one keeps the content; refcounts stay right",
          arguments: [MemoryLevel.conservative, .moderate, .aggressive])
    func sharedContent(level: MemoryLevel) throws {
        let n = 30
        let store = try MemoryStore(configuration: retained(level, n), directory: nil)
        let t = try #require(store.tiered)
        var rng = TestRandom(seed: 72)
        let shared = (0..<16).map { _ in rng.symmetric() }
        let old = try store.store(state(0, shared))
        for i in 1..<(n - 5) { try store.store(makeState(UInt64(i), dimension: 16, rng: &rng)) }
        let young = try store.store(state(UInt64(n - 5), shared))
        #expect(store.statistics().dedup.hits == 1)
        // Push `old` (and everything else of its time) out through every tier; `young` stays live.
        for i in (n - 4)..<(n + 20) { try store.store(makeState(UInt64(i), dimension: 16, rng: &rng)) }
        #expect(try store.retrieve(old) == nil)
        let encoding = store.configuration.payloadEncoding
        #expect(matches(try store.retrieve(young), state(UInt64(n - 5), shared), encoding))
        let slot = t.core.withLock { $0.table.slot(young) }
        #expect(t.core.withLock { $0.refcounts[Int(slot)] } == 1)
        #expect(try store.similar(to: shared, k: 2).first?.id == young)
        try expectConsistent(t)
        // Once the last sharer goes too, the same embedding stored again is a new content.
        for i in (n + 20)..<(3 * n) { try store.store(makeState(UInt64(i), dimension: 16, rng: &rng)) }
        #expect(try store.retrieve(young) == nil)
        let again = try store.store(state(UInt64(3 * n), shared))
        #expect(store.statistics().dedup.hits == 1)
        #expect(matches(try store.retrieve(again), state(UInt64(3 * n), shared), encoding))
        try expectConsistent(t)
    }

    /// Refcounts equal the live states using each slot, owners list exactly those states, and the
    /// counters agree with the tables.
    private func expectConsistent(_ t: TieredMemory, sourceLocation: SourceLocation = #_sourceLocation) throws {
        t.flushStaging()
        t.core.withLock { core in
            var users: [UInt32: [UInt64]] = [:]
            var live: UInt64 = 0
            for id in core.table.base..<core.table.nextID where ![.deleted, .absent].contains(core.table.location(id).tier) {
                users[core.table.slot(id), default: []].append(id)
                live += 1
            }
            #expect(live == core.counters.live, sourceLocation: sourceLocation)
            for slot in 0..<core.refcounts.count {
                let expected = users[UInt32(slot)] ?? []
                #expect(Int(core.refcounts[slot]) == expected.count, "slot \(slot)", sourceLocation: sourceLocation)
                #expect(core.states(using: UInt32(slot)) == expected.sorted(by: >), "slot \(slot)", sourceLocation: sourceLocation)
            }
            #expect(core.counters.uniqueLive == UInt64(users.count), sourceLocation: sourceLocation)
            #expect(core.freeSlots.allSatisfy { core.refcounts[Int($0)] == 0 }, sourceLocation: sourceLocation)
            #expect(Set(core.freeSlots).count == core.freeSlots.count, sourceLocation: sourceLocation)
        }
    }

    @Test("resident bytes after 10·N stores are those after 2·N, at every level", arguments: MemoryLevel.allCases)
    func residentBounded(level: MemoryLevel) throws {
        let n = 256
        let store = try MemoryStore(configuration: retained(level, n, dimension: 64), directory: nil)
        var rng = TestRandom(seed: 73)
        var atTwo: MemoryLayerStats?
        for i in 0..<(10 * n) {
            try store.store(makeState(UInt64(i), dimension: 64, rng: &rng))
            try store.record(metrics: EpisodeMetrics(episode: UInt64(i), timestamp: Double(i), phi: Double(i % 7) / 3,
                                                     emotion: SIMD3(Float(i % 3), 0, 0), attentionFocus: Int32(i % 5)))
            if i == 2 * n - 1 { atTwo = store.statistics() }
        }
        let two = try #require(atTwo)
        let ten = store.statistics()
        #expect(ten.liveStates == UInt64(n))
        #expect(Double(ten.residentBytes) <= Double(two.residentBytes) * 1.1,
                "resident \(two.residentBytes) B after 2·N stores, \(ten.residentBytes) B after 10·N")
        #expect(Double(ten.resident.index) <= Double(two.resident.index) * 1.1)
        #expect(Double(ten.resident.locations) <= Double(two.resident.locations) * 1.1)
        #expect(Double(ten.resident.bloom) <= Double(two.resident.bloom) * 1.1)
        #expect(Double(ten.resident.metrics) <= Double(two.resident.metrics) * 1.1)
        // Unbounded, the same run keeps growing: the comparison above can fail.
        var unbounded = retained(level, n, dimension: 64)
        unbounded.retention = nil
        let growing = try MemoryStore(configuration: unbounded, directory: nil)
        rng = TestRandom(seed: 73)
        for i in 0..<(10 * n) { try growing.store(makeState(UInt64(i), dimension: 64, rng: &rng)) }
        #expect(Double(growing.statistics().residentBytes) > Double(two.residentBytes) * 1.5)
    }

    @Test("the metrics history keeps the newest records within the retention", arguments: [MemoryLevel.off, .moderate])
    func metricsBounded(level: MemoryLevel) throws {
        let n = 50
        let store = try MemoryStore(configuration: retained(level, n), directory: nil)
        for i in 0..<(10 * n) {
            try store.record(metrics: EpisodeMetrics(episode: UInt64(i), timestamp: Double(i), phi: 0))
        }
        let history = try store.metricsHistory()
        let ring = level == .off ? 0 : store.configuration.metricsRingCapacity
        #expect(history.count >= n - ring && history.count <= n + ring)
        #expect(history.last?.episode == UInt64(10 * n - 1))
        #expect(zip(history, history.dropFirst()).allSatisfy { $0.episode + 1 == $1.episode })
        #expect(store.statistics().metricsStore.recorded == UInt64(10 * n))
    }

    @Test("cold segments whose records are all dead are removed; cold bytes follow the files")
    func segmentsReclaimed() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var c = retained(.aggressive, 60)
        c.segmentBytes = 4096
        let store = try MemoryStore(configuration: c, directory: dir)
        var rng = TestRandom(seed: 74)
        var states: [ConsciousState] = []
        for i in 0..<1500 {
            let s = makeState(UInt64(i), dimension: 16, rng: &rng)
            states.append(s)
            try store.store(s)
        }
        let stats = store.statistics()
        let segments = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".seg") }
        #expect(stats.tiers.cold > 0)
        #expect(!segments.contains("cold-000000.seg"), "the first segment is long dead")
        #expect(segments.count <= 4, "\(segments.count) segment files for 60 live states")
        let onDisk = segments.reduce(UInt64(0)) { $0 + fileSize(atPath: dir.path + "/" + $1) }
        #expect(stats.disk.coldBytes == onDisk)
        #expect(stats.tiers.coldDead < 300)
        for id in 1440..<1500 { #expect(matches(try store.retrieve(UInt64(id)), states[id], .int4), "state \(id)") }
        #expect(stats.faults.total == 0)
    }

    @Test("a reused index slot is copied, not changed, under a scan in progress")
    func indexSlotReuse() {
        var index = EmbeddingIndex(encoding: .int8, dimension: 8)
        let a: [Float] = [1, 0, 0, 0, 0, 0, 0, 0]
        let b: [Float] = [0, 1, 0, 0, 0, 0, 0, 0]
        _ = index.append(Quantizer.quantize(a, as: .int8))
        _ = index.append(Quantizer.quantize(b, as: .int8))
        let snapshot = index.snapshot
        index.overwrite(0, with: Quantizer.quantize(b, as: .int8))
        #expect(index.generation(of: 0) == 1 && index.generation(of: 1) == 0)
        let old = snapshot.top(a, m: 1)
        #expect(old.first?.slot == 0 && old.first?.generation == 0 && (old.first?.score ?? 0) > 0.99)
        let now = index.snapshot.top(a, m: 2)
        #expect(now.allSatisfy { $0.score < 0.01 })
        #expect(index.snapshot.top(b, m: 2).map(\.generation).sorted() == [0, 1])
        // A slot no live state uses is not scanned, however well it would score.
        index.setLive(0, false)
        #expect(index.snapshot.top(b, m: 2).map(\.slot) == [1])
        #expect(snapshot.top(b, m: 2).count == 2, "a snapshot keeps the liveness it was taken with")
    }

    /// Property: any mix of stores (some repeating earlier embeddings), reads, deletes and queries
    /// under a retention agrees with a model that deletes the oldest live states.
    @Test("random operations under retention agree with a model", arguments: [
        (MemoryLevel.off, UInt64(1)), (.conservative, 2), (.moderate, 3), (.aggressive, 4), (.moderate, 5),
    ])
    func randomOperations(level: MemoryLevel, seed: UInt64) throws {
        let n = 25
        var c = retained(level, n)
        c.warmReadsToHot = 3
        let store = try MemoryStore(configuration: c, directory: nil)
        let encoding = level == .off ? EmbeddingEncoding.float32 : c.payloadEncoding
        var rng = TestRandom(seed: seed)
        var model: [UInt64: ConsciousState] = [:]
        var order: [UInt64] = []  // live ids, oldest first
        var pool: [[Float]] = []
        var next: UInt64 = 0
        var evicted: UInt64 = 0
        for _ in 0..<1500 {
            switch rng.below(10) {
            case 0..<5:
                var s = makeState(next, dimension: 16, rng: &rng)
                if !pool.isEmpty && rng.below(3) == 0 { s.embedding = pool[rng.below(pool.count)] }
                pool.append(s.embedding)
                if pool.count > 3 * n { pool.removeFirst() }
                #expect(try store.store(s) == next)
                model[next] = s
                order.append(next)
                next += 1
                while order.count > n {
                    model[order.removeFirst()] = nil
                    evicted += 1
                }
            case 5..<7 where next > 0:
                let id = next - 1 - UInt64(rng.below(min(Int(next), 3 * n)))
                let r = try store.retrieve(id)
                if let s = model[id] { #expect(matches(r, s, encoding), "state \(id)") } else { #expect(r == nil, "state \(id)") }
            case 7 where next > 0:
                let id = next - 1 - UInt64(rng.below(min(Int(next), 2 * n)))
                #expect(try store.delete(id) == (model[id] != nil))
                model[id] = nil
                order.removeAll { $0 == id }
            default:
                guard let (_, s) = model.randomElement(using: &rng) else { break }
                let top = try store.similar(to: s.embedding, k: 4)
                #expect(top.allSatisfy { model[$0.id] != nil }, "a deleted id was returned")
                #expect(top.count == min(4, model.count))
            }
        }
        for (id, s) in model { #expect(matches(try store.retrieve(id), s, encoding), "state \(id)") }
        let stats = store.statistics()
        #expect(stats.liveStates == UInt64(model.count))
        #expect(stats.evictedByRetention == evicted)
        #expect(stats.faults.total == 0)
        if let t = store.tiered { try expectConsistent(t) }
    }

    @Test("workers storing, reading and querying under retention see only live, correct states",
          arguments: [MemoryLevel.off, .moderate])
    func concurrent(level: MemoryLevel) async throws {
        let n = 64
        let store = try MemoryStore(configuration: retained(level, n), directory: nil)
        let encoding = level == .off ? EmbeddingEncoding.float32 : store.configuration.payloadEncoding
        let results = await withTaskGroup(of: [(UInt64, ConsciousState)].self) { group in
            for worker in 0..<4 {
                group.addTask {
                    var rng = TestRandom(seed: UInt64(200 + worker))
                    var mine: [(UInt64, ConsciousState)] = []
                    for i in 0..<300 {
                        let s = makeState(UInt64(worker * 1000 + i), dimension: 16, rng: &rng)
                        guard let id = try? store.store(s) else { continue }
                        mine.append((id, s))
                        if i % 3 == 0, let (old, s) = mine.randomElement(using: &rng), let r = try? store.retrieve(old) {
                            // Gone is fine; anything returned must be what was stored under that id.
                            if !matches(r, s, encoding) { return [] }
                        }
                        if i % 7 == 0 { _ = try? store.similar(to: s.embedding, k: 3) }
                    }
                    return mine
                }
            }
            var all: [(UInt64, ConsciousState)] = []
            for await part in group { all += part }
            return all
        }
        #expect(results.count == 1200)
        let newest = results.sorted { $0.0 > $1.0 }
        for (id, s) in newest.prefix(n) { #expect(matches(try store.retrieve(id), s, encoding), "state \(id)") }
        for (id, _) in newest.dropFirst(n) { #expect(try store.retrieve(id) == nil, "state \(id)") }
        let stats = store.statistics()
        #expect(stats.liveStates == UInt64(n))
        #expect(stats.evictedByRetention == UInt64(1200 - n))
        #expect(stats.faults.total == 0)
        if let t = store.tiered { try expectConsistent(t) }
    }

    @Test("retention and evictions encode under stable names; older results decode without them")
    func statisticsShape() throws {
        let store = try MemoryStore(configuration: retained(.moderate, 5), directory: nil)
        var rng = TestRandom(seed: 75)
        for i in 0..<12 { try store.store(makeState(UInt64(i), dimension: 16, rng: &rng)) }
        let s = store.statistics()
        let json = String(decoding: try JSONEncoder().encode(s), as: UTF8.self)
        #expect(json.contains("\"retention\":5") && json.contains("\"evicted_by_retention\":7"))
        #expect(try JSONDecoder().decode(MemoryLayerStats.self, from: JSONEncoder().encode(s)) == s)
        let old = #"{"level":"moderate","stored_states":3}"#
        let decoded = try JSONDecoder().decode(MemoryLayerStats.self, from: Data(old.utf8))
        #expect(decoded.retention == nil && decoded.evictedByRetention == 0)
    }
}
