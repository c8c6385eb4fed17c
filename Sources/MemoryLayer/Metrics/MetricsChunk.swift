/// A compressed, columnar run of metrics records: the archive's unit.
///
/// Columns, so that like values sit together: episode, attention focus and latency as zigzag
/// varint deltas; the timestamp (regularly spaced) as deltas of deltas of its bit pattern; the
/// other Double and Float columns as the XOR with the previous value (repeated values give zero
/// bytes), split into byte planes; flags and ignition as bytes. The whole is compressed with zlib.
struct MetricsChunk {
    var compressed: [UInt8]
    var rawLength: Int
    var records: Int
    /// True once cleanup has dropped the unimportant records of this chunk.
    var thinned: Bool

    var logicalBytes: Int { records * EpisodeMetrics.logicalBytes }

    static func encode(_ ms: [EpisodeMetrics], importance: [MetricsImportance], zlibLevel: Int32,
                       thinned: Bool) throws(CodecError) -> MetricsChunk {
        precondition(ms.count == importance.count)
        var w = ByteWriter(capacity: ms.count * 24)
        w.u32(UInt32(ms.count))
        deltas(ms.map { Int64(bitPattern: $0.episode) }, into: &w)
        deltas(ms.map { Int64($0.attentionFocus) }, into: &w)
        deltas(ms.map { Int64(bitPattern: $0.latencyNanoseconds) }, into: &w)
        deltas(deltas(ms.map { Int64(bitPattern: $0.timestamp.bitPattern) }), into: &w)
        planes(ms.map { $0.phi.bitPattern }, into: &w)
        planes(ms.map { $0.arousal.bitPattern }, into: &w)
        planes(ms.map { $0.salience.bitPattern }, into: &w)
        planes(ms.map { $0.emotion.x.bitPattern }, into: &w)
        planes(ms.map { $0.emotion.y.bitPattern }, into: &w)
        planes(ms.map { $0.emotion.z.bitPattern }, into: &w)
        for m in ms { w.u8(m.ignited ? 1 : 0) }
        for f in importance { w.u8(f.rawValue) }
        let raw = w.bytes
        return MetricsChunk(compressed: try zlibCompress(raw, level: zlibLevel), rawLength: raw.count,
                            records: ms.count, thinned: thinned)
    }

    func decode() throws(CodecError) -> (metrics: [EpisodeMetrics], importance: [MetricsImportance]) {
        var r = ByteReader(try zlibDecompress(compressed, originalSize: rawLength))
        let n = Int(try r.u32())
        guard n == records else { throw .malformed("chunk holds \(n) records, expected \(records)") }
        let episodes = try Self.undeltas(n, &r)
        let focus = try Self.undeltas(n, &r)
        let latency = try Self.undeltas(n, &r)
        let time = Self.undeltas(try Self.undeltas(n, &r)).map { UInt64(bitPattern: $0) }
        let phi: [UInt64] = try Self.unplanes(n, &r)
        let arousal: [UInt64] = try Self.unplanes(n, &r)
        let salience: [UInt64] = try Self.unplanes(n, &r)
        let ex: [UInt32] = try Self.unplanes(n, &r)
        let ey: [UInt32] = try Self.unplanes(n, &r)
        let ez: [UInt32] = try Self.unplanes(n, &r)
        var ms: [EpisodeMetrics] = []
        ms.reserveCapacity(n)
        for i in 0..<n {
            let ignited = try r.u8() != 0
            ms.append(EpisodeMetrics(
                episode: UInt64(bitPattern: episodes[i]), timestamp: Double(bitPattern: time[i]),
                phi: Double(bitPattern: phi[i]), arousal: Double(bitPattern: arousal[i]),
                salience: Double(bitPattern: salience[i]),
                emotion: SIMD3(Float(bitPattern: ex[i]), Float(bitPattern: ey[i]), Float(bitPattern: ez[i])),
                attentionFocus: Int32(truncatingIfNeeded: focus[i]), ignited: ignited,
                latencyNanoseconds: UInt64(bitPattern: latency[i])))
        }
        var flags: [MetricsImportance] = []
        flags.reserveCapacity(n)
        for _ in 0..<n { flags.append(MetricsImportance(rawValue: try r.u8())) }
        guard r.remaining == 0 else { throw .malformed("stray bytes after a metrics chunk") }
        return (ms, flags)
    }

    /// Differences of consecutive values (the first against 0).
    private static func deltas(_ values: [Int64]) -> [Int64] {
        var previous: Int64 = 0
        return values.map { v in
            defer { previous = v }
            return v &- previous
        }
    }

    private static func undeltas(_ d: [Int64]) -> [Int64] {
        var previous: Int64 = 0
        return d.map { x in
            previous = previous &+ x
            return previous
        }
    }

    private static func deltas(_ values: [Int64], into w: inout ByteWriter) {
        var previous: Int64 = 0
        for v in values {
            w.svarint(v &- previous)
            previous = v
        }
    }

    private static func undeltas(_ n: Int, _ r: inout ByteReader) throws(CodecError) -> [Int64] {
        var out: [Int64] = []
        out.reserveCapacity(n)
        var previous: Int64 = 0
        for _ in 0..<n {
            previous = previous &+ (try r.svarint())
            out.append(previous)
        }
        return out
    }

    private static func planes<T: FixedWidthInteger & UnsignedInteger>(_ values: [T], into w: inout ByteWriter) {
        let width = MemoryLayout<T>.size
        var dictionary: [T: UInt8] = [:]
        var table: [T] = []
        for v in values where dictionary[v] == nil {
            guard table.count < 255 else { break }
            dictionary[v] = UInt8(table.count)
            table.append(v)
        }
        if dictionary.count == table.count, values.allSatisfy({ dictionary[$0] != nil }) {
            w.u8(1)
            w.u8(UInt8(table.count))
            for v in table {
                for b in 0..<width { w.u8(UInt8(truncatingIfNeeded: v >> (8 * b))) }
            }
            for v in values { w.u8(dictionary[v]!) }
            return
        }
        w.u8(0)
        var xored = [T](repeating: 0, count: values.count)
        var previous: T = 0
        for (i, v) in values.enumerated() {
            xored[i] = v ^ previous
            previous = v
        }
        for b in 0..<width {
            for x in xored { w.u8(UInt8(truncatingIfNeeded: x >> (8 * b))) }
        }
    }

    private static func unplanes<T: FixedWidthInteger & UnsignedInteger>(_ n: Int, _ r: inout ByteReader) throws(CodecError) -> [T] {
        let width = MemoryLayout<T>.size
        func value(_ bytes: ArraySlice<UInt8>) -> T {
            var v: T = 0
            for (b, byte) in bytes.enumerated() { v |= T(byte) << (8 * b) }
            return v
        }
        switch try r.u8() {
        case 1:
            let count = Int(try r.u8())
            var table: [T] = []
            for _ in 0..<count { table.append(value(try r.take(width))) }
            var out: [T] = []
            out.reserveCapacity(n)
            for _ in 0..<n {
                let i = Int(try r.u8())
                guard i < table.count else { throw .malformed("dictionary index \(i) of \(table.count)") }
                out.append(table[i])
            }
            return out
        case 0:
            var xored = [T](repeating: 0, count: n)
            for b in 0..<width {
                let plane = try r.take(n)
                var i = 0
                for byte in plane {
                    xored[i] |= T(byte) << (8 * b)
                    i += 1
                }
            }
            var previous: T = 0
            for i in 0..<n {
                previous ^= xored[i]
                xored[i] = previous
            }
            return xored
        case let mode:
            throw .malformed("unknown column mode \(mode)")
        }
    }
}
