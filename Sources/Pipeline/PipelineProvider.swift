import BenchModel
import Foundation

/// The pipeline (with its memory layer) as a workload provider: `--workload pipeline`, the default.
/// It owns the scenario sections `pipeline:` (the stages' and the memory layer's settings) and
/// `stimulus:` (the input stream), and the results of schema version 1 (all of them were the
/// pipeline's; their `memory_layer` object becomes the workload's details).
package struct PipelineProvider: WorkloadProvider {
    package init() {}

    package var name: String { "pipeline" }

    package var sections: [WorkloadSection] {
        [WorkloadSection("pipeline", example: "memory: off"), WorkloadSection("stimulus", example: "zipf: 1.1")]
    }

    package var resultV1: ResultV1Upgrade? { ResultV1Upgrade(workload: "pipeline", detailKeys: ["memory_layer"]) }

    package var parameters: [WorkloadParameter] {
        PipelineConfig.parameters.map { WorkloadParameter(name: $0.name, defaultValue: $0.defaultValue, description: $0.description) }
    }

    package func prepare(settings: [String: String]) throws(WorkloadSettingError) -> any PreparedWorkload {
        do {
            return Prepared(config: try PipelineConfig(settings: settings))
        } catch {
            // Point at the scenario line (or --set) the offending key came from.
            let key: String = switch error {
            case .unknownKey(let key, _, _), .invalidValue(let key, _, _): key
            case .inconsistent(let keys, _): keys.first ?? "pipeline"
            }
            throw WorkloadSettingError(key: key, error.description)
        }
    }

    /// A checked configuration; each trial's memory layer keeps its on-disk tiers under
    /// `DIRECTORY/memory/trial-N`.
    package struct Prepared: PreparedWorkload {
        package let config: PipelineConfig

        package var vocabulary: WorkloadVocabulary { PipelineWorkload.stageVocabulary }

        package func makeWorkload(_ context: WorkloadContext) throws -> PipelineWorkload {
            let tiers = context.directory?.appendingPathComponent("memory/trial-\(context.trial)", isDirectory: true)
            return try PipelineWorkload(config: config, seed: context.seed, directory: tiers)
        }
    }
}
