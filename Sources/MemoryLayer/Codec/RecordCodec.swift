/// Binary packing of a state's metadata (everything but the embedding): 50 bytes for the usual
/// three emotion values, against the ~80 bytes of the in-memory struct plus the emotion array.
enum RecordCodec {
    static let format: UInt8 = 1

    static func encode(_ s: ConsciousState) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: length(of: s)) { buffer, count in
            var w = RawWriter(buffer.baseAddress!)
            write(s, &w)
            count = w.written
        }
    }

    /// Bytes ``encode(_:)`` produces for `s`.
    static func length(of s: ConsciousState) -> Int { 38 + 4 * s.emotion.count }

    static func write(_ s: ConsciousState, _ w: inout RawWriter) {
        w.u8(format)
        w.u64(s.version)
        w.u64(s.phi.bitPattern)
        w.u64(s.timestamp.bitPattern)
        w.u64(s.importance.bitPattern)
        w.u32(UInt32(bitPattern: s.attentionFocus))
        precondition(s.emotion.count <= Int(UInt8.max), "checked by the store before encoding")
        w.u8(UInt8(s.emotion.count))
        for e in s.emotion { w.u32(e.bitPattern) }
    }

    /// Decodes metadata and attaches `embedding`.
    static func decode<C: Collection<UInt8>>(_ bytes: C, embedding: [Float]) throws(CodecError) -> ConsciousState {
        try decode(Array(bytes), embedding: embedding)
    }

    static func decode(_ bytes: [UInt8], embedding: [Float]) throws(CodecError) -> ConsciousState {
        var r = ByteReader(bytes)
        let f = try r.u8()
        guard f == format else { throw .malformed("record format \(f), expected \(format)") }
        let version = try r.u64()
        let phi = try r.f64()
        let timestamp = try r.f64()
        let importance = try r.f64()
        let focus = try r.i32()
        let n = Int(try r.u8())
        var emotion: [Float] = []
        emotion.reserveCapacity(n)
        for _ in 0..<n { emotion.append(try r.f32()) }
        guard r.remaining == 0 else { throw .malformed("\(r.remaining) stray bytes after a record") }
        return ConsciousState(version: version, phi: phi, embedding: embedding, emotion: emotion,
                              attentionFocus: focus, timestamp: timestamp, importance: importance)
    }
}

/// What quantizing one embedding cost in accuracy.
struct QuantizationError {
    var maxAbs: Float = 0
    /// Largest |x − x̂| / max|x| over elements (what the stated bound limits).
    var maxRelative: Float = 0
    var sumSquares: Double = 0
    var elements: Int = 0
}

/// The embedding payload a content address names: `[encoding u8][dimension u32][scale f32][data]`.
/// Exact payloads store the float bytes as four byte planes (all first bytes, then all second
/// bytes, …) so the slowly varying sign/exponent bytes sit together and LZ4 finds runs in them.
enum PayloadCodec {
    static let headerBytes = 9

    /// Encodes `x` with `encoding`, falling back to exact floats when `x` holds NaN or infinity
    /// (which no scale can represent), so a retrieval never returns a value that was not stored.
    static func encode(_ x: [Float], as encoding: EmbeddingEncoding) -> (payload: [UInt8], error: QuantizationError) {
        var error = QuantizationError()
        let payload = x.withUnsafeBufferPointer { xs in
            let scan = Quantizer.scan(xs)
            return [UInt8](unsafeUninitializedCapacity: length(xs.count, as: encoding, scan)) { buffer, count in
                var w = RawWriter(buffer.baseAddress!)
                error = write(xs, as: encoding, scan, &w)
                count = w.written
            }
        }
        return (payload, error)
    }

    /// Bytes the payload of an `n`-element vector with ``Quantizer/scan(_:)`` result `scan` takes.
    /// A vector holding NaN or infinity, which no scale can represent, is kept exact, so a retrieval
    /// never returns a value that was not stored.
    static func length(_ n: Int, as encoding: EmbeddingEncoding, _ scan: (maxAbs: Float, allFinite: Bool)) -> Int {
        headerBytes + (encoding == .float32 || !scan.allFinite ? 4 * n : encoding.codeBytes(dimension: n))
    }

    /// Writes the payload of `x` (``length(_:as:_:)`` bytes) and returns what quantizing cost.
    static func write(_ x: UnsafeBufferPointer<Float>, as encoding: EmbeddingEncoding, _ scan: (maxAbs: Float, allFinite: Bool),
                      _ w: inout RawWriter) -> QuantizationError {
        if encoding == .float32 || !scan.allFinite {
            w.u8(0)
            w.u32(UInt32(x.count))
            w.u32(0)
            let planes = w.reserve(4 * x.count)
            for i in 0..<x.count {
                let b = x[i].bitPattern.littleEndian
                planes[i] = UInt8(truncatingIfNeeded: b)
                planes[x.count + i] = UInt8(truncatingIfNeeded: b >> 8)
                planes[2 * x.count + i] = UInt8(truncatingIfNeeded: b >> 16)
                planes[3 * x.count + i] = UInt8(truncatingIfNeeded: b >> 24)
            }
            var error = QuantizationError()
            error.elements = x.count
            return error
        }
        w.u8(encoding == .int8 ? 1 : 2)
        w.u32(UInt32(x.count))
        let scaleField = w.reserve(4)
        let codes = w.reserve(encoding.codeBytes(dimension: x.count))
        let (scale, error) = Quantizer.quantize(x, as: encoding, into: codes, maxAbs: scan.maxAbs, measuring: true)
        var le = scale.bitPattern.littleEndian
        withUnsafeBytes(of: &le) { scaleField.update(from: $0.baseAddress!.assumingMemoryBound(to: UInt8.self), count: 4) }
        return error
    }

    static func decode(_ payload: [UInt8]) throws(CodecError) -> [Float] {
        var r = ByteReader(payload)
        let tag = try r.u8()
        let n = Int(try r.u32())
        let scale = try r.f32()
        switch tag {
        case 0:
            let planes = try r.take(4 * n)
            let base = planes.startIndex
            var out = [Float](repeating: 0, count: n)
            for i in 0..<n {
                let b = UInt32(planes[base + i]) | UInt32(planes[base + n + i]) << 8
                    | UInt32(planes[base + 2 * n + i]) << 16 | UInt32(planes[base + 3 * n + i]) << 24
                out[i] = Float(bitPattern: UInt32(littleEndian: b))
            }
            guard r.remaining == 0 else { throw .malformed("stray bytes after an exact payload") }
            return out
        case 1, 2:
            let encoding: EmbeddingEncoding = tag == 1 ? .int8 : .int4
            let codes = Array(try r.take(encoding.codeBytes(dimension: n)))
            guard r.remaining == 0 else { throw .malformed("stray bytes after a quantized payload") }
            return Quantizer.dequantize(QuantizedVector(encoding: encoding, scale: scale, codes: codes), dimension: n)
        default:
            throw .malformed("unknown embedding encoding \(tag)")
        }
    }
}

/// A blob as a tier stores it: `[codec u8][raw length u32][bytes]`, LZ4-compressed when that
/// makes it smaller, raw otherwise.
enum BlobCodec {
    /// Bytes before the body: codec and raw length.
    static let headerBytes = 5

    static func pack(_ raw: [UInt8], effort: LZ4Effort) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: bound(raw.count))
        let n = raw.withUnsafeBytes { src in
            out.withUnsafeMutableBytes { pack(src, into: $0, effort: effort) }
        }
        out.removeLast(out.count - n)
        return out
    }

    /// Bytes ``pack(_:into:effort:)`` may write for `count` raw bytes.
    static func bound(_ count: Int) -> Int { 5 + max(count, lz4CompressBound(count)) }

    /// Packs `raw` into `out` (at least ``bound(_:)`` bytes) and returns the bytes written.
    static func pack(_ raw: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer, effort: LZ4Effort) -> Int {
        let body = UnsafeMutableRawBufferPointer(rebasing: out[5...])
        let compressed = lz4Compress(raw, into: body, effort: effort)
        let useLZ4 = compressed > 0 && compressed < raw.count
        if !useLZ4, raw.count > 0 { body.baseAddress!.copyMemory(from: raw.baseAddress!, byteCount: raw.count) }
        out[0] = useLZ4 ? 1 : 0
        withUnsafeBytes(of: UInt32(raw.count).littleEndian) { out.baseAddress!.advanced(by: 1).copyMemory(from: $0.baseAddress!, byteCount: 4) }
        return 5 + (useLZ4 ? compressed : raw.count)
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
        default:
            throw .malformed("unknown blob codec \(codec)")
        }
    }
}
