import Foundation
import Synchronization

/// The memory layer switched on: quantized, compressed, deduplicated, tiered (see DESIGN.md).
///
/// Locks: `core` guards everything in memory and is only ever held briefly; `io` serialises the
/// on-disk tiers (the warm database and cold segments) and every migration between tiers. Code
/// holding `io` may take `core`, never the reverse, so there is no lock-order cycle. A state
/// being demoted stays readable from `inFlight` until the warm write commits, so no reader ever
/// finds it missing; a state moves between warm and cold only under `io`. Deletion (explicit or by
/// retention) needs only `core`, so code holding `io` re-checks a state's location under `core`
/// before it records anything about that state.
final class TieredMemory: Sendable {
    let configuration: MemoryConfiguration
    let directory: String
    let warmPath: String
    private let ownsDirectory: Bool
    let core: Mutex<TieredCore>
    let io: Mutex<TierIO>
    let metrics: Mutex<MetricsStore>
    /// Hot states beyond which a store waits for maintenance, and refuses if the disk is full.
    let hotHardLimit: Int

    /// The on-disk tiers and what may still be written to them.
    struct TierIO {
        var warm: WarmTier
        var cold: ColdTier
        var budget: Int64?

        mutating func charge(_ bytes: Int) -> Bool {
            guard let b = budget else { return true }
            guard b >= Int64(bytes) else { return false }
            budget = b - Int64(bytes)
            return true
        }
    }

    init(configuration: MemoryConfiguration, directory: URL?) throws(MemoryLayerError) {
        try configuration.validate()
        self.configuration = configuration
        let fm = FileManager.default
        let dir: URL
        if let directory {
            dir = directory
            ownsDirectory = false
        } else {
            dir = fm.temporaryDirectory.appendingPathComponent("phibench-memory-\(UUID().uuidString)")
            ownsDirectory = true
        }
        self.directory = dir.path
        do {
            try fm.createDirectory(at: dir, withIntermediateDirectories: true)
            // A run starts empty: files of an earlier run in the same directory are removed.
            for name in try fm.contentsOfDirectory(atPath: dir.path)
            where name.hasPrefix("memory-warm.sqlite") || (name.hasPrefix("cold-") && name.hasSuffix(".seg")) {
                try fm.removeItem(atPath: dir.path + "/" + name)
            }
        } catch {
            throw .io(path: dir.path, reason: "cannot prepare the memory directory: \(error.localizedDescription)")
        }
        warmPath = dir.path + "/memory-warm.sqlite"
        let warm: WarmTier
        do { warm = try WarmTier(path: warmPath, cacheKiB: configuration.warmCacheKiB) } catch {
            throw Self.describe(error, path: dir.path + "/memory-warm.sqlite", id: nil)
        }
        let cold: ColdTier
        do {
            cold = try ColdTier(directory: dir.path, effort: configuration.coldLZ4, segmentLimit: configuration.segmentBytes)
        } catch {
            throw Self.describe(error, path: dir.path, id: nil)
        }
        io = Mutex(TierIO(warm: warm, cold: cold, budget: configuration.writeBudgetBytes))
        core = Mutex(TieredCore(configuration: configuration))
        metrics = Mutex(MetricsStore(configuration: configuration))
        hotHardLimit = configuration.hotCapacity + max(64, configuration.hotCapacity)
    }

    deinit {
        if ownsDirectory { try? FileManager.default.removeItem(atPath: directory) }
    }

    private enum StoreStep {
        case staged(UInt64, maintenanceDue: Bool)
        case process(UInt64, [StagedState])
        case makeRoom
    }

    /// Stores `state` write-behind: it gets its id and is readable at once, and is encoded
    /// (quantized, hashed, deduplicated, indexed) with the others of its batch when
    /// ``MemoryConfiguration/stagingCapacity`` have accumulated, by the store that fills the batch.
    /// Encoding a batch in one go keeps its code and tables in cache, so it costs less per state than
    /// encoding each on arrival; and most stores cost only the append.
    func store(_ state: ConsciousState) throws(MemoryLayerError) -> UInt64 {
        let c = configuration
        guard state.embedding.count == c.dimension else {
            throw .dimensionMismatch(expected: c.dimension, actual: state.embedding.count)
        }
        guard state.emotion.count <= Int(UInt8.max) else {
            throw .invalidState("\(state.emotion.count) emotion values; at most 255 fit a record")
        }
        let logical = MemoryLayout<ConsciousState>.stride + 4 * state.embedding.count + 4 * state.emotion.count
        var attempts = 0
        while true {
            attempts += 1
            let step = core.withLock { core -> StoreStep in
                if core.hotCount >= hotHardLimit { return .makeRoom }
                let id = core.stage(state, logical: logical)
                guard core.staging.count >= c.stagingCapacity, !core.processing else {
                    return .staged(id, maintenanceDue: isMaintenanceDue(core))
                }
                core.processing = true
                return .process(id, core.staging)
            }
            switch step {
            case .staged(let id, let due):
                // Logical time moved on: a sweep (or a flush of deletions) may be due without a batch.
                if due { maintainIfFree() }
                return id
            case .process(let id, let batch):
                process(batch)
                return id
            case .makeRoom:
                flushStaging()
                maintainIfDue(wait: true)
                // Still no room: the warm tier cannot be written. Refuse with its error; the
                // states already stored stay in the hot tier.
                let refusal = core.withLock { core -> MemoryLayerError? in
                    guard core.hotCount >= hotHardLimit, core.maintenanceError != nil || attempts > 3 else { return nil }
                    core.counters.refusedStores += 1
                    return core.maintenanceError ?? .diskFull(path: directory)
                }
                if let refusal { throw refusal }
            }
        }
    }

    /// Encodes every staged state now (statistics and tests want them counted where they belong).
    func flushStaging() {
        while let batch = core.withLock({ core -> [StagedState]? in
            guard !core.processing, !core.staging.isEmpty else { return nil }
            core.processing = true
            return core.staging
        }) {
            process(batch)
        }
    }

    /// One encoded state of a batch: its hot entry's bytes (record, then payload) and what they cost.
    private struct Encoded {
        var id: UInt64
        var bytes: [UInt8]
        var recordLength: Int
        var digest: ContentDigest
        var error: QuantizationError
        var embedding: [Float]
        var logical: Int
        var at: UInt64
    }

    /// Encodes `batch` (a prefix of the staging, this thread's to process) outside any lock, then
    /// makes its states hot under one lock: deduplicated by digest, new contents indexed.
    private func process(_ batch: [StagedState]) {
        let c = configuration
        var encoded: [Encoded] = []
        encoded.reserveCapacity(batch.count)
        for s in batch {
            encoded.append(s.state.embedding.withUnsafeBufferPointer { embedding in
                let recordLength = RecordCodec.length(of: s.state)
                let scan = Quantizer.scan(embedding)
                var qerror = QuantizationError()
                let bytes = [UInt8](unsafeUninitializedCapacity: recordLength + PayloadCodec.length(embedding.count, as: c.payloadEncoding, scan)) {
                    buffer, count in
                    var w = RawWriter(buffer.baseAddress!)
                    RecordCodec.write(s.state, &w)
                    qerror = PayloadCodec.write(embedding, as: c.payloadEncoding, scan, &w)
                    count = w.written
                }
                let digest = bytes[recordLength...].withUnsafeBytes { ContentDigest(of: $0) }
                return Encoded(id: s.id, bytes: bytes, recordLength: recordLength, digest: digest, error: qerror,
                               embedding: s.state.embedding, logical: s.logical, at: s.at)
            })
        }
        let lastID = batch.last?.id ?? 0
        core.withLock { core in
            for e in encoded where core.table.location(e.id).tier == .staged {  // else deleted meanwhile
                core.counters.bloomQueries += 1
                var existing: UInt32?
                if core.bloom.mightContain(e.digest) {
                    existing = core.liveSlot(of: e.digest)
                    if existing == nil { core.counters.bloomFalsePositives += 1 }
                } else {
                    core.counters.bloomNegatives += 1
                }
                let slot = existing
                    ?? core.addContent(e.digest, embedding: e.embedding, payload: e.bytes[e.recordLength...],
                                       logical: 4 * e.embedding.count)
                if existing != nil { core.counters.dedupHits += 1 }
                core.counters.logicalBytes += UInt64(e.logical)
                core.counters.recordBytes += UInt64(e.recordLength)
                core.counters.quantMaxAbs = max(core.counters.quantMaxAbs, e.error.maxAbs)
                core.counters.quantMaxRelative = max(core.counters.quantMaxRelative, e.error.maxRelative)
                core.counters.quantSumSquares += e.error.sumSquares
                core.counters.quantElements += UInt64(e.error.elements)
                core.place(e.id, HotEntry(bytes: e.bytes, recordLength: e.recordLength, slot: slot, lastAccess: e.at))
            }
            core.unstage(through: lastID)
            core.processing = false
        }
        maintainIfDue(wait: false)
    }

    func retrieve(_ id: UInt64) throws(MemoryLayerError) -> ConsciousState? {
        enum Found { case entry(HotEntry), state(ConsciousState), absent, onDisk }
        let found = core.withLock { core -> Found in
            switch core.table.location(id).tier {
            case .absent, .deleted:
                return .absent
            case .staged:
                return core.staged(id).map { .state($0) } ?? .absent
            case .warm, .cold:
                return .onDisk
            case .hot:
                let now = core.clock
                if let e = core.hot.touch(id, { e -> HotEntry in
                    e.lastAccess = now
                    return e
                }) {
                    return .entry(e)
                }
                return core.inFlight[id].map { .entry($0) } ?? .onDisk
            }
        }
        switch found {
        case .absent:
            return nil
        case .state(let s):
            return s
        case .entry(let e):
            return try decode(id: id, tier: "hot", record: e.record, payload: e.payload)
        case .onDisk:
            return try io.withLock { io throws(MemoryLayerError) in try retrieveFromDisk(id, &io) }
        }
    }

    /// Deletes `id` at once (it reads as gone from then on); a warm row it leaves is removed by the
    /// next maintenance pass, a cold record stays as dead space until its segment is removed.
    @discardableResult
    func delete(_ id: UInt64) throws(MemoryLayerError) -> Bool {
        let deleted = core.withLock { $0.remove(id) }
        if deleted { maintainIfDue(wait: false) }
        return deleted
    }

    func similar(to embedding: [Float], k: Int) throws(MemoryLayerError) -> [(id: UInt64, score: Float)] {
        guard k > 0 else { return [] }
        guard embedding.count == configuration.dimension else {
            throw .dimensionMismatch(expected: configuration.dimension, actual: embedding.count)
        }
        let (snapshot, staged) = core.withLock { core in
            (core.index.snapshot,
             core.staging.compactMap { core.table.location($0.id).tier == .staged ? ($0.id, $0.state.embedding) : nil })
        }
        let query = IndexSnapshot.Query(embedding)
        // Staged states are not in the index yet: each is scored as its row will be.
        let stagedScores = staged.map { (id: $0.0, score: query.score($0.1, encoding: configuration.indexEncoding)) }
        let fromIndex = try similarInIndex(snapshot, query, k: k, staged: staged.count)
        guard !stagedScores.isEmpty else { return fromIndex }
        // A state encoded since the snapshot may be in both lists: keep its staged entry (same score).
        let firstStaged = staged[0].0
        var merged = stagedScores
        merged.reserveCapacity(stagedScores.count + fromIndex.count)
        for hit in fromIndex where hit.id < firstStaged || !staged.contains(where: { $0.0 == hit.id }) {
            merged.append(hit)
        }
        // Best first; equal scores (shared embeddings) newest first, as in the index.
        merged.sort { $0.score != $1.score ? $0.score > $1.score : $0.id > $1.id }
        if merged.count > k { merged.removeLast(merged.count - k) }
        return merged
    }

    private func similarInIndex(_ snapshot: IndexSnapshot, _ query: IndexSnapshot.Query, k: Int,
                                staged: Int) throws(MemoryLayerError) -> [(id: UInt64, score: Float)] {
        // A few spare candidates cover slots whose states were deleted since the snapshot; if still
        // short, ask for more (rare: the scan skips slots that were already dead).
        var m = k + 8
        while true {
            let top = snapshot.top(query, m: m)
            let (result, live) = core.withLock { core -> ([(id: UInt64, score: Float)], UInt64) in
                var out: [(id: UInt64, score: Float)] = []
                out.reserveCapacity(k)
                // A slot reused since the snapshot holds another content now: its old row's score is not that content's.
                for (slot, generation, score) in top where core.index.generation(of: slot) == generation {
                    for id in core.states(using: slot) {
                        out.append((id, score))
                        if out.count == k { return (out, core.counters.live) }
                    }
                }
                return (out, core.counters.live)
            }
            if result.count == k || result.count + staged >= Int(live) || m >= snapshot.count { return result }
            m = min(snapshot.count, 4 * m)
        }
    }

    func record(metrics m: EpisodeMetrics) throws(MemoryLayerError) {
        try metrics.withLock { store throws(MemoryLayerError) in
            do throws(CodecError) { try store.record(m) } catch { throw .io(path: "metrics archive", reason: error.description) }
        }
    }

    func metricsHistory() throws(MemoryLayerError) -> [EpisodeMetrics] {
        try metrics.withLock { store throws(MemoryLayerError) in
            do throws(CodecError) { return try store.history() } catch {
                throw .corrupt(id: 0, tier: "metrics archive", detail: error.description)
            }
        }
    }

    /// Decodes a record and payload, turning any decoding failure into a reported corruption.
    func decode(id: UInt64, tier: String, record: some Collection<UInt8>, payload: some Collection<UInt8>) throws(MemoryLayerError) -> ConsciousState {
        do {
            return try RecordCodec.decode(record, embedding: try PayloadCodec.decode(Array(payload)))
        } catch {
            let e = MemoryLayerError.corrupt(id: id, tier: tier, detail: "\(error)")
            core.withLock { $0.note(e) }
            throw e
        }
    }

    /// Test seam: changes the bytes the on-disk tiers may still write (nil: unlimited).
    func setWriteBudget(_ bytes: Int64?) {
        io.withLock { $0.budget = bytes }
    }
}
