/// A block of warm records: what one hot → warm batch writes as a single row of the warm database,
/// so the row's INSERT, B-tree work and allocations are paid once per batch instead of once per state.
///
/// Layout (little-endian): `count u32`, then `count` entries `id u64, slot u32, length u32`, then the
/// records' bodies in entry order. The database row carries a checksum (XXH3-64) of the whole block.
enum WarmBlock {
    static let entryBytes = 16

    /// Bytes of the block holding `records`.
    static func length(_ records: [WarmRecordRow]) -> Int {
        4 + records.reduce(0) { $0 + entryBytes + $1.body.count }
    }

    /// Writes `records` as one block into `out` (``length(_:)`` bytes) and returns the bytes written.
    static func write(_ records: [WarmRecordRow], into out: UnsafeMutableRawBufferPointer) -> Int {
        var w = RawWriter(out.baseAddress!.assumingMemoryBound(to: UInt8.self))
        w.u32(UInt32(records.count))
        for r in records {
            w.u64(r.id)
            w.u32(r.slot)
            w.u32(UInt32(r.body.count))
        }
        for r in records where !r.body.isEmpty {
            let dst = w.reserve(r.body.count)
            r.body.withUnsafeBytes { dst.update(from: $0.baseAddress!.assumingMemoryBound(to: UInt8.self), count: $0.count) }
        }
        return w.written
    }

    /// The block's records (already checked against its CRC), or why it does not decode. Their bodies
    /// are slices of one copy of the block (one allocation for the block, not one per record).
    static func records(_ block: UnsafeRawBufferPointer) throws(CodecError) -> [StoredRecord] {
        let bytes = block.bindMemory(to: UInt8.self)
        let copy = Array(bytes)
        func u32(_ at: Int) -> UInt32 {
            UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
        }
        guard bytes.count >= 4 else { throw .truncated }
        let count = Int(u32(0))
        guard count <= (bytes.count - 4) / entryBytes else { throw .malformed("a warm block of \(count) records in \(bytes.count) bytes") }
        var out: [StoredRecord] = []
        out.reserveCapacity(count)
        var body = 4 + count * entryBytes
        for k in 0..<count {
            let e = 4 + k * entryBytes
            let id = UInt64(u32(e)) | UInt64(u32(e + 4)) << 32
            let length = Int(u32(e + 12))
            guard length <= bytes.count - body else { throw .malformed("record \(id) runs past its warm block") }
            out.append(StoredRecord(id: id, slot: u32(e + 8), body: copy[body..<body + length]))
            body += length
        }
        guard body == bytes.count else { throw .malformed("stray bytes after a warm block's records") }
        return out
    }

    /// The record `id` of the block, if it holds one (only that record's body is copied).
    static func record(_ id: UInt64, in block: UnsafeRawBufferPointer) throws(CodecError) -> StoredRecord? {
        let bytes = block.bindMemory(to: UInt8.self)
        func u32(_ at: Int) -> UInt32 {
            UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
        }
        guard bytes.count >= 4 else { throw .truncated }
        let count = Int(u32(0))
        guard count <= (bytes.count - 4) / entryBytes else { throw .malformed("a warm block of \(count) records in \(bytes.count) bytes") }
        var body = 4 + count * entryBytes
        for k in 0..<count {
            let e = 4 + k * entryBytes
            let length = Int(u32(e + 12))
            guard length <= bytes.count - body else { throw .malformed("a record runs past its warm block") }
            if UInt64(u32(e)) | UInt64(u32(e + 4)) << 32 == id {
                return StoredRecord(id: id, slot: u32(e + 8), body: Array(bytes[body..<body + length])[...])
            }
            body += length
        }
        return nil
    }
}
