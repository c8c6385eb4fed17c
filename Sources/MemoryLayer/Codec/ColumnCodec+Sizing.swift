/// The bits each integer column mode would write for a column, found in one pass over it rather
/// than by writing every mode into a ``BitCounter`` (the Rice residuals are kept for the writer).
/// Each size equals what ``ColumnCodec/writeIntegers(_:_:_:_:)`` writes for that mode.
struct IntegerColumnSizes {
    /// Bits by mode, mode header not included; nil where the mode does not apply (predicted without a prediction).
    private(set) var deltaOfDelta = 0
    private(set) var delta = 0
    private(set) var predicted: Int?
    private(set) var riceWindow = 0
    private(set) var frameOfReference = 0
    /// The Rice coder's residuals and parameter (what it writes when it is the best).
    let residuals: [(index: Int, residual: UInt64)]
    let riceK: Int

    init(_ values: [UInt64], predicted prediction: [UInt64]?) {
        var previous: UInt64 = 0, previousDelta: UInt64 = 0
        var lo = Int64.max, hi = Int64.min
        for v in values {
            let d = v &- previous
            deltaOfDelta &+= Self.bucketBits(Int64(bitPattern: d &- previousDelta))
            delta &+= Self.bucketBits(Int64(bitPattern: d))
            previous = v
            previousDelta = d
            lo = min(lo, Int64(bitPattern: v))
            hi = max(hi, Int64(bitPattern: v))
        }
        if let prediction {
            var bits = 0
            for (v, p) in zip(values, prediction) { bits &+= Self.bucketBits(Int64(bitPattern: v &- p)) }
            predicted = bits
        }
        if values.isEmpty { (lo, hi) = (0, 0) }
        let width = 64 - UInt64(bitPattern: hi &- lo).leadingZeroBitCount
        frameOfReference = 64 + 7 + values.count * width
        residuals = ColumnCodec.windowResiduals(values)
        let rice = ColumnCodec.riceParameter(residuals)
        riceK = rice.k
        riceWindow = 6 + 2 * max(0, values.count - 1) + rice.bits
    }

    /// The smallest mode, the first of equals in the order the modes were always tried.
    var best: ColumnMode {
        var out = (mode: ColumnMode.deltaOfDelta, bits: deltaOfDelta)
        for (mode, bits) in [(ColumnMode.delta, delta), (.predicted, predicted), (.riceWindow, riceWindow),
                             (.frameOfReference, frameOfReference)] {
            if let bits, bits < out.bits { out = (mode, bits) }
        }
        return out.mode
    }

    /// Bits of ``ColumnCodec/bucket(_:_:)`` for `d`.
    @inline(__always)
    static func bucketBits(_ d: Int64) -> Int {
        switch d {
        case 0: 1
        case -63...64: 9
        case -255...256: 12
        case -2047...2048: 16
        default: 68
        }
    }
}
