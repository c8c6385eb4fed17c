/// The metrics store: a ring buffer of recent per-episode metrics; when it is full its records
/// become one compressed archive chunk; past the archive's byte budget, cleanup keeps only the
/// important records (Φ change, emotion change, attention shift) of the oldest chunks, then drops
/// whole chunks, oldest first. With a retention, the archive also drops its oldest chunks while it
/// holds more than that many records, so its size stops growing after about `retention` episodes
/// rather than at the byte budget. Not thread-safe by itself: the store holds it behind a Mutex.
struct MetricsStore {
    let ringCapacity: Int
    let budgetBytes: Int
    private(set) var options: ArchiveOptions
    let phiThreshold: Double
    let emotionThreshold: Float
    /// Most records the archive keeps (nil: only the byte budget bounds it).
    let recordLimit: Int?

    private var ring: [EpisodeMetrics] = []
    private var ringImportance: [MetricsImportance] = []
    private var archive: [MetricsChunk] = []
    private var previous: EpisodeMetrics?
    private(set) var counters = MetricsCounters()

    init(configuration c: MemoryConfiguration) {
        ringCapacity = c.metricsRingCapacity
        budgetBytes = c.metricsArchiveBudgetBytes
        options = ArchiveOptions(zlibLevel: Int32(c.archiveZlibLevel), precisionBits: c.archivePrecisionBits,
                                 phiThreshold: c.phiChangeThreshold, emotionThreshold: c.emotionChangeThreshold)
        phiThreshold = c.phiChangeThreshold
        emotionThreshold = c.emotionChangeThreshold
        recordLimit = c.retention
    }

    /// Changes the precision of chunks archived from now on (earlier chunks keep theirs: each says how it is coded).
    mutating func setPrecision(_ bits: Int?) {
        options.precisionBits = bits
    }

    mutating func record(_ m: EpisodeMetrics) throws(CodecError) {
        let importance = MetricsImportance.of(m, after: previous, phiThreshold: phiThreshold,
                                              emotionThreshold: emotionThreshold)
        previous = m
        ring.append(m)
        ringImportance.append(importance)
        counters.recorded += 1
        if !importance.isEmpty { counters.important += 1 }
        if ring.count == ringCapacity {
            try archiveRing()
        }
    }

    /// Every record still held (archive then ring), oldest first.
    func history() throws(CodecError) -> [EpisodeMetrics] {
        var out: [EpisodeMetrics] = []
        for chunk in archive { out += try chunk.decode(options).metrics }
        return out + ring
    }

    var archiveBytes: Int { archive.reduce(0) { $0 + $1.compressed.count } }
    var archiveLogicalBytes: Int { archive.reduce(0) { $0 + $1.logicalBytes } }
    var archiveRecords: Int { archive.reduce(0) { $0 + $1.records } }
    var ringCount: Int { ring.count }
    var chunkCount: Int { archive.count }

    /// Heap bytes held: ring storage and compressed chunks.
    var residentBytes: Int {
        64 + ring.capacity * MemoryLayout<EpisodeMetrics>.stride + ringImportance.capacity
            + 32 + archive.capacity * MemoryLayout<MetricsChunk>.stride
            + archive.reduce(0) { $0 + 32 + $1.compressed.capacity }
    }

    private mutating func archiveRing() throws(CodecError) {
        let (chunk, cost) = try MetricsChunk.encode(ring, importance: ringImportance, options: options, thinned: false)
        archive.append(chunk)
        counters.archivedRecords += UInt64(chunk.records)
        counters.archivedLogicalBytes += UInt64(chunk.logicalBytes)
        counters.archivedCompressedBytes += UInt64(chunk.compressed.count)
        counters.archivedStreamBytes += UInt64(chunk.rawLength)
        for c in MetricsColumn.allCases {
            counters.columnBits[c.rawValue] += UInt64(cost.bits[c.rawValue])
            counters.columnMaxError[c.rawValue] = max(counters.columnMaxError[c.rawValue], cost.maxError[c.rawValue])
            counters.columnBound[c.rawValue] = max(counters.columnBound[c.rawValue], cost.bound[c.rawValue])
        }
        ring.removeAll(keepingCapacity: true)
        ringImportance.removeAll(keepingCapacity: true)
        try cleanup()
    }

    /// Brings the archive under its budget: thin the oldest unthinned chunk but the newest, then
    /// drop the oldest chunks, and only then thin the newest, so recent history stays whole longest.
    private mutating func cleanup() throws(CodecError) {
        while archiveBytes > budgetBytes {
            let newest = archive.count - 1
            if let i = archive.firstIndex(where: { !$0.thinned }), i < newest {
                try thin(i)
            } else if archive.count > 1 {
                counters.droppedByCleanup += UInt64(archive.removeFirst().records)
                counters.droppedChunks += 1
            } else if newest == 0, !archive[0].thinned {
                try thin(0)
            } else {
                break
            }
        }
        if let limit = recordLimit {
            while !archive.isEmpty, archiveRecords > limit {
                counters.droppedByCleanup += UInt64(archive.removeFirst().records)
                counters.droppedChunks += 1
            }
        }
    }

    /// Keeps only the important records of chunk `i`.
    private mutating func thin(_ i: Int) throws(CodecError) {
        let (ms, flags) = try archive[i].decode(options)
        let keep = flags.indices.filter { !flags[$0].isEmpty }
        counters.droppedByCleanup += UInt64(ms.count - keep.count)
        archive[i] = try MetricsChunk.encode(keep.map { ms[$0] }, importance: keep.map { flags[$0] },
                                             options: options, thinned: true).chunk
        counters.thinnedChunks += 1
    }
}

/// Counters of the metrics store.
struct MetricsCounters {
    var recorded: UInt64 = 0
    var important: UInt64 = 0
    var archivedRecords: UInt64 = 0
    /// Plain in-memory bytes and zlib bytes of every chunk as first archived (the archive ratio).
    var archivedLogicalBytes: UInt64 = 0
    var archivedCompressedBytes: UInt64 = 0
    /// Bytes of those chunks' column bit streams before zlib.
    var archivedStreamBytes: UInt64 = 0
    /// By ``MetricsColumn``: bits the column coders spent, and the largest error of a quantized column.
    var columnBits = [UInt64](repeating: 0, count: MetricsColumn.allCases.count)
    var columnMaxError = [Double](repeating: 0, count: MetricsColumn.allCases.count)
    var columnBound = [Double](repeating: 0, count: MetricsColumn.allCases.count)
    var droppedByCleanup: UInt64 = 0
    var thinnedChunks: UInt64 = 0
    var droppedChunks: UInt64 = 0
}
