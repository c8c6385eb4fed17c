/// A state id (or content slot) as a dictionary key that hashes in a handful of instructions.
///
/// Swift's `Hasher` (SipHash-1-3) costs about a hundred instructions a key, and the store path looks
/// up its tables by id several times a state (`phibench instructions`: ~2,100 instructions an episode
/// in hashing and probing). The keys are the store's own dense ids, not input an adversary picks, so
/// flooding resistance buys nothing here: a 64-bit finaliser (MurmurHash3's fmix64, whose low bits,
/// which the dictionary's buckets use, depend on every input bit) mixed with the dictionary's seed is
/// enough.
struct StateKey: Hashable, Sendable {
    let raw: UInt64

    init(_ raw: UInt64) { self.raw = raw }

    func hash(into hasher: inout Hasher) { hasher.combine(raw) }

    func _rawHashValue(seed: Int) -> Int { Int(truncatingIfNeeded: mix64(raw ^ UInt64(truncatingIfNeeded: seed))) }
}

/// MurmurHash3's 64-bit finaliser: every output bit depends on every input bit.
@inline(__always)
func mix64(_ x: UInt64) -> UInt64 {
    var h = x
    h ^= h >> 33
    h &*= 0xFF51_AFD7_ED55_8CCD
    h ^= h >> 33
    h &*= 0xC4CE_B9FE_1A85_EC53
    h ^= h >> 33
    return h
}
