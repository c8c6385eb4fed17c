import MemoryLayer

/// Every parameter of the pipeline under test, with the defaults DESIGN.md gives.
///
/// Build one from scenario settings with ``init(settings:)``; ``parameters`` lists every key with its
/// default and meaning. Times are simulated seconds unless a name says otherwise.
package struct PipelineConfig: Sendable, Codable, Equatable {
    /// The synthetic stimulus stream (`stimulus.*`).
    package var stimulus = Stimulus()
    /// MMEI, the internal-state monitor (`pipeline.mmei.*`).
    package var mmei = MMEI()
    /// MCEA, the arousal controller (`pipeline.mcea.*`).
    package var mcea = MCEA()
    /// MEA, the attention schema (`pipeline.mea.*`).
    package var mea = MEA()
    /// TIG, the interconnect graph (`pipeline.tig.*`).
    package var tig = TIG()
    /// ESGT, the synchronisation event (`pipeline.esgt.*`).
    package var esgt = ESGT()
    /// Φ, integrated information and its cache (`pipeline.phi.*`).
    package var phi = Phi()
    /// Memory-layer level (`pipeline.memory`).
    package var memory: MemoryLevel = .off
    /// Adaptive level: the resident bytes the layer may hold (`pipeline.memory_budget`).
    package var memoryBudget = 16 << 20
    /// Adaptive level: the share of episode time the layer's own calls may take (`pipeline.memory_cost_budget`).
    package var memoryCostBudget = 0.05
    /// Most conscious states the memory layer keeps live, oldest deleted first; 0 keeps every state
    /// (`pipeline.memory_retention`). Bounds the layer's memory for long soaks.
    package var memoryRetention = 0
    /// Episodic similarity queries (`pipeline.memory_query.*`).
    package var memoryQuery = MemoryQuery()

    package init() {}

    /// `stimulus.*`: what each episode sees. Episode n's stimulus is a pure function of (seed, n).
    ///
    /// The default mix (100 contents, Zipf 1.5) is the seeds' workload: a pipeline that mostly sees
    /// familiar contents, so their 1000-entry Φ cache reaches its > 80 % hit target once primed
    /// (measured: 87–94 % over 8,100 episodes after 975 priming ones, seeds 1, 7, 42, 123). The first
    /// minute of a short run sees the compulsory misses (41–82 % over 900 episodes, by seed): prime the
    /// cache with a warm-up. 10,000 contents at Zipf 1.0, the old default, gave 4–30 %.
    package struct Stimulus: Sendable, Codable, Equatable {
        /// Number of distinct contents (tokens) the generator draws from.
        package var vocabulary = 100
        /// Zipf exponent of token frequencies (0 = uniform; larger = more repetition).
        package var zipf = 1.5
        /// Simulated time between consecutive episodes, seconds.
        package var interval = 0.05
        /// Amplitude of per-episode noise on metrics and candidate features, in [0, 1].
        package var noise = 0.05
        /// Period of the slow synthetic load cycle, episodes.
        package var loadPeriod = 1_500.0
        package init() {}
    }

    /// `pipeline.mmei.*`.
    package struct MMEI: Sendable, Codable, Equatable {
        /// Weight of the new reading in the needs' moving average, (0, 1].
        package var smoothing = 0.3
        /// A goal is generated when a need rises across this level, [0, 1].
        package var goalThreshold = 0.65
        package init() {}
    }

    /// `pipeline.mcea.*`.
    package struct MCEA: Sendable, Codable, Equatable {
        /// Arousal at the start of a worker's life, [0, 1].
        package var initial = 0.55
        /// Resting arousal that needs and stress move away from, [0, 1].
        package var baseline = 0.55
        /// Fraction of the gap to the target arousal closed per episode, (0, 1].
        package var rate = 0.2
        /// Half-width of the band around a class boundary in which the class does not change.
        package var hysteresis = 0.03
        /// ESGT salience threshold at arousal 0.5, [0, 1].
        package var threshold = 0.60
        /// Relative threshold change per unit of arousal above 0.5 (higher arousal → lower threshold).
        package var thresholdGain = 0.4
        package init() {}
    }

    /// `pipeline.mea.*`.
    package struct MEA: Sendable, Codable, Equatable {
        /// Candidate contents per stimulus.
        package var candidates = 8
        /// Softmax temperature of the focus choice.
        package var temperature = 0.15
        /// Learning rate of the attention self-model, (0, 1].
        package var learningRate = 0.1
        /// Simulated seconds over which a repeated token stops feeling familiar.
        package var habituation = 2.0
        package init() {}
    }

    /// `pipeline.tig.*`.
    package struct TIG: Sendable, Codable, Equatable {
        /// Nodes in the graph.
        package var nodes = 64
        /// Edges each new node brings (preferential attachment parameter m).
        package var edgesPerNode = 5
        /// Probability of a triadic-closure step after a preferential-attachment step.
        package var triadic = 0.6
        /// Smallest edge weight; weights are uniform in [minWeight, 1].
        package var minWeight = 0.2
        /// Nodes the focused content is injected into.
        package var seeds = 3
        /// Propagation hops (sparse mat-vec products) per episode.
        package var hops = 3
        /// Share of propagated versus injected activity per hop, [0, 1].
        package var diffusion = 0.7
        /// A node is recruited when its activity is at least this fraction of the maximum.
        package var recruit = 0.15
        package init() {}
    }

    /// `pipeline.esgt.*`.
    package struct ESGT: Sendable, Codable, Equatable {
        /// Natural oscillator frequency, Hz.
        package var frequency = 40.0
        /// Standard deviation of per-node natural frequencies around ``frequency``, Hz.
        package var frequencySpread = 0.25
        /// Kuramoto coupling K.
        package var coupling = 20.0
        /// Phase noise amplitude (rad/√s).
        package var noise = 0.001
        /// RK4 time step, seconds.
        package var dt = 0.005
        /// Maximum SYNCHRONIZE steps (the simulated budget is steps × dt).
        package var steps = 60
        /// Order parameter r at which SYNCHRONIZE stops and ignition is declared.
        package var coherence = 0.70
        /// Minimum arousal for a trigger.
        package var minArousal = 0.40
        /// Minimum recruited TIG nodes for a trigger.
        package var minNodes = 8
        /// Refractory period after an ignition, simulated seconds.
        package var refractory = 0.2
        /// Maximum ignitions per simulated second.
        package var maxRate = 5.0
        /// SUSTAIN steps at full coupling after ignition.
        package var sustainSteps = 5
        /// DISSOLVE steps over which the coupling ramps down to zero.
        package var dissolveSteps = 5
        /// Global-workspace size, floats.
        package var workspace = 512
        /// Share of the previous workspace kept when new content is broadcast, [0, 1].
        package var retention = 0.5
        package init() {}
    }

    /// `pipeline.phi.*`.
    package struct Phi: Sendable, Codable, Equatable {
        /// Most active nodes that form the Φ system (cost grows as 2^nodes · 2^nodes).
        package var nodes = 8
        /// LRU cache capacity in entries (0 disables the cache).
        package var cache = 1_000
        /// A selected node's bit is 1 when its activity is at least this fraction of the maximum.
        package var binarize = 0.5
        /// Gain β of the logistic transition model.
        package var gain = 4.0
        /// Self-connection weight of every unit in the transition model.
        package var selfWeight = 0.5
        package init() {}
    }

    /// `pipeline.memory_query.*`.
    package struct MemoryQuery: Sendable, Codable, Equatable {
        /// Run a similarity query every this many episodes (0 = never).
        package var every = 10
        /// Neighbours per query.
        package var k = 5
        package init() {}
    }
}
