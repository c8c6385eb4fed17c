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

/// A content row: an embedding payload named by its content digest (XXH3-128), shared by one state or more.
struct ContentRow {
    var slot: UInt32
    var digest: ContentDigest
    /// The payload, uncompressed; the commit packs it with ``BlobCodec`` (LZ4 when smaller).
    var payload: ArraySlice<UInt8>
}

/// A state's packed metadata as the warm tier stores it (in a ``WarmBlock``).
struct WarmRecordRow {
    var id: UInt64
    var slot: UInt32
    var body: ArraySlice<UInt8>
    var lastAccess: UInt64
}

/// Records written together as one row of the warm database.
struct WarmBlockWrite {
    /// The block's number (its row key), given by the store.
    var number: UInt64
    var records: [WarmRecordRow]
}

/// Everything one maintenance pass writes to the warm tier, applied in one transaction.
struct WarmBatch {
    /// Contents no state uses any more (their refcounts are kept in the store's memory only).
    var contentDeletions: [UInt32] = []
    var contents: [ContentRow] = []
    var block: WarmBlockWrite?
    /// Blocks none of whose records are warm any more.
    var blockDeletions: [UInt64] = []

    var isEmpty: Bool {
        contentDeletions.isEmpty && contents.isEmpty && (block?.records.isEmpty ?? true) && blockDeletions.isEmpty
    }

    /// Bytes the batch adds to the database, roughly (payloads plus per-row overhead), for the write budget.
    var estimatedBytes: Int {
        contents.reduce(0) { $0 + $1.payload.count + 56 } + (block.map { WarmBlock.length($0.records) + 40 } ?? 0)
            + contentDeletions.count * 16
    }
}

/// The warm tier: a real SQLite database file (through GRDB) in the run directory.
///
/// `content(slot, digest, body, checksum)` holds every distinct embedding payload once (how many states
/// share it is counted in the store's memory: the database never reads it, so a store costs no UPDATE);
/// `blocks(block, body, checksum, newest)` holds the warm states' packed metadata, one row per batch of
/// states demoted together (a ``WarmBlock``; `newest` is its records' latest access, for idleness).
/// A record is found by its block's number, which the store keeps in the state's location; reads of
/// warm states are counted in the store's memory, not here. Each row carries a checksum of its body (XXH3-64),
/// checked on every read. Durability is traded for speed (`synchronous = OFF`): the database is a
/// cache of a benchmark run, not a system of record. Contents are found by digest in the store's
/// memory, so the database has no index on it. Writes go through cached prepared statements with
/// blobs bound in place (no copy, no parse per row), so a batch costs SQLite's own work and almost
/// no allocation.
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
                        slot INTEGER PRIMARY KEY, digest BLOB NOT NULL, body BLOB NOT NULL, checksum INTEGER NOT NULL);
                    CREATE TABLE IF NOT EXISTS blocks(
                        block INTEGER PRIMARY KEY, body BLOB NOT NULL, checksum INTEGER NOT NULL, newest INTEGER NOT NULL);
                    CREATE INDEX IF NOT EXISTS blocks_idle ON blocks(newest);
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
    /// `choice` (the pack of each is timed; every sixteenth is unpacked again, timed and checked),
    /// LZ4 through `compressor`, the writer's one state (a fresh one if none is given).
    @discardableResult
    func commit(_ batch: WarmBatch, _ choice: BlobCodec.Choice = .lz4(.fast(acceleration: 1)),
                compressor: LZ4Compressor? = nil) throws(WarmError) -> Written {
        guard !batch.isEmpty else { return Written() }
        do {
            return try Self.transaction(queue) { db in
                for slot in batch.contentDeletions {
                    try Self.run(db, "DELETE FROM content WHERE slot = ?") { h in
                        sqlite3_bind_int64(h, 1, Int64(slot))
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
                    var scratch = [UInt8](repeating: 0, count: BlobCodec.bound(batch.contents.reduce(0) { max($0, $1.payload.count) }))
                    let compressor = compressor ?? LZ4Compressor()
                    for (k, c) in batch.contents.enumerated() {
                        let attempt = compressor.probe.shouldTry()
                        let t0 = layerClock()
                        let n = c.payload.withUnsafeBytes { src in
                            scratch.withUnsafeMutableBytes {
                                attempt ? BlobCodec.pack(src, into: $0, choice, compressor: compressor) : BlobCodec.store(src, into: $0)
                            }
                        }
                        if attempt {
                            written.tally.timeEncode(strategy, layerClock() &- t0)
                            compressor.probe.note(compressed: scratch[0] != 0)
                        }
                        written.tally.note(attempt ? strategy : .notTried, logical: c.payload.count, stored: n)
                        if k % 16 == 0 {
                            let t1 = layerClock()
                            let back = try? BlobCodec.unpack(Array(scratch[..<n]))
                            written.tally.timeDecode(attempt ? strategy : .notTried, layerClock() &- t1)
                            precondition(back.map { $0[...] == c.payload } ?? false, "a blob just packed does not unpack to itself")
                        }
                        written.sizes.append(UInt32(n))
                        var digest = (c.digest.w0.littleEndian, c.digest.w1.littleEndian)
                        try withUnsafeBytes(of: &digest) { d in
                            try scratch.withUnsafeBytes { body in
                                let packed = UnsafeRawBufferPointer(rebasing: body[..<n])
                                try Self.run(db, "INSERT INTO content(slot, digest, body, checksum) VALUES (?, ?, ?, ?)") { h in
                                    sqlite3_bind_int64(h, 1, Int64(c.slot))
                                    sqlite3_bind_blob(h, 2, d.baseAddress, Int32(ContentDigest.byteCount), nil)
                                    sqlite3_bind_blob(h, 3, packed.baseAddress, Int32(n), nil)
                                    sqlite3_bind_int64(h, 4, bodyChecksum(packed))
                                }
                            }
                        }
                    }
                }
                if let block = batch.block, !block.records.isEmpty {
                    let newest = block.records.reduce(0) { max($0, $1.lastAccess) }
                    let bytes = [UInt8](unsafeUninitializedCapacity: WarmBlock.length(block.records)) { out, count in
                        count = WarmBlock.write(block.records, into: UnsafeMutableRawBufferPointer(out))
                    }
                    try bytes.withUnsafeBytes { body in
                        try Self.run(db, "INSERT INTO blocks(block, body, checksum, newest) VALUES (?, ?, ?, ?)") { h in
                            sqlite3_bind_int64(h, 1, Int64(bitPattern: block.number))
                            sqlite3_bind_blob(h, 2, body.baseAddress, Int32(body.count), nil)
                            sqlite3_bind_int64(h, 3, bodyChecksum(body))
                            sqlite3_bind_int64(h, 4, Int64(bitPattern: newest))
                        }
                    }
                }
                for block in batch.blockDeletions {
                    try Self.run(db, "DELETE FROM blocks WHERE block = ?") { h in
                        sqlite3_bind_int64(h, 1, Int64(bitPattern: block))
                    }
                }
                return written
            }
        } catch {
            throw Self.map(error)
        }
    }

    /// Runs `body` in one transaction through cached BEGIN/COMMIT statements (GRDB's `write` parses
    /// and prepares both anew each time: with the reads' transactions, ~0.6 allocations an episode on
    /// the adaptive policy's small hot tiers, counted under callgrind); on any error the transaction is
    /// rolled back and the error rethrown.
    private static func transaction<T>(_ queue: DatabaseQueue, _ body: (Database) throws -> T) throws -> T {
        try queue.inDatabase { db in
            try run(db, "BEGIN IMMEDIATE") { _ in }
            do {
                let value = try body(db)
                try run(db, "COMMIT") { _ in }
                return value
            } catch {
                // SQLite may have rolled back already (SQLITE_FULL): then there is nothing to undo.
                if sqlite3_get_autocommit(db.sqliteConnection) == 0 {
                    try? run(db, "ROLLBACK") { _ in }
                }
                throw error
            }
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
            throw stepError(db, rc)
        }
    }

    /// The checked, unpacked payload of content `slot`.
    func payload(slot: UInt32) throws(WarmError) -> [UInt8]? {
        let row: Row?
        do {
            row = try queue.inDatabase { db in
                try Row.fetchOne(db, sql: "SELECT body, checksum FROM content WHERE slot = ?", arguments: [Int64(slot)])
            }
        } catch {
            throw Self.map(error)
        }
        guard let row else { return nil }
        let body = try Self.checked(row, what: "content \(slot)")
        do { return try BlobCodec.unpack(body) } catch { throw .corrupt("content \(slot): \(error)") }
    }

    /// Reads record `id` from block `block` (nil: the block, or the record in it, is not there).
    func read(id: UInt64, block: UInt64) throws(WarmError) -> StoredRecord? {
        do {
            return try queue.inDatabase { db in
                try Self.withBlock(db, "SELECT body, checksum FROM blocks WHERE block = ?", block) { body, stored throws(WarmError) in
                    try Self.verify(body, checksum: stored, what: "record \(id) (warm block \(block))")
                    do { return try WarmBlock.record(id, in: body) } catch { throw .corrupt("record \(id) (warm block \(block)): \(error)") }
                }
            } ?? nil
        } catch {
            throw Self.map(error)
        }
    }

    /// The blocks whose records were all last accessed before `before`, least recently accessed
    /// first, with their records: whole blocks, until they hold at least `records` records (or none is left).
    func idleBlocks(before: UInt64, records: Int) throws(WarmError) -> [(block: UInt64, records: [StoredRecord])] {
        do {
            return try queue.inDatabase { db -> [(block: UInt64, records: [StoredRecord])] in
                try Self.withQuery(db, "SELECT block, body, checksum FROM blocks WHERE newest < ? ORDER BY newest, block",
                                   binding: Int64(bitPattern: before)) { h in
                    var out: [(block: UInt64, records: [StoredRecord])] = []
                    var total = 0
                    while total < records {
                        let rc = sqlite3_step(h)
                        if rc == SQLITE_DONE { break }
                        guard rc == SQLITE_ROW else { throw Self.stepError(db, rc) }
                        let block = UInt64(bitPattern: sqlite3_column_int64(h, 0))
                        let body = try Self.column(h, block)
                        try Self.verify(body, checksum: sqlite3_column_int64(h, 2), what: "warm block \(block)")
                        do { out.append((block, try WarmBlock.records(body))) } catch { throw WarmError.corrupt("warm block \(block): \(error)") }
                        total += out[out.count - 1].records.count
                    }
                    return out
                }
            }
        } catch {
            throw Self.map(error)
        }
    }

    /// Runs a one-row query of a block by number and hands `use` its body and checksum (nil: no such row).
    private static func withBlock<T>(_ db: Database, _ sql: String, _ block: UInt64,
                                     _ use: (UnsafeRawBufferPointer, Int64) throws(WarmError) -> T) throws -> T? {
        try withQuery(db, sql, binding: Int64(bitPattern: block)) { h in
            let rc = sqlite3_step(h)
            if rc == SQLITE_DONE { return nil }
            guard rc == SQLITE_ROW else { throw stepError(db, rc) }
            guard sqlite3_column_type(h, 1) == SQLITE_INTEGER else { throw WarmError.corrupt("warm block \(block): column checksum does not decode") }
            return try use(try column(h, block, index: 0), sqlite3_column_int64(h, 1))
        }
    }

    /// Runs `body` on GRDB's cached statement for `sql`, reset, with `value` bound to its one parameter;
    /// afterwards the statement is reset and its bindings cleared (so no blob stays referenced).
    private static func withQuery<T>(_ db: Database, _ sql: String, binding value: Int64, _ body: (OpaquePointer) throws -> T) throws -> T {
        let h = try db.cachedStatement(sql: sql).sqliteStatement
        sqlite3_reset(h)
        defer {
            sqlite3_reset(h)
            sqlite3_clear_bindings(h)
        }
        sqlite3_bind_int64(h, 1, value)
        return try body(h)
    }

    /// What a step that returned `rc` (neither a row nor done) means.
    private static func stepError(_ db: Database, _ rc: Int32) -> WarmError {
        .damaged(String(cString: sqlite3_errstr(rc)) + " (" + String(cString: sqlite3_errmsg(db.sqliteConnection)) + ")")
    }

    /// The blob in column `index` (1 unless told) of the current row, valid until the statement steps or resets.
    private static func column(_ h: OpaquePointer, _ block: UInt64, index: Int32 = 1) throws(WarmError) -> UnsafeRawBufferPointer {
        guard sqlite3_column_type(h, index) == SQLITE_BLOB else { throw .corrupt("warm block \(block): column body does not decode") }
        let count = Int(sqlite3_column_bytes(h, index))
        return UnsafeRawBufferPointer(start: sqlite3_column_blob(h, index), count: count)
    }

    private static func checked(_ row: Row, what: String) throws(WarmError) -> [UInt8] {
        let data: Data = try field(row, "body", what)
        let body = [UInt8](data)
        let stored: Int64 = try field(row, "checksum", what)
        try verify(body, checksum: stored, what: what)
        return body
    }

    /// Throws ``WarmError/corrupt(_:)`` unless `body`'s checksum (``bodyChecksum(_:)``) is `checksum`.
    private static func verify<C: Collection>(_ body: C, checksum: Int64, what: @autoclosure () -> String) throws(WarmError) where C.Element == UInt8 {
        let actual = bodyChecksum(body)
        guard actual == checksum else {
            throw .corrupt("\(what()): checksum mismatch (stored \(String(checksum, radix: 16)), computed \(String(actual, radix: 16)))")
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
