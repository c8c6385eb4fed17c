/// Where a column coder writes bits: a ``BitWriter``, or a ``BitCounter`` that only adds up how many
/// (the coders size every mode first and write only the smallest).
protocol BitSink {
    /// Writes the low `n` bits of `value` (0 ≤ n ≤ 64).
    mutating func write(_ value: UInt64, bits n: Int)
}

extension BitSink {
    mutating func bit(_ b: Bool) { write(b ? 1 : 0, bits: 1) }
}

/// Counts the bits a coder would write.
struct BitCounter: BitSink {
    private(set) var bitCount = 0

    @inline(__always)
    mutating func write(_ value: UInt64, bits n: Int) { bitCount &+= n }
}

/// Bit-level packing for the columnar codecs (Gorilla-style XOR floats, delta-of-delta integers):
/// bits are written most significant first, so a reader sees them in the order written.
struct BitWriter: BitSink {
    /// Whole 64-bit words written, most significant byte first.
    private var bytes: [UInt8] = []
    /// Bits not yet moved to `bytes`, in the low `pending` bits (0 ≤ pending < 64): bytes move out
    /// eight at a time, once a word is full, not one at a time per write.
    private var accumulator: UInt64 = 0
    private var pending = 0

    init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity + 8)
    }

    /// Bits written so far.
    var bitCount: Int { bytes.count * 8 + pending }

    /// Forgets everything written, keeping the storage.
    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        accumulator = 0
        pending = 0
    }

    /// Writes the low `n` bits of `value` (0 ≤ n ≤ 64).
    @inline(__always)
    mutating func write(_ value: UInt64, bits n: Int) {
        precondition(n >= 0 && n <= 64)
        guard n > 0 else { return }
        let v = n == 64 ? value : value & ((1 &<< UInt64(n)) &- 1)
        let room = 64 - pending
        if n < room {
            accumulator = (accumulator &<< UInt64(n)) | v
            pending += n
            return
        }
        // Fill the word with v's top `room` bits, move it out, keep v's other bits.
        let rest = n - room
        let word = room == 64 ? v : (accumulator &<< UInt64(room)) | (v &>> UInt64(rest))
        flush(word)
        accumulator = rest == 0 ? 0 : v & ((1 &<< UInt64(rest)) &- 1)
        pending = rest
    }

    private mutating func flush(_ word: UInt64) {
        var be = word.bigEndian
        withUnsafeBytes(of: &be) { bytes.append(contentsOf: $0) }
    }

    /// Appends every bit `other` holds.
    mutating func append(_ other: BitWriter) {
        for b in other.bytes { write(UInt64(b), bits: 8) }
        write(other.accumulator, bits: other.pending)
    }

    /// The bytes, the last one padded with zero bits.
    var paddedBytes: [UInt8] {
        guard pending > 0 else { return bytes }
        var out = bytes
        let tail = (pending + 7) / 8
        let aligned = accumulator &<< UInt64(8 * tail - pending)
        for i in stride(from: tail - 1, through: 0, by: -1) {
            out.append(UInt8(truncatingIfNeeded: aligned &>> UInt64(8 * i)))
        }
        return out
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
