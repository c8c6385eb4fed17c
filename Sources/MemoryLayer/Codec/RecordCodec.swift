/// Binary packing of a state's metadata (everything but the embedding): 50 bytes for the usual
/// three emotion values, against the ~80 bytes of the in-memory struct plus the emotion array.
enum RecordCodec {
    static let format: UInt8 = 1

    static func encode(_ s: ConsciousState) -> [UInt8] {
        var w = ByteWriter(capacity: 38 + 4 * s.emotion.count)
        w.u8(format)
        w.u64(s.version)
        w.f64(s.phi)
        w.f64(s.timestamp)
        w.f64(s.importance)
        w.i32(s.attentionFocus)
        precondition(s.emotion.count <= Int(UInt8.max), "checked by the store before encoding")
        w.u8(UInt8(s.emotion.count))
        for e in s.emotion { w.f32(e) }
        return w.bytes
    }

    /// Decodes metadata and attaches `embedding`.
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
        let exact = encoding == .float32 || x.contains { !$0.isFinite }
        var w = ByteWriter(capacity: headerBytes + (exact ? 4 : 1) * x.count)
        var error = QuantizationError()
        if exact {
            w.u8(0)
            w.u32(UInt32(x.count))
            w.f32(0)
            var planes = [UInt8](repeating: 0, count: 4 * x.count)
            for (i, v) in x.enumerated() {
                let b = v.bitPattern.littleEndian
                planes[i] = UInt8(truncatingIfNeeded: b)
                planes[x.count + i] = UInt8(truncatingIfNeeded: b >> 8)
                planes[2 * x.count + i] = UInt8(truncatingIfNeeded: b >> 16)
                planes[3 * x.count + i] = UInt8(truncatingIfNeeded: b >> 24)
            }
            w.append(contentsOf: planes)
            error.elements = x.count
            return (w.bytes, error)
        }
        let q = Quantizer.quantize(x, as: encoding)
        w.u8(encoding == .int8 ? 1 : 2)
        w.u32(UInt32(x.count))
        w.f32(q.scale)
        w.append(contentsOf: q.codes)
        let back = Quantizer.dequantize(q, dimension: x.count)
        let maxAbs = x.reduce(Float(0)) { max($0, abs($1)) }
        for i in x.indices {
            let e = abs(x[i] - back[i])
            error.maxAbs = max(error.maxAbs, e)
            error.sumSquares += Double(e) * Double(e)
        }
        error.maxRelative = maxAbs > 0 ? error.maxAbs / maxAbs : 0
        error.elements = x.count
        return (w.bytes, error)
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
    static func pack(_ raw: [UInt8], effort: LZ4Effort) -> [UInt8] {
        let compressed = lz4Compress(raw, effort: effort)
        var w = ByteWriter(capacity: 5 + min(raw.count, compressed.count))
        let useLZ4 = compressed.count < raw.count
        w.u8(useLZ4 ? 1 : 0)
        w.u32(UInt32(raw.count))
        w.append(contentsOf: useLZ4 ? compressed : raw)
        return w.bytes
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
