import BenchModel
import Foundation
import MemoryLayer
import Pipeline
import Profiling

extension MemoryLayerCost {
    /// The memory layer's cost (``MemoryLayerCost``) from two instruction counts of one workload:
    /// `on` with the layer as its scenario sets it, `off` (read from `offPath`) with `pipeline.memory: off`.
    /// - Throws: ``InputError`` naming `offPath` when the two counts are not of the same seed and
    ///   episode window, or a count is unusable.
    init(layerOn on: InstructionReport, layerOff off: InstructionReport, offPath: String) throws(InputError) {
        try Self.checkComparable(on.workload, off, offPath: offPath)
        func query(_ r: InstructionReport) -> Double {
            r.stages.first { $0.name == PipelineStage.memoryQuery.name }?.perEpisode ?? 0
        }
        do {
            try self.init(layerOnEpisode: on.perEpisode, layerOnQuery: query(on), layerOffEpisode: off.perEpisode,
                          layerOffQuery: query(off))
        } catch {
            throw InputError("\(offPath): \(error)")
        }
    }

    /// Throws unless `off` (read from `offPath`) counted the same workload kind, seed and episode
    /// window as `on`: checked before counting, so a mismatch costs no callgrind run.
    /// - Throws: ``InputError`` naming `offPath` and both windows.
    static func checkComparable(_ a: InstructionReport.Workload, _ off: InstructionReport, offPath: String) throws(InputError) {
        let b = off.workload
        guard a.kind == b.kind, a.seed == b.seed, a.episodes == b.episodes, a.warmupEpisodes == b.warmupEpisodes else {
            throw InputError("\(offPath): --layer-off must count the same workload, seed and episodes (\(a.kind), seed \(a.seed), "
                             + "\(a.episodes) after \(a.warmupEpisodes) warm-up); it counted \(b.kind), seed \(b.seed), "
                             + "\(b.episodes) after \(b.warmupEpisodes)")
        }
    }

    /// One line for the terminal: the share and both sides' counts.
    var summary: String {
        "memory layer cost  \(Units.fixed(share * 100, digits: 2))% of the layer-off episode "
            + "(\(Units.fixed(layerOnInstructions, digits: 0)) − \(Units.fixed(layerOffInstructions, digits: 0)) "
            + "= \(Units.fixed(addedInstructions, digits: 0)) instructions per episode, MEMORY.query left out on both sides)"
    }
}
