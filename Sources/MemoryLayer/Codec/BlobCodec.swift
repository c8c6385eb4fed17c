/// A blob as a tier stores it: `[codec u8][raw length u32][bytes]`, compressed (LZ4, zlib or Blosc)
/// when that makes it smaller, raw otherwise.
enum BlobCodec {
    /// Bytes before the body: codec and raw length.
    static let headerBytes = 5

    /// How a blob is compressed: the codec and its settings.
    struct Choice: Sendable, Equatable {
        var codec: MemoryConfiguration.PayloadCodec
        var lz4: LZ4Effort
        var zlibLevel: Int32
        /// Element size Blosc shuffles by (4 for float payloads, 1 for codes).
        var typeSize: Int

        static func lz4(_ effort: LZ4Effort) -> Choice { Choice(codec: .lz4, lz4: effort, zlibLevel: 6, typeSize: 1) }
    }

    static func pack(_ raw: [UInt8], effort: LZ4Effort) -> [UInt8] {
        pack(raw, .lz4(effort))
    }

    static func pack(_ raw: [UInt8], _ choice: Choice) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: bound(raw.count))
        let n = raw.withUnsafeBytes { src in
            out.withUnsafeMutableBytes { pack(src, into: $0, choice) }
        }
        out.removeLast(out.count - n)
        return out
    }

    /// Bytes ``pack(_:into:_:)`` may write for `count` raw bytes, whatever the codec.
    static func bound(_ count: Int) -> Int {
        headerBytes + max(count, lz4CompressBound(count), zlibCompressBound(count), bloscCompressBound(count))
    }

    /// Packs `raw` into `out` (at least ``bound(_:)`` bytes) and returns the bytes written. A batch
    /// passes one `compressor` for all its blobs, so LZ4's fast mode reuses one state.
    static func pack(_ raw: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer, _ choice: Choice,
                     compressor: LZ4Compressor? = nil) -> Int {
        let body = UnsafeMutableRawBufferPointer(rebasing: out[headerBytes...])
        let compressed: Int
        let tag: UInt8
        switch choice.codec {
        case .lz4:
            if let compressor, case .fast(let acceleration) = choice.lz4 {
                compressed = compressor.compress(raw, into: body, acceleration: acceleration)
            } else {
                compressed = lz4Compress(raw, into: body, effort: choice.lz4)
            }
            tag = 1
        case .zlib:
            compressed = zlibCompress(raw, into: body, level: choice.zlibLevel)
            tag = 2
        case .blosc:
            compressed = bloscCompress(raw, into: body, typeSize: choice.typeSize)
            tag = 3
        }
        guard compressed > 0 && compressed < raw.count else { return store(raw, into: out) }
        out[0] = tag
        withUnsafeBytes(of: UInt32(raw.count).littleEndian) { out.baseAddress!.advanced(by: 1).copyMemory(from: $0.baseAddress!, byteCount: 4) }
        return headerBytes + compressed
    }

    /// Writes `raw` as it is (tag 0) into `out` (at least ``bound(_:)`` bytes); returns the bytes written.
    static func store(_ raw: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> Int {
        if raw.count > 0 { out.baseAddress!.advanced(by: headerBytes).copyMemory(from: raw.baseAddress!, byteCount: raw.count) }
        out[0] = 0
        withUnsafeBytes(of: UInt32(raw.count).littleEndian) { out.baseAddress!.advanced(by: 1).copyMemory(from: $0.baseAddress!, byteCount: 4) }
        return headerBytes + raw.count
    }

    static func unpack(_ stored: [UInt8]) throws(CodecError) -> [UInt8] {
        var r = ByteReader(stored)
        let codec = try r.u8()
        let length = Int(try r.u32())
        let body = try r.take(r.remaining)
        switch codec {
        case 0:
            guard body.count == length else { throw .malformed("raw blob of \(body.count) bytes, header says \(length)") }
            return Array(body)
        case 1:
            return try lz4Decompress(body, originalSize: length)
        case 2:
            return try zlibDecompress(body, originalSize: length)
        case 3:
            return try bloscDecompress(body, originalSize: length)
        default:
            throw .malformed("unknown blob codec \(codec)")
        }
    }
}

/// Early abort for incompressible payloads: after ``probeRun`` blobs in a row that the codec could not
/// shrink, the next ``skipRun`` are stored as they are without trying, then the codec is tried again.
/// The memory layer's int8 and int4 codes are such data (LZ4: ratio 0.99 on the memory scenarios, ~750
/// instructions an episode for nothing); float payloads and compressible ones keep being compressed,
/// at most ``skipRun`` blobs late after their data turns compressible.
struct CompressionProbe {
    static let probeRun = 8
    static let skipRun = 248
    private var misses = 0
    private var skipping = 0

    /// Whether to try the codec on the next blob (false: store it raw).
    mutating func shouldTry() -> Bool {
        guard skipping == 0 else {
            skipping -= 1
            return false
        }
        return true
    }

    /// What trying the codec gave: whether the blob came out smaller than raw.
    mutating func note(compressed: Bool) {
        guard !compressed else {
            misses = 0
            return
        }
        misses += 1
        if misses >= Self.probeRun {
            misses = 0
            skipping = Self.skipRun
        }
    }
}
