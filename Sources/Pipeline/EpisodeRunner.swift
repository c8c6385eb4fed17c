import BenchModel
import MemoryLayer

/// One worker's pipeline: its private state (needs, arousal, attention model, refractory clock,
/// workspace) and scratch buffers, and the stage-by-stage episode. Allocates only what the
/// memory layer keeps (the stored state's arrays) and, every few episodes, a query result.
struct EpisodeRunner {
    let context: PipelineContext
    var needs: NeedsMonitor
    var arousal: ArousalController
    var attention: AttentionSchema
    var tig: TIGState
    var gate: TemporalGate
    var stimulus: Stimulus
    /// The global workspace BROADCAST writes.
    var workspace: [Float]
    let kuramoto: KuramotoNetwork
    let phi: PhiCalculator
    /// Φ's node set (graph ids, ascending) for the current episode.
    var phiNodes: [Int32]
    /// The stream this runner's states belong to (its worker).
    let stream: UInt32
    /// This episode's phase-locked nodes (empty when no synchronisation ran) and ignition coupling graph.
    var participation: [Float] = []
    var coupling: GraphSnapshot?

    init(context: PipelineContext, stream: UInt32 = 0) {
        self.stream = stream
        let config = context.config
        self.context = context
        needs = NeedsMonitor(config: config.mmei)
        arousal = ArousalController(config: config.mcea)
        attention = AttentionSchema(config: config.mea)
        tig = TIGState(nodes: config.tig.nodes)
        gate = TemporalGate(refractory: config.esgt.refractory, maxRate: config.esgt.maxRate)
        stimulus = Stimulus(candidates: config.mea.candidates)
        workspace = Array(repeating: 0, count: config.esgt.workspace)
        kuramoto = KuramotoNetwork(nodeCapacity: config.tig.nodes, edgeCapacity: context.graph.neighbors.count)
        phi = PhiCalculator(maxNodes: config.phi.nodes)
        phiNodes = Array(repeating: 0, count: config.phi.nodes)
    }

    /// Runs episode `n`, timing each stage into `timings` (which must have a slot per stage).
    mutating func run(_ n: UInt64, timings: inout StageTimings) throws(PipelineError) -> EpisodeOutcome {
        precondition(timings.nanoseconds.count >= PipelineStage.allCases.count,
                     "StageTimings needs \(PipelineStage.allCases.count) stages for the pipeline")
        var out = EpisodeOutcome(episode: n)
        participation = []
        coupling = nil
        timings.measure(PipelineStage.mmei.rawValue) { runMMEI(n, &out) }
        timings.measure(PipelineStage.mcea.rawValue) { runMCEA(&out) }
        timings.measure(PipelineStage.mea.rawValue) { runMEA(&out) }
        timings.measure(PipelineStage.tig.rawValue) { runTIG(&out) }
        timings.measure(PipelineStage.esgt.rawValue) { runESGT(n, &out) }
        if out.ignited {
            let phiStage = PipelineStage.phi.rawValue
            let before = timings.nanoseconds[phiStage]
            let hit = timings.measure(phiStage) { runPhi(&out) }
            let elapsed = timings.nanoseconds[phiStage] &- before
            timings.add(hit ? PipelineStage.phiHit.rawValue : PipelineStage.phiMiss.rawValue, elapsed)
        }
        // The episode's time outside the memory layer, for the adaptive layer's cost budget.
        // (Stages mmei … phi are the first six; a stage that did not run holds 0.)
        var service: UInt64 = 0
        for stage in PipelineStage.mmei.rawValue...PipelineStage.phi.rawValue where timings.ran[stage] {
            service &+= timings.nanoseconds[stage]
        }
        context.memory.noteEpisode(serviceNanoseconds: service)
        let stored = timings.measure(PipelineStage.memoryStore.rawValue) { storeState(&out) }
        try stored.mapError(PipelineError.memory).get()
        let every = context.config.memoryQuery.every
        if every > 0 && n % UInt64(every) == 0 {
            let queried = timings.measure(PipelineStage.memoryQuery.rawValue) { query() }
            try queried.mapError(PipelineError.memory).get()
        }
        return out
    }

    private mutating func runMMEI(_ n: UInt64, _ out: inout EpisodeOutcome) {
        context.stimuli.fill(&stimulus, episode: n)
        out.timestamp = stimulus.timestamp
        out.token = stimulus.token
        out.goal = needs.update(stimulus)
        out.needs = needs.needs
    }

    private mutating func runMCEA(_ out: inout EpisodeOutcome) {
        arousal.update(needs: needs.needs)
        out.arousal = arousal.arousal
        out.arousalClass = arousal.arousalClass
        out.threshold = arousal.threshold
    }

    private mutating func runMEA(_ out: inout EpisodeOutcome) {
        out.attention = attention.attend(stimulus, goal: needs.activeGoal)
        out.salience = out.attention.salience
    }

    private mutating func runTIG(_ out: inout EpisodeOutcome) {
        let c = context.config.tig
        tig.inject(seed: context.seed, token: stimulus.token, focus: out.attention.focus, seeds: c.seeds,
                   amplitude: out.salience)
        tig.propagate(on: context.graph, hops: c.hops, diffusion: c.diffusion)
        out.recruited = tig.recruitedCount(fraction: c.recruit)
    }
}
