/// How an embedding is encoded: exactly, or quantized with one scale per vector.
public enum EmbeddingEncoding: String, Sendable, Codable, CaseIterable {
    /// 32-bit floats, bit-exact.
    case float32
    /// Signed 8-bit codes in [-127, 127]; scale = max|x| / 127; error ≤ max|x| · (1/254 + 2⁻²⁰) per element.
    case int8
    /// Signed 4-bit codes in [-7, 7], two per byte; scale = max|x| / 7; error ≤ max|x| · (1/14 + 2⁻²⁰) per element.
    case int4

    /// Largest code magnitude.
    var maxCode: Float {
        switch self {
        case .float32: 0
        case .int8: 127
        case .int4: 7
        }
    }

    /// Bits per element.
    public var bits: Int {
        switch self {
        case .float32: 32
        case .int8: 8
        case .int4: 4
        }
    }

    /// The stated bound on |x − x̂| per element, relative to the vector's max |x| (0 when exact):
    /// half a quantization step, plus 2⁻²⁰ for float32 rounding in x/scale and code·scale.
    public var relativeErrorBound: Double {
        switch self {
        case .float32: 0
        case .int8, .int4: 1 / (2 * Double(maxCode)) + 1.0 / Double(1 << 20)
        }
    }

    /// Bytes the codes of a `dimension`-element vector take.
    func codeBytes(dimension: Int) -> Int {
        switch self {
        case .float32: dimension * 4
        case .int8: dimension
        case .int4: (dimension + 1) / 2
        }
    }
}

/// A vector quantized with one scale: x̂ᵢ = scale · codeᵢ.
struct QuantizedVector: Equatable {
    var encoding: EmbeddingEncoding
    var scale: Float
    /// Int8 codes one per byte, or int4 codes packed low nibble first.
    var codes: [UInt8]
}

enum Quantizer {
    /// Quantizes `x` symmetrically with scale max|x| / maxCode. Non-finite elements become 0, so a
    /// caller that needs them back must keep the vector exact (``PayloadCodec`` does).
    static func quantize(_ x: [Float], as encoding: EmbeddingEncoding) -> QuantizedVector {
        precondition(encoding != .float32, "float32 is not a quantization")
        var maxAbs: Float = 0
        for v in x where v.isFinite { maxAbs = max(maxAbs, abs(v)) }
        let scale = maxAbs / encoding.maxCode
        let inverse: Float = scale > 0 ? 1 / scale : 0
        let m = encoding.maxCode
        func code(_ v: Float) -> Int8 {
            guard v.isFinite else { return 0 }
            return Int8(max(-m, min(m, (v * inverse).rounded())))
        }
        var codes = [UInt8](repeating: 0, count: encoding.codeBytes(dimension: x.count))
        switch encoding {
        case .int8:
            for i in x.indices { codes[i] = UInt8(bitPattern: code(x[i])) }
        case .int4:
            for i in x.indices {
                let nibble = UInt8(bitPattern: code(x[i])) & 0x0F
                codes[i >> 1] |= (i & 1 == 0) ? nibble : nibble << 4
            }
        case .float32:
            break
        }
        return QuantizedVector(encoding: encoding, scale: scale, codes: codes)
    }

    /// The signed code of element `i`.
    @inline(__always)
    static func code(_ codes: UnsafeBufferPointer<UInt8>, _ i: Int, _ encoding: EmbeddingEncoding) -> Int8 {
        if encoding == .int8 { return Int8(bitPattern: codes[i]) }
        let b = codes[i >> 1]
        // Shift the nibble to the top, then arithmetic-shift back down to sign-extend it.
        return (i & 1 == 0) ? Int8(bitPattern: b << 4) >> 4 : Int8(bitPattern: b) >> 4
    }

    static func dequantize(_ q: QuantizedVector, dimension: Int) -> [Float] {
        q.codes.withUnsafeBufferPointer { c in
            (0..<dimension).map { Float(code(c, $0, q.encoding)) * q.scale }
        }
    }

    /// 1 / ‖codes‖ (0 for the zero vector), so cosine = dot(codes, query) · this · 1 / ‖query‖;
    /// the per-vector scale cancels out of a cosine.
    static func inverseNorm(_ q: QuantizedVector, dimension: Int) -> Float {
        var sum: Int64 = 0
        q.codes.withUnsafeBufferPointer { c in
            for i in 0..<dimension {
                let v = Int64(code(c, i, q.encoding))
                sum += v * v
            }
        }
        return sum > 0 ? 1 / Float(Double(sum).squareRoot()) : 0
    }
}
