import Foundation
import Testing
@testable import MemoryLayer

/// The warm tier writes one row per batch of demoted states (issue #26): the block format, the tier's
/// reads of one record, idleness by block, and what the store does with a block whose states leave it.
@Suite("Warm blocks")
struct WarmBlockTests {
    private static func rows(_ n: Int, firstID: UInt64 = 0, rng: inout TestRandom) -> [WarmRecordRow] {
        (0..<n).map { k in
            // Lengths 0…300, so bodies of every size (and empty ones) sit next to each other.
            let body = (0..<rng.below(301)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            return WarmRecordRow(id: firstID + UInt64(k) * 3, slot: UInt32(rng.below(1000)), body: body[...], lastAccess: UInt64(k))
        }
    }

    private static func encode(_ rows: [WarmRecordRow]) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: WarmBlock.length(rows)) { out, count in
            count = WarmBlock.write(rows, into: UnsafeMutableRawBufferPointer(out))
        }
    }

    @Test("a block of any size round-trips: every record, and each found alone by id", arguments: [0, 1, 2, 64, 1024])
    func roundTrip(count: Int) throws {
        var rng = TestRandom(seed: UInt64(260 + count))
        let rows = Self.rows(count, firstID: 1 << 40, rng: &rng)
        let bytes = Self.encode(rows)
        #expect(bytes.count == WarmBlock.length(rows))
        let back = try bytes.withUnsafeBytes { try WarmBlock.records($0) }
        #expect(back == rows.map { StoredRecord(id: $0.id, slot: $0.slot, body: $0.body) })
        for r in rows {
            let one = try bytes.withUnsafeBytes { try WarmBlock.record(r.id, in: $0) }
            #expect(one == StoredRecord(id: r.id, slot: r.slot, body: r.body))
        }
        #expect(try bytes.withUnsafeBytes { try WarmBlock.record(7, in: $0) } == nil)  // ids are 2^40 + 3k
    }

    @Test("a cut or padded block is refused, never read past its end")
    func damagedBlocks() throws {
        var rng = TestRandom(seed: 261)
        let bytes = Self.encode(Self.rows(5, rng: &rng))
        for cut in [0, 3, 4, 20, bytes.count - 1] {
            let short = Array(bytes[..<cut])
            #expect(throws: CodecError.self) { try short.withUnsafeBytes { try WarmBlock.records($0) } }
        }
        let padded = bytes + [0]
        #expect(throws: CodecError.self) { try padded.withUnsafeBytes { try WarmBlock.records($0) } }
        var huge = bytes
        huge[3] = 0x7F  // a count the bytes cannot hold
        #expect(throws: CodecError.self) { try huge.withUnsafeBytes { try WarmBlock.records($0) } }
        #expect(throws: CodecError.self) { try huge.withUnsafeBytes { try WarmBlock.record(0, in: $0) } }
    }

    @Test("the warm tier reads a record from its block, finds blocks idle by their newest access, and deletes them")
    func tierBlocks() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let warm = try WarmTier(path: dir.appendingPathComponent("w.sqlite").path, cacheKiB: 64)
        var rng = TestRandom(seed: 262)
        let a = Self.rows(10, firstID: 0, rng: &rng)  // last accesses 0…9
        var b = Self.rows(4, firstID: 100, rng: &rng)
        for k in b.indices { b[k].lastAccess = 3 }  // newest 3: idle before a's newest 9
        try warm.commit(WarmBatch(block: WarmBlockWrite(number: 7, records: a)))
        try warm.commit(WarmBatch(block: WarmBlockWrite(number: 8, records: b)))
        #expect(try warm.read(id: a[4].id, block: 7) == StoredRecord(id: a[4].id, slot: a[4].slot, body: a[4].body))
        #expect(try warm.read(id: a[4].id, block: 8) == nil)
        #expect(try warm.read(id: a[4].id, block: 9) == nil)
        #expect(try warm.idleBlocks(before: 3, records: 100).isEmpty)
        let first = try warm.idleBlocks(before: 10, records: 1)  // whole blocks, oldest first, until there are enough records
        #expect(first.map(\.block) == [8] && first[0].records.map(\.id) == b.map(\.id))
        #expect(try warm.idleBlocks(before: 10, records: 5).map(\.block) == [8, 7])
        try warm.commit(WarmBatch(blockDeletions: [8]))
        #expect(try warm.idleBlocks(before: 10, records: 100).map(\.block) == [7])
        #expect(try warm.idleBlocks(before: 9, records: 100).isEmpty)  // a's newest access is 9
        try warm.commit(WarmBatch(blockDeletions: [7]))
        #expect(try warm.idleBlocks(before: .max >> 1, records: 100).isEmpty)
        #expect(try warm.read(id: a[0].id, block: 7) == nil)
    }

    @Test("one LZ4 state reused for many blobs: each still unpacks alone, whatever came before it")
    func reusedCompressor() throws {
        var rng = TestRandom(seed: 263)
        let compressor = LZ4Compressor()
        for k in 0..<200 {
            let n = rng.below(3000)
            // Alternate compressible and random data, so stale table entries point at unlike bytes.
            let raw: [UInt8] = k % 2 == 0 ? (0..<n).map { UInt8($0 % 13) } : (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            var out = [UInt8](repeating: 0, count: BlobCodec.bound(n))
            let written = raw.withUnsafeBytes { src in
                out.withUnsafeMutableBytes { BlobCodec.pack(src, into: $0, .lz4(.fast(acceleration: 1)), compressor: compressor) }
            }
            #expect(try BlobCodec.unpack(Array(out[..<written])) == raw)
            if k % 2 == 0 && n > 100 { #expect(written < n / 2) }
        }
    }

    @Test("a warm block's row goes once none of its states is warm: promoted, deleted, or moved cold")
    func blockRowsFollowTheirStates() throws {
        var c = smallConfiguration(.conservative)
        c.warmReadsToHot = 1
        let store = try MemoryStore(configuration: c, directory: nil)
        let t = try #require(store.tiered)
        var rng = TestRandom(seed: 264)
        let states = (0..<14).map { makeState(UInt64($0), dimension: 16, rng: &rng) }
        for s in states { try store.store(s) }
        let warmIDs = (0..<14).map(UInt64.init).filter { id in t.core.withLock { $0.table.location(id).tier } == .warm }
        #expect(warmIDs.count >= 2)
        let block = t.core.withLock { $0.table.location(warmIDs[0]).warmBlock }
        let inBlock = warmIDs.filter { id in t.core.withLock { $0.table.location(id) } == .warm(block) }
        #expect(t.core.withLock { $0.warmBlocks[block] } == inBlock.count)
        // One read promotes (warmReadsToHot = 1); the rest are deleted.
        #expect(matches(try store.retrieve(inBlock[0]), states[Int(inBlock[0])], .float32))
        #expect(t.core.withLock { $0.table.location(inBlock[0]).tier } == .hot)
        for id in inBlock.dropFirst() { #expect(try store.delete(id)) }
        #expect(t.core.withLock { $0.warmBlocks[block] } == nil)
        t.maintainIfDue(wait: true)
        let blocks = try t.io.withLock { io throws(WarmError) in try io.warm.idleBlocks(before: .max >> 1, records: .max) }
        #expect(!blocks.contains { $0.block == block })
        #expect(t.core.withLock { $0.warmDeletions.isEmpty })
        // The promoted state and the others still read back.
        #expect(matches(try store.retrieve(inBlock[0]), states[Int(inBlock[0])], .float32))
        for id in warmIDs where !inBlock.contains(id) { #expect(matches(try store.retrieve(id), states[Int(id)], .float32)) }
    }

    @Test("a sweep sends a block's idle states cold and writes the ones read since into a new warm block")
    func sweepSplitsABlock() throws {
        var c = smallConfiguration(.moderate)
        c.warmReadsToHot = 100
        c.warmIdleEpisodes = 100
        c.hotCapacity = 64
        c.hotIdleEpisodes = 1000
        let store = try MemoryStore(configuration: c, directory: nil)
        let t = try #require(store.tiered)
        var rng = TestRandom(seed: 265)
        var states: [ConsciousState] = []
        func storeSome(_ n: Int) throws {
            for _ in 0..<n {
                let s = makeState(UInt64(states.count), dimension: 16, rng: &rng)
                states.append(s)
                try store.store(s)
            }
        }
        try storeSome(70)  // over capacity: the oldest go warm together, as one block
        t.flushStaging()
        t.maintainIfDue(wait: true)
        let tier = { (id: UInt64) in t.core.withLock { $0.table.location(id) } }
        #expect(tier(0).tier == .warm && tier(1).tier == .warm)
        let block = tier(0).warmBlock
        #expect(tier(1) == .warm(block))
        // Read state 1 now (logical time 70), then move time past T2 for the block (its newest
        // access is under 10) but not for that read.
        #expect(matches(try store.retrieve(1), states[1], .int8))
        try storeSome(50)
        t.maintainIfDue(wait: true)
        #expect(tier(0).tier == .cold)
        #expect(tier(1).tier == .warm && tier(1).warmBlock != block)
        #expect(t.core.withLock { $0.warmBlocks[block] } == nil)
        #expect(t.core.withLock { $0.warmTouches[StateKey(1)]?.reads } == 1)  // its reads go with it
        for (i, s) in states.enumerated() { #expect(matches(try store.retrieve(UInt64(i)), s, .int8), "state \(i)") }
    }

    @Test("small warm blocks are swept together: cold blocks still fill up to coldBlockRecords")
    func sweepGathersSmallBlocks() throws {
        var c = smallConfiguration(.moderate)
        c.hotCapacity = 2  // demotes one or two states at a time: warm blocks of one or two records
        c.hotIdleEpisodes = 10_000
        c.coldBlockRecords = 8
        c.sweepIntervalEpisodes = 16  // each sweep finds about 16 idle states, in eight or more warm blocks
        c.stagingCapacity = 1
        let store = try MemoryStore(configuration: c, directory: nil)
        let t = try #require(store.tiered)
        var rng = TestRandom(seed: 266)
        let states = (0..<80).map { makeState(UInt64($0), dimension: 16, rng: &rng) }
        for s in states { try store.store(s) }
        let locations = (0..<80).map { id in t.core.withLock { $0.table.location(UInt64(id)) } }
        let warmBlockSizes = Dictionary(grouping: locations.filter { $0.tier == .warm }, by: \.warmBlock).values.map(\.count)
        #expect(warmBlockSizes.allSatisfy { $0 <= 2 })
        let cold = locations.filter { $0.tier == .cold }
        #expect(cold.count >= 16)
        #expect(cold.map(\.coldAddress.index).max() == 7)  // eight records in a cold block
        for (i, s) in states.enumerated() { #expect(matches(try store.retrieve(UInt64(i)), s, .int8), "state \(i)") }
    }
}
