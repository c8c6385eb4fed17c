import Foundation
import Testing
@testable import MemoryLayer

@Suite("Concurrency")
struct ConcurrencyTests {
    @Test("workers storing, reading and querying at once lose nothing", arguments: [MemoryLevel.off, .moderate])
    func sharedStore(level: MemoryLevel) async throws {
        let store = try MemoryStore(configuration: smallConfiguration(level), directory: nil)
        let results = await withTaskGroup(of: [(UInt64, ConsciousState)].self) { group in
            for worker in 0..<4 {
                group.addTask {
                    var rng = TestRandom(seed: UInt64(100 + worker))
                    var mine: [(UInt64, ConsciousState)] = []
                    for i in 0..<150 {
                        let s = makeState(UInt64(worker * 1000 + i), dimension: 16, rng: &rng)
                        guard let id = try? store.store(s) else { continue }
                        mine.append((id, s))
                        if i % 3 == 0, let (old, _) = mine.randomElement(using: &rng) { _ = try? store.retrieve(old) }
                        if i % 7 == 0 { _ = try? store.similar(to: s.embedding, k: 3) }
                        if i % 5 == 0 { _ = store.statistics() }
                    }
                    return mine
                }
            }
            var all: [(UInt64, ConsciousState)] = []
            for await part in group { all += part }
            return all
        }
        #expect(results.count == 600)
        #expect(Set(results.map(\.0)).count == 600)
        let encoding = level == .off ? EmbeddingEncoding.float32 : store.configuration.payloadEncoding
        for (id, s) in results { #expect(matches(try store.retrieve(id), s, encoding), "state \(id)") }
        let stats = store.statistics()
        #expect(stats.liveStates == 600)
        #expect(stats.faults.total == 0)
    }
}
