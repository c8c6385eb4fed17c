/// How a record's optional sections are coded: a level's (or the adaptive policy's) choices.
struct RecordOptions: Sendable, Equatable {
    /// A sparse vector is kept as CSR (indices and non-zero values) when its density — non-zeros ÷
    /// length — is below this; 0 never uses CSR.
    var sparseBreakEven: Double
    /// Binary feature vectors (every element 0 or 1) are bit-packed.
    var binarize: Bool
    /// Graph edges whose |weight| is below this share of the snapshot's largest |weight| are dropped
    /// (0 keeps every edge).
    var pruneThreshold: Float

    static let exact = RecordOptions(sparseBreakEven: 0, binarize: false, pruneThreshold: 0)
}

/// Binary packing of a state's metadata and its optional sections (everything but the embedding):
/// 54 bytes for the usual three emotion values and no sections, against the ~120 bytes of the
/// in-memory struct plus the emotion array.
///
/// Layout (little-endian): format 2, version, Φ, timestamp, importance, attention focus, stream,
/// the emotion floats; then three sections, each a tag byte — activation (0 absent, 1 dense floats,
/// 2 CSR), participation (0 absent, 1 floats, 3 bits), graph (0 absent, 1 nodes and edges).
enum RecordCodec {
    static let format: UInt8 = 2

    /// What writing `s` with `o` will produce: each section's coding and the total length.
    struct Plan {
        var activationNonZero = 0
        var activationSparse = false
        var participationBits = false
        /// Edges kept, and the pruning's cost: squared weights dropped and in all, largest |weight| dropped.
        var keptEdges = 0
        var droppedSquares: Double = 0
        var totalSquares: Double = 0
        var length = 0
    }

    static func plan(_ s: ConsciousState, _ o: RecordOptions) -> Plan {
        var p = Plan()
        p.length = 42 + 4 * s.emotion.count + 3
        if !s.activation.isEmpty {
            let n = s.activation.count
            p.activationNonZero = s.activation.count { $0.bitPattern != 0 }
            let csr = 4 + p.activationNonZero * (indexBytes(n) + 4)
            p.activationSparse = Double(p.activationNonZero) < o.sparseBreakEven * Double(n) && csr < 2 + 4 * n
            p.length += p.activationSparse ? csr : 2 + 4 * n
        }
        if !s.participation.isEmpty {
            let n = s.participation.count
            p.participationBits = o.binarize && s.participation.allSatisfy { $0.bitPattern == 0 || $0 == 1 }
            p.length += 2 + (p.participationBits ? (n + 7) / 8 : 4 * n)
        }
        if let g = s.graph {
            let cut = o.pruneThreshold * g.edges.reduce(Float(0)) { max($0, abs($1.weight)) }
            for e in g.edges {
                let w2 = Double(e.weight) * Double(e.weight)
                p.totalSquares += w2
                if abs(e.weight) >= cut || cut == 0 { p.keptEdges += 1 } else { p.droppedSquares += w2 }
            }
            p.length += 4 + 2 * g.nodes.count + p.keptEdges * (2 * indexBytes(g.nodes.count) + 4)
        }
        return p
    }

    /// Bytes of an index into `count` elements: one byte up to 256, else two.
    @inline(__always) static func indexBytes(_ count: Int) -> Int { count <= 256 ? 1 : 2 }

    /// Nanoseconds spent on each section, when asked for (sampled: two clock reads per section).
    struct SectionTimes {
        var activation: UInt64 = 0
        var participation: UInt64 = 0
        var graph: UInt64 = 0
    }

    /// Times consecutive sections: each lap is the time since the previous one (no clock read when off).
    struct SectionClock {
        private var last: UInt64

        init(on: Bool) { last = on ? layerClock() : 0 }

        mutating func lap(_ field: WritableKeyPath<SectionTimes, UInt64>, into times: inout SectionTimes?) {
            guard times != nil else { return }
            let now = layerClock()
            times![keyPath: field] = now &- last
            last = now
        }
    }

    static func encode(_ s: ConsciousState, _ o: RecordOptions = .exact) -> [UInt8] {
        let p = plan(s, o)
        return [UInt8](unsafeUninitializedCapacity: p.length) { buffer, count in
            var w = RawWriter(buffer.baseAddress!)
            var times: SectionTimes?
            write(s, o, p, &w, times: &times)
            count = w.written
        }
    }

    /// Bytes ``encode(_:_:)`` produces for `s`.
    static func length(of s: ConsciousState, _ o: RecordOptions = .exact) -> Int { plan(s, o).length }

    static func write(_ s: ConsciousState, _ o: RecordOptions, _ p: Plan, _ w: inout RawWriter, times: inout SectionTimes?) {
        w.u8(format)
        w.u64(s.version)
        w.u64(s.phi.bitPattern)
        w.u64(s.timestamp.bitPattern)
        w.u64(s.importance.bitPattern)
        w.u32(UInt32(bitPattern: s.attentionFocus))
        w.u32(s.stream)
        precondition(s.emotion.count <= Int(UInt8.max), "checked by the store before encoding")
        w.u8(UInt8(s.emotion.count))
        for e in s.emotion { w.u32(e.bitPattern) }

        var clock = SectionClock(on: times != nil)
        func lap(_ field: WritableKeyPath<SectionTimes, UInt64>) { clock.lap(field, into: &times) }
        if s.activation.isEmpty {
            w.u8(0)
        } else if p.activationSparse {
            let n = s.activation.count
            w.u8(2)
            w.u16(UInt16(n))
            w.u16(UInt16(p.activationNonZero))
            for (i, v) in s.activation.enumerated() where v.bitPattern != 0 { index(i, n, &w) }
            for v in s.activation where v.bitPattern != 0 { w.u32(v.bitPattern) }
        } else {
            w.u8(1)
            w.u16(UInt16(s.activation.count))
            for v in s.activation { w.u32(v.bitPattern) }
        }

        lap(\.activation)
        if s.participation.isEmpty {
            w.u8(0)
        } else if p.participationBits {
            w.u8(3)
            w.u16(UInt16(s.participation.count))
            var byte: UInt8 = 0
            for (i, v) in s.participation.enumerated() {
                if v == 1 { byte |= 1 << UInt8(i & 7) }
                if i & 7 == 7 || i == s.participation.count - 1 {
                    w.u8(byte)
                    byte = 0
                }
            }
        } else {
            w.u8(1)
            w.u16(UInt16(s.participation.count))
            for v in s.participation { w.u32(v.bitPattern) }
        }

        lap(\.participation)
        if let g = s.graph {
            w.u8(1)
            w.u16(UInt16(g.nodes.count))
            for n in g.nodes { w.u16(n) }
            w.u16(UInt16(p.keptEdges))
            let cut = o.pruneThreshold * g.edges.reduce(Float(0)) { max($0, abs($1.weight)) }
            for e in g.edges where cut == 0 || abs(e.weight) >= cut {
                index(Int(e.a), g.nodes.count, &w)
                index(Int(e.b), g.nodes.count, &w)
                w.u32(e.weight.bitPattern)
            }
        } else {
            w.u8(0)
        }
        lap(\.graph)
    }

    @inline(__always) private static func index(_ i: Int, _ count: Int, _ w: inout RawWriter) {
        if count <= 256 { w.u8(UInt8(truncatingIfNeeded: i)) } else { w.u16(UInt16(truncatingIfNeeded: i)) }
    }

    /// Decodes metadata and sections and attaches `embedding`.
    static func decode<C: Collection<UInt8>>(_ bytes: C, embedding: [Float]) throws(CodecError) -> ConsciousState {
        var times: SectionTimes?
        return try decode(Array(bytes), embedding: embedding, times: &times)
    }

    static func decode(_ bytes: [UInt8], embedding: [Float], times: inout SectionTimes?) throws(CodecError) -> ConsciousState {
        var r = ByteReader(bytes)
        let f = try r.u8()
        guard f == format else { throw .malformed("record format \(f), expected \(format)") }
        let version = try r.u64()
        let phi = try r.f64()
        let timestamp = try r.f64()
        let importance = try r.f64()
        let focus = try r.i32()
        let stream = try r.u32()
        let n = Int(try r.u8())
        var emotion: [Float] = []
        emotion.reserveCapacity(n)
        for _ in 0..<n { emotion.append(try r.f32()) }

        func index(_ count: Int) throws(CodecError) -> Int {
            let i = count <= 256 ? Int(try r.u8()) : Int(try r.u16())
            guard i < count else { throw .malformed("index \(i) of \(count)") }
            return i
        }
        var clock = SectionClock(on: times != nil)
        func lap(_ field: WritableKeyPath<SectionTimes, UInt64>) { clock.lap(field, into: &times) }
        var activation: [Float] = []
        switch try r.u8() {
        case 0: break
        case 1:
            let count = Int(try r.u16())
            activation.reserveCapacity(count)
            for _ in 0..<count { activation.append(try r.f32()) }
        case 2:
            let count = Int(try r.u16()), nonZero = Int(try r.u16())
            guard nonZero <= count else { throw .malformed("\(nonZero) non-zeros in \(count) elements") }
            var at: [Int] = []
            for _ in 0..<nonZero { at.append(try index(count)) }
            activation = [Float](repeating: 0, count: count)
            for i in at { activation[i] = try r.f32() }
        case let tag:
            throw .malformed("activation section \(tag)")
        }
        lap(\.activation)
        var participation: [Float] = []
        switch try r.u8() {
        case 0: break
        case 1:
            let count = Int(try r.u16())
            for _ in 0..<count { participation.append(try r.f32()) }
        case 3:
            let count = Int(try r.u16())
            let packed = try r.take((count + 7) / 8)
            participation = (0..<count).map { i in (packed[packed.startIndex + i / 8] >> UInt8(i & 7)) & 1 == 1 ? 1 : 0 }
        case let tag:
            throw .malformed("participation section \(tag)")
        }
        lap(\.participation)
        var graph: GraphSnapshot?
        switch try r.u8() {
        case 0: break
        case 1:
            let nodeCount = Int(try r.u16())
            var nodes: [UInt16] = []
            for _ in 0..<nodeCount { nodes.append(try r.u16()) }
            let edgeCount = Int(try r.u16())
            var edges: [GraphEdge] = []
            for _ in 0..<edgeCount {
                let a = try index(nodeCount), b = try index(nodeCount)
                edges.append(GraphEdge(a: UInt16(a), b: UInt16(b), weight: try r.f32()))
            }
            graph = GraphSnapshot(nodes: nodes, edges: edges)
        case let tag:
            throw .malformed("graph section \(tag)")
        }
        lap(\.graph)
        guard r.remaining == 0 else { throw .malformed("\(r.remaining) stray bytes after a record") }
        return ConsciousState(version: version, phi: phi, embedding: embedding, emotion: emotion,
                              attentionFocus: focus, timestamp: timestamp, importance: importance, stream: stream,
                              activation: activation, participation: participation, graph: graph)
    }
}

/// What quantizing one embedding cost in accuracy.
struct QuantizationError {
    var maxAbs: Float = 0
    /// Largest |x − x̂| / max|x| over elements (what the stated bound limits).
    var maxRelative: Float = 0
    var sumSquares: Double = 0
    var elements: Int = 0
    /// 1 / ‖codes‖ of the codes written (0 for the zero vector), measured or not.
    var inverseCodeNorm: Float = 0
}

/// The embedding payload a content address names: `[encoding u8][dimension u32][scale f32][data]`.
/// Exact payloads store the float bytes as four byte planes (all first bytes, then all second
/// bytes, …) so the slowly varying sign/exponent bytes sit together and LZ4 finds runs in them.
enum PayloadCodec {
    static let headerBytes = 9

    /// Encodes `x` with `encoding`, falling back to exact floats when `x` holds NaN or infinity
    /// (which no scale can represent), so a retrieval never returns a value that was not stored.
    static func encode(_ x: [Float], as encoding: EmbeddingEncoding) -> (payload: [UInt8], error: QuantizationError) {
        var error = QuantizationError()
        let payload = x.withUnsafeBufferPointer { xs in
            let scan = Quantizer.scan(xs)
            return [UInt8](unsafeUninitializedCapacity: length(xs.count, as: encoding, scan)) { buffer, count in
                var w = RawWriter(buffer.baseAddress!)
                error = write(xs, as: encoding, scan, &w)
                count = w.written
            }
        }
        return (payload, error)
    }

    /// Bytes the payload of an `n`-element vector with ``Quantizer/scan(_:)`` result `scan` takes.
    /// A vector holding NaN or infinity, which no scale can represent, is kept exact, so a retrieval
    /// never returns a value that was not stored.
    static func length(_ n: Int, as encoding: EmbeddingEncoding, _ scan: (maxAbs: Float, allFinite: Bool)) -> Int {
        headerBytes + (encoding == .float32 || !scan.allFinite ? 4 * n : encoding.codeBytes(dimension: n))
    }

    /// Writes the payload of `x` (``length(_:as:_:)`` bytes) and returns what quantizing cost.
    static func write(_ x: UnsafeBufferPointer<Float>, as encoding: EmbeddingEncoding, _ scan: (maxAbs: Float, allFinite: Bool),
                      planes shuffle: Bool = true, _ w: inout RawWriter) -> QuantizationError {
        if (encoding == .float32 || !scan.allFinite) && !shuffle {
            // Plain little-endian floats: the blob codec (Blosc) shuffles them itself.
            w.u8(3)
            w.u32(UInt32(x.count))
            w.u32(0)
            for v in x { w.u32(v.bitPattern) }
            var error = QuantizationError()
            error.elements = x.count
            return error
        }
        if encoding == .float32 || !scan.allFinite {
            w.u8(0)
            w.u32(UInt32(x.count))
            w.u32(0)
            let planes = w.reserve(4 * x.count)
            for i in 0..<x.count {
                let b = x[i].bitPattern.littleEndian
                planes[i] = UInt8(truncatingIfNeeded: b)
                planes[x.count + i] = UInt8(truncatingIfNeeded: b >> 8)
                planes[2 * x.count + i] = UInt8(truncatingIfNeeded: b >> 16)
                planes[3 * x.count + i] = UInt8(truncatingIfNeeded: b >> 24)
            }
            var error = QuantizationError()
            error.elements = x.count
            return error
        }
        w.u8(encoding == .int8 ? 1 : 2)
        w.u32(UInt32(x.count))
        let scaleField = w.reserve(4)
        let codes = w.reserve(encoding.codeBytes(dimension: x.count))
        let (scale, error) = Quantizer.quantize(x, as: encoding, into: codes, maxAbs: scan.maxAbs, measuring: true)
        var le = scale.bitPattern.littleEndian
        withUnsafeBytes(of: &le) { scaleField.update(from: $0.baseAddress!.assumingMemoryBound(to: UInt8.self), count: 4) }
        return error
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
        case 3:
            let body = try r.take(4 * n)
            guard r.remaining == 0 else { throw .malformed("stray bytes after an exact payload") }
            var out = [Float](repeating: 0, count: n)
            var i = body.startIndex
            for k in 0..<n {
                out[k] = Float(bitPattern: UInt32(body[i]) | UInt32(body[i + 1]) << 8 | UInt32(body[i + 2]) << 16
                    | UInt32(body[i + 3]) << 24)
                i += 4
            }
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
