/// Time-series column coders, as time-series databases use them: Gorilla's XOR coding of floats
/// and delta-of-delta coding of timestamps (Pelkonen et al., "Gorilla: A Fast, Scalable, In-Memory
/// Time Series Database", VLDB 2015), a Chimp-style choice of the XOR reference among recent values
/// (Liakos et al., VLDB 2022), a per-chunk dictionary, and frame-of-reference bit packing. Each
/// column is encoded every way that applies and the smallest is kept, behind a 3-bit mode.
enum ColumnMode: UInt64 {
    /// XOR against the previous value (Gorilla).
    case previous = 0
    /// XOR against the best of the last ``XORCodec/window`` values, its index written first.
    case window = 1
    /// A table of the distinct values, then one fixed-width index per value.
    case dictionary = 2
    /// XOR against a prediction from other columns (given by the caller).
    case predicted = 3
    /// Integers: delta-of-delta in Gorilla's variable-length buckets.
    case deltaOfDelta = 4
    /// Integers: (value − minimum) in the fewest bits that hold the chunk's range.
    case frameOfReference = 5
    /// Integers: delta to the previous value in Gorilla's buckets.
    case delta = 6
    /// Integers: the difference to the nearest of the last four values (its index written first),
    /// zigzagged and Rice-coded with a parameter chosen for the chunk: for interleaved streams of
    /// slowly moving readings (two workers' arousal, say), whose steps are small but not bucket-sized.
    case riceWindow = 7

    static let bits = 3
}

/// Gorilla XOR coding of float bit patterns (64- or 32-bit) against a reference value.
///
/// Per value: `0` when it equals its reference; otherwise `1`, then `0` and the meaningful bits
/// when they fit the previous value's window of leading and trailing zeros, or `1`, 5 bits of
/// leading zeros, the meaningful length and the meaningful bits.
enum XORCodec {
    /// References the window mode chooses among (so 3 bits of index).
    static let window = 8
    static let windowBits = 3

    struct State {
        var leading = -1
        var trailing = 0
    }

    @inline(__always)
    static func put<T: FixedWidthInteger & UnsignedInteger, W: BitSink>(_ v: T, reference: T, _ state: inout State, _ w: inout W) {
        let x = v ^ reference
        if x == 0 {
            w.write(0, bits: 1)
            return
        }
        let width = T.bitWidth
        let leading = min(x.leadingZeroBitCount, 31)
        let trailing = x.trailingZeroBitCount
        if state.leading >= 0, leading >= state.leading, trailing >= state.trailing {
            w.write(0b10, bits: 2)
            w.write(UInt64(x >> T(state.trailing)), bits: width - state.leading - state.trailing)
            return
        }
        let meaningful = width - leading - trailing
        w.write(0b11, bits: 2)
        w.write(UInt64(leading), bits: 5)
        // 1 … width meaningful bits, stored as meaningful − 1.
        w.write(UInt64(meaningful - 1), bits: width == 64 ? 6 : 5)
        w.write(UInt64(x >> T(trailing)), bits: meaningful)
        state = State(leading: leading, trailing: trailing)
    }

    @inline(__always)
    static func get<T: FixedWidthInteger & UnsignedInteger>(reference: T, _ state: inout State, _ r: inout BitReader) throws(CodecError) -> T {
        guard try r.bit() else { return reference }
        let width = T.bitWidth
        if try !r.bit() {
            guard state.leading >= 0 else { throw .malformed("XOR value reuses a window before one was set") }
            let bits = try r.read(bits: width - state.leading - state.trailing)
            return reference ^ (T(truncatingIfNeeded: bits) << T(state.trailing))
        }
        let leading = Int(try r.read(bits: 5))
        let meaningful = Int(try r.read(bits: width == 64 ? 6 : 5)) + 1
        guard leading + meaningful <= width else { throw .malformed("XOR window of \(leading)+\(meaningful) bits") }
        let trailing = width - leading - meaningful
        state = State(leading: leading, trailing: trailing)
        return reference ^ (T(truncatingIfNeeded: try r.read(bits: meaningful)) << T(trailing))
    }

    /// Bits `v` would cost against `reference` without a reusable window (to choose references).
    @inline(__always)
    static func cost<T: FixedWidthInteger & UnsignedInteger>(_ v: T, _ reference: T) -> Int {
        let x = v ^ reference
        return x == 0 ? 0 : T.bitWidth - min(x.leadingZeroBitCount, 31) - x.trailingZeroBitCount
    }
}

/// Encoders and decoders of whole columns, each trying its modes and keeping the smallest.
enum ColumnCodec {
    /// Encodes a float column (bit patterns). `predicted`, when given, is a reference per value
    /// computed from columns the decoder will already have.
    static func encodeFloats<T: FixedWidthInteger & UnsignedInteger>(_ values: [T], predicted: [T]?, into w: inout BitWriter) {
        var modes: [ColumnMode] = [.previous, .window]
        if predicted != nil { modes.append(.predicted) }
        modes.append(.dictionary)
        // Sized first, then only the smallest written (the first of equals, as when each was written).
        var best: ColumnMode?, bestBits = Int.max
        for mode in modes {
            var counter = BitCounter()
            if writeFloats(mode, values, predicted, &counter), counter.bitCount < bestBits { (best, bestBits) = (mode, counter.bitCount) }
        }
        guard let best else { preconditionFailure("the XOR modes always apply") }
        w.write(best.rawValue, bits: ColumnMode.bits)
        _ = writeFloats(best, values, predicted, &w)
    }

    /// Writes `values` in float mode `mode`; false when the mode does not apply (a dictionary too large).
    static func writeFloats<T: FixedWidthInteger & UnsignedInteger, W: BitSink>(_ mode: ColumnMode, _ values: [T], _ predicted: [T]?,
                                                                                       _ w: inout W) -> Bool {
        switch mode {
        case .previous:
            var s = XORCodec.State()
            var previous: T = 0
            for v in values {
                XORCodec.put(v, reference: previous, &s, &w)
                previous = v
            }
            return true
        case .window:
            var s = XORCodec.State()
            for i in values.indices {
                var bestIndex = 0, bestCost = Int.max
                for k in 0..<min(XORCodec.window, i) {
                    let c = XORCodec.cost(values[i], values[i - 1 - k])
                    if c < bestCost {
                        bestCost = c
                        bestIndex = k
                    }
                }
                w.write(UInt64(bestIndex), bits: XORCodec.windowBits)
                XORCodec.put(values[i], reference: i == 0 ? 0 : values[i - 1 - bestIndex], &s, &w)
            }
            return true
        case .predicted:
            guard let predicted else { return false }
            var s = XORCodec.State()
            for (v, p) in zip(values, predicted) { XORCodec.put(v, reference: p, &s, &w) }
            return true
        case .dictionary:
            return dictionary(values, into: &w)
        default:
            return false
        }
    }

    static func decodeFloats<T: FixedWidthInteger & UnsignedInteger>(_ n: Int, predicted: [T]?, from r: inout BitReader) throws(CodecError) -> [T] {
        var out: [T] = []
        out.reserveCapacity(n)
        var s = XORCodec.State()
        switch ColumnMode(rawValue: try r.read(bits: ColumnMode.bits)) {
        case .previous:
            var previous: T = 0
            for _ in 0..<n {
                previous = try XORCodec.get(reference: previous, &s, &r)
                out.append(previous)
            }
        case .window:
            for i in 0..<n {
                let k = Int(try r.read(bits: XORCodec.windowBits))
                guard i == 0 || k < min(XORCodec.window, i) else { throw .malformed("XOR reference \(k) of \(i)") }
                out.append(try XORCodec.get(reference: i == 0 ? 0 : out[i - 1 - k], &s, &r))
            }
        case .predicted:
            guard let predicted, predicted.count == n else { throw .malformed("a predicted column without its prediction") }
            for p in predicted { out.append(try XORCodec.get(reference: p, &s, &r)) }
        case .dictionary:
            out = try undictionary(n, from: &r)
        default:
            throw .malformed("float column mode")
        }
        return out
    }

    /// Encodes an integer column (two's-complement patterns) by delta-of-delta, delta, frame of
    /// reference or, when `predicted` is given, the difference to that prediction.
    static func encodeIntegers(_ values: [UInt64], predicted: [UInt64]?, into w: inout BitWriter) {
        // Every mode sized in one pass (the bits writing it would take), then only the smallest
        // written: the first of equals, in the order deltaOfDelta, delta, predicted, riceWindow,
        // frameOfReference, as when each was written in full.
        let sizes = IntegerColumnSizes(values, predicted: predicted)
        w.write(sizes.best.rawValue, bits: ColumnMode.bits)
        if sizes.best == .riceWindow {
            writeRice(sizes.residuals, k: sizes.riceK, into: &w)
        } else {
            writeIntegers(sizes.best, values, predicted, &w)
        }
    }

    static func writeIntegers<W: BitSink>(_ mode: ColumnMode, _ values: [UInt64], _ predicted: [UInt64]?, _ w: inout W) {
        switch mode {
        case .deltaOfDelta:
            var previous: UInt64 = 0, previousDelta: UInt64 = 0
            for v in values {
                let delta = v &- previous
                bucket(Int64(bitPattern: delta &- previousDelta), &w)
                previous = v
                previousDelta = delta
            }
        case .delta:
            var previous: UInt64 = 0
            for v in values {
                bucket(Int64(bitPattern: v &- previous), &w)
                previous = v
            }
        case .predicted:
            for (v, p) in zip(values, predicted ?? []) { bucket(Int64(bitPattern: v &- p), &w) }
        case .riceWindow:
            riceWindow(values, into: &w)
        case .frameOfReference:
            var lo = Int64.max, hi = Int64.min
            for v in values {
                lo = min(lo, Int64(bitPattern: v))
                hi = max(hi, Int64(bitPattern: v))
            }
            if values.isEmpty { (lo, hi) = (0, 0) }
            let range = UInt64(bitPattern: hi &- lo)
            let width = 64 - range.leadingZeroBitCount
            w.write(UInt64(bitPattern: lo), bits: 64)
            w.write(UInt64(width), bits: 7)
            for v in values { w.write(v &- UInt64(bitPattern: lo), bits: width) }
        default:
            preconditionFailure("not an integer mode: \(mode)")
        }
    }

    static func decodeIntegers(_ n: Int, predicted: [UInt64]?, from r: inout BitReader) throws(CodecError) -> [UInt64] {
        var out: [UInt64] = []
        out.reserveCapacity(n)
        switch ColumnMode(rawValue: try r.read(bits: ColumnMode.bits)) {
        case .deltaOfDelta:
            var previous: UInt64 = 0, previousDelta: UInt64 = 0
            for _ in 0..<n {
                previousDelta = previousDelta &+ UInt64(bitPattern: try unbucket(&r))
                previous = previous &+ previousDelta
                out.append(previous)
            }
        case .delta:
            var previous: UInt64 = 0
            for _ in 0..<n {
                previous = previous &+ UInt64(bitPattern: try unbucket(&r))
                out.append(previous)
            }
        case .predicted:
            guard let predicted, predicted.count == n else { throw .malformed("a predicted column without its prediction") }
            for p in predicted { out.append(p &+ UInt64(bitPattern: try unbucket(&r))) }
        case .frameOfReference:
            let lo = try r.read(bits: 64)
            let width = Int(try r.read(bits: 7))
            guard width <= 64 else { throw .malformed("frame-of-reference width \(width)") }
            for _ in 0..<n { out.append(lo &+ (try r.read(bits: width))) }
        case .riceWindow:
            out = try unriceWindow(n, from: &r)
        default:
            throw .malformed("integer column mode")
        }
        return out
    }

    /// Gorilla's timestamp buckets: `0` for zero, `10` + 7 bits for [−63, 64], `110` + 9 bits for
    /// [−255, 256], `1110` + 12 bits for [−2047, 2048], else `1111` + 64 bits.
    @inline(__always)
    static func bucket<W: BitSink>(_ d: Int64, _ w: inout W) {
        switch d {
        case 0: w.write(0, bits: 1)
        case -63...64: w.write(0b10, bits: 2); w.write(UInt64(d + 63), bits: 7)
        case -255...256: w.write(0b110, bits: 3); w.write(UInt64(d + 255), bits: 9)
        case -2047...2048: w.write(0b1110, bits: 4); w.write(UInt64(d + 2047), bits: 12)
        default: w.write(0b1111, bits: 4); w.write(UInt64(bitPattern: d), bits: 64)
        }
    }

    @inline(__always)
    static func unbucket(_ r: inout BitReader) throws(CodecError) -> Int64 {
        guard try r.bit() else { return 0 }
        guard try r.bit() else { return Int64(try r.read(bits: 7)) - 63 }
        guard try r.bit() else { return Int64(try r.read(bits: 9)) - 255 }
        guard try r.bit() else { return Int64(try r.read(bits: 12)) - 2047 }
        return Int64(bitPattern: try r.read(bits: 64))
    }

    /// References of the window modes for integers (2 bits of index).
    static let integerWindow = 4

    /// Zigzag: small magnitudes of either sign become small unsigned numbers.
    @inline(__always) static func zigzag(_ d: Int64) -> UInt64 { UInt64(bitPattern: (d << 1) ^ (d >> 63)) }
    @inline(__always) static func unzigzag(_ u: UInt64) -> Int64 { Int64(bitPattern: u >> 1) ^ -Int64(bitPattern: u & 1) }

    /// Distinct values (at most 4096, and only while the table pays for itself) and an index per value.
    private static func dictionary<T: FixedWidthInteger & UnsignedInteger, W: BitSink>(_ values: [T], into w: inout W) -> Bool {
        var index: [T: UInt32] = [:]
        var table: [T] = []
        let limit = min(4096, max(1, values.count / 4))
        for v in values where index[v] == nil {
            guard table.count < limit else { return false }
            index[v] = UInt32(table.count)
            table.append(v)
        }
        let width = table.count <= 1 ? 0 : Int.bitWidth - (table.count - 1).leadingZeroBitCount
        w.write(UInt64(table.count), bits: 13)
        for v in table { w.write(UInt64(v), bits: T.bitWidth) }
        for v in values { w.write(UInt64(index[v]!), bits: width) }
        return true
    }

    private static func undictionary<T: FixedWidthInteger & UnsignedInteger>(_ n: Int, from r: inout BitReader) throws(CodecError) -> [T] {
        let count = Int(try r.read(bits: 13))
        guard count > 0 || n == 0 else { throw .malformed("empty dictionary") }
        var table: [T] = []
        table.reserveCapacity(count)
        for _ in 0..<count { table.append(T(truncatingIfNeeded: try r.read(bits: T.bitWidth))) }
        let width = count <= 1 ? 0 : Int.bitWidth - (count - 1).leadingZeroBitCount
        var out: [T] = []
        out.reserveCapacity(n)
        for _ in 0..<n {
            let i = Int(try r.read(bits: width))
            guard i < count else { throw .malformed("dictionary index \(i) of \(count)") }
            out.append(table[i])
        }
        return out
    }
}
