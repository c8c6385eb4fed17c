/// Bit-level packing for the columnar codecs (Gorilla-style XOR floats, delta-of-delta integers):
/// bits are written most significant first, so a reader sees them in the order written.
struct BitWriter {
    private(set) var bytes: [UInt8] = []
    /// Bits not yet moved to `bytes`, in the low `pending` bits.
    private var accumulator: UInt64 = 0
    private var pending = 0

    init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    /// Bits written so far.
    var bitCount: Int { bytes.count * 8 + pending }

    /// Forgets everything written, keeping the storage.
    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        accumulator = 0
        pending = 0
    }

    mutating func bit(_ b: Bool) { write(b ? 1 : 0, bits: 1) }

    /// Writes the low `n` bits of `value` (0 ≤ n ≤ 64).
    mutating func write(_ value: UInt64, bits n: Int) {
        precondition(n >= 0 && n <= 64)
        if n > 56 {
            write(value >> 32, bits: n - 32)
            write(value & 0xFFFF_FFFF, bits: 32)
            return
        }
        guard n > 0 else { return }
        // `pending` < 8 here, so `pending + n` ≤ 63 and the shift keeps every pending bit.
        accumulator = (accumulator << UInt64(n)) | (value & (UInt64.max >> UInt64(64 - n)))
        pending += n
        while pending >= 8 {
            pending -= 8
            bytes.append(UInt8(truncatingIfNeeded: accumulator >> UInt64(pending)))
        }
        accumulator &= pending == 0 ? 0 : UInt64.max >> UInt64(64 - pending)
    }

    /// Appends every bit `other` holds.
    mutating func append(_ other: BitWriter) {
        for b in other.bytes { write(UInt64(b), bits: 8) }
        write(other.accumulator, bits: other.pending)
    }

    /// The bytes, the last one padded with zero bits.
    var paddedBytes: [UInt8] {
        guard pending > 0 else { return bytes }
        return bytes + [UInt8(truncatingIfNeeded: accumulator << UInt64(8 - pending))]
    }
}

/// Reads what ``BitWriter`` wrote; reading past the end throws.
struct BitReader {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Bits not yet read (including the padding of the last byte).
    var remainingBits: Int { bytes.count * 8 - position }

    mutating func bit() throws(CodecError) -> Bool { try read(bits: 1) == 1 }

    /// Reads `n` bits (0 ≤ n ≤ 64) as the low bits of the result.
    mutating func read(bits n: Int) throws(CodecError) -> UInt64 {
        guard n >= 0, n <= 64 else { throw .malformed("a field of \(n) bits") }
        guard n <= remainingBits else { throw .truncated }
        var out: UInt64 = 0
        var left = n
        while left > 0 {
            let byte = bytes[position >> 3]
            let offset = position & 7
            let take = min(8 - offset, left)
            let chunk = (UInt64(byte) >> UInt64(8 - offset - take)) & ((1 << UInt64(take)) - 1)
            out = (out << UInt64(take)) | chunk
            left -= take
            position += take
        }
        return out
    }
}
