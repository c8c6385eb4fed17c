import Foundation
import Testing
@testable import MemoryLayer

@Suite("Faults")
struct FaultTests {
    /// A store with states 0..<n stored, most of them cold, in its own directory.
    private func filled(_ n: Int, level: MemoryLevel = .moderate, configure: (inout MemoryConfiguration) -> Void = { _ in })
        throws -> (MemoryStore, [ConsciousState], URL) {
        var c = smallConfiguration(level)
        configure(&c)
        let dir = temporaryDirectory()
        let store = try MemoryStore(configuration: c, directory: dir)
        var rng = TestRandom(seed: 40)
        let states = (0..<n).map { makeState(UInt64($0), dimension: 16, rng: &rng) }
        for s in states { try store.store(s) }
        return (store, states, dir)
    }

    private func coldAddress(_ store: MemoryStore, _ id: UInt64) throws -> ColdAddress {
        let t = try #require(store.tiered)
        let loc = t.core.withLock { $0.table.location(id) }
        try #require(loc.tier == .cold)
        return loc.coldAddress
    }

    private func patch(_ url: URL, at offset: Int, _ body: (inout UInt8) -> Void) throws {
        var data = try Data(contentsOf: url)
        body(&data[offset])
        try data.write(to: url)
    }

    @Test("a flipped byte in a cold block is reported as corruption, never returned", arguments: [5, 20, 40])
    func corruptSegment(byteIntoBlock: Int) throws {
        let (store, states, dir) = try filled(60)
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try coldAddress(store, 0)
        let segment = dir.appendingPathComponent("cold-000000.seg")
        try patch(segment, at: Int(a.offset) + byteIntoBlock) { $0 ^= 0x10 }
        #expect(throws: MemoryLayerError.self) { try store.retrieve(0) }
        do throws(MemoryLayerError) {
            _ = try store.retrieve(0)
        } catch {
            if case .corrupt(let id, let tier, _) = error { #expect(id == 0 && tier == "cold") } else {
                Issue.record("expected corruption, got \(error)")
            }
        }
        let s = store.statistics()
        #expect(s.faults.corruptRecords == 1)
        #expect(s.faults.corruptReads == 2)
        #expect(s.faults.lastError?.contains("corrupt") == true)
        // States in other blocks are untouched.
        let other = try coldAddress(store, 8)
        #expect(other.offset != a.offset)
        #expect(matches(try store.retrieve(8), states[8], .int8))
    }

    @Test("a truncated segment is reported for the blocks it lost; earlier blocks still read")
    func truncatedSegment() throws {
        let (store, states, dir) = try filled(60)
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try coldAddress(store, 0)
        let last = try coldAddress(store, 20)
        #expect(last.offset > first.offset)
        let segment = dir.appendingPathComponent("cold-000000.seg")
        let handle = try FileHandle(forWritingTo: segment)
        try handle.truncate(atOffset: UInt64(last.offset) + 10)
        try handle.close()
        #expect(throws: MemoryLayerError.truncatedSegment(path: segment.path, offset: UInt64(last.offset))) {
            try store.retrieve(20)
        }
        #expect(matches(try store.retrieve(0), states[0], .int8))
        #expect(store.statistics().faults.truncatedSegments == 1)
    }

    @Test("a damaged row in the warm database fails its checksum")
    func damagedWarmRow() throws {
        let (store, states, dir) = try filled(20, level: .conservative)
        defer { try? FileManager.default.removeItem(at: dir) }
        let t = try #require(store.tiered)
        let warmID = try #require((0..<20).first { id in t.core.withLock { $0.table.location(UInt64(id)).tier } == .warm })
        let record = RecordCodec.encode(states[warmID])
        let file = dir.appendingPathComponent("memory-warm.sqlite")
        let data = try Data(contentsOf: file)
        let at = try #require(data.firstRange(of: Data(record))).lowerBound
        try patch(file, at: at + 12) { $0 ^= 0x01 }
        // Bump SQLite's file change counter, as any other writer would, so the page cache is dropped.
        try patch(file, at: 27) { $0 &+= 1 }
        #expect(throws: MemoryLayerError.self) { try store.retrieve(UInt64(warmID)) }
        let s = store.statistics()
        #expect(s.faults.corruptRecords == 1)
        #expect(s.faults.lastError?.contains("checksum") == true)
    }

    @Test("an overwritten warm database is reported as damaged, with its path")
    func damagedWarmFile() throws {
        let (store, _, dir) = try filled(20, level: .conservative)
        defer { try? FileManager.default.removeItem(at: dir) }
        let t = try #require(store.tiered)
        let warmID = try #require((0..<20).first { id in t.core.withLock { $0.table.location(UInt64(id)).tier } == .warm })
        let file = dir.appendingPathComponent("memory-warm.sqlite")
        let size = try Data(contentsOf: file).count
        try Data(repeating: 0xA5, count: size).write(to: file)
        do throws(MemoryLayerError) {
            let r = try store.retrieve(UInt64(warmID))
            Issue.record("returned \(String(describing: r)) from a destroyed database")
        } catch {
            guard case .warmTierDamaged(let path, _) = error else {
                Issue.record("expected warmTierDamaged, got \(error)")
                return
            }
            #expect(path == file.path)
        }
        #expect(store.statistics().faults.warmDamaged >= 1)
    }

    @Test("a full disk refuses new states with a clear error and loses none already stored")
    func diskFull() throws {
        var c = smallConfiguration(.moderate)
        c.writeBudgetBytes = 3000
        let store = try MemoryStore(configuration: c, directory: nil)
        var rng = TestRandom(seed: 41)
        var states: [ConsciousState] = []
        var refusal: MemoryLayerError?
        for i in 0..<200 {
            let s = makeState(UInt64(i), dimension: 16, rng: &rng)
            do {
                try store.store(s)
                states.append(s)
            } catch {
                refusal = error
                break
            }
        }
        let error = try #require(refusal)
        #expect(error.description.contains("disk full"))
        for (i, s) in states.enumerated() { #expect(matches(try store.retrieve(UInt64(i)), s, .int8)) }
        var stats = store.statistics()
        #expect(stats.faults.diskFull >= 1)
        #expect(stats.faults.refusedStores == 1)
        #expect(stats.tiers.hot > UInt64(c.hotCapacity))

        // Space comes back: the backlog drains and stores work again.
        try #require(store.tiered).setWriteBudget(nil)
        for i in states.count..<(states.count + 40) {
            let s = makeState(UInt64(i), dimension: 16, rng: &rng)
            try store.store(s)
            states.append(s)
        }
        stats = store.statistics()
        #expect(stats.tiers.hot <= UInt64(c.hotCapacity))
        for (i, s) in states.enumerated() { #expect(matches(try store.retrieve(UInt64(i)), s, .int8)) }
    }
}
