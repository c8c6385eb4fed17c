import CQuantize
import Testing
@testable import MemoryLayer

/// The store path's cheaper kernels (issue #26) give exactly what the straightforward forms gave,
/// and the cost figure is the one formula the issue states.
@Suite("Store path cost")
struct StorePathCostTests {
    /// The codes as ``Quantizer`` wrote them before: round half to even, then clamp.
    private static func referenceCodes(_ x: [Float], _ encoding: EmbeddingEncoding) -> [Int8] {
        var maxAbs: Float = 0
        for v in x where v.isFinite { maxAbs = max(maxAbs, abs(v)) }
        let m = encoding.maxCode
        let scale = maxAbs / m
        let inverse: Float = scale > 0 ? 1 / scale : 0
        return x.map { v in Int8(v.isFinite ? max(-m, min(m, (v * inverse).rounded(.toNearestOrEven))) : 0) }
    }

    @Test("Quantized codes equal round-half-even-then-clamp, ties and non-finite elements included",
          arguments: [EmbeddingEncoding.int8, .int4])
    func codesMatchReference(_ encoding: EmbeddingEncoding) {
        var rng = TestRandom(seed: 26)
        let m = encoding.maxCode
        for trial in 0..<200 {
            let n = 1 + rng.below(700)
            var x = (0..<n).map { _ in rng.symmetric() * 3 }
            // Exact ties k + 0.5 after scaling (x[0] fixes max|x| = m, so the scale is 1).
            x[0] = m
            for i in stride(from: 1, to: n, by: 7) { x[i] = Float(rng.below(Int(2 * m))) - m + 0.5 }
            if trial % 5 == 0 { x[n / 2] = [Float.nan, .infinity, -.infinity, -0.0][trial / 5 % 4] }
            let q = Quantizer.quantize(x, as: encoding)
            let reference = Self.referenceCodes(x, encoding)
            let codes = q.codes.withUnsafeBufferPointer { c in (0..<n).map { Quantizer.code(c, $0, encoding) } }
            #expect(codes == reference, "trial \(trial), n \(n)")
        }
    }

    /// One run of a quantizer compilation: codes, largest error bits, Σ error², Σ code².
    private typealias Kernel = (UnsafePointer<Float>?, Int, Float, Float, Float, Int32, UnsafeMutablePointer<UInt8>?,
                                UnsafeMutablePointer<UInt32>?, UnsafeMutablePointer<Double>?, UnsafeMutablePointer<Int64>?) -> Void
    private static func run(_ kernel: Kernel, _ x: [Float], _ encoding: EmbeddingEncoding) -> ([UInt8], UInt32, Double, Int64) {
        let scale = x.withUnsafeBufferPointer { Quantizer.scan($0).maxAbs } / encoding.maxCode
        var codes = [UInt8](repeating: 0, count: encoding.codeBytes(dimension: x.count))
        var maxBits: UInt32 = 0, sum = 0.0, norm: Int64 = 0
        kernel(x, x.count, scale > 0 ? 1 / scale : 0, scale, encoding.maxCode, encoding == .int4 ? 1 : 0, &codes, &maxBits, &sum, &norm)
        return (codes, maxBits, sum, norm)
    }

    @Test("the AVX2 and baseline quantizers give the same codes, errors and norms", .enabled(if: phibench_quantize_has_avx2() == 1, "this CPU has no AVX2"),
          arguments: [EmbeddingEncoding.int8, .int4])
    func kernelsAgree(_ encoding: EmbeddingEncoding) {
        var rng = TestRandom(seed: 2026)
        for trial in 0..<200 {
            let n = rng.below(700)
            var x = (0..<n).map { _ in rng.symmetric() * 5 }
            if n > 0, trial % 3 == 0 { x[rng.below(n)] = [Float.nan, .infinity, -0.0][trial / 3 % 3] }
            let base = Self.run(phibench_quantize_baseline, x, encoding)
            let avx2 = Self.run(phibench_quantize_avx2, x, encoding)
            #expect(base.0 == avx2.0 && base.1 == avx2.1 && base.2.bitPattern == avx2.2.bitPattern && base.3 == avx2.3, "trial \(trial), n \(n)")
            // Σ code² is the norm the index would compute from the codes.
            let q = QuantizedVector(encoding: encoding, scale: 1, codes: base.0)
            let inverse = base.3 > 0 ? 1 / Float(Double(base.3).squareRoot()) : 0
            #expect(inverse == Quantizer.inverseNorm(q, dimension: n), "trial \(trial), n \(n)")
        }
    }

    @Test("column coders size every mode, then write the smallest: the one writing each would have kept")
    func columnModeChoice() throws {
        var rng = TestRandom(seed: 88)
        for trial in 0..<60 {
            let n = 1 + rng.below(300)
            // Smooth, stepped, random and constant columns.
            let ints: [UInt64] = (0..<n).map { i in
                switch trial % 4 {
                case 0: UInt64(1000 + i * 3)
                case 1: UInt64(rng.below(4))
                case 2: rng.next()
                default: 7
                }
            }
            let predicted = trial % 3 == 0 ? ints.map { $0 &+ UInt64(rng.below(3)) } : nil
            var w = BitWriter()
            ColumnCodec.encodeIntegers(ints, predicted: predicted, into: &w)
            var smallest = Int.max
            for mode in [ColumnMode.deltaOfDelta, .delta, .riceWindow, .frameOfReference] + (predicted == nil ? [] : [.predicted]) {
                var each = BitWriter()
                ColumnCodec.writeIntegers(mode, ints, predicted, &each)
                smallest = min(smallest, ColumnMode.bits + each.bitCount)
            }
            #expect(w.bitCount == smallest, "trial \(trial)")
            var r = BitReader(w.paddedBytes)
            #expect(try ColumnCodec.decodeIntegers(n, predicted: predicted, from: &r) == ints)

            let floats: [UInt64] = ints.map { (Double($0 % 1000) * 0.25).bitPattern }
            var f = BitWriter()
            ColumnCodec.encodeFloats(floats, predicted: nil, into: &f)
            var smallestFloat = Int.max
            for mode in [ColumnMode.previous, .window, .dictionary] {
                var each = BitWriter()
                if ColumnCodec.writeFloats(mode, floats, nil, &each) { smallestFloat = min(smallestFloat, ColumnMode.bits + each.bitCount) }
            }
            #expect(f.bitCount == smallestFloat, "trial \(trial)")
            var rf = BitReader(f.paddedBytes)
            #expect(try ColumnCodec.decodeFloats(n, predicted: nil as [UInt64]?, from: &rf) == floats)
        }
    }

    @Test("integer column sizes found in one pass equal the bits each mode writes, on edge columns too")
    func integerSizesMatchWriters() {
        var rng = TestRandom(seed: 91)
        var columns: [[UInt64]] = [[], [0], [UInt64.max], [5, 5, 5], [0, UInt64.max, 0, 1 << 63],
                                   (0..<70).map { UInt64($0) << 40 }]  // Rice quotients past 32
        for trial in 0..<80 {
            let n = 1 + rng.below(200)
            columns.append((0..<n).map { i in
                switch trial % 5 {
                case 0: UInt64(1000 + i * 3)
                case 1: UInt64(rng.below(1 << (1 + trial % 20)))
                case 2: rng.next()
                case 3: UInt64(bitPattern: Int64(rng.below(5000)) - 2500)
                default: UInt64(i % 7 == 0 ? rng.below(1 << 30) : rng.below(300))
                }
            })
        }
        for (c, ints) in columns.enumerated() {
            let predicted = c % 3 == 0 ? ints.map { $0 &+ UInt64(rng.below(600)) } : nil
            let sizes = IntegerColumnSizes(ints, predicted: predicted)
            func written(_ mode: ColumnMode) -> Int {
                var counter = BitCounter()
                ColumnCodec.writeIntegers(mode, ints, predicted, &counter)
                return counter.bitCount
            }
            #expect(sizes.deltaOfDelta == written(.deltaOfDelta), "column \(c)")
            #expect(sizes.delta == written(.delta), "column \(c)")
            #expect(sizes.riceWindow == written(.riceWindow), "column \(c)")
            #expect(sizes.frameOfReference == written(.frameOfReference), "column \(c)")
            #expect(sizes.predicted == (predicted == nil ? nil : written(.predicted)), "column \(c)")
        }
    }

    @Test("scan: max|x| over finite elements and whether all are finite, on the edges of Float")
    func scanEdges() {
        let cases: [([Float], Float, Bool)] = [
            ([], 0, true),
            ([-0.0, 0], 0, true),
            ([1, -3, 2], 3, true),
            ([.leastNonzeroMagnitude, -.leastNormalMagnitude], .leastNormalMagnitude, true),
            ([-.greatestFiniteMagnitude, 1], .greatestFiniteMagnitude, true),
            ([1, .nan, -2], 2, false),
            ([.infinity, 5], 5, false),
            ([-.infinity, -.nan], 0, false),
        ]
        for (x, maxAbs, finite) in cases {
            let s = x.withUnsafeBufferPointer { Quantizer.scan($0) }
            #expect(s.maxAbs.bitPattern == maxAbs.bitPattern && s.allFinite == finite, "\(x)")
        }
    }

    @Test("scan: the AVX2 and baseline compilations equal a plain reference, non-finite elements included",
          .enabled(if: phibench_quantize_has_avx2() == 1, "this CPU has no AVX2"))
    func scanKernelsAgree() {
        var rng = TestRandom(seed: 2027)
        for trial in 0..<300 {
            let n = rng.below(700)
            var x = (0..<n).map { _ in rng.symmetric() * Float(1 + trial % 7) }
            if n > 0, trial % 2 == 0 { x[rng.below(n)] = [Float.nan, .infinity, -.infinity, -0.0][trial / 2 % 4] }
            let finite = x.filter(\.isFinite)
            let expected = (finite.map { abs($0) }.max() ?? 0, finite.count == n)
            for kernel in [phibench_scan_baseline, phibench_scan_avx2] {
                var bits: UInt32 = 0, all: Int32 = 0
                kernel(x, n, &bits, &all)
                #expect(bits == expected.0.bitPattern && (all != 0) == expected.1, "trial \(trial), n \(n)")
            }
        }
    }

    @Test("BitWriter: any sequence of writes reads back, whatever the widths (words span writes)")
    func bitStreamRoundTrip() throws {
        var rng = TestRandom(seed: 7)
        for _ in 0..<50 {
            var w = BitWriter(capacity: 4)
            var written: [(UInt64, Int)] = []
            for _ in 0..<(1 + rng.below(300)) {
                let n = rng.below(65)
                let v = rng.next()
                w.write(v, bits: n)
                written.append((n == 64 ? v : v & ((1 << UInt64(n)) - 1), n))
            }
            #expect(w.bitCount == written.reduce(0) { $0 + $1.1 })
            var r = BitReader(w.paddedBytes)
            for (v, n) in written { #expect(try r.read(bits: n) == v) }
        }
    }

    @Test("Cost: layer on minus off, MEMORY.query left out on both sides, over the layer-off episode without queries")
    func costFigure() throws {
        // The before: off 1,455,199 with 1,164,822 of queries; adaptive 461,461 with 70,417.
        let c = try MemoryLayerCost(layerOnEpisode: 461_461, layerOnQuery: 70_417, layerOffEpisode: 1_455_199,
                                    layerOffQuery: 1_164_822)
        #expect(c.layerOnInstructions == 391_044 && c.layerOffInstructions == 290_377)
        #expect(abs(c.share - 100_667.0 / 290_377.0) < 1e-12)
        #expect(!c.isWithin(0.05) && c.isWithin(0.35))
        let cheaper = try MemoryLayerCost(layerOnEpisode: 90, layerOnQuery: 0, layerOffEpisode: 100, layerOffQuery: 0)
        #expect(cheaper.share == -0.1 && cheaper.addedInstructions == -10)
    }

    @Test("Cost: counts that cannot be are refused with a reason",
          arguments: [(1.0, 2.0, 10.0, 0.0), (10.0, 0.0, 5.0, 5.0), (-1.0, 0.0, 10.0, 0.0), (Double.nan, 0.0, 10.0, 0.0),
                      (10.0, 0.0, Double.infinity, 0.0)])
    func costRefusesImpossibleCounts(_ on: Double, _ onQuery: Double, _ off: Double, _ offQuery: Double) {
        #expect(throws: MemoryLayerError.self) {
            try MemoryLayerCost(layerOnEpisode: on, layerOnQuery: onQuery, layerOffEpisode: off, layerOffQuery: offQuery)
        }
    }
}
