import Foundation
import GRDB
import GRDBSQLite

/// Why the warm tier could not read or write.
enum WarmError: Error {
    /// SQLite reported a damaged file, an I/O error, or something else it cannot recover from.
    case damaged(String)
    /// SQLite ran out of disk (SQLITE_FULL), or the write budget is spent.
    case full
    /// A row failed its checksum or did not decode.
    case corrupt(String)
    /// A write broke a constraint (a row with that key exists); the caller may retry as a replacement.
    case constraint
}

/// A content row: an embedding payload named by its content digest (XXH3-128), shared by `refcount` states.
struct ContentRow {
    var slot: UInt32
    var digest: ContentDigest
    var refcount: UInt32
    /// The payload, uncompressed; the commit packs it with ``BlobCodec`` (LZ4 when smaller).
    var payload: ArraySlice<UInt8>
}

/// A state's packed metadata as the warm tier stores it.
struct WarmRecordRow {
    var id: UInt64
    var slot: UInt32
    var body: ArraySlice<UInt8>
    var lastAccess: UInt64
}

/// Everything one maintenance pass writes to the warm tier, applied in one transaction.
struct WarmBatch {
    /// New refcounts of contents; 0 deletes the content.
    var refcounts: [(slot: UInt32, refcount: UInt32)] = []
    var contents: [ContentRow] = []
    var records: [WarmRecordRow] = []
    /// Reads of warm records since the last batch: reads to add, and the last access time.
    var touches: [(id: UInt64, reads: Int, lastAccess: UInt64)] = []
    var deletions: [UInt64] = []

    var isEmpty: Bool {
        refcounts.isEmpty && contents.isEmpty && records.isEmpty && touches.isEmpty && deletions.isEmpty
    }

    /// Bytes the batch adds to the database, roughly (payloads plus per-row overhead), for the write budget.
    var estimatedBytes: Int {
        contents.reduce(0) { $0 + $1.payload.count + 56 } + records.reduce(0) { $0 + $1.body.count + 40 }
            + refcounts.count * 16
    }
}

/// The warm tier: a real SQLite database file (through GRDB) in the run directory.
///
/// `content(slot, digest, refcount, body, crc)` holds every distinct embedding payload once;
/// `records(id, slot, body, crc, reads, last_access)` holds the warm states' packed metadata.
/// Each row carries a CRC-32 of its body, checked on every read. Durability is traded for speed
/// (`synchronous = OFF`): the database is a cache of a benchmark run, not a system of record.
/// Contents are found by digest in the store's memory, so the database has no index on it.
/// Writes go through cached prepared statements with blobs bound in place (no copy, no parse per
/// row), so a batch costs SQLite's own work and almost no allocation.
final class WarmTier: Sendable {
    let path: String
    private let queue: DatabaseQueue

    init(path: String, cacheKiB: Int) throws(WarmError) {
        self.path = path
        var config = Configuration()
        config.label = "phibench.memory.warm"
        let cache = max(64, cacheKiB)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = OFF")
            try db.execute(sql: "PRAGMA cache_size = -\(cache)")
            _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = TRUNCATE")
        }
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
            try queue.write { db in
                try db.execute(sql: """
                    CREATE TABLE IF NOT EXISTS content(
                        slot INTEGER PRIMARY KEY, digest BLOB NOT NULL, refcount INTEGER NOT NULL,
                        body BLOB NOT NULL, crc INTEGER NOT NULL);
                    CREATE TABLE IF NOT EXISTS records(
                        id INTEGER PRIMARY KEY, slot INTEGER NOT NULL, body BLOB NOT NULL, crc INTEGER NOT NULL,
                        reads INTEGER NOT NULL, last_access INTEGER NOT NULL);
                    CREATE INDEX IF NOT EXISTS records_idle ON records(last_access);
                    """)
            }
        } catch {
            throw Self.map(error)
        }
    }

    /// Bytes of the database file and its journal on disk.
    var diskBytes: UInt64 { fileSize(atPath: path) + fileSize(atPath: path + "-journal") }

    /// What a commit wrote: the packed size of each content, in the batch's order, and what packing cost.
    struct Written {
        var sizes: [UInt32] = []
        var tally = StrategyTally()
    }

    /// Applies `batch` atomically: on any error nothing of it is kept. Contents are packed with
    /// `choice` (the pack of each is timed; every sixteenth is unpacked again, timed and checked).
    @discardableResult
    func commit(_ batch: WarmBatch, _ choice: BlobCodec.Choice = .lz4(.fast(acceleration: 1))) throws(WarmError) -> Written {
        guard !batch.isEmpty else { return Written() }
        do {
            return try queue.write { db in
                for (slot, refcount) in batch.refcounts {
                    if refcount == 0 {
                        try Self.run(db, "DELETE FROM content WHERE slot = ?") { h in
                            sqlite3_bind_int64(h, 1, Int64(slot))
                        }
                    } else {
                        try Self.run(db, "UPDATE content SET refcount = ? WHERE slot = ?") { h in
                            sqlite3_bind_int64(h, 1, Int64(refcount))
                            sqlite3_bind_int64(h, 2, Int64(slot))
                        }
                    }
                }
                var written = Written()
                if !batch.contents.isEmpty {
                    written.sizes.reserveCapacity(batch.contents.count)
                    let strategy: Strategy = switch choice.codec {
                    case .lz4: .lz4
                    case .zlib: .zlib
                    case .blosc: .blosc
                    }
                    // One scratch buffer for the whole batch: each content is packed into it and bound from it.
                    var scratch = [UInt8](repeating: 0, count: BlobCodec.bound(batch.contents.map(\.payload.count).max() ?? 0))
                    for (k, c) in batch.contents.enumerated() {
                        let t0 = layerClock()
                        let n = c.payload.withUnsafeBytes { src in
                            scratch.withUnsafeMutableBytes { BlobCodec.pack(src, into: $0, choice) }
                        }
                        written.tally.timeEncode(strategy, layerClock() &- t0)
                        written.tally.note(strategy, logical: c.payload.count, stored: n)
                        if k % 16 == 0 {
                            let t1 = layerClock()
                            let back = try? BlobCodec.unpack(Array(scratch[..<n]))
                            written.tally.timeDecode(strategy, layerClock() &- t1)
                            precondition(back.map { $0[...] == c.payload } ?? false, "a blob just packed does not unpack to itself")
                        }
                        written.sizes.append(UInt32(n))
                        var digest = (c.digest.w0.littleEndian, c.digest.w1.littleEndian)
                        try withUnsafeBytes(of: &digest) { d in
                            try scratch.withUnsafeBytes { body in
                                let packed = UnsafeRawBufferPointer(rebasing: body[..<n])
                                try Self.run(db, "INSERT INTO content(slot, digest, refcount, body, crc) VALUES (?, ?, ?, ?, ?)") { h in
                                    sqlite3_bind_int64(h, 1, Int64(c.slot))
                                    sqlite3_bind_blob(h, 2, d.baseAddress, Int32(ContentDigest.byteCount), nil)
                                    sqlite3_bind_int64(h, 3, Int64(c.refcount))
                                    sqlite3_bind_blob(h, 4, packed.baseAddress, Int32(n), nil)
                                    sqlite3_bind_int64(h, 5, Int64(crc32Checksum(packed)))
                                }
                            }
                        }
                    }
                }
                // Looked up once per batch, not once per row (GRDB's cache hashes the SQL text).
                let insertRecord = batch.records.isEmpty ? nil : try db.cachedStatement(
                    sql: "INSERT INTO records(id, slot, body, crc, reads, last_access) VALUES (?, ?, ?, ?, 0, ?)")
                for r in batch.records {
                    try r.body.withUnsafeBytes { body in
                        func bind(_ h: OpaquePointer) {
                            sqlite3_bind_int64(h, 1, Int64(bitPattern: r.id))
                            sqlite3_bind_int64(h, 2, Int64(r.slot))
                            sqlite3_bind_blob(h, 3, body.baseAddress, Int32(body.count), nil)
                            sqlite3_bind_int64(h, 4, Int64(crc32Checksum(body)))
                            sqlite3_bind_int64(h, 5, Int64(bitPattern: r.lastAccess))
                        }
                        // A plain INSERT needs no statement journal (REPLACE does: it may delete a
                        // row first); a row left by an earlier failed delete is replaced on the rare retry.
                        do {
                            try Self.run(db, insertRecord!, bind: bind)
                        } catch WarmError.constraint {
                            try Self.run(db, "INSERT OR REPLACE INTO records(id, slot, body, crc, reads, last_access) VALUES (?, ?, ?, ?, 0, ?)", bind: bind)
                        }
                    }
                }
                for t in batch.touches {
                    try Self.run(db, "UPDATE records SET reads = reads + ?, last_access = ? WHERE id = ?") { h in
                        sqlite3_bind_int64(h, 1, Int64(t.reads))
                        sqlite3_bind_int64(h, 2, Int64(bitPattern: t.lastAccess))
                        sqlite3_bind_int64(h, 3, Int64(bitPattern: t.id))
                    }
                }
                for id in batch.deletions {
                    try Self.run(db, "DELETE FROM records WHERE id = ?") { h in
                        sqlite3_bind_int64(h, 1, Int64(bitPattern: id))
                    }
                }
                return written
            }
        } catch {
            throw Self.map(error)
        }
    }

    /// Runs one write statement, cached by GRDB, with arguments bound by `bind`. Blobs may be bound
    /// without a copy (`SQLITE_STATIC`): they are only read during the step, inside the caller's scope.
    private static func run(_ db: Database, _ sql: String, bind: (OpaquePointer) -> Void) throws {
        try run(db, try db.cachedStatement(sql: sql), bind: bind)
    }

    /// Runs one prepared write statement with arguments bound by `bind` (as ``run(_:_:bind:)-(_,String,_)``).
    private static func run(_ db: Database, _ statement: Statement, bind: (OpaquePointer) -> Void) throws {
        let h = statement.sqliteStatement
        sqlite3_reset(h)
        bind(h)
        let rc = sqlite3_step(h)
        sqlite3_reset(h)
        sqlite3_clear_bindings(h)
        guard rc == SQLITE_DONE else {
            if rc & 0xFF == SQLITE_FULL { throw WarmError.full }
            if rc & 0xFF == SQLITE_CONSTRAINT { throw WarmError.constraint }
            throw WarmError.damaged(String(cString: sqlite3_errstr(rc)) + " (" + String(cString: sqlite3_errmsg(db.sqliteConnection)) + ")")
        }
    }

    /// The checked, unpacked payload of content `slot`.
    func payload(slot: UInt32) throws(WarmError) -> [UInt8]? {
        let row: Row?
        do {
            row = try queue.read { db in
                try Row.fetchOne(db, sql: "SELECT body, crc FROM content WHERE slot = ?", arguments: [Int64(slot)])
            }
        } catch {
            throw Self.map(error)
        }
        guard let row else { return nil }
        let body = try Self.checked(row, what: "content \(slot)")
        do { return try BlobCodec.unpack(body) } catch { throw .corrupt("content \(slot): \(error)") }
    }

    /// Reads record `id` with the reads recorded for it so far (reads are counted by the store
    /// and written in batches, so a read costs no write transaction).
    func read(id: UInt64) throws(WarmError) -> (record: StoredRecord, reads: Int)? {
        let row: Row?
        do {
            row = try queue.read { db in
                try Row.fetchOne(db, sql: "SELECT slot, body, crc, reads FROM records WHERE id = ?",
                                 arguments: [Int64(bitPattern: id)])
            }
        } catch {
            throw Self.map(error)
        }
        guard let row else { return nil }
        let what = "record \(id)"
        let body = try Self.checked(row, what: what)
        let slot: Int64 = try Self.field(row, "slot", what)
        let reads: Int64 = try Self.field(row, "reads", what)
        return (StoredRecord(id: id, slot: UInt32(truncatingIfNeeded: slot), body: body), Int(reads))
    }

    /// Up to `limit` records not accessed since `before`, least recently accessed first.
    ///
    /// Read through a cached prepared statement, column by column: every state passes through here
    /// once on its way to the cold tier, and GRDB's `Row`s cost several allocations a row where this
    /// costs the body's one.
    func idle(before: UInt64, limit: Int) throws(WarmError) -> [StoredRecord] {
        do {
            return try queue.read { db in
                let statement = try db.cachedStatement(sql: """
                    SELECT id, slot, body, crc FROM records WHERE last_access < ? ORDER BY last_access, id LIMIT ?
                    """)
                let h = statement.sqliteStatement
                sqlite3_reset(h)
                defer {
                    sqlite3_reset(h)
                    sqlite3_clear_bindings(h)
                }
                sqlite3_bind_int64(h, 1, Int64(bitPattern: before))
                sqlite3_bind_int64(h, 2, Int64(limit))
                var out: [StoredRecord] = []
                out.reserveCapacity(min(max(limit, 0), 1024))
                while true {
                    let rc = sqlite3_step(h)
                    if rc == SQLITE_DONE { return out }
                    guard rc == SQLITE_ROW else {
                        throw WarmError.damaged(String(cString: sqlite3_errstr(rc)) + " (" + String(cString: sqlite3_errmsg(db.sqliteConnection)) + ")")
                    }
                    guard sqlite3_column_type(h, 0) == SQLITE_INTEGER else {
                        throw WarmError.corrupt("a warm record: column id does not decode")
                    }
                    let id = UInt64(bitPattern: sqlite3_column_int64(h, 0))
                    // A zero-length blob reads back as NULL; any other type is damage.
                    let bodyType = sqlite3_column_type(h, 2)
                    guard sqlite3_column_type(h, 1) == SQLITE_INTEGER, bodyType == SQLITE_BLOB || bodyType == SQLITE_NULL,
                          sqlite3_column_type(h, 3) == SQLITE_INTEGER else {
                        throw WarmError.corrupt("record \(id): a column does not decode (slot, body, crc)")
                    }
                    let count = Int(sqlite3_column_bytes(h, 2))
                    let body: [UInt8] = count == 0 ? [] : [UInt8](UnsafeRawBufferPointer(start: sqlite3_column_blob(h, 2), count: count))
                    try Self.verify(body, crc: sqlite3_column_int64(h, 3), what: "record \(id)")
                    out.append(StoredRecord(id: id, slot: UInt32(truncatingIfNeeded: sqlite3_column_int64(h, 1)), body: body))
                }
            }
        } catch {
            throw Self.map(error)
        }
    }

    private static func checked(_ row: Row, what: String) throws(WarmError) -> [UInt8] {
        let data: Data = try field(row, "body", what)
        let body = [UInt8](data)
        let crc: Int64 = try field(row, "crc", what)
        try verify(body, crc: crc, what: what)
        return body
    }

    /// Throws ``WarmError/corrupt(_:)`` unless `body`'s CRC-32 is `crc`.
    private static func verify(_ body: [UInt8], crc: Int64, what: @autoclosure () -> String) throws(WarmError) {
        let actual = crc32Checksum(body)
        guard Int64(actual) == crc else {
            throw .corrupt("\(what()): checksum mismatch (stored \(String(crc, radix: 16)), computed \(String(actual, radix: 16)))")
        }
    }

    private static func field<T: DatabaseValueConvertible>(_ row: Row, _ column: String, _ what: String) throws(WarmError) -> T {
        do { return try row.decode(T.self, forColumn: column) } catch {
            throw .corrupt("\(what): column \(column) does not decode (\(error))")
        }
    }

    /// Maps a GRDB error to what the store reports.
    static func map(_ error: any Error) -> WarmError {
        if let e = error as? WarmError { return e }
        if let e = error as? DatabaseError {
            switch e.resultCode {
            case .SQLITE_FULL: return .full
            default: return .damaged(e.message ?? "\(e.resultCode)")
            }
        }
        return .damaged("\(error)")
    }
}
