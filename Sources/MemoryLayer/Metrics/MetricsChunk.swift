/// The columns of a metrics chunk, in the order they are written (a column may be predicted from
/// one written before it).
enum MetricsColumn: Int, CaseIterable, Sendable {
    case episode, timestamp, ignited, phi, arousal, salience, valence, emotionArousal, dominance
    case attentionFocus, latency, importance

    /// The name in the memory-layer statistics.
    var name: String {
        switch self {
        case .episode: "episode"
        case .timestamp: "timestamp"
        case .ignited: "ignited"
        case .phi: "phi"
        case .arousal: "arousal"
        case .salience: "salience"
        case .valence: "emotion.valence"
        case .emotionArousal: "emotion.arousal"
        case .dominance: "emotion.dominance"
        case .attentionFocus: "attention_focus"
        case .latency: "latency_ns"
        case .importance: "importance_flags"
        }
    }

    /// Bits of the field in the record's plain form.
    var rawBits: Int {
        switch self {
        case .episode, .timestamp, .phi, .arousal, .salience, .latency: 64
        case .valence, .emotionArousal, .dominance, .attentionFocus: 32
        case .ignited, .importance: 8
        }
    }

    /// Whether the archive precision applies (bounded, continuous readings); the others stay bit-exact.
    var quantizable: Bool {
        switch self {
        case .arousal, .salience, .valence, .emotionArousal, .dominance: true
        default: false
        }
    }
}

/// How the archive encodes chunks.
struct ArchiveOptions: Equatable {
    /// zlib level of the final pass over the column bits (1 … 9).
    var zlibLevel: Int32
    /// When set, quantizable columns are rounded to multiples of 2^−bits (absolute error ≤ 2^−(bits+1));
    /// nil keeps every column bit-exact.
    var precisionBits: Int?
    var phiThreshold: Double
    var emotionThreshold: Float
}

/// What encoding one chunk cost, column by column, before the final zlib pass.
struct ChunkColumnCost {
    var bits = [Int](repeating: 0, count: MetricsColumn.allCases.count)
    /// Largest |x − x̂| per column (0 for bit-exact columns), and the bound that applied.
    var maxError = [Double](repeating: 0, count: MetricsColumn.allCases.count)
    var bound = [Double](repeating: 0, count: MetricsColumn.allCases.count)
}

/// A compressed, columnar run of metrics records: the archive's unit.
///
/// Records stay in arrival order. Each column is coded the way time-series databases code theirs
/// (``ColumnCodec``): episode numbers and latencies by delta-of-delta, delta or frame of reference;
/// the timestamp as an XOR against `episode × interval` (the interval found in the chunk); Φ,
/// arousal, salience and emotion by Gorilla XOR against the previous value, the best of the last
/// eight, a prediction from another column (emotion.arousal is arousal as a Float) or a dictionary;
/// ignition as one bit; importance flags recomputed from the records when that reproduces them.
/// The bit stream then goes through zlib when that makes it smaller.
struct MetricsChunk {
    static let format: UInt8 = 2

    var compressed: [UInt8]
    /// Bytes of the column bit stream before zlib.
    var rawLength: Int
    var records: Int
    /// True once cleanup has dropped the unimportant records of this chunk.
    var thinned: Bool
    /// Whether `compressed` is zlib (else the bit stream itself).
    var zlib: Bool

    var logicalBytes: Int { records * EpisodeMetrics.logicalBytes }

    static func encode(_ ms: [EpisodeMetrics], importance: [MetricsImportance], options o: ArchiveOptions,
                       thinned: Bool) throws(CodecError) -> (chunk: MetricsChunk, cost: ChunkColumnCost) {
        precondition(ms.count == importance.count)
        let n = ms.count
        var cost = ChunkColumnCost()
        var w = BitWriter(capacity: n * 16)
        w.write(UInt64(n), bits: 32)
        var mark = w.bitCount
        func charge(_ c: MetricsColumn) {
            cost.bits[c.rawValue] += w.bitCount - mark
            mark = w.bitCount
        }
        let episodes = ms.map(\.episode)
        ColumnCodec.encodeIntegers(episodes, predicted: nil, into: &w)
        charge(.episode)

        let slope = timeSlope(ms)
        w.write(slope.bitPattern, bits: 64)
        ColumnCodec.encodeFloats(ms.map(\.timestamp.bitPattern),
                                 predicted: episodes.map { (Double($0) * slope).bitPattern }, into: &w)
        charge(.timestamp)

        for m in ms { w.bit(m.ignited) }
        charge(.ignited)

        // Φ is 0 unless the event ignited: then only the ignited records' values are coded.
        if ms.allSatisfy({ $0.ignited || $0.phi.bitPattern == 0 }) {
            w.bit(true)
            ColumnCodec.encodeFloats(ms.filter(\.ignited).map(\.phi.bitPattern), predicted: nil, into: &w)
        } else {
            w.bit(false)
            ColumnCodec.encodeFloats(ms.map(\.phi.bitPattern), predicted: nil, into: &w)
        }
        charge(.phi)

        // What the decoder will see, for predictions and for recomputing the importance flags.
        var decoded = ms
        let arousal = encodeReal(ms.map(\.arousal), .arousal, predicted: nil, o, &w, &cost)
        for i in 0..<n { decoded[i].arousal = arousal[i] }
        charge(.arousal)
        let salience = encodeReal(ms.map(\.salience), .salience, predicted: nil, o, &w, &cost)
        for i in 0..<n { decoded[i].salience = salience[i] }
        charge(.salience)
        let valence = encodeReal(ms.map { Double($0.emotion.x) }, .valence, predicted: nil, o, &w, &cost, float: true)
        charge(.valence)
        let y = encodeReal(ms.map { Double($0.emotion.y) }, .emotionArousal, predicted: arousal, o, &w, &cost, float: true)
        charge(.emotionArousal)
        let dominance = encodeReal(ms.map { Double($0.emotion.z) }, .dominance, predicted: nil, o, &w, &cost, float: true)
        charge(.dominance)
        for i in 0..<n { decoded[i].emotion = SIMD3(Float(valence[i]), Float(y[i]), Float(dominance[i])) }

        ColumnCodec.encodeIntegers(ms.map { UInt64(bitPattern: Int64($0.attentionFocus)) }, predicted: nil, into: &w)
        charge(.attentionFocus)
        ColumnCodec.encodeIntegers(ms.map(\.latencyNanoseconds), predicted: nil, into: &w)
        charge(.latency)

        // Flags of an unthinned chunk follow from its records (each against the one before it);
        // only the first record's, whose predecessor is in another chunk, are written then.
        // With quantized columns a few may differ (a change right at a threshold): those are written.
        let recomputed = recompute(decoded, first: importance.first ?? [], o)
        let misses = zip(recomputed, importance).count { $0 != $1 }
        if misses == 0 {
            w.write(1, bits: 2)
            if n > 0 { w.write(UInt64(importance[0].rawValue), bits: 4) }
        } else if misses * 4 < n * 3 {
            w.write(2, bits: 2)
            w.write(UInt64(importance[0].rawValue), bits: 4)
            for i in 1..<n {
                w.bit(recomputed[i] == importance[i])
                if recomputed[i] != importance[i] { w.write(UInt64(importance[i].rawValue), bits: 4) }
            }
        } else {
            w.write(0, bits: 2)
            for f in importance { w.write(UInt64(f.rawValue), bits: 4) }
        }
        charge(.importance)

        let raw = w.paddedBytes
        let packed = try zlibCompress(raw, level: o.zlibLevel)
        let useZlib = packed.count < raw.count
        let chunk = MetricsChunk(compressed: useZlib ? packed : raw, rawLength: raw.count, records: n,
                                 thinned: thinned, zlib: useZlib)
        return (chunk, cost)
    }

    func decode(_ o: ArchiveOptions) throws(CodecError) -> (metrics: [EpisodeMetrics], importance: [MetricsImportance]) {
        var r = BitReader(zlib ? try zlibDecompress(compressed, originalSize: rawLength) : compressed)
        let n = Int(try r.read(bits: 32))
        guard n == records else { throw .malformed("chunk holds \(n) records, expected \(records)") }
        let episodes = try ColumnCodec.decodeIntegers(n, predicted: nil, from: &r)
        let slope = Double(bitPattern: try r.read(bits: 64))
        let time: [UInt64] = try ColumnCodec.decodeFloats(n, predicted: episodes.map { (Double($0) * slope).bitPattern }, from: &r)
        var ignited: [Bool] = []
        ignited.reserveCapacity(n)
        for _ in 0..<n { ignited.append(try r.bit()) }
        var phi = [UInt64](repeating: 0, count: n)
        if try r.bit() {
            let ignitedIndices = ignited.indices.filter { ignited[$0] }
            let values: [UInt64] = try ColumnCodec.decodeFloats(ignitedIndices.count, predicted: nil, from: &r)
            for (i, v) in zip(ignitedIndices, values) { phi[i] = v }
        } else {
            phi = try ColumnCodec.decodeFloats(n, predicted: nil, from: &r)
        }
        let arousal = try Self.decodeReal(n, predicted: nil, &r)
        let salience = try Self.decodeReal(n, predicted: nil, &r)
        let valence = try Self.decodeReal(n, predicted: nil, &r, float: true)
        let y = try Self.decodeReal(n, predicted: arousal, &r, float: true)
        let dominance = try Self.decodeReal(n, predicted: nil, &r, float: true)
        let focus = try ColumnCodec.decodeIntegers(n, predicted: nil, from: &r)
        let latency = try ColumnCodec.decodeIntegers(n, predicted: nil, from: &r)
        var ms: [EpisodeMetrics] = []
        ms.reserveCapacity(n)
        for i in 0..<n {
            ms.append(EpisodeMetrics(
                episode: episodes[i], timestamp: Double(bitPattern: time[i]), phi: Double(bitPattern: phi[i]),
                arousal: arousal[i], salience: salience[i],
                emotion: SIMD3(Float(valence[i]), Float(y[i]), Float(dominance[i])),
                attentionFocus: Int32(truncatingIfNeeded: Int64(bitPattern: focus[i])), ignited: ignited[i],
                latencyNanoseconds: latency[i]))
        }
        var flags: [MetricsImportance] = []
        switch try r.read(bits: 2) {
        case 1:
            let first = n > 0 ? MetricsImportance(rawValue: UInt8(try r.read(bits: 4))) : []
            flags = Self.recompute(ms, first: first, o)
        case 2:
            guard n > 0 else { throw .malformed("importance exceptions in an empty chunk") }
            flags = Self.recompute(ms, first: MetricsImportance(rawValue: UInt8(try r.read(bits: 4))), o)
            for i in 1..<n where !(try r.bit()) { flags[i] = MetricsImportance(rawValue: UInt8(try r.read(bits: 4))) }
        case 0:
            for _ in 0..<n { flags.append(MetricsImportance(rawValue: UInt8(try r.read(bits: 4)))) }
        default:
            throw .malformed("importance flags mode")
        }
        guard r.remainingBits < 8 else { throw .malformed("stray bytes after a metrics chunk") }
        return (ms, flags)
    }

    /// The importance of each record against the one before it, the first given.
    private static func recompute(_ ms: [EpisodeMetrics], first: MetricsImportance, _ o: ArchiveOptions) -> [MetricsImportance] {
        guard !ms.isEmpty else { return [] }
        var out = [first]
        out.reserveCapacity(ms.count)
        for i in 1..<ms.count {
            out.append(MetricsImportance.of(ms[i], after: ms[i - 1], phiThreshold: o.phiThreshold,
                                            emotionThreshold: o.emotionThreshold))
        }
        return out
    }

    /// The simulated time per episode that makes `episode × slope` reproduce the most timestamps:
    /// t/e of the first record with e > 0, or a neighbour of it one ulp away.
    private static func timeSlope(_ ms: [EpisodeMetrics]) -> Double {
        guard let m = ms.first(where: { $0.episode > 0 && $0.timestamp.isFinite }) else { return 0 }
        let base = m.timestamp / Double(m.episode)
        let sample = ms.prefix(32)
        return [base, base.nextUp, base.nextDown].max { a, b in
            sample.count(where: { Double($0.episode) * a == $0.timestamp })
                < sample.count(where: { Double($0.episode) * b == $0.timestamp })
        } ?? base
    }

    /// A continuous column: with the archive precision, as integers k = round(x·2^p) (the decoded
    /// value is k·2^−p); otherwise bit-exact XOR-coded floats. `float` columns are Float32 values.
    /// Returns the values the decoder will produce.
    private static func encodeReal(_ xs: [Double], _ column: MetricsColumn, predicted: [Double]?, _ o: ArchiveOptions,
                                   _ w: inout BitWriter, _ cost: inout ChunkColumnCost, float: Bool = false) -> [Double] {
        if let p = o.precisionBits, column.quantizable {
            let scale = Double(sign: .plus, exponent: p, significand: 1)
            // Integers up to 2^52 and back are exact; beyond that (or NaN/inf) the column stays exact.
            let limit = Double(sign: .plus, exponent: 52 - p, significand: 1)
            if xs.allSatisfy({ $0.isFinite && abs($0) < limit }) {
                let ks = xs.map { Int64(($0 * scale).rounded()) }
                let back = ks.map { float ? Double(Float(Double($0) / scale)) : Double($0) / scale }
                var worst = 0.0
                for (x, b) in zip(xs, back) { worst = max(worst, abs(x - b)) }
                cost.maxError[column.rawValue] = max(cost.maxError[column.rawValue], worst)
                cost.bound[column.rawValue] = max(cost.bound[column.rawValue], 0.5 / scale)
                w.bit(true)
                w.write(UInt64(p), bits: 6)
                let predictedCodes = predicted.map { $0.map { UInt64(bitPattern: Int64(($0 * scale).rounded())) } }
                ColumnCodec.encodeIntegers(ks.map { UInt64(bitPattern: $0) }, predicted: predictedCodes, into: &w)
                return back
            }
        }
        w.bit(false)
        if float {
            let bits = xs.map { Float($0).bitPattern }
            ColumnCodec.encodeFloats(bits, predicted: predicted.map { $0.map { Float($0).bitPattern } }, into: &w)
        } else {
            ColumnCodec.encodeFloats(xs.map(\.bitPattern), predicted: predicted.map { $0.map(\.bitPattern) }, into: &w)
        }
        return xs
    }

    private static func decodeReal(_ n: Int, predicted: [Double]?, _ r: inout BitReader, float: Bool = false) throws(CodecError) -> [Double] {
        if try r.bit() {
            let p = Int(try r.read(bits: 6))
            let scale = Double(sign: .plus, exponent: p, significand: 1)
            let predictedCodes = predicted.map { $0.map { UInt64(bitPattern: Int64(($0 * scale).rounded())) } }
            let ks = try ColumnCodec.decodeIntegers(n, predicted: predictedCodes, from: &r)
            return ks.map {
                let x = Double(Int64(bitPattern: $0)) / scale
                return float ? Double(Float(x)) : x
            }
        }
        if float {
            let bits: [UInt32] = try ColumnCodec.decodeFloats(n, predicted: predicted.map { $0.map { Float($0).bitPattern } }, from: &r)
            return bits.map { Double(Float(bitPattern: $0)) }
        }
        let bits: [UInt64] = try ColumnCodec.decodeFloats(n, predicted: predicted.map { $0.map(\.bitPattern) }, from: &r)
        return bits.map { Double(bitPattern: $0) }
    }
}
