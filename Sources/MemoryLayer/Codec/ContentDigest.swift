import Crypto

/// SHA-256 content address of an encoded embedding payload (swift-crypto), as four words so it
/// hashes and compares cheaply in memory.
struct ContentDigest: Hashable, Sendable {
    let w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    init<C: Collection>(of bytes: C) where C.Element == UInt8 {
        if let d = bytes.withContiguousStorageIfAvailable({ ContentDigest(of: UnsafeRawBufferPointer($0)) }) {
            self = d
        } else {
            self = Array(bytes).withUnsafeBytes { ContentDigest(of: $0) }
        }
    }

    /// The digest of `bytes`, with no allocation.
    init(of bytes: UnsafeRawBufferPointer) {
        let digest = SHA256.hash(data: bytes)
        var words = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        digest.withUnsafeBytes { d in
            withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: d.prefix(32))) }
        }
        w0 = UInt64(littleEndian: words.0); w1 = UInt64(littleEndian: words.1)
        w2 = UInt64(littleEndian: words.2); w3 = UInt64(littleEndian: words.3)
    }

    /// Rebuilds a digest from its 32 bytes (as stored in the warm database).
    init(bytes b: [UInt8]) {
        precondition(b.count == 32, "a SHA-256 digest is 32 bytes")
        func word(_ i: Int) -> UInt64 {
            var v: UInt64 = 0
            for j in 0..<8 { v |= UInt64(b[i * 8 + j]) << (8 * j) }
            return v
        }
        w0 = word(0); w1 = word(1); w2 = word(2); w3 = word(3)
    }

    /// The 32 digest bytes.
    var bytes: [UInt8] {
        var out = ByteWriter(capacity: 32)
        out.u64(w0); out.u64(w1); out.u64(w2); out.u64(w3)
        return out.bytes
    }
}
