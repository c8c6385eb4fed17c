/// Little-endian binary packing: the on-disk and in-archive layout of records and chunks.
struct ByteWriter {
    private(set) var bytes: [UInt8]

    init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { integer(v) }
    mutating func u32(_ v: UInt32) { integer(v) }
    mutating func u64(_ v: UInt64) { integer(v) }
    mutating func i32(_ v: Int32) { integer(UInt32(bitPattern: v)) }
    mutating func f32(_ v: Float) { integer(v.bitPattern) }
    mutating func f64(_ v: Double) { integer(v.bitPattern) }
    mutating func append<C: Collection>(contentsOf c: C) where C.Element == UInt8 { bytes.append(contentsOf: c) }

    /// LEB128 unsigned varint.
    mutating func varint(_ v: UInt64) {
        var x = v
        while x >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: x) | 0x80)
            x >>= 7
        }
        bytes.append(UInt8(x))
    }

    /// Zigzag then varint, so small negative deltas stay small.
    mutating func svarint(_ v: Int64) {
        varint(UInt64(bitPattern: (v << 1) ^ (v >> 63)))
    }

    private mutating func integer<T: FixedWidthInteger>(_ v: T) {
        var le = v.littleEndian
        withUnsafeBytes(of: &le) { bytes.append(contentsOf: $0) }
    }
}

/// Little-endian packing into memory the caller sized exactly (no growth checks, no allocation):
/// the store's hot path writes a state's record and payload straight into its one buffer.
struct RawWriter {
    private let base: UnsafeMutablePointer<UInt8>
    private(set) var written = 0

    init(_ base: UnsafeMutablePointer<UInt8>) {
        self.base = base
    }

    @inline(__always) mutating func u8(_ v: UInt8) {
        base[written] = v
        written += 1
    }
    @inline(__always) mutating func u16(_ v: UInt16) { integer(v) }
    @inline(__always) mutating func u32(_ v: UInt32) { integer(v) }
    @inline(__always) mutating func u64(_ v: UInt64) { integer(v) }

    /// Skips `n` bytes the caller fills through the returned pointer.
    mutating func reserve(_ n: Int) -> UnsafeMutablePointer<UInt8> {
        defer { written += n }
        return base + written
    }

    @inline(__always) private mutating func integer<T: FixedWidthInteger>(_ v: T) {
        var le = v.littleEndian
        withUnsafeBytes(of: &le) { UnsafeMutableRawPointer(base + written).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        written += MemoryLayout<T>.size
    }
}

/// Reads what ``ByteWriter`` wrote; every read is bounds-checked and throws on short input.
struct ByteReader {
    let bytes: [UInt8]
    private(set) var offset: Int

    init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }

    mutating func u8() throws(CodecError) -> UInt8 {
        guard offset < bytes.count else { throw .truncated }
        defer { offset += 1 }
        return bytes[offset]
    }
    mutating func u16() throws(CodecError) -> UInt16 { try integer() }
    mutating func u32() throws(CodecError) -> UInt32 { try integer() }
    mutating func u64() throws(CodecError) -> UInt64 { try integer() }
    mutating func i32() throws(CodecError) -> Int32 { Int32(bitPattern: try integer()) }
    mutating func f32() throws(CodecError) -> Float { Float(bitPattern: try integer()) }
    mutating func f64() throws(CodecError) -> Double { Double(bitPattern: try integer()) }

    mutating func take(_ n: Int) throws(CodecError) -> ArraySlice<UInt8> {
        guard n >= 0, remaining >= n else { throw .truncated }
        defer { offset += n }
        return bytes[offset..<offset + n]
    }

    mutating func varint() throws(CodecError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try u8()
            guard shift < 64 else { throw .malformed("varint longer than 64 bits") }
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
        }
    }

    mutating func svarint() throws(CodecError) -> Int64 {
        let u = try varint()
        return Int64(bitPattern: u >> 1) ^ -Int64(bitPattern: u & 1)
    }

    private mutating func integer<T: FixedWidthInteger>() throws(CodecError) -> T {
        let n = MemoryLayout<T>.size
        guard remaining >= n else { throw .truncated }
        var v: T = 0
        for i in 0..<n {
            v |= T(bytes[offset + i]) << (8 * i)
        }
        offset += n
        return v
    }
}

/// Why bytes could not be turned back into values. Internal: callers map it to ``MemoryLayerError``.
enum CodecError: Error, Equatable, CustomStringConvertible {
    /// The input ended before the value did.
    case truncated
    /// The input is not in the expected format.
    case malformed(String)
    /// A checksum did not match: the bytes were damaged.
    case checksumMismatch(expected: UInt32, actual: UInt32)
    /// A compressor or decompressor in the C library failed.
    case library(String)

    var description: String {
        switch self {
        case .truncated: "input ends early"
        case .malformed(let why): "malformed data: \(why)"
        case .checksumMismatch(let e, let a):
            "checksum mismatch (stored \(String(e, radix: 16)), computed \(String(a, radix: 16)))"
        case .library(let why): why
        }
    }
}
