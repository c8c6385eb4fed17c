/// The Rice window mode of integer columns: each value's residual against the nearest of the last
/// ``ColumnCodec/integerWindow`` values, zigzagged, then Rice-coded with one parameter for the column.
extension ColumnCodec {
    /// Rice code of `u` with parameter `k`: the quotient in unary (capped: 32 ones then the value in
    /// 64 bits), then the `k` low bits.
    @inline(__always)
    private static func rice<W: BitSink>(_ u: UInt64, _ k: Int, _ w: inout W) {
        let q = u >> UInt64(k)
        if q >= 32 {
            w.write(UInt64(UInt32.max), bits: 32)
            w.write(u, bits: 64)
            return
        }
        w.write((UInt64(1) << q) - 1, bits: Int(q))
        w.write(0, bits: 1)
        w.write(u, bits: k)
    }

    @inline(__always)
    private static func unrice(_ k: Int, _ r: inout BitReader) throws(CodecError) -> UInt64 {
        var q: UInt64 = 0
        while try r.bit() {
            q += 1
            if q == 32 { return try r.read(bits: 64) }
        }
        return (q << UInt64(k)) | (try r.read(bits: k))
    }

    static func riceWindow<W: BitSink>(_ values: [UInt64], into w: inout W) {
        let residuals = windowResiduals(values)
        writeRice(residuals, k: riceParameter(residuals).k, into: &w)
    }

    /// Each value's residual against the nearest of the last ``integerWindow`` values (the first against 0).
    static func windowResiduals(_ values: [UInt64]) -> [(index: Int, residual: UInt64)] {
        [(index: Int, residual: UInt64)](unsafeUninitializedCapacity: values.count) { out, count in
            values.withUnsafeBufferPointer { v in
                for i in v.indices {
                    guard i > 0 else {
                        out[0] = (0, zigzag(Int64(bitPattern: v[0])))
                        continue
                    }
                    var best = (index: 0, residual: UInt64.max)
                    for k in 0..<min(integerWindow, i) {
                        let r = zigzag(Int64(bitPattern: v[i] &- v[i - 1 - k]))
                        if r < best.residual { best = (k, r) }
                    }
                    out[i] = best
                }
            }
            count = values.count
        }
    }

    /// The Rice parameter for `residuals` and the bits their Rice codes take with it (indices and
    /// parameter not counted). The parameter near log2 of the mean residual is optimal for geometric
    /// residuals; the five around it are sized in one pass, the smallest (the first of equals) kept.
    static func riceParameter(_ residuals: [(index: Int, residual: UInt64)]) -> (k: Int, bits: Int) {
        let mean = residuals.isEmpty ? 0 : residuals.reduce(0.0) { $0 + Double($1.residual) } / Double(residuals.count)
        let guess = mean < 1 ? 0 : min(62, Int(mean.rounded(.up)).bitWidth - Int(mean.rounded(.up)).leadingZeroBitCount - 1)
        let low = max(0, guess - 2), tried = min(62, guess + 2) - low + 1
        // Σ quotient per parameter low + j; a quotient of 32 or more costs 96 bits in all (escape).
        var q0 = 0, q1 = 0, q2 = 0, q3 = 0, q4 = 0, ordinary = 0
        var escapes = SIMD8<Int>()
        let l = UInt64(low)
        for e in residuals {
            let q = e.residual >> l
            if q < 32 {  // then every larger parameter's quotient is below 32 too
                q0 &+= Int(q); q1 &+= Int(q >> 1); q2 &+= Int(q >> 2); q3 &+= Int(q >> 3); q4 &+= Int(q >> 4)
                ordinary &+= 1
            } else {
                for j in 0..<tried {
                    let qj = e.residual >> (l + UInt64(j))
                    if qj < 32 { escapes[j] &+= Int(qj) &+ 1 &+ low &+ j } else { escapes[j] &+= 96 }
                }
            }
        }
        let sums = SIMD8(q0, q1, q2, q3, q4, 0, 0, 0)
        var best = (k: guess, bits: Int.max)
        for j in 0..<tried {
            // Residuals with a quotient below 32 at `low` cost q + 1 + k each at parameter low + j.
            let bits = sums[j] &+ ordinary &* (1 &+ low &+ j) &+ escapes[j]
            if bits < best.bits { best = (low + j, bits) }
        }
        return best
    }

    static func writeRice<W: BitSink>(_ residuals: [(index: Int, residual: UInt64)], k: Int, into w: inout W) {
        w.write(UInt64(k), bits: 6)
        for (i, e) in residuals.enumerated() {
            if i > 0 { w.write(UInt64(e.index), bits: 2) }
            rice(e.residual, k, &w)
        }
    }

    static func unriceWindow(_ n: Int, from r: inout BitReader) throws(CodecError) -> [UInt64] {
        let k = Int(try r.read(bits: 6))
        var out: [UInt64] = []
        out.reserveCapacity(n)
        for i in 0..<n {
            let index = i > 0 ? Int(try r.read(bits: 2)) : 0
            guard i == 0 || index < min(integerWindow, i) else { throw .malformed("integer reference \(index) of \(i)") }
            let d = unzigzag(try unrice(k, &r))
            out.append(i == 0 ? UInt64(bitPattern: d) : out[i - 1 - index] &+ UInt64(bitPattern: d))
        }
        return out
    }
}
