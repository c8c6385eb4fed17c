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
        var codes = [UInt8](repeating: 0, count: encoding.codeBytes(dimension: x.count))
        let scale = x.withUnsafeBufferPointer { xs in
            codes.withUnsafeMutableBufferPointer { quantize(xs, as: encoding, into: $0.baseAddress!) }
        }
        return QuantizedVector(encoding: encoding, scale: scale, codes: codes)
    }

    /// Writes the codes of `x` to `codes` (``EmbeddingEncoding/codeBytes(dimension:)`` bytes) and
    /// returns the scale: the allocation-free form the store's hot path uses.
    static func quantize(_ x: UnsafeBufferPointer<Float>, as encoding: EmbeddingEncoding,
                         into codes: UnsafeMutablePointer<UInt8>) -> Float {
        quantize(x, as: encoding, into: codes, maxAbs: scan(x).maxAbs, measuring: false).scale
    }

    /// max|x| over the finite elements, and whether every element is finite: one pass.
    ///
    /// On bit patterns: with the sign cleared, a float is finite exactly when its pattern is below
    /// infinity's, and finite magnitudes order as their patterns do, so the loop is an unsigned
    /// integer max and an OR, which vectorise (a float max with a NaN test per element did not:
    /// 17 instructions an element under callgrind, now under 2).
    static func scan(_ x: UnsafeBufferPointer<Float>) -> (maxAbs: Float, allFinite: Bool) {
        let infinity = Float.infinity.bitPattern
        var maxBits: UInt32 = 0
        var nonFinite: UInt32 = 0
        for v in x {
            let b = v.bitPattern & 0x7FFF_FFFF
            let finite = b < infinity
            maxBits = max(maxBits, finite ? b : 0)
            nonFinite |= finite ? 0 : 1
        }
        return (Float(bitPattern: maxBits), nonFinite == 0)
    }

    /// Quantizes `x` (whose max|x| over finite elements is `maxAbs`) into `codes`, and with
    /// `measuring` also its error, in the same pass. Codes round half to even (one instruction per
    /// element, so the loop vectorises); the error bound is half a step either way.
    static func quantize(_ x: UnsafeBufferPointer<Float>, as encoding: EmbeddingEncoding, into codes: UnsafeMutablePointer<UInt8>,
                         maxAbs: Float, measuring: Bool) -> (scale: Float, error: QuantizationError) {
        precondition(encoding != .float32, "float32 is not a quantization")
        let scale = maxAbs / encoding.maxCode
        let inverse: Float = scale > 0 ? 1 / scale : 0
        let m = encoding.maxCode
        var error = QuantizationError()
        error.elements = x.count
        // Clamped, then rounded to nearest even by adding 1.5 · 2²³: the sum's unit in the last
        // place is 1, so the addition rounds, and for |c| < 2²² its low bits are c in two's
        // complement. That is a vector add where `rounded(.toNearestOrEven)` was a call to rintf per
        // element, and the codes are the same.
        let magic: Float = 12_582_912
        var maxErr: Float = 0
        // Sums of squared errors by blocks of 64, in Float (vectorised), then added up in Double.
        var sumSquares = 0.0
        // No float reduction in the loop over elements: the largest error is taken on bit patterns
        // (an unsigned max: non-negative floats order as their patterns do), and each block's
        // differences are summed afterwards in eight lanes (the sum's order changes; the codes and
        // the max do not). Int4 codes come from the same loop, one per byte into a block buffer,
        // packed two per byte after it (they were a scalar loop of their own).
        var maxErrBits: UInt32 = 0
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 64) { diff in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { nibbles in
                var i = 0
                while i < x.count {
                    let end = min(x.count, i + 64)
                    let n = end &- i
                    let xs = x.baseAddress! + i
                    let cs = encoding == .int8 ? codes + i : nibbles.baseAddress!
                    // Plain pointers and an unchecked loop: an overflow check in the body (an index
                    // computed with `-`) stops the loop from vectorising.
                    for k in 0..<n {
                        let v = xs[k]
                        let y = (v.bitPattern & 0x7FFF_FFFF) < 0x7F80_0000 ? v * inverse : 0
                        let t = min(m, max(-m, y)) + magic
                        cs[k] = UInt8(truncatingIfNeeded: t.bitPattern)
                        let d = v - (t - magic) * scale
                        diff[k] = d
                        maxErrBits = max(maxErrBits, d.bitPattern & 0x7FFF_FFFF)
                    }
                    if encoding == .int4 {
                        // Blocks start at even elements, so pairs never straddle two blocks.
                        let out = codes + (i >> 1)
                        for k in 0..<(n >> 1) {
                            out[k] = (cs[2 &* k] & 0x0F) | (cs[2 &* k &+ 1] << 4)
                        }
                        if n & 1 == 1 { out[n >> 1] = cs[n &- 1] & 0x0F }
                    }
                    if measuring {
                        var lanes = SIMD8<Float>(repeating: 0)
                        var k = 0
                        while k + 8 <= n {
                            let d = UnsafeRawPointer(diff.baseAddress! + k).loadUnaligned(as: SIMD8<Float>.self)
                            lanes += d * d
                            k += 8
                        }
                        var block: Float = 0
                        while k < n {
                            block += diff[k] * diff[k]
                            k += 1
                        }
                        sumSquares += Double(block) + Double(lanes.sum())
                    }
                    i = end
                }
            }
        }
        if measuring { maxErr = Float(bitPattern: maxErrBits) }
        if measuring {
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
