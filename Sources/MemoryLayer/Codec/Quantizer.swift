import CQuantize

/// How an embedding is encoded: exactly, or quantized with one scale per vector.
package enum EmbeddingEncoding: String, Sendable, Codable, CaseIterable {
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
    package var bits: Int {
        switch self {
        case .float32: 32
        case .int8: 8
        case .int4: 4
        }
    }

    /// The stated bound on |x − x̂| per element, relative to the vector's max |x| (0 when exact):
    /// half a quantization step, plus 2⁻²⁰ for float32 rounding in x/scale and code·scale.
    package var relativeErrorBound: Double {
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
        var codes = [UInt8](repeating: 0, count: encoding.codeBytes(dimension: x.count))
        let scale = x.withUnsafeBufferPointer { xs in
            codes.withUnsafeMutableBufferPointer { quantize(xs, as: encoding, into: $0.baseAddress!).scale }
        }
        return QuantizedVector(encoding: encoding, scale: scale, codes: codes)
    }

    /// Writes the codes of `x` to `codes` (``EmbeddingEncoding/codeBytes(dimension:)`` bytes) and
    /// returns the scale and 1 / ‖codes‖: the allocation-free form the store's hot path uses.
    /// `maxAbs`: max|x| over the finite elements when the caller has it (``scan(_:)``).
    static func quantize(_ x: UnsafeBufferPointer<Float>, as encoding: EmbeddingEncoding,
                         into codes: UnsafeMutablePointer<UInt8>, maxAbs: Float? = nil) -> (scale: Float, inverseNorm: Float) {
        let (scale, error) = quantize(x, as: encoding, into: codes, maxAbs: maxAbs ?? scan(x).maxAbs, measuring: false)
        return (scale, error.inverseCodeNorm)
    }

    /// max|x| over the finite elements, and whether every element is finite: one pass.
    ///
    /// On bit patterns: with the sign cleared, a float is finite exactly when its pattern is below
    /// infinity's, and finite magnitudes order as their patterns do, so the loop is an unsigned
    /// integer max and an OR, which vectorise (a float max with a NaN test per element did not:
    /// 17 instructions an element under callgrind). It is ``phibench_scan`` in C, compiled for AVX2
    /// and the baseline: the Swift loop, inlined into the batch encoder, still cost ~9 an element there.
    static func scan(_ x: UnsafeBufferPointer<Float>) -> (maxAbs: Float, allFinite: Bool) {
        guard let base = x.baseAddress else { return (0, true) }
        var maxBits: UInt32 = 0
        var allFinite: Int32 = 1
        phibench_scan(base, x.count, &maxBits, &allFinite)
        return (Float(bitPattern: maxBits), allFinite != 0)
    }

    /// Quantizes `x` (whose max|x| over finite elements is `maxAbs`) into `codes`, and with
    /// `measuring` also reports its error, from the same pass (``phibench_quantize``, C compiled for
    /// AVX2 and the baseline). Codes round half to even; the error bound is half a step either way.
    static func quantize(_ x: UnsafeBufferPointer<Float>, as encoding: EmbeddingEncoding, into codes: UnsafeMutablePointer<UInt8>,
                         maxAbs: Float, measuring: Bool) -> (scale: Float, error: QuantizationError) {
        precondition(encoding != .float32, "float32 is not a quantization")
        let scale = maxAbs / encoding.maxCode
        let inverse: Float = scale > 0 ? 1 / scale : 0
        var maxErrBits: UInt32 = 0
        var sumSquares = 0.0
        var codeSquares: Int64 = 0
        if let base = x.baseAddress {
            phibench_quantize(base, x.count, inverse, scale, encoding.maxCode, encoding == .int4 ? 1 : 0,
                              codes, &maxErrBits, &sumSquares, &codeSquares)
        }
        var error = QuantizationError()
        error.elements = x.count
        error.inverseCodeNorm = codeSquares > 0 ? 1 / Float(Double(codeSquares).squareRoot()) : 0
        if measuring {
            let maxErr = Float(bitPattern: maxErrBits)
            error.maxAbs = maxErr
            error.sumSquares = sumSquares
            error.maxRelative = maxAbs > 0 ? maxErr / maxAbs : 0
        }
        return (scale, error)
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
        q.codes.withUnsafeBufferPointer { inverseNorm($0, q.encoding, dimension: dimension) }
    }

    static func inverseNorm(_ c: UnsafeBufferPointer<UInt8>, _ encoding: EmbeddingEncoding, dimension: Int) -> Float {
        var sum: Int64 = 0
        for i in 0..<dimension {
            let v = Int64(code(c, i, encoding))
            sum += v * v
        }
        return sum > 0 ? 1 / Float(Double(sum).squareRoot()) : 0
    }
}
