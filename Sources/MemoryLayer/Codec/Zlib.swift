import CZlib

/// Compresses `source` with zlib's `compress2` at `level` (1 fastest … 9 smallest).
func zlibCompress(_ source: [UInt8], level: Int32) throws(CodecError) -> [UInt8] {
    var destLength = compressBound(uLong(source.count))
    var out = [UInt8](repeating: 0, count: Int(destLength))
    let rc = source.withUnsafeBufferPointer { s in
        out.withUnsafeMutableBufferPointer { d in
            compress2(d.baseAddress, &destLength, s.baseAddress, uLong(source.count), level)
        }
    }
    guard rc == Z_OK else { throw .library("zlib compress2 failed (\(rc))") }
    out.removeLast(out.count - Int(destLength))
    return out
}

/// zlib's worst-case output size for `count` input bytes.
func zlibCompressBound(_ count: Int) -> Int { Int(compressBound(uLong(count))) }

/// Compresses `source` into `destination` at `level` and returns the bytes written, or 0 when they
/// do not fit (``zlibCompressBound(_:)`` bytes always fit).
func zlibCompress(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer, level: Int32) -> Int {
    guard source.count > 0 else { return 0 }
    var destLength = uLongf(destination.count)
    let rc = compress2(destination.baseAddress!.assumingMemoryBound(to: Bytef.self), &destLength,
                       source.baseAddress!.assumingMemoryBound(to: Bytef.self), uLong(source.count), level)
    return rc == Z_OK ? Int(destLength) : 0
}

/// Decompresses zlib data that must expand to exactly `originalSize` bytes.
/// - Throws: ``CodecError`` when the data is damaged or has another size.
func zlibDecompress<C: Collection>(_ source: C, originalSize: Int) throws(CodecError) -> [UInt8]
where C.Element == UInt8 {
    let src = Array(source)
    var destLength = uLongf(originalSize)
    var out = [UInt8](repeating: 0, count: max(originalSize, 1))
    let rc = src.withUnsafeBufferPointer { s in
        out.withUnsafeMutableBufferPointer { d in
            uncompress(d.baseAddress, &destLength, s.baseAddress, uLong(src.count))
        }
    }
    guard rc == Z_OK, Int(destLength) == originalSize else {
        throw .library("zlib uncompress failed (\(rc)); got \(destLength) of \(originalSize) bytes")
    }
    out.removeLast(out.count - originalSize)
    return out
}

/// CRC-32 (zlib's polynomial) of `bytes`: the per-record and per-block checksum of every tier.
func crc32Checksum<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
    let value = bytes.withContiguousStorageIfAvailable { b in
        crc32(0, b.baseAddress, uInt(b.count))
    } ?? Array(bytes).withUnsafeBufferPointer { b in crc32(0, b.baseAddress, uInt(b.count)) }
    return UInt32(truncatingIfNeeded: value)
}
