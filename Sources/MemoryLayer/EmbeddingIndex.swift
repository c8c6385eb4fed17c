/// A fixed block of index rows: quantized codes and 1/‖codes‖ for `capacity` content slots.
///
/// Rows are written once, by the owner of the store's lock, before the slot count that covers
/// them is published under that lock; readers only read rows below a count they took under the
/// lock. So a query can scan without holding the lock while stores append (hence `@unchecked`).
final class IndexChunk: @unchecked Sendable {
    let capacity: Int
    let rowBytes: Int
    let codes: UnsafeMutablePointer<UInt8>
    let inverseNorms: UnsafeMutablePointer<Float>

    init(capacity: Int, rowBytes: Int) {
        self.capacity = capacity
        self.rowBytes = rowBytes
        codes = .allocate(capacity: capacity * rowBytes)
        inverseNorms = .allocate(capacity: capacity)
    }

    deinit {
        codes.deallocate()
        inverseNorms.deallocate()
    }
}

/// The resident similarity index: one quantized row per distinct content (not per state: a
/// deduplicated embedding is scanned once). Append-only; a slot whose last state is deleted stays
/// as dead space so that readers never see a row change (compaction is not implemented).
struct EmbeddingIndex {
    static let chunkSlots = 256

    let encoding: EmbeddingEncoding
    let dimension: Int
    let rowBytes: Int
    private(set) var chunks: [IndexChunk] = []
    private(set) var count = 0

    init(encoding: EmbeddingEncoding, dimension: Int) {
        self.encoding = encoding
        self.dimension = dimension
        rowBytes = encoding.codeBytes(dimension: dimension)
    }

    /// Appends the row of `q` and returns its slot.
    mutating func append(_ q: QuantizedVector) -> UInt32 {
        precondition(q.codes.count == rowBytes && q.encoding == encoding)
        if count == chunks.count * Self.chunkSlots {
            chunks.append(IndexChunk(capacity: Self.chunkSlots, rowBytes: rowBytes))
        }
        let chunk = chunks[count / Self.chunkSlots]
        let row = count % Self.chunkSlots
        // int4 rows are kept offset-binary (nibble = code + 8, i.e. its sign bit flipped): unpacking is then a mask and a shift,
        // and the offset comes out of the dot product as 8·Σquery.
        let rowCodes = encoding == .int4 ? q.codes.map { $0 ^ 0x88 } : q.codes
        rowCodes.withUnsafeBufferPointer { src in
            (chunk.codes + row * rowBytes).update(from: src.baseAddress!, count: rowBytes)
        }
        chunk.inverseNorms[row] = Quantizer.inverseNorm(q, dimension: dimension)
        count += 1
        return UInt32(count - 1)
    }

    /// Bytes allocated for rows (whole chunks, used or not) and the chunk list.
    var residentBytes: Int {
        chunks.count * (Self.chunkSlots * (rowBytes + 4) + 48) + 32 + chunks.capacity * 8
    }

    /// What a lock-free scan needs: the chunks and how many rows of them are valid.
    var snapshot: IndexSnapshot {
        IndexSnapshot(chunks: chunks, count: count, encoding: encoding, dimension: dimension, rowBytes: rowBytes)
    }
}

/// A frozen view of the index that can be scanned outside the store's lock.
struct IndexSnapshot: Sendable {
    let chunks: [IndexChunk]
    let count: Int
    let encoding: EmbeddingEncoding
    let dimension: Int
    let rowBytes: Int

    /// The `m` slots whose rows have the highest cosine with `query`, best first.
    ///
    /// The query is quantized to int8 (its own scale), so each row costs one integer dot
    /// product; the scales cancel in the cosine, which is therefore the cosine of the two
    /// quantized vectors.
    func top(_ query: [Float], m: Int) -> [(slot: UInt32, score: Float)] {
        guard m > 0, count > 0 else { return [] }
        let q = Quantizer.quantize(query, as: .int8)
        let qInverseNorm = Quantizer.inverseNorm(q, dimension: dimension)
        // Widened once per query: an int16 × int8 loop vectorises better than int8 × int8 (~25 %).
        let wide = q.codes.map { Int16(Int8(bitPattern: $0)) }
        let offset = 8 * wide.reduce(Int32(0)) { $0 &+ Int32($1) }
        var best = TopK(k: m)
        wide.withUnsafeBufferPointer { qb in
            let qp = qb.baseAddress!
            var slot = 0
            for chunk in chunks where slot < count {
                let rows = min(chunk.capacity, count - slot)
                for r in 0..<rows {
                    let row = UnsafeRawPointer(chunk.codes + r * rowBytes)
                    let dot = encoding == .int8
                        ? dotInt8(qp, row.assumingMemoryBound(to: Int8.self), dimension)
                        : dotOffsetInt4(qp, row.assumingMemoryBound(to: UInt8.self), dimension) &- offset
                    best.offer(UInt64(slot + r), Float(dot) * chunk.inverseNorms[r] * qInverseNorm)
                }
                slot += rows
            }
        }
        return best.sorted.map { (UInt32($0.key), $0.score) }
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
