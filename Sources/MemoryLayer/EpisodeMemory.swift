
/// The pipeline's memory: an episodic store of conscious states and a store of per-episode
/// metrics, behind one protocol so the naive baseline (`off`) and the optimised levels are
/// interchangeable. Implementations are shared by every worker thread.
package protocol EpisodeMemory: AnyObject, Sendable {
    /// Stores `state` and returns its id (ids are dense, from 0, in store order).
    /// - Throws: ``MemoryLayerError`` when the state has the wrong shape or cannot be written
    ///   (``MemoryLayerError/diskFull(path:)``: the state was not stored; earlier ones are kept).
    func store(_ state: ConsciousState) throws(MemoryLayerError) -> UInt64

    /// The state stored under `id`, from whichever tier holds it, or nil if there is none.
    /// Exact at lossless levels; within ``MemoryLayerStats/quantization`` bounds otherwise.
    /// - Throws: ``MemoryLayerError`` when the stored bytes are damaged; damaged data is never returned.
    func retrieve(_ id: UInt64) throws(MemoryLayerError) -> ConsciousState?

    /// Ids and cosine similarities of the `k` stored states most similar to `embedding`, best first.
    /// - Throws: ``MemoryLayerError/dimensionMismatch(expected:actual:)``.
    func similar(to embedding: [Float], k: Int) throws(MemoryLayerError) -> [(id: UInt64, score: Float)]

    /// Deletes state `id`; its embedding stays while other states share it. Returns whether it existed.
    /// - Throws: ``MemoryLayerError`` when the tier holding it cannot be written.
    func delete(_ id: UInt64) throws(MemoryLayerError) -> Bool

    /// Adds one episode's metrics to the metrics store.
    /// - Throws: ``MemoryLayerError`` when an archive chunk cannot be compressed.
    func record(metrics: EpisodeMetrics) throws(MemoryLayerError)

    /// Every metrics record the store still holds, oldest first (cleanup may have dropped some).
    /// - Throws: ``MemoryLayerError/corrupt(id:tier:detail:)`` when an archive chunk does not decode.
    func metricsHistory() throws(MemoryLayerError) -> [EpisodeMetrics]

    /// Statistics for result.json; safe to call while workers store.
    func statistics() -> MemoryLayerStats
}
