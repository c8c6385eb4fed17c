import Foundation

/// The pipeline's episodic and metrics store. One instance per run, shared by every worker.
///
/// At ``MemoryLevel/off`` it is the naive baseline (plain arrays, kept until deleted). At the other
/// levels states are binary-packed, their embeddings quantized (int8 or int4) or kept exact
/// (`conservative`), deduplicated by XXH3-128 content address behind a Bloom filter, and moved
/// between a hot in-memory LRU, a warm SQLite database and cold append-only LZ4 segment files
/// by logical age and reads (see ``MemoryConfiguration``). With ``MemoryConfiguration/retention``
/// set, the oldest states are deleted as new ones arrive, and the store's memory stays bounded.
/// Every method is thread-safe.
package final class MemoryStore: EpisodeMemory {
    private enum Backend {
        case naive(NaiveMemory)
        case tiered(TieredMemory)
    }

    package let level: MemoryLevel
    /// The knobs in effect.
    package let configuration: MemoryConfiguration
    private let backend: Backend

    /// Creates a store at `level` with that level's preset, keeping on-disk tiers under `directory`
    /// (a temporary directory, removed with the store, when nil).
    /// - Throws: ``MemoryLayerError`` when the directory or a tier cannot be set up.
    package convenience init(level: MemoryLevel, directory: URL?) throws(MemoryLayerError) {
        try self.init(configuration: .preset(level), directory: directory)
    }

    /// Creates a store with explicit knobs; files go to `directory` as `memory-warm.sqlite` and
    /// `cold-NNNNNN.seg` (earlier files of those names there are removed: a run starts empty).
    /// - Throws: ``MemoryLayerError`` when the configuration is invalid or a tier cannot be set up.
    package init(configuration: MemoryConfiguration, directory: URL?) throws(MemoryLayerError) {
        level = configuration.level
        self.configuration = configuration
        if configuration.level == .off {
            if let r = configuration.retention, r < 1 {
                throw .invalidState("configuration: retention must be at least 1 state (nil keeps every state)")
            }
            backend = .naive(NaiveMemory(retention: configuration.retention))
        } else {
            backend = .tiered(try TieredMemory(configuration: configuration, directory: directory))
        }
    }

    /// Stores `state` and returns its id.
    /// - Throws: ``MemoryLayerError`` when the state cannot be stored.
    @discardableResult
    package func store(_ state: ConsciousState) throws(MemoryLayerError) -> UInt64 {
        switch backend {
        case .naive(let b): return b.store(state)
        case .tiered(let b):
            guard b.isAdaptive else { return try b.store(state) }
            let t0 = layerClock()
            defer { b.layerNanoseconds.add(layerClock() &- t0, ordering: .relaxed) }
            return try b.store(state)
        }
    }

    /// Tells the layer how long an episode took outside it, ns: the adaptive policy's cost budget is
    /// the layer's own time as a share of the episodes'. A no-op at fixed levels.
    package func noteEpisode(serviceNanoseconds ns: UInt64) {
        if case .tiered(let b) = backend, b.isAdaptive { b.episodeNanoseconds.add(ns, ordering: .relaxed) }
    }

    /// The adaptive policy's decisions (episode, what, why) since the last call, oldest first; empty
    /// at fixed levels. Every decision is also in ``statistics()`` (`adaptive.decisions`).
    package func drainDecisions() -> [MemoryDecision] {
        if case .tiered(let b) = backend { return b.drainDecisions() }
        return []
    }

    /// The state stored under `id`, or nil if there is none.
    package func retrieve(_ id: UInt64) throws(MemoryLayerError) -> ConsciousState? {
        switch backend {
        case .naive(let b): b.retrieve(id)
        case .tiered(let b): try b.retrieve(id)
        }
    }

    /// Ids and cosine similarities of the `k` stored states most similar to `embedding`, best first.
    /// Exact float cosine at `off`; at other levels the cosine of the int8-quantized query with the
    /// quantized index rows. States sharing one embedding have equal scores, newest first.
    package func similar(to embedding: [Float], k: Int) throws(MemoryLayerError) -> [(id: UInt64, score: Float)] {
        switch backend {
        case .naive(let b): return b.similar(to: embedding, k: k)
        case .tiered(let b):
            guard b.isAdaptive else { return try b.similar(to: embedding, k: k) }
            let t0 = layerClock()
            defer { b.layerNanoseconds.add(layerClock() &- t0, ordering: .relaxed) }
            return try b.similar(to: embedding, k: k)
        }
    }

    /// Deletes state `id` at once (a later retrieval returns nil); an embedding other states share
    /// stays. Space it used on disk is reclaimed lazily. Returns whether `id` existed.
    @discardableResult
    package func delete(_ id: UInt64) throws(MemoryLayerError) -> Bool {
        switch backend {
        case .naive(let b): b.delete(id)
        case .tiered(let b): try b.delete(id)
        }
    }

    /// Adds one episode's metrics to the metrics store (ring buffer, then compressed archive).
    package func record(metrics: EpisodeMetrics) throws(MemoryLayerError) {
        switch backend {
        case .naive(let b): b.record(metrics: metrics)
        case .tiered(let b):
            guard b.isAdaptive else { return try b.record(metrics: metrics) }
            let t0 = layerClock()
            defer { b.layerNanoseconds.add(layerClock() &- t0, ordering: .relaxed) }
            try b.record(metrics: metrics)
        }
    }

    /// Every metrics record still held, oldest first.
    package func metricsHistory() throws(MemoryLayerError) -> [EpisodeMetrics] {
        switch backend {
        case .naive(let b): b.metricsHistory()
        case .tiered(let b): try b.metricsHistory()
        }
    }

    /// Statistics for result.json.
    package func statistics() -> MemoryLayerStats {
        switch backend {
        case .naive(let b): b.statistics()
        case .tiered(let b): b.statistics()
        }
    }

    /// The tiered backend, for tests that reach below the public API (fault seams, tier files).
    var tiered: TieredMemory? {
        if case .tiered(let t) = backend { return t }
        return nil
    }
}
