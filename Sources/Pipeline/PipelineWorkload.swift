import BenchModel
import Foundation
import MemoryLayer

/// Why the pipeline could not be set up or could not finish an episode.
package enum PipelineError: Error, CustomStringConvertible, Equatable {
    case config(PipelineConfigError)
    case memory(MemoryLayerError)

    package var description: String {
        switch self {
        case .config(let e): "pipeline settings: \(e)"
        case .memory(let e): "memory layer: \(e)"
        }
    }
}

/// The pipeline under test as a ``Workload`` the harness drives.
///
/// Shared, immutable or internally synchronised state lives here: the TIG graph (built once), the
/// stimulus stream, the Φ cache (behind a mutex) and the memory store. Each worker thread gets a
/// ``PipelineWorker`` with its own arousal, refractory clock, attention model and scratch buffers.
package final class PipelineWorkload: Workload {
    package typealias Worker = PipelineWorker

    package let config: PipelineConfig
    package let seed: UInt64
    let context: PipelineContext

    /// - Parameters:
    ///   - config: the pipeline's parameters (validated again here).
    ///   - seed: the run's seed; the same seed gives the same graph and stimuli.
    ///   - directory: the run directory, where the memory layer keeps its on-disk tiers.
    /// - Throws: ``PipelineError`` for inconsistent settings or a memory layer that cannot start.
    package init(config: PipelineConfig, seed: UInt64, directory: URL?) throws(PipelineError) {
        do {
            try config.validate()
        } catch {
            throw .config(error)
        }
        let memory: MemoryStore
        var memoryConfiguration = MemoryConfiguration.preset(config.memory)
        memoryConfiguration.retention = config.memoryRetention > 0 ? config.memoryRetention : nil
        if config.memory == .adaptive {
            memoryConfiguration.adaptive = MemoryConfiguration.Adaptive(budgetBytes: config.memoryBudget,
                                                                        costBudget: config.memoryCostBudget)
        }
        do {
            memory = try MemoryStore(configuration: memoryConfiguration, directory: directory)
        } catch {
            throw .memory(error)
        }
        self.config = config
        self.seed = seed
        context = PipelineContext(config: config, seed: seed, memory: memory)
    }

    package func makeWorker(id: Int) throws -> PipelineWorker {
        PipelineWorker(id: id, context: context)
    }

    /// The interconnect graph every worker shares.
    package var graph: TIGGraph { context.graph }

    /// The Φ cache every worker shares.
    package var phiCache: PhiCache { context.phiCache }

    /// The memory store every worker writes to.
    package var memory: MemoryStore { context.memory }
}

/// One worker thread's pipeline. Not thread-safe: exactly one thread owns it.
package struct PipelineWorker: WorkloadWorker {
    package let id: Int
    var runner: EpisodeRunner

    init(id: Int, context: PipelineContext) {
        self.id = id
        runner = EpisodeRunner(context: context, stream: UInt32(truncatingIfNeeded: id))
    }

    package mutating func runEpisode(_ episode: UInt64, timings: inout StageTimings) throws {
        _ = try run(episode, timings: &timings)
    }

    /// Runs episode `episode` and returns what it did.
    /// - Throws: ``PipelineError/memory(_:)`` when the memory layer fails.
    package mutating func run(_ episode: UInt64, timings: inout StageTimings) throws(PipelineError) -> EpisodeOutcome {
        try runner.run(episode, timings: &timings)
    }

    /// The worker's global workspace after the last episode.
    package var workspace: [Float] { runner.workspace }
}

/// A single-threaded pipeline for tests and exploration: one workload with one worker.
package struct Pipeline {
    package let workload: PipelineWorkload
    private var worker: PipelineWorker
    /// Stage times of the last episode, indexed like ``PipelineWorkload/stageNames``.
    package private(set) var timings: StageTimings

    /// - Throws: ``PipelineError`` for inconsistent settings or a memory layer that cannot start.
    package init(config: PipelineConfig = PipelineConfig(), seed: UInt64, directory: URL? = nil) throws(PipelineError) {
        workload = try PipelineWorkload(config: config, seed: seed, directory: directory)
        worker = PipelineWorker(id: 0, context: workload.context)
        timings = StageTimings(stageCount: PipelineStage.allCases.count)
    }

    /// Runs episode `n`.
    /// - Throws: ``PipelineError/memory(_:)`` when the memory layer fails.
    package mutating func runEpisode(_ n: UInt64) throws(PipelineError) -> EpisodeOutcome {
        timings.reset()
        return try worker.run(n, timings: &timings)
    }

    /// The workspace after the last episode.
    package var workspace: [Float] { worker.workspace }

    package func statistics() -> WorkloadStatistics { workload.statistics() }
}
