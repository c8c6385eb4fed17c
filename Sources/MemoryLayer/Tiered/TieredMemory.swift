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
        case stored(UInt64)
        case lookUp
        case makeRoom
    }

    func store(_ state: ConsciousState) throws(MemoryLayerError) -> UInt64 {
        let c = configuration
        guard state.embedding.count == c.dimension else {
            throw .dimensionMismatch(expected: c.dimension, actual: state.embedding.count)
        }
        guard state.emotion.count <= Int(UInt8.max) else {
            throw .invalidState("\(state.emotion.count) emotion values; at most 255 fit a record")
        }
        // Everything expensive happens before any lock, in parallel across workers.
        let record = RecordCodec.encode(state)
        let (payload, qerror) = PayloadCodec.encode(state.embedding, as: c.payloadEncoding)
        let digest = ContentDigest(of: payload)
        let stored = BlobCodec.pack(payload, effort: c.payloadLZ4)
        let rows = Quantizer.quantize(state.embedding, as: c.indexEncoding)
        let logical = MemoryLayout<ConsciousState>.stride + 4 * state.embedding.count + 4 * state.emotion.count
        let embeddingLogical = 4 * state.embedding.count

        func insert(_ core: inout TieredCore, existing: UInt32?) -> UInt64 {
            let slot = existing ?? core.addContent(digest, index: rows, stored: stored, logical: embeddingLogical)
            if existing != nil { core.counters.dedupHits += 1 }
            core.counters.logicalBytes += UInt64(logical)
            core.counters.recordBytes += UInt64(record.count)
            core.counters.quantMaxAbs = max(core.counters.quantMaxAbs, qerror.maxAbs)
            core.counters.quantMaxRelative = max(core.counters.quantMaxRelative, qerror.maxRelative)
            core.counters.quantSumSquares += qerror.sumSquares
            core.counters.quantElements += UInt64(qerror.elements)
            return core.addState(record: record, slot: slot, payload: payload)
        }

        var attempts = 0
        while true {
            attempts += 1
            let step = core.withLock { core -> StoreStep in
                if core.hotCount >= hotHardLimit { return .makeRoom }
                core.counters.bloomQueries += 1
                guard core.bloom.mightContain(digest) else {
                    core.counters.bloomNegatives += 1
                    return .stored(insert(&core, existing: nil))
                }
                if let p = core.pending[digest], core.refcounts[Int(p.slot)] > 0 {
                    return .stored(insert(&core, existing: p.slot))
                }
                return .lookUp
            }
            switch step {
            case .stored(let id):
                maintainIfDue(wait: false)
                return id
            case .makeRoom:
                maintainIfDue(wait: true)
                // Still no room: the warm tier cannot be written. Refuse with its error; the
                // states already stored stay in the hot tier.
                let refusal = core.withLock { core -> MemoryLayerError? in
                    guard core.hotCount >= hotHardLimit, core.maintenanceError != nil || attempts > 3 else { return nil }
                    core.counters.refusedStores += 1
                    return core.maintenanceError ?? .diskFull(path: directory)
                }
                if let refusal { throw refusal }
            case .lookUp:
                return try io.withLock { io throws(MemoryLayerError) -> UInt64 in
                    let found: UInt32?
                    do throws(WarmError) { found = try io.warm.slot(of: digest) } catch {
                        let e = Self.describe(error, path: warmPath, id: nil)
                        core.withLock { $0.note(e) }
                        throw e
                    }
                    let id = core.withLock { core -> UInt64 in
                        if let p = core.pending[digest], core.refcounts[Int(p.slot)] > 0 {
                            return insert(&core, existing: p.slot)
                        }
                        if let s = found, core.refcounts[Int(s)] > 0 {
                            return insert(&core, existing: s)
                        }
                        core.counters.bloomFalsePositives += 1
                        return insert(&core, existing: nil)
                    }
                    maintain(&io, force: false)
                    return id
                }
            }
        }
    }

    func retrieve(_ id: UInt64) throws(MemoryLayerError) -> ConsciousState? {
        enum Found { case entry(HotEntry), absent, onDisk }
        let found = core.withLock { core -> Found in
            switch core.table.location(id).tier {
            case .absent, .deleted:
                return .absent
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
        let snapshot = core.withLock { $0.index.snapshot }
        // A few spare candidates cover slots whose states were deleted since the snapshot; if still
        // short, ask for more (rare: the scan skips slots that were already dead).
        var m = k + 8
        while true {
            let top = snapshot.top(embedding, m: m)
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
            if result.count == k || UInt64(result.count) >= live || m >= snapshot.count { return result }
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
    func decode(id: UInt64, tier: String, record: [UInt8], payload: [UInt8]) throws(MemoryLayerError) -> ConsciousState {
        do {
            return try RecordCodec.decode(record, embedding: try PayloadCodec.decode(payload))
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
