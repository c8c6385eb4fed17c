import Testing
@testable import MemoryLayer

@Suite("Codecs")
struct CodecTests {
    @Test("LZ4 fast and HC round-trip bit-exact and shrink repetitive data", arguments: [
        LZ4Effort.fast(acceleration: 1), .fast(acceleration: 8), .high(level: 9),
    ])
    func lz4RoundTrip(effort: LZ4Effort) throws {
        let data = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 / 7) }
        let packed = lz4Compress(data, effort: effort)
        #expect(packed.count < data.count / 4)
        #expect(try lz4Decompress(packed, originalSize: data.count) == data)
    }

    @Test("LZ4 rejects damaged input instead of returning garbage")
    func lz4Damaged() {
        let data = (0..<4096).map { UInt8(truncatingIfNeeded: $0 % 13) }
        var packed = lz4Compress(data, effort: .fast(acceleration: 1))
        packed.removeLast(packed.count / 2)
        #expect(throws: CodecError.self) { try lz4Decompress(packed, originalSize: data.count) }
    }

    @Test("zlib round-trips and CRC-32 matches the standard check value")
    func zlibAndCRC() throws {
        let data = Array("The quick brown fox jumps over the lazy dog".utf8)
        let z = try zlibCompress(data + data + data, level: 9)
        #expect(try zlibDecompress(z, originalSize: data.count * 3) == data + data + data)
        #expect(crc32Checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(throws: CodecError.self) { try zlibDecompress(z.dropLast(3), originalSize: data.count * 3) }
    }

    @Test("varints and zigzag round-trip extremes")
    func varints() throws {
        var w = ByteWriter()
        let values: [Int64] = [0, 1, -1, 63, -64, 1 << 40, .min, .max]
        for v in values { w.svarint(v) }
        var r = ByteReader(w.bytes)
        for v in values { #expect(try r.svarint() == v) }
        #expect(r.remaining == 0)
        #expect(throws: CodecError.truncated) { try r.u8() }
    }

    @Test("exact payloads are bit-exact, including NaN, infinities and negative zero")
    func exactPayload() throws {
        var rng = TestRandom(seed: 1)
        var x = (0..<512).map { _ in rng.symmetric() * 3 }
        x[3] = .nan
        x[4] = -.infinity
        x[5] = -0.0
        x[6] = .leastNonzeroMagnitude
        for encoding in EmbeddingEncoding.allCases {
            // NaN forces every encoding to keep the vector exact.
            let (payload, _) = PayloadCodec.encode(x, as: encoding)
            let back = try PayloadCodec.decode(payload)
            #expect(back.map(\.bitPattern) == x.map(\.bitPattern))
        }
    }

    @Test("quantized payloads stay within the stated bound", arguments: [EmbeddingEncoding.int8, .int4])
    func quantizedBound(encoding: EmbeddingEncoding) throws {
        var rng = TestRandom(seed: 2)
        for dimension in [1, 7, 512] {
            let x = (0..<dimension).map { _ in rng.symmetric() * 5 }
            let (payload, error) = PayloadCodec.encode(x, as: encoding)
            let back = try PayloadCodec.decode(payload)
            #expect(withinBound(x, back, encoding))
            #expect(Double(error.maxRelative) <= encoding.relativeErrorBound)
            #expect(payload.count == PayloadCodec.headerBytes + encoding.codeBytes(dimension: dimension))
        }
        // The zero vector quantizes to itself.
        #expect(try PayloadCodec.decode(PayloadCodec.encode([0, 0, 0], as: encoding).payload) == [0, 0, 0])
    }

    @Test("the int4 bound is tight: some element reaches most of it")
    func int4BoundTight() {
        var rng = TestRandom(seed: 3)
        let x = (0..<512).map { _ in rng.symmetric() }
        let (_, error) = PayloadCodec.encode(x, as: .int4)
        #expect(Double(error.maxRelative) > EmbeddingEncoding.int4.relativeErrorBound * 0.9)
    }

    @Test("records pack the metadata losslessly and reject damage")
    func records() throws {
        var rng = TestRandom(seed: 4)
        let s = makeState(42, dimension: 4, rng: &rng)
        let bytes = RecordCodec.encode(s)
        #expect(bytes.count == 57)  // format 2: metadata, stream, three emotion floats, three empty section tags
        #expect(try RecordCodec.decode(bytes, embedding: s.embedding) == s)
        #expect(throws: CodecError.self) { try RecordCodec.decode(Array(bytes.dropLast()), embedding: []) }
        #expect(throws: CodecError.self) { try RecordCodec.decode(bytes + [0], embedding: []) }
    }

    @Test("blobs keep whichever of raw and LZ4 is smaller and round-trip either way")
    func blobs() throws {
        var rng = TestRandom(seed: 5)
        let noise = (0..<300).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let runs = [UInt8](repeating: 7, count: 300)
        for data in [noise, runs, []] {
            let packed = BlobCodec.pack(data, effort: .fast(acceleration: 1))
            #expect(packed.count <= data.count + 5)
            #expect(try BlobCodec.unpack(packed) == data)
        }
    }

    @Test("Content digests are XXH3-128: the reference vector of empty input, and a round trip through bytes")
    func digests() {
        // xxHash's own sanity vector: XXH3_128bits of no bytes, seed 0.
        let empty = ContentDigest(of: [UInt8]())
        #expect(empty.w0 == 0x6001_C324_468D_497F && empty.w1 == 0x99AA_06D3_0147_98D8)
        let d = ContentDigest(of: Array("abc".utf8))
        #expect(d.bytes.count == ContentDigest.byteCount)
        #expect(ContentDigest(bytes: d.bytes) == d)
        // Every byte and every length moves the digest.
        #expect(ContentDigest(of: Array("abd".utf8)) != d)
        #expect(ContentDigest(of: Array("abc\0".utf8)) != d)
    }
}
