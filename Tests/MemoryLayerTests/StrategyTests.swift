import Foundation
import Testing
@testable import MemoryLayer

/// Each strategy round-trips bit-exact where it claims to, and within its stated bound where not.
@Suite("Compression strategies")
struct StrategyTests {
    private func state(activation: [Float] = [], participation: [Float] = [], graph: GraphSnapshot? = nil) -> ConsciousState {
        ConsciousState(version: 7, phi: 0.5, embedding: [1, 2, 3, 4], emotion: [0.1, 0.2, 0.3], attentionFocus: 2,
                       timestamp: 0.35, importance: 0.4, stream: 3, activation: activation, participation: participation,
                       graph: graph)
    }

    private func sparse(_ n: Int, nonZero: Int, seed: UInt64) -> [Float] {
        var rng = TestRandom(seed: seed)
        var v = [Float](repeating: 0, count: n)
        var placed = 0
        while placed < nonZero {
            let i = rng.below(n)
            if v[i] == 0 {
                v[i] = abs(rng.symmetric()) + 0.01
                placed += 1
            }
        }
        return v
    }

    @Test("sparse vectors: CSR below the break-even density, dense above, bit-exact either way", arguments: [0, 5, 20, 47, 64])
    func sparseVectors(nonZero: Int) throws {
        let options = RecordOptions(sparseBreakEven: 0.75, binarize: true, pruneThreshold: 0)
        let s = state(activation: sparse(64, nonZero: nonZero, seed: UInt64(nonZero)))
        let plan = RecordCodec.plan(s, options)
        #expect(plan.activationSparse == (Double(nonZero) < 0.75 * 64))
        let bytes = RecordCodec.encode(s, options)
        #expect(try RecordCodec.decode(bytes, embedding: s.embedding) == s)
        // CSR pays 5 bytes per non-zero (index + float) against 4 per element dense.
        if plan.activationSparse { #expect(bytes.count < RecordCodec.encode(s, .exact).count) }
    }

    @Test("the break-even density is where CSR stops being smaller than dense, measured over 1…64 non-zeros")
    func breakEvenIsMeasured() {
        let exact = RecordOptions(sparseBreakEven: 0, binarize: false, pruneThreshold: 0)
        let always = RecordOptions(sparseBreakEven: 1, binarize: false, pruneThreshold: 0)
        var lastSmaller = 0
        for nonZero in 1...64 {
            let s = state(activation: sparse(64, nonZero: nonZero, seed: 11))
            if RecordCodec.encode(s, always).count < RecordCodec.encode(s, exact).count { lastSmaller = nonZero }
        }
        // CSR costs 4 + 5·nnz bytes and dense 2 + 4·64: smaller up to 50 of 64 non-zeros (78 %).
        #expect(lastSmaller == 50)
        #expect(MemoryConfiguration.preset(.moderate).sparseBreakEven <= Double(lastSmaller) / 64)
    }

    @Test("binary features bit-pack losslessly; a vector that is not binary stays floats, exactly")
    func binarize() throws {
        let options = RecordOptions(sparseBreakEven: 0, binarize: true, pruneThreshold: 0)
        var rng = TestRandom(seed: 12)
        let bits = (0..<64).map { _ in Float(rng.below(2)) }
        let binary = state(participation: bits)
        #expect(RecordCodec.plan(binary, options).participationBits)
        let packed = RecordCodec.encode(binary, options)
        #expect(try RecordCodec.decode(packed, embedding: binary.embedding) == binary)
        #expect(RecordCodec.encode(binary, .exact).count - packed.count == 64 * 4 - 8)
        var notBinary = bits
        notBinary[5] = 0.5
        let s = state(participation: notBinary)
        #expect(!RecordCodec.plan(s, options).participationBits)
        #expect(try RecordCodec.decode(RecordCodec.encode(s, options), embedding: s.embedding) == s)
    }

    private func graph(edges: Int, seed: UInt64) -> GraphSnapshot {
        var rng = TestRandom(seed: seed)
        let nodes = (0..<20).map { UInt16($0 * 3) }
        var out: [GraphEdge] = []
        for _ in 0..<edges {
            let a = rng.below(19)
            out.append(GraphEdge(a: UInt16(a), b: UInt16(a + 1 + rng.below(19 - a)), weight: rng.symmetric()))
        }
        return GraphSnapshot(nodes: nodes, edges: out)
    }

    @Test("pruning drops only edges below τ·max|w|, keeps the rest exactly, and its error is within the bound",
          arguments: [Float(0), 0.1, 0.3])
    func pruning(threshold: Float) throws {
        let g = graph(edges: 60, seed: 13)
        let s = state(graph: g)
        let options = RecordOptions(sparseBreakEven: 0, binarize: false, pruneThreshold: threshold)
        let back = try #require(try RecordCodec.decode(RecordCodec.encode(s, options), embedding: s.embedding).graph)
        let peak = g.edges.map { abs($0.weight) }.max()!
        let kept = g.edges.filter { threshold == 0 || abs($0.weight) >= threshold * peak }
        #expect(back.nodes == g.nodes && back.edges == kept)
        let dropped = g.edges.filter { !kept.contains($0) }
        #expect(dropped.allSatisfy { abs($0.weight) < threshold * peak })
        let plan = RecordCodec.plan(s, options)
        let error = (plan.droppedSquares / plan.totalSquares).squareRoot()
        #expect(error <= Double(threshold) * Double(g.edges.count).squareRoot())
        if threshold == 0 { #expect(error == 0) } else { #expect(error > 0) }
    }

    @Test("blob codecs round-trip bit-exact; Blosc's shuffle beats LZ4 on float arrays",
          arguments: MemoryConfiguration.PayloadCodec.allCases)
    func blobCodecs(codec: MemoryConfiguration.PayloadCodec) throws {
        var rng = TestRandom(seed: 14)
        // A smooth float signal: the exponent and high mantissa bytes repeat, the low bytes do not.
        let floats = (0..<512).map { i in Float(sin(Double(i) / 40)) + rng.symmetric() * 1e-3 }
        let raw = floats.withUnsafeBytes { Array($0) }
        let choice = BlobCodec.Choice(codec: codec, lz4: .fast(acceleration: 1), zlibLevel: 6, typeSize: 4)
        let packed = BlobCodec.pack(raw, choice)
        #expect(try BlobCodec.unpack(packed) == raw)
        // Never more than the header over raw (a blob that does not compress is kept raw).
        #expect(packed.count <= raw.count + BlobCodec.headerBytes)
        if codec == .blosc {
            #expect(packed.count < raw.count * 9 / 10)
            #expect(packed.count < BlobCodec.pack(raw, .lz4(.fast(acceleration: 1))).count)
        }
    }

    @Test("early abort: after 8 blobs in a row the codec cannot shrink, the next 248 are stored raw, then it is tried again")
    func compressionProbe() {
        var probe = CompressionProbe()
        func tries(_ p: inout CompressionProbe) -> Bool { p.shouldTry() }
        for _ in 0..<7 {
            #expect(tries(&probe))
            probe.note(compressed: false)
        }
        #expect(tries(&probe))
        probe.note(compressed: true)  // a success resets the run
        for _ in 0..<CompressionProbe.probeRun {
            #expect(tries(&probe))
            probe.note(compressed: false)
        }
        for i in 0..<CompressionProbe.skipRun {
            let t = tries(&probe)
            #expect(!t, "skip \(i)")
        }
        #expect(tries(&probe))
        // Compressible data is never skipped.
        var always = CompressionProbe()
        var all = true
        for _ in 0..<1000 {
            all = all && tries(&always)
            always.note(compressed: true)
        }
        #expect(all)
    }

    @Test("a temporal cold block restores every record bit-exact, and beats LZ4 alone on slowly moving streams")
    func temporalBlocks() throws {
        var rng = TestRandom(seed: 15)
        var records: [StoredRecord] = []
        // Two interleaved streams whose readings move a little from one state to the next: the
        // XOR with the stream's previous record is mostly zeros, which LZ4 alone cannot see.
        var bases = [makeState(0, dimension: 8, rng: &rng), makeState(1, dimension: 8, rng: &rng)]
        for k in 0..<2 { bases[k].activation = sparse(64, nonZero: 12, seed: UInt64(k)) }
        for i in 0..<40 {
            var s = bases[i % 2]
            s.version = UInt64(i)
            s.stream = UInt32(i % 2)
            s.timestamp = Double(i) * 0.05
            s.emotion = s.emotion.map { $0 * (1 + Float(i) * 1e-4) }
            s.activation = s.activation.map { $0 * (1 + Float(i) * 1e-4) }
            records.append(StoredRecord(id: UInt64(i), slot: UInt32(i), body: RecordCodec.encode(s, .exact)[...]))
        }
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cold = try ColdTier(directory: dir.path, effort: .fast(acceleration: 1), segmentLimit: 1 << 20)
        var tally = StrategyTally()
        let addresses = try cold.append(records, temporal: true, tally: &tally) { _ in true }
        for (r, a) in zip(records, addresses) { #expect(try cold.read(a, id: r.id) == r) }
        #expect(tally[.temporal].uses == 1 && tally[.temporal].storedBytes < tally[.temporal].logicalBytes)
        // The transform alone: coding then decoding gives the block back.
        var raw = ByteWriter()
        for r in records {
            raw.u64(r.id); raw.u32(r.slot); raw.u16(UInt16(r.body.count)); raw.u32(crc32Checksum(r.body))
            raw.append(contentsOf: r.body)
        }
        #expect(ColdTier.temporal(ColdTier.temporal(raw.bytes, forward: true), forward: false) == raw.bytes)
    }

    @Test("the statistics state each strategy's ratio, costs and error bound")
    func statistics() throws {
        var c = smallConfiguration(.moderate, dimension: 32)
        c.graphPruneThreshold = 0.2
        c.stagingCapacity = 4
        let store = try MemoryStore(configuration: c, directory: nil)
        var rng = TestRandom(seed: 16)
        for i in 0..<200 {
            var s = makeState(UInt64(i), dimension: 32, rng: &rng)
            s.activation = sparse(64, nonZero: 8, seed: UInt64(i))
            s.participation = (0..<64).map { _ in Float(rng.below(2)) }
            s.graph = graph(edges: 30, seed: UInt64(i))
            try store.store(s)
        }
        let st = store.statistics().strategies
        for name in ["quantize_int8", "sparse_csr", "binarize", "graph_prune"] {
            let s = try #require(st[name], "\(name) missing")
            #expect(s.uses > 0 && s.ratio > 1 && s.encodeNs > 0, "\(name)")
        }
        // int8 codes of random embeddings do not compress: LZ4 keeps them raw (plus its 5-byte header on 41-byte payloads here),
        // and after eight in a row the next ones are stored without trying (early abort).
        let lz4 = try #require(st["codec_lz4"])
        #expect(lz4.uses > 0 && lz4.encodeNs > 0 && lz4.decodeNs > 0 && lz4.ratio > 0.8)
        let skipped = try #require(st["codec_not_tried"])
        #expect(skipped.uses > 0 && skipped.ratio > 0.8 && skipped.ratio < 1)
        #expect(try #require(st["sparse_csr"]).decodeNs > 0)
        #expect(try #require(st["quantize_int8"]).errorBound == EmbeddingEncoding.int8.relativeErrorBound)
        let prune = try #require(st["graph_prune"])
        #expect(prune.maxError > 0 && prune.maxError <= prune.errorBound)
        #expect(try #require(st["binarize"]).maxError == 0)
    }
}
