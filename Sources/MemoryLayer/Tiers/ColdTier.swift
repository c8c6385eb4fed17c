import Foundation

/// Where a cold record is: segment file, byte offset of its block, index within the block.
struct ColdAddress: Equatable, Sendable {
    var segment: UInt32
    var offset: UInt32
    var index: UInt8
}

/// One record as a tier stores it: packed metadata plus the content slot of its embedding.
struct StoredRecord: Equatable, Sendable {
    var id: UInt64
    var slot: UInt32
    /// A slice, so that records read back together may share one buffer (a warm block's).
    var body: ArraySlice<UInt8>
}

/// Why the cold tier could not read or write.
enum ColdError: Error {
    case file(FileError)
    case truncated(path: String, offset: UInt64)
    case corrupt(path: String, offset: UInt64, detail: String)
    case budgetSpent(path: String)
}

/// The cold tier: append-only segment files of LZ4-compressed blocks.
///
/// Block layout (little-endian):
/// `magic u32 "PHCB" | records u32 | raw length u32 | stored length u32 | codec u8 | 3 pad |
///  data crc32 u32 | header crc32 u32` (28 bytes), then the stored data. The raw data is the
/// records back to back: `id u64 | slot u32 | body length u16 | body crc32 u32 | body`.
/// A reader checks the header checksum, the data checksum, and the record's own checksum, so a
/// flipped bit anywhere is reported, never decoded. Records are never rewritten: a promoted or
/// deleted record becomes dead space (counted by the store), reclaimed only when the store removes
/// a whole segment none of whose records is live.
final class ColdTier {
    static let magic: UInt32 = 0x4243_4850  // "PHCB"
    static let headerBytes = 28

    let directory: String
    private let effort: LZ4Effort
    private let segmentLimit: UInt64
    private var segments: [UInt32: FileHandleFD] = [:]
    private var current: UInt32 = 0
    private var currentSize: UInt64 = 0
    /// Bytes written to segment files, ever.
    private(set) var bytesWritten: UInt64 = 0
    /// Records written to segment files, ever.
    private(set) var recordsWritten: UInt64 = 0

    init(directory: String, effort: LZ4Effort, segmentLimit: Int) throws(ColdError) {
        self.directory = directory
        self.effort = effort
        self.segmentLimit = UInt64(max(4096, segmentLimit))
        let handle = try open(segment: 0)
        do { currentSize = try handle.size() } catch { throw .file(error) }
    }

    func path(of segment: UInt32) -> String {
        directory + "/" + "cold-" + String(format: "%06u", segment) + ".seg"
    }

    /// The segment appends go to.
    var currentSegment: UInt32 { current }

    /// Closes and deletes segment file `segment` (not the current one: the store removes a segment
    /// once none of its records is live).
    func remove(segment: UInt32) throws(ColdError) {
        precondition(segment != current, "the current cold segment cannot be removed")
        segments[segment] = nil
        do { try removeFile(atPath: path(of: segment)) } catch { throw .file(error) }
    }

    /// Total bytes of the segment files on disk.
    var diskBytes: UInt64 {
        segments.keys.reduce(0) { $0 + fileSize(atPath: path(of: $1)) }
    }

    /// Appends `records` as one block and returns each record's address, in order.
    /// `charge` is called with the block's size before anything is written (the write budget).
    /// With `temporal`, the block is also coded with each record XORed with the previous record of
    /// its stream (codec 2), and that is kept when smaller; `tally` counts what it gained.
    func append(_ records: [StoredRecord], temporal: Bool = false, tally: inout StrategyTally,
                charge: (Int) -> Bool) throws(ColdError) -> [ColdAddress] {
        precondition(!records.isEmpty && records.count <= 255, "the tiered store batches 1…255 records")
        var raw = ByteWriter(capacity: records.count * 72)
        for r in records {
            raw.u64(r.id)
            raw.u32(r.slot)
            raw.u16(UInt16(r.body.count))
            raw.u32(crc32Checksum(r.body))
            raw.append(contentsOf: r.body)
        }
        var codec: UInt8 = 0
        var data = raw.bytes
        let compressed = lz4Compress(raw.bytes, effort: effort)
        if compressed.count < data.count {
            codec = 1
            data = compressed
        }
        if temporal {
            let t0 = layerClock()
            let delta = lz4Compress(Self.temporal(raw.bytes, forward: true), effort: effort)
            tally.timeEncode(.temporal, layerClock() &- t0)
            // Against LZ4 alone: what the temporal transform adds.
            tally.note(.temporal, logical: compressed.count, stored: min(delta.count, compressed.count))
            if delta.count < data.count {
                codec = 2
                data = delta
            }
        }
        var header = ByteWriter(capacity: Self.headerBytes + data.count)
        header.u32(Self.magic)
        header.u32(UInt32(records.count))
        header.u32(UInt32(raw.bytes.count))
        header.u32(UInt32(data.count))
        header.u8(codec)
        header.u8(0); header.u8(0); header.u8(0)
        header.u32(crc32Checksum(data))
        header.u32(crc32Checksum(header.bytes))
        header.append(contentsOf: data)
        let block = header.bytes

        if currentSize > 0 && currentSize + UInt64(block.count) > segmentLimit {
            current += 1
            currentSize = 0
            _ = try open(segment: current)
        }
        let file = try open(segment: current)
        guard charge(block.count) else { throw .budgetSpent(path: file.path) }
        let offset = currentSize
        do {
            try file.write(block, at: offset)
        } catch {
            // Leave no half block behind: the next append must start on a block boundary.
            try? file.truncate(to: offset)
            throw .file(error)
        }
        currentSize += UInt64(block.count)
        bytesWritten += UInt64(block.count)
        recordsWritten += UInt64(records.count)
        return records.indices.map { ColdAddress(segment: current, offset: UInt32(offset), index: UInt8($0)) }
    }

    /// Reads the record at `address`, which must belong to `id`.
    func read(_ address: ColdAddress, id: UInt64) throws(ColdError) -> StoredRecord {
        let file = try open(segment: address.segment)
        let offset = UInt64(address.offset)
        let headerBytes: [UInt8]
        do { headerBytes = try file.read(count: Self.headerBytes, at: offset) } catch { throw .file(error) }
        guard headerBytes.count == Self.headerBytes else { throw .truncated(path: file.path, offset: offset) }
        func corrupt(_ detail: String) -> ColdError { .corrupt(path: file.path, offset: offset, detail: detail) }
        var h = ByteReader(headerBytes)
        do {
            let magic = try h.u32()
            let count = Int(try h.u32())
            let rawLength = Int(try h.u32())
            let storedLength = Int(try h.u32())
            let codec = try h.u8()
            _ = try h.take(3)
            let dataCRC = try h.u32()
            let headerCRC = try h.u32()
            guard crc32Checksum(headerBytes[0..<24]) == headerCRC else { throw corrupt("block header checksum") }
            guard magic == Self.magic else { throw corrupt("bad block magic") }
            guard Int(address.index) < count else { throw corrupt("record index \(address.index) of \(count)") }
            let data: [UInt8]
            do { data = try file.read(count: storedLength, at: offset + UInt64(Self.headerBytes)) } catch {
                throw ColdError.file(error)
            }
            guard data.count == storedLength else { throw ColdError.truncated(path: file.path, offset: offset) }
            guard crc32Checksum(data) == dataCRC else { throw corrupt("block data checksum") }
            let raw: [UInt8]
            switch codec {
            case 0: raw = data
            case 1:
                do { raw = try lz4Decompress(data, originalSize: rawLength) } catch { throw corrupt("\(error)") }
            case 2:
                do { raw = Self.temporal(try lz4Decompress(data, originalSize: rawLength), forward: false) } catch {
                    throw corrupt("\(error)")
                }
            default: throw corrupt("unknown block codec \(codec)")
            }
            var r = ByteReader(raw)
            for i in 0..<count {
                let rid = try r.u64()
                let slot = try r.u32()
                let length = Int(try r.u16())
                let crc = try r.u32()
                let body = try r.take(length)
                guard i == Int(address.index) else { continue }
                guard rid == id else { throw corrupt("holds item \(rid), expected \(id)") }
                guard crc32Checksum(body) == crc else { throw corrupt("record checksum") }
                return StoredRecord(id: rid, slot: slot, body: Array(body)[...])
            }
            throw corrupt("record not found in its block")
        } catch let e as ColdError {
            throw e
        } catch {
            throw corrupt("\(error)")
        }
    }

    /// Offset of the stream field in a record body (format 2): kept as is, so a reader can find
    /// each record's reference.
    static let streamOffset = 37

    /// XORs each record body (after the stream field's bytes are left alone) with the previous
    /// record body of the same stream in the block, over their common length: `forward` codes,
    /// otherwise decodes (each body is restored before it serves as the next one's reference). A
    /// malformed block is returned unchanged; its record checksums then fail as they should.
    static func temporal(_ raw: [UInt8], forward: Bool) -> [UInt8] {
        var out = raw
        var previous: [UInt32: Range<Int>] = [:]
        var at = 0
        while at + 18 <= raw.count {
            let length = Int(raw[at + 12]) | Int(raw[at + 13]) << 8
            let body = at + 18
            guard body + length <= raw.count else { return raw }
            if length >= streamOffset + 4 {
                let stream = UInt32(raw[body + streamOffset]) | UInt32(raw[body + streamOffset + 1]) << 8
                    | UInt32(raw[body + streamOffset + 2]) << 16 | UInt32(raw[body + streamOffset + 3]) << 24
                if let p = previous[stream] {
                    // The reference is the previous body as stored plainly: `raw` when coding, `out` when decoding.
                    let n = min(length, p.count)
                    for k in 0..<n where k < streamOffset || k >= streamOffset + 4 {
                        out[body + k] = raw[body + k] ^ (forward ? raw[p.lowerBound + k] : out[p.lowerBound + k])
                    }
                }
                previous[stream] = body..<(body + length)
            }
            at = body + length
        }
        return out
    }

    private func open(segment: UInt32) throws(ColdError) -> FileHandleFD {
        if let f = segments[segment] { return f }
        do {
            let f = try FileHandleFD(path: path(of: segment), create: true)
            segments[segment] = f
            return f
        } catch {
            throw .file(error)
        }
    }
}
