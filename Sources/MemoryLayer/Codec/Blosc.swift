import CBlosc

/// Compresses `source` with Blosc (byte shuffle by `typeSize`, then LZ4) into `destination` and
/// returns the bytes written, or 0 when they do not fit (`source.count` + 16 bytes always fit).
/// The context API is used: it needs no global init and is safe from several threads at once.
func bloscCompress(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer, typeSize: Int,
                   level: Int32 = 5) -> Int {
    guard source.count > 0, destination.count > 0 else { return 0 }
    let n = blosc_compress_ctx(level, BLOSC_SHUFFLE, typeSize, source.count, source.baseAddress, destination.baseAddress,
                               destination.count, "lz4", 0, 1)
    return max(0, Int(n))
}

/// Bytes Blosc may need for `count` input bytes.
func bloscCompressBound(_ count: Int) -> Int { count + Int(BLOSC_MAX_OVERHEAD) }

/// Decompresses a Blosc buffer that must expand to exactly `originalSize` bytes.
/// - Throws: ``CodecError`` when the buffer is damaged (it is validated before decoding).
func bloscDecompress<C: Collection>(_ source: C, originalSize: Int) throws(CodecError) -> [UInt8] where C.Element == UInt8 {
    let src = Array(source)
    var out = [UInt8](repeating: 0, count: max(originalSize, 1))
    let n = src.withUnsafeBytes { s -> Int32 in
        var expected = 0
        guard s.count >= Int(BLOSC_MIN_HEADER_LENGTH),
              blosc_cbuffer_validate(s.baseAddress, s.count, &expected) == 0, expected == originalSize else { return -1 }
        return out.withUnsafeMutableBytes { d in blosc_decompress_ctx(s.baseAddress, d.baseAddress, d.count, 1) }
    }
    guard n == Int32(originalSize) else {
        throw .library("Blosc decompression failed (\(n)); expected \(originalSize) bytes")
    }
    out.removeLast(out.count - originalSize)
    return out
}
