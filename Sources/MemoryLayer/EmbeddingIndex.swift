/// A fixed block of index rows: quantized codes, 1/‖codes‖ and a generation for `capacity` content slots.
///
/// Rows are written by the owner of the store's lock only: a new row before the slot count that covers
/// it is published under that lock, and a reused slot's row only in a chunk no snapshot holds (the
/// index copies a shared chunk before rewriting a row of it). Readers only read rows below a count
/// they took under the lock, of the chunks their snapshot holds. So a query can scan without holding
/// the lock while stores append or reuse slots (hence `@unchecked`).
final class IndexChunk: @unchecked Sendable {
    let capacity: Int
    let rowBytes: Int
    let codes: UnsafeMutablePointer<UInt8>
    let inverseNorms: UnsafeMutablePointer<Float>
    /// By row: how many times the slot was reused, so a query can tell a row it scanned from the
    /// content the slot holds now.
    let generations: UnsafeMutablePointer<UInt32>

    init(capacity: Int, rowBytes: Int) {
        self.capacity = capacity
        self.rowBytes = rowBytes
        codes = .allocate(capacity: capacity * rowBytes)
        inverseNorms = .allocate(capacity: capacity)
        generations = .allocate(capacity: capacity)
        generations.initialize(repeating: 0, count: capacity)
    }

    /// A chunk with the same rows (for a writer that must not touch rows a snapshot may be reading).
    func copy() -> IndexChunk {
        let c = IndexChunk(capacity: capacity, rowBytes: rowBytes)
        c.codes.update(from: codes, count: capacity * rowBytes)
        c.inverseNorms.update(from: inverseNorms, count: capacity)
        c.generations.update(from: generations, count: capacity)
        return c
    }

    deinit {
        codes.deallocate()
        inverseNorms.deallocate()
        generations.deallocate()
    }
}

/// The resident similarity index: one quantized row per distinct content (not per state: a
/// deduplicated embedding is scanned once). A slot whose last state is deleted keeps its row until
/// the store reuses the slot for a new content (``overwrite(_:with:)``), so the index grows with the
/// most contents ever live at once, not with contents ever stored.
struct EmbeddingIndex {
    static let chunkSlots = 256

    let encoding: EmbeddingEncoding
    let dimension: Int
    let rowBytes: Int
    private(set) var chunks: [IndexChunk] = []
    private(set) var count = 0
    /// One bit per slot: set while some live state uses the slot. Scans skip the rest, so dead
    /// slots awaiting reuse never crowd live ones out of a top-k. (A snapshot shares the array;
    /// the next change copies it, at most once per query: `count`/8 bytes.)
    private(set) var live: [UInt64] = []

    init(encoding: EmbeddingEncoding, dimension: Int) {
        self.encoding = encoding
        self.dimension = dimension
        rowBytes = encoding.codeBytes(dimension: dimension)
    }

    /// Appends the row of `q` and returns its slot.
    mutating func append(_ q: QuantizedVector) -> UInt32 {
        precondition(q.codes.count == rowBytes && q.encoding == encoding)
        let shape = shape
        return append { chunk, row in Self.write(q, into: chunk, row: row, shape) }
    }

    /// Appends the row of `x`, quantized straight into the index (no allocation), and returns its slot.
    /// `maxAbs`: max|x| over the finite elements, when the caller has it.
    mutating func append(quantizing x: UnsafeBufferPointer<Float>, maxAbs: Float? = nil) -> UInt32 {
        precondition(x.count == dimension)
        let shape = shape
        return append { chunk, row in Self.write(quantizing: x, maxAbs: maxAbs, into: chunk, row: row, shape) }
    }

    private mutating func append(_ fill: (IndexChunk, Int) -> Void) -> UInt32 {
        if count == chunks.count * Self.chunkSlots {
            chunks.append(IndexChunk(capacity: Self.chunkSlots, rowBytes: rowBytes))
        }
        // Rows at or past `count` are in no snapshot's range: written in place.
        fill(chunks[count / Self.chunkSlots], count % Self.chunkSlots)
        if count % 64 == 0 { live.append(0) }
        count += 1
        setLive(UInt32(count - 1), true)
        return UInt32(count - 1)
    }

    /// Marks `slot` as used by live states or not (scans skip slots not live).
    mutating func setLive(_ slot: UInt32, _ isLive: Bool) {
        let bit = UInt64(1) << (slot & 63)
        if isLive { live[Int(slot >> 6)] |= bit } else { live[Int(slot >> 6)] &= ~bit }
    }

    /// Replaces the row of `slot` (a slot no live state uses) with `q` and advances its generation.
    /// A chunk a snapshot still holds is copied first, so a scan in progress keeps seeing the old row.
    mutating func overwrite(_ slot: UInt32, with q: QuantizedVector) {
        precondition(q.codes.count == rowBytes && q.encoding == encoding)
        let shape = shape
        overwrite(slot) { chunk, row in Self.write(q, into: chunk, row: row, shape) }
    }

    /// ``overwrite(_:with:)`` with the row of `x`, quantized straight into the index.
    mutating func overwrite(_ slot: UInt32, quantizing x: UnsafeBufferPointer<Float>, maxAbs: Float? = nil) {
        precondition(x.count == dimension)
        let shape = shape
        overwrite(slot) { chunk, row in Self.write(quantizing: x, maxAbs: maxAbs, into: chunk, row: row, shape) }
    }

    private mutating func overwrite(_ slot: UInt32, _ fill: (IndexChunk, Int) -> Void) {
        precondition(Int(slot) < count)
        let c = Int(slot) / Self.chunkSlots
        if !isKnownUniquelyReferenced(&chunks[c]) {
            chunks[c] = chunks[c].copy()
        }
        let row = Int(slot) % Self.chunkSlots
        fill(chunks[c], row)
        chunks[c].generations[row] &+= 1
        setLive(slot, true)
    }

    /// The generation of `slot`'s row now.
    func generation(of slot: UInt32) -> UInt32 {
        chunks[Int(slot) / Self.chunkSlots].generations[Int(slot) % Self.chunkSlots]
    }

    /// What writing a row needs to know, copied out so a row is written without touching `self`.
    private struct Shape {
        let encoding: EmbeddingEncoding
        let dimension: Int
        let rowBytes: Int
    }

    private var shape: Shape { Shape(encoding: encoding, dimension: dimension, rowBytes: rowBytes) }

    private static func write(_ q: QuantizedVector, into chunk: IndexChunk, row: Int, _ shape: Shape) {
        q.codes.withUnsafeBufferPointer { src in
            (chunk.codes + row * shape.rowBytes).update(from: src.baseAddress!, count: shape.rowBytes)
        }
        finishRow(chunk, row, shape)
    }

    private static func write(quantizing x: UnsafeBufferPointer<Float>, maxAbs: Float?, into chunk: IndexChunk, row: Int, _ shape: Shape) {
        let (_, inverseNorm) = Quantizer.quantize(x, as: shape.encoding, into: chunk.codes + row * shape.rowBytes, maxAbs: maxAbs)
        finishRow(chunk, row, shape, inverseNorm: inverseNorm)
    }

    /// Sets the row's norm (from its two's-complement codes unless the quantizer measured it), then
    /// stores int4 codes offset-binary (nibble = code + 8, its sign bit flipped): unpacking is then a
    /// mask and a shift, and the offset comes out of the dot product as 8·Σquery.
    private static func finishRow(_ chunk: IndexChunk, _ row: Int, _ shape: Shape, inverseNorm: Float? = nil) {
        let codes = chunk.codes + row * shape.rowBytes
        chunk.inverseNorms[row] = inverseNorm ?? Quantizer.inverseNorm(UnsafeBufferPointer(start: codes, count: shape.rowBytes),
                                                                       shape.encoding, dimension: shape.dimension)
        if shape.encoding == .int4 {
            for i in 0..<shape.rowBytes { codes[i] ^= 0x88 }
        }
    }

    /// Bytes allocated for rows (whole chunks, used or not) and the chunk list.
    var residentBytes: Int {
        chunks.count * (Self.chunkSlots * (rowBytes + 8) + 64) + 32 + chunks.capacity * 8 + arrayBytes(live)
    }

    /// What a lock-free scan needs: the chunks and how many rows of them are valid.
    var snapshot: IndexSnapshot {
        IndexSnapshot(chunks: chunks, count: count, live: live, encoding: encoding, dimension: dimension, rowBytes: rowBytes)
    }
}

/// A frozen view of the index that can be scanned outside the store's lock.
struct IndexSnapshot: Sendable {
    let chunks: [IndexChunk]
    let count: Int
    let live: [UInt64]
    let encoding: EmbeddingEncoding
    let dimension: Int
    let rowBytes: Int

    /// The `m` live slots whose rows have the highest cosine with `query`, best first, each with
    /// the generation of the row scanned.
    ///
    /// The query is quantized to int8 (its own scale), so each row costs one integer dot
    /// product; the scales cancel in the cosine, which is therefore the cosine of the two
    /// quantized vectors.
    /// A query quantized once for scoring rows: int8 codes widened to int16, their 1/‖codes‖, and
    /// the offset an offset-binary int4 row adds to a dot product (8·Σcodes).
    struct Query {
        let wide: [Int16]
        let inverseNorm: Float
        let offset: Int32

        init(_ query: [Float]) {
            // The codes in a temporary buffer (no heap), their norm from the quantizer's own pass.
            var norm: Float = 0
            // Widened once per query: an int16 × int8 loop vectorises better than int8 × int8 (~25 %).
            wide = [Int16](unsafeUninitializedCapacity: query.count) { out, count in
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(1, query.count)) { codes in
                    query.withUnsafeBufferPointer { x in
                        norm = Quantizer.quantize(x, as: .int8, into: codes.baseAddress!).inverseNorm
                    }
                    for i in 0..<query.count { out[i] = Int16(Int8(bitPattern: codes[i])) }
                }
                count = query.count
            }
            inverseNorm = norm
            offset = 8 * wide.reduce(Int32(0)) { $0 &+ Int32($1) }
        }

        /// The score a row of `x` would get in an index of `encoding`: x quantized exactly as
        /// ``Quantizer/quantize(_:as:into:)`` does, in one pass and without allocating.
        func score(_ x: [Float], encoding: EmbeddingEncoding) -> Float {
            x.withUnsafeBufferPointer { xs in
                let m = encoding.maxCode
                let scale = Quantizer.scan(xs).maxAbs / m
                let inverse: Float = scale > 0 ? 1 / scale : 0
                var dot: Int32 = 0
                var norm: Int64 = 0
                wide.withUnsafeBufferPointer { q in
                    for i in 0..<min(xs.count, q.count) {
                        let v = xs[i]
                        let c = Int32(v.isFinite ? max(-m, min(m, (v * inverse).rounded(.toNearestOrEven))) : 0)
                        dot &+= Int32(q[i]) &* c
                        norm &+= Int64(c &* c)
                    }
                }
                return norm > 0 ? Float(dot) * (1 / Float(Double(norm).squareRoot())) * inverseNorm : 0
            }
        }
    }

    func top(_ query: [Float], m: Int) -> [(slot: UInt32, generation: UInt32, score: Float)] {
        top(Query(query), m: m)
    }

    func top(_ query: Query, m: Int) -> [(slot: UInt32, generation: UInt32, score: Float)] {
        guard m > 0, count > 0 else { return [] }
        let wide = query.wide, qInverseNorm = query.inverseNorm, offset = query.offset
        var best = TopK(k: m)
        wide.withUnsafeBufferPointer { qb in
            let qp = qb.baseAddress!
            var slot = 0
            for chunk in chunks where slot < count {
                let rows = min(chunk.capacity, count - slot)
                for r in 0..<rows where live[(slot + r) >> 6] & (1 << ((slot + r) & 63)) != 0 {
                    let row = UnsafeRawPointer(chunk.codes + r * rowBytes)
                    let dot = encoding == .int8
                        ? dotInt8(qp, row.assumingMemoryBound(to: Int8.self), dimension)
                        : dotOffsetInt4(qp, row.assumingMemoryBound(to: UInt8.self), dimension) &- offset
                    best.offer(UInt64(slot + r), Float(dot) * chunk.inverseNorms[r] * qInverseNorm)
                }
                slot += rows
            }
        }
        return best.sorted.map { hit in
            let slot = Int(hit.key)
            return (UInt32(slot), chunks[slot / EmbeddingIndex.chunkSlots].generations[slot % EmbeddingIndex.chunkSlots], hit.score)
        }
    }
}

/// Σ a[i]·b[i] for int8 codes b. A plain loop the optimiser vectorises (widening multiply-add).
@inline(__always)
private func dotInt8(_ a: UnsafePointer<Int16>, _ b: UnsafePointer<Int8>, _ n: Int) -> Int32 {
    var acc: Int32 = 0
    for i in 0..<n { acc &+= Int32(a[i]) &* Int32(b[i]) }
    return acc
}

/// Σ a[i]·nibble(b, i) where b holds two offset-binary nibbles per byte, low nibble first.
@inline(__always)
private func dotOffsetInt4(_ a: UnsafePointer<Int16>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Int32 {
    var acc: Int32 = 0
    for j in 0..<(n >> 1) {
        let byte = b[j]
        acc &+= Int32(a[2 * j]) &* Int32(byte & 0x0F) &+ Int32(a[2 * j + 1]) &* Int32(byte >> 4)
    }
    if n & 1 == 1 {
        acc &+= Int32(a[n - 1]) &* Int32(b[n >> 1] & 0x0F)
    }
    return acc
}

/// The k best (key, score) pairs seen, best first, kept sorted in a small array (k is small).
/// Among equal scores the one offered first ranks first.
struct TopK {
    let k: Int
    private(set) var sorted: [(key: UInt64, score: Float)] = []

    init(k: Int) {
        self.k = k
        sorted.reserveCapacity(k + 1)
    }

    @inline(__always)
    mutating func offer(_ key: UInt64, _ score: Float) {
        if sorted.count == k {
            guard score > sorted[k - 1].score else { return }
            sorted.removeLast()
        }
        var i = sorted.count
        while i > 0 && sorted[i - 1].score < score { i -= 1 }
        sorted.insert((key, score), at: i)
    }
}
