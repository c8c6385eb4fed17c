import CLZ4

/// How LZ4 compresses: the fast compressor with an acceleration factor, or the high-compression one.
enum LZ4Effort: Sendable, Equatable {
    /// `LZ4_compress_fast`; higher acceleration is faster and compresses less (1 is LZ4's default).
    case fast(acceleration: Int32)
    /// `LZ4_compress_HC` at the given level (LZ4HC_CLEVEL_MIN 3 … max 12).
    case high(level: Int32)
}

/// Compresses `source` with liblz4. The result does not carry the original size; store it alongside.
func lz4Compress(_ source: [UInt8], effort: LZ4Effort) -> [UInt8] {
    guard !source.isEmpty else { return [] }
    let bound = Int(LZ4_compressBound(Int32(source.count)))
    var out = [UInt8](repeating: 0, count: bound)
    let written = source.withUnsafeBufferPointer { src in
        out.withUnsafeMutableBufferPointer { dst -> Int32 in
            let s = UnsafeRawPointer(src.baseAddress!).assumingMemoryBound(to: CChar.self)
            let d = UnsafeMutableRawPointer(dst.baseAddress!).assumingMemoryBound(to: CChar.self)
            switch effort {
            case .fast(let acceleration):
                return LZ4_compress_fast(s, d, Int32(source.count), Int32(bound), acceleration)
            case .high(let level):
                return LZ4_compress_HC(s, d, Int32(source.count), Int32(bound), level)
            }
        }
    }
    // Both compressors always succeed when the destination is compressBound bytes.
    precondition(written > 0, "LZ4 failed with a compressBound-sized buffer")
    out.removeLast(out.count - Int(written))
    return out
}

/// LZ4's worst-case output size for `count` input bytes.
func lz4CompressBound(_ count: Int) -> Int { Int(LZ4_compressBound(Int32(clamping: count))) }

/// Compresses `source` into `destination` and returns the bytes written, or 0 when they do not
/// fit (a destination of ``lz4CompressBound(_:)`` bytes always fits).
func lz4Compress(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer, effort: LZ4Effort) -> Int {
    guard source.count > 0, destination.count > 0 else { return 0 }
    let s = source.baseAddress!.assumingMemoryBound(to: CChar.self)
    let d = destination.baseAddress!.assumingMemoryBound(to: CChar.self)
    let n = Int32(clamping: source.count), capacity = Int32(clamping: destination.count)
    switch effort {
    case .fast(let acceleration): return Int(LZ4_compress_fast(s, d, n, capacity, acceleration))
    case .high(let level): return Int(LZ4_compress_HC(s, d, n, capacity, level))
    }
}

/// Decompresses LZ4 block data that must expand to exactly `originalSize` bytes.
/// - Throws: ``CodecError`` when the input is damaged (LZ4's safe decoder never reads or writes out of bounds).
func lz4Decompress<C: Collection>(_ source: C, originalSize: Int) throws(CodecError) -> [UInt8]
where C.Element == UInt8 {
    guard originalSize > 0 else {
        guard source.isEmpty else { throw .malformed("LZ4 data for an empty block") }
        return []
    }
    let src = Array(source)
    guard !src.isEmpty else { throw .truncated }
    var out = [UInt8](repeating: 0, count: originalSize)
    let n = src.withUnsafeBufferPointer { s in
        out.withUnsafeMutableBufferPointer { d -> Int32 in
            LZ4_decompress_safe(
                UnsafeRawPointer(s.baseAddress!).assumingMemoryBound(to: CChar.self),
                UnsafeMutableRawPointer(d.baseAddress!).assumingMemoryBound(to: CChar.self),
                Int32(src.count), Int32(originalSize))
        }
    }
    guard n == Int32(originalSize) else {
        throw .library("LZ4 decompression failed (\(n)); expected \(originalSize) bytes")
    }
    return out
}

/// One LZ4 fast-compression state reused for many independent blocks: `LZ4_compress_fast` sets up
/// a fresh 16 KiB state for every call, where `LZ4_resetStream_fast` before each block only marks the
/// old entries stale. Each block still decodes on its own (no dictionary is carried between them).
/// Not thread-safe: one writer owns it for the length of a batch.
final class LZ4Compressor {
    private let state: UnsafeMutablePointer<LZ4_stream_t>
    /// The writer's early abort for incompressible payloads (whatever the codec).
    var probe = CompressionProbe()

    init() {
        guard let s = LZ4_createStream() else { preconditionFailure("LZ4_createStream: out of memory") }
        state = s
    }

    deinit { LZ4_freeStream(state) }

    /// Compresses `source` into `destination` as one independent block; returns the bytes written,
    /// or 0 when they do not fit (a destination of ``lz4CompressBound(_:)`` bytes always fits).
    func compress(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer, acceleration: Int32) -> Int {
        guard source.count > 0, destination.count > 0 else { return 0 }
        LZ4_resetStream_fast(state)
        return Int(LZ4_compress_fast_continue(state, source.baseAddress!.assumingMemoryBound(to: CChar.self),
                                              destination.baseAddress!.assumingMemoryBound(to: CChar.self),
                                              Int32(clamping: source.count), Int32(clamping: destination.count), acceleration))
    }
}
