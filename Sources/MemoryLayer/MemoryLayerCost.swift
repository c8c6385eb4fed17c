/// The memory layer's own cost in instructions, the measure its "< 5% performance impact" target is
/// read from (issue #26): instructions per episode of the whole process with the layer on minus
/// with it off, MEMORY.query left out on both sides, as a share of the layer-off episode without
/// its queries.
///
/// Queries are left out because their difference is not the layer's overhead but its gain, and that
/// grows with the run: the layer-off query scans every state ever stored. Both counts must be of the
/// same workload, seed and episode window (`phibench instructions` under callgrind: exact, so one
/// count a side settles it).
package struct MemoryLayerCost: Sendable, Codable, Equatable {
    /// Instructions per episode with the layer on, MEMORY.query left out.
    package var layerOnInstructions: Double
    /// Instructions per episode with the layer off, MEMORY.query left out.
    package var layerOffInstructions: Double
    /// `(on − off) / off`: the layer's cost as a share of the layer-off episode (0.05 = 5%);
    /// negative when the layer-on side does less work.
    package var share: Double

    /// The cost from per-episode counts of both sides: each episode's instructions and the
    /// MEMORY.query stage's instructions per episode (averaged over all episodes, as
    /// `instructions.json` reports them).
    /// - Throws: ``MemoryLayerError/invalidState(_:)`` when a count is negative or not finite, a
    ///   side's query count exceeds its episode count, or the layer-off episode without queries is
    ///   not positive.
    package init(layerOnEpisode: Double, layerOnQuery: Double, layerOffEpisode: Double,
                layerOffQuery: Double) throws(MemoryLayerError) {
        for (name, v) in [("layer-on episode", layerOnEpisode), ("layer-on MEMORY.query", layerOnQuery),
                          ("layer-off episode", layerOffEpisode), ("layer-off MEMORY.query", layerOffQuery)]
        where !(v.isFinite && v >= 0) {
            throw .invalidState("memory layer cost: the \(name) count must be a finite number ≥ 0, got \(v)")
        }
        guard layerOnQuery <= layerOnEpisode, layerOffQuery <= layerOffEpisode else {
            throw .invalidState("memory layer cost: MEMORY.query cannot take more instructions than the whole episode")
        }
        layerOnInstructions = layerOnEpisode - layerOnQuery
        layerOffInstructions = layerOffEpisode - layerOffQuery
        guard layerOffInstructions > 0 else {
            throw .invalidState("memory layer cost: the layer-off episode without MEMORY.query has no instructions")
        }
        share = (layerOnInstructions - layerOffInstructions) / layerOffInstructions
    }

    /// Instructions per episode the layer adds: on − off.
    package var addedInstructions: Double { layerOnInstructions - layerOffInstructions }

    /// Whether the cost is within `budget` (a share, 0.05 for 5%).
    package func isWithin(_ budget: Double) -> Bool { share <= budget }

    enum CodingKeys: String, CodingKey {
        case layerOnInstructions = "layer_on_instructions_per_episode"
        case layerOffInstructions = "layer_off_instructions_per_episode"
        case share
    }
}
