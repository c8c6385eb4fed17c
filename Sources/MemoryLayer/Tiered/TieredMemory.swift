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
    /// The adaptive policy's cost telemetry since its last check: the layer's own time in store,
    /// record and query calls, and the episodes' time outside the layer (reported by the pipeline).
    let layerNanoseconds = Atomic<UInt64>(0)
    let episodeNanoseconds = Atomic<UInt64>(0)
    var isAdaptive: Bool { configuration.adaptive != nil }

    /// The on-disk tiers and what may still be written to them.
    struct TierIO {
        var warm: WarmTier
        var cold: ColdTier
        var budget: Int64?
        /// The one LZ4 state the warm tier's commits pack contents with (only ever used under this lock).
        let compressor = LZ4Compressor()

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
    }

    deinit {
        if ownsDirectory { try? FileManager.default.removeItem(atPath: directory) }
    }

    private enum StoreStep {
        case staged(UInt64, maintenanceDue: Bool)
        case process(UInt64, [StagedState], TunableSettings)
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
        let logical = state.logicalBytes
        var attempts = 0
        while true {
            attempts += 1
            let step = core.withLock { core -> StoreStep in
                if core.hotCount >= core.settings.hotHardLimit { return .makeRoom }
                let id = core.stage(state, logical: logical)
                if core.clock >= core.nextCheck { checkPolicy(&core) }
                guard core.staging.count >= core.settings.stagingCapacity, !core.processing else {
                    return .staged(id, maintenanceDue: isMaintenanceDue(core))
                }
                core.processing = true
                return .process(id, core.staging, core.settings)
            }
            switch step {
            case .staged(let id, let due):
                // Logical time moved on: a sweep (or a flush of deletions) may be due without a batch.
                if due { maintainIfFree() }
                return id
            case .process(let id, let batch, let settings):
                process(batch, settings)
                return id
            case .makeRoom:
                flushStaging()
                maintainIfDue(wait: true)
                // Still no room: the warm tier cannot be written. Refuse with its error; the
                // states already stored stay in the hot tier.
                let refusal = core.withLock { core -> MemoryLayerError? in
                    guard core.hotCount >= core.settings.hotHardLimit, core.maintenanceError != nil || attempts > 3 else { return nil }
                    core.counters.refusedStores += 1
                    return core.maintenanceError ?? .diskFull(path: directory)
                }
                if let refusal { throw refusal }
            }
        }
    }

    /// One check of the adaptive policy (the caller holds `core`): it reads the layer's telemetry,
    /// and when it moves, the new rung's settings apply to what is encoded and moved from then on.
    private func checkPolicy(_ core: inout TieredCore) {
        guard var policy = core.policy, let a = configuration.adaptive else { return }
        core.nextCheck = core.clock + a.intervalEpisodes
        let (r, _) = Self.resident(core)
        let metricsBytes = metrics.withLock { UInt64($0.residentBytes) }
        let telemetry = PolicyTelemetry(
            episode: core.clock, residentBytes: r.states + r.index + r.locations + r.bloom + r.buffers + metricsBytes,
            hotStates: core.hotCount, hotBytes: r.states,
            layerNanoseconds: layerNanoseconds.exchange(0, ordering: .relaxed),
            episodeNanoseconds: episodeNanoseconds.exchange(0, ordering: .relaxed))
        if let d = policy.check(telemetry) {
            policy.current.apply(to: &core.settings)
            let bits = policy.current.archivePrecisionBits
            metrics.withLock { $0.setPrecision(bits) }
            core.undrainedDecisions.append(d)
        }
        core.policy = policy
    }

    /// The adaptive policy's decisions since the last call, oldest first (empty at fixed levels).
    func drainDecisions() -> [MemoryDecision] {
        core.withLock { core in
            defer { core.undrainedDecisions.removeAll() }
            return core.undrainedDecisions
        }
    }

    /// Encodes every staged state now (statistics and tests want them counted where they belong).
    func flushStaging() {
        while let (batch, settings) = core.withLock({ core -> ([StagedState], TunableSettings)? in
            guard !core.processing, !core.staging.isEmpty else { return nil }
            core.processing = true
            return (core.staging, core.settings)
        }) {
            process(batch, settings)
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
        /// max|embedding| over its finite elements (the index quantizes with it too).
        var maxAbs: Float
        var logical: Int
        var at: UInt64
        /// The stated relative error bound of the encoding used.
        var bound: Double
    }

    /// Encodes `batch` (a prefix of the staging, this thread's to process) outside any lock, then
    /// makes its states hot under one lock: deduplicated by digest, new contents indexed. Every
    /// sixteenth state's sections are timed, and every sixty-fourth decoded again (timed, and checked).
    private func process(_ batch: [StagedState], _ settings: TunableSettings) {
        var encoded: [Encoded] = []
        encoded.reserveCapacity(batch.count)
        var tally = StrategyTally()
        for s in batch {
            encoded.append(s.state.embedding.withUnsafeBufferPointer { embedding in
                let plan = RecordCodec.plan(s.state, settings.record)
                let recordLength = plan.length
                let scan = Quantizer.scan(embedding)
                var qerror = QuantizationError()
                var times: RecordCodec.SectionTimes? = s.id % 16 == 0 ? RecordCodec.SectionTimes() : nil
                var payloadNs: UInt64 = 0
                let planes = settings.payloadCodec != .blosc
                let payloadLength = PayloadCodec.length(embedding.count, as: settings.payloadEncoding, scan)
                let bytes = [UInt8](unsafeUninitializedCapacity: recordLength + payloadLength) { buffer, count in
                    var w = RawWriter(buffer.baseAddress!)
                    RecordCodec.write(s.state, settings.record, plan, &w, times: &times)
                    let t0 = times == nil ? 0 : layerClock()
                    qerror = PayloadCodec.write(embedding, as: settings.payloadEncoding, scan, planes: planes, &w)
                    if times != nil { payloadNs = layerClock() &- t0 }
                    count = w.written
                }
                Self.tally(s.state, plan, settings, payloadLength: payloadLength, qerror: qerror, times: times,
                           payloadNs: payloadNs, into: &tally)
                if s.id % 64 == 0 { Self.timeDecode(bytes, recordLength, s.state, settings, into: &tally) }
                let digest = bytes[recordLength...].withUnsafeBytes { ContentDigest(of: $0) }
                return Encoded(id: s.id, bytes: bytes, recordLength: recordLength, digest: digest, error: qerror,
                               embedding: s.state.embedding, maxAbs: scan.maxAbs, logical: s.logical, at: s.at,
                               bound: payloadLength == PayloadCodec.headerBytes + 4 * embedding.count
                                   ? 0 : settings.payloadEncoding.relativeErrorBound)  // exact when it kept every float
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
                    ?? core.addContent(e.digest, embedding: e.embedding, maxAbs: e.maxAbs, payload: e.bytes[e.recordLength...],
                                       logical: 4 * e.embedding.count)
                if existing != nil { core.counters.dedupHits += 1 }
                core.counters.logicalBytes += UInt64(e.logical)
                core.counters.recordBytes += UInt64(e.recordLength)
                core.counters.quantMaxAbs = max(core.counters.quantMaxAbs, e.error.maxAbs)
                core.counters.quantMaxRelative = max(core.counters.quantMaxRelative, e.error.maxRelative)
                core.counters.quantMaxBound = max(core.counters.quantMaxBound, e.bound)
                core.counters.quantSumSquares += e.error.sumSquares
                core.counters.quantElements += UInt64(e.error.elements)
                core.place(e.id, HotEntry(bytes: e.bytes, recordLength: e.recordLength, slot: slot, lastAccess: e.at))
            }
            core.unstage(through: lastID)
            core.strategies.add(tally)
            core.processing = false
        }
        maintainIfDue(wait: false)
    }

    /// Counts what each section's strategy did for one state.
    private static func tally(_ s: ConsciousState, _ p: RecordCodec.Plan, _ settings: TunableSettings, payloadLength: Int,
                              qerror: QuantizationError, times: RecordCodec.SectionTimes?, payloadNs: UInt64,
                              into t: inout StrategyTally) {
        let quantization: Strategy = switch settings.payloadEncoding {
        case .float32: .float32
        case .int8: .int8
        case .int4: .int4
        }
        t.note(quantization, logical: 4 * s.embedding.count, stored: payloadLength, error: Double(qerror.maxRelative),
               bound: settings.payloadEncoding.relativeErrorBound)
        if times != nil { t.timeEncode(quantization, payloadNs) }
        if !s.activation.isEmpty {
            let n = s.activation.count
            let strategy: Strategy = p.activationSparse ? .sparseCSR : .dense
            t.note(strategy, logical: 4 * n, stored: p.activationSparse ? 4 + p.activationNonZero * (RecordCodec.indexBytes(n) + 4) : 2 + 4 * n)
            if let times { t.timeEncode(strategy, times.activation) }
        }
        if !s.participation.isEmpty {
            let n = s.participation.count
            let strategy: Strategy = p.participationBits ? .binarize : .binaryAsFloats
            t.note(strategy, logical: 4 * n, stored: 2 + (p.participationBits ? (n + 7) / 8 : 4 * n))
            if let times { t.timeEncode(strategy, times.participation) }
        }
        if let g = s.graph {
            let pruned = settings.record.pruneThreshold > 0
            let strategy: Strategy = pruned ? .graphPrune : .graphWhole
            // The share of the weights' norm dropped; bounded by τ·√edges since every dropped |w| < τ·max|w| ≤ τ·‖W‖.
            let error = p.totalSquares > 0 ? (p.droppedSquares / p.totalSquares).squareRoot() : 0
            let bound = pruned ? Double(settings.record.pruneThreshold) * Double(g.edges.count).squareRoot() : 0
            t.note(strategy, logical: g.logicalBytes,
                   stored: 4 + 2 * g.nodes.count + p.keptEdges * (2 * RecordCodec.indexBytes(g.nodes.count) + 4),
                   error: error, bound: bound)
            if let times { t.timeEncode(strategy, times.graph) }
        }
    }

    /// Decodes a state just encoded, timing each part (and checking it decodes: a failure would be a codec bug).
    private static func timeDecode(_ bytes: [UInt8], _ recordLength: Int, _ s: ConsciousState, _ settings: TunableSettings,
                                   into t: inout StrategyTally) {
        let t0 = layerClock()
        guard let embedding = try? PayloadCodec.decode(Array(bytes[recordLength...])) else {
            preconditionFailure("a payload just encoded does not decode")
        }
        let quantization: Strategy = switch settings.payloadEncoding {
        case .float32: .float32
        case .int8: .int8
        case .int4: .int4
        }
        t.timeDecode(quantization, layerClock() &- t0)
        var times: RecordCodec.SectionTimes? = RecordCodec.SectionTimes()
        guard (try? RecordCodec.decode(Array(bytes[..<recordLength]), embedding: embedding, times: &times)) != nil,
              let times else {
            preconditionFailure("a record just encoded does not decode")
        }
        let p = RecordCodec.plan(s, settings.record)
        if !s.activation.isEmpty { t.timeDecode(p.activationSparse ? .sparseCSR : .dense, times.activation) }
        if !s.participation.isEmpty { t.timeDecode(p.participationBits ? .binarize : .binaryAsFloats, times.participation) }
        if s.graph != nil { t.timeDecode(settings.record.pruneThreshold > 0 ? .graphPrune : .graphWhole, times.graph) }
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
