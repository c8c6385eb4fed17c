import CXXHash

/// The content address of an encoded embedding payload: XXH3-128 (libxxhash), as two words so it
/// hashes and compares cheaply in memory.
///
/// Deduplication needs a digest that does not collide by accident, not one that resists an
/// adversary: the payloads are the store's own encodings of the pipeline's embeddings. With 128
/// bits, n distinct contents collide with probability about n² / 2¹²⁹ (below 10⁻²⁶ at a billion
/// contents). XXH3 reads a payload at well under one instruction a byte, where SHA-256 in software
/// took about twenty (`phibench instructions` on the memory scenarios: README, memory layer).
struct ContentDigest: Hashable, Sendable {
    let w0: UInt64, w1: UInt64

    func hash(into hasher: inout Hasher) {
        hasher.combine(w0)
        hasher.combine(w1)
    }

    /// The digest's bits are already uniform (XXH3), so dictionaries take a word of it mixed with
    /// their seed rather than running SipHash over both words (see ``StateKey``).
    func _rawHashValue(seed: Int) -> Int { Int(truncatingIfNeeded: mix64(w0 ^ UInt64(truncatingIfNeeded: seed))) }

    /// Bytes of a digest as the warm database stores it.
    static let byteCount = 16

    init<C: Collection>(of bytes: C) where C.Element == UInt8 {
        if let d = bytes.withContiguousStorageIfAvailable({ ContentDigest(of: UnsafeRawBufferPointer($0)) }) {
            self = d
        } else {
            self = Array(bytes).withUnsafeBytes { ContentDigest(of: $0) }
        }
    }

    /// The digest of `bytes`, with no allocation.
    init(of bytes: UnsafeRawBufferPointer) {
        let h = xxh3x128(bytes)
        w0 = h.low
        w1 = h.high
    }

    /// Rebuilds a digest from its 16 bytes (as stored in the warm database), little-endian words.
    init(bytes b: [UInt8]) {
        precondition(b.count == Self.byteCount, "a content digest is \(Self.byteCount) bytes")
        func word(_ i: Int) -> UInt64 {
            var v: UInt64 = 0
            for j in 0..<8 { v |= UInt64(b[i * 8 + j]) << (8 * j) }
            return v
        }
        w0 = word(0); w1 = word(1)
    }

    /// The 16 digest bytes.
    var bytes: [UInt8] {
        var out = ByteWriter(capacity: Self.byteCount)
        out.u64(w0); out.u64(w1)
        return out.bytes
    }
}

/// XXH3-128 of `bytes` (seed 0): the one call into libxxhash.
private func xxh3x128(_ bytes: UnsafeRawBufferPointer) -> (low: UInt64, high: UInt64) {
    let h = XXH3_128bits(bytes.baseAddress, bytes.count)
    return (h.low64, h.high64)
}

/// The integrity check of a warm row's body: XXH3-64 (libxxhash), as the database's signed integer.
/// It only has to notice damage, not resist an adversary; XXH3 reads a body at a small fraction of
/// an instruction a byte, where zlib's CRC-32 took about one (`phibench instructions`, the memory scenarios).
func bodyChecksum<C: Collection>(_ bytes: C) -> Int64 where C.Element == UInt8 {
    let value = bytes.withContiguousStorageIfAvailable { b in XXH3_64bits(b.baseAddress, b.count) }
        ?? Array(bytes).withUnsafeBufferPointer { b in XXH3_64bits(b.baseAddress, b.count) }
    return Int64(bitPattern: value)
}
