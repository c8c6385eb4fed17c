#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MemoryLayer
import Synchronization

/// What every worker of one workload shares: the configuration, the immutable graph and stimulus
/// stream, the Φ cache, the memory store and run-wide counters.
final class PipelineContext: Sendable {
    let config: PipelineConfig
    let seed: UInt64
    let graph: TIGGraph
    let stimuli: StimulusGenerator
    /// Natural frequency of each TIG node's oscillator, rad/s.
    let frequencies: [Double]
    let phiCache: PhiCache
    let memory: MemoryStore
    let ignitions = Atomic<UInt64>(0)

    init(config: PipelineConfig, seed: UInt64, memory: MemoryStore) {
        self.config = config
        self.seed = seed
        self.memory = memory
        graph = TIGGraph(nodes: config.tig.nodes, edgesPerNode: config.tig.edgesPerNode,
                         triadic: config.tig.triadic, minWeight: config.tig.minWeight, seed: seed)
        stimuli = StimulusGenerator(config: config.stimulus, candidates: config.mea.candidates, seed: seed)
        var rng = Xoshiro256(seed: SplitMix64.hash(seed, 0xF4E9))
        var frequencies: [Double] = []
        for _ in 0..<config.tig.nodes {
            // Box–Muller: a normal deviate from two uniforms.
            let u1 = max(rng.uniform(), 1e-300), u2 = rng.uniform()
            let gauss = (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
            frequencies.append(2 * .pi * (config.esgt.frequency + config.esgt.frequencySpread * gauss))
        }
        self.frequencies = frequencies
        phiCache = PhiCache(capacity: config.phi.cache)
    }
}
