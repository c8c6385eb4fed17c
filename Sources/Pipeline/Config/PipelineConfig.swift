import MemoryLayer

/// Every parameter of the pipeline under test, with the defaults DESIGN.md gives.
///
/// Build one from scenario settings with ``init(settings:)``; ``parameters`` lists every key with its
/// default and meaning. Times are simulated seconds unless a name says otherwise.
public struct PipelineConfig: Sendable, Codable, Equatable {
    /// The synthetic stimulus stream (`stimulus.*`).
    public var stimulus = Stimulus()
    /// MMEI, the internal-state monitor (`pipeline.mmei.*`).
    public var mmei = MMEI()
    /// MCEA, the arousal controller (`pipeline.mcea.*`).
    public var mcea = MCEA()
    /// MEA, the attention schema (`pipeline.mea.*`).
    public var mea = MEA()
    /// TIG, the interconnect graph (`pipeline.tig.*`).
    public var tig = TIG()
    /// ESGT, the synchronisation event (`pipeline.esgt.*`).
    public var esgt = ESGT()
    /// Φ, integrated information and its cache (`pipeline.phi.*`).
    public var phi = Phi()
    /// Memory-layer level (`pipeline.memory`).
    public var memory: MemoryLevel = .off
    /// Adaptive level: the resident bytes the layer may hold (`pipeline.memory_budget`).
    public var memoryBudget = 16 << 20
    /// Adaptive level: the share of episode time the layer's own calls may take (`pipeline.memory_cost_budget`).
    public var memoryCostBudget = 0.05
    /// Most conscious states the memory layer keeps live, oldest deleted first; 0 keeps every state
    /// (`pipeline.memory_retention`). Bounds the layer's memory for long soaks.
    public var memoryRetention = 0
    /// Episodic similarity queries (`pipeline.memory_query.*`).
    public var memoryQuery = MemoryQuery()

    public init() {}

    /// `stimulus.*`: what each episode sees. Episode n's stimulus is a pure function of (seed, n).
    ///
    /// The default mix (100 contents, Zipf 1.5) is the seeds' workload: a pipeline that mostly sees
    /// familiar contents, so their 1000-entry Φ cache reaches its > 80 % hit target once primed
    /// (measured: 87–94 % over 8,100 episodes after 975 priming ones, seeds 1, 7, 42, 123). The first
    /// minute of a short run sees the compulsory misses (41–82 % over 900 episodes, by seed): prime the
    /// cache with a warm-up. 10,000 contents at Zipf 1.0, the old default, gave 4–30 %.
    public struct Stimulus: Sendable, Codable, Equatable {
        /// Number of distinct contents (tokens) the generator draws from.
        public var vocabulary = 100
        /// Zipf exponent of token frequencies (0 = uniform; larger = more repetition).
        public var zipf = 1.5
        /// Simulated time between consecutive episodes, seconds.
        public var interval = 0.05
        /// Amplitude of per-episode noise on metrics and candidate features, in [0, 1].
        public var noise = 0.05
        /// Period of the slow synthetic load cycle, episodes.
        public var loadPeriod = 1_500.0
        public init() {}
    }

    /// `pipeline.mmei.*`.
    public struct MMEI: Sendable, Codable, Equatable {
        /// Weight of the new reading in the needs' moving average, (0, 1].
        public var smoothing = 0.3
        /// A goal is generated when a need rises across this level, [0, 1].
        public var goalThreshold = 0.65
        public init() {}
    }

    /// `pipeline.mcea.*`.
    public struct MCEA: Sendable, Codable, Equatable {
        /// Arousal at the start of a worker's life, [0, 1].
        public var initial = 0.55
        /// Resting arousal that needs and stress move away from, [0, 1].
        public var baseline = 0.55
        /// Fraction of the gap to the target arousal closed per episode, (0, 1].
        public var rate = 0.2
        /// Half-width of the band around a class boundary in which the class does not change.
        public var hysteresis = 0.03
        /// ESGT salience threshold at arousal 0.5, [0, 1].
        public var threshold = 0.60
        /// Relative threshold change per unit of arousal above 0.5 (higher arousal → lower threshold).
        public var thresholdGain = 0.4
        public init() {}
    }

    /// `pipeline.mea.*`.
    public struct MEA: Sendable, Codable, Equatable {
        /// Candidate contents per stimulus.
        public var candidates = 8
        /// Softmax temperature of the focus choice.
        public var temperature = 0.15
        /// Learning rate of the attention self-model, (0, 1].
        public var learningRate = 0.1
        /// Simulated seconds over which a repeated token stops feeling familiar.
        public var habituation = 2.0
        public init() {}
    }

    /// `pipeline.tig.*`.
    public struct TIG: Sendable, Codable, Equatable {
        /// Nodes in the graph.
        public var nodes = 64
        /// Edges each new node brings (preferential attachment parameter m).
        public var edgesPerNode = 5
        /// Probability of a triadic-closure step after a preferential-attachment step.
        public var triadic = 0.6
        /// Smallest edge weight; weights are uniform in [minWeight, 1].
        public var minWeight = 0.2
        /// Nodes the focused content is injected into.
        public var seeds = 3
        /// Propagation hops (sparse mat-vec products) per episode.
        public var hops = 3
        /// Share of propagated versus injected activity per hop, [0, 1].
        public var diffusion = 0.7
        /// A node is recruited when its activity is at least this fraction of the maximum.
        public var recruit = 0.15
        public init() {}
    }

    /// `pipeline.esgt.*`.
    public struct ESGT: Sendable, Codable, Equatable {
        /// Natural oscillator frequency, Hz.
        public var frequency = 40.0
        /// Standard deviation of per-node natural frequencies around ``frequency``, Hz.
        public var frequencySpread = 0.25
        /// Kuramoto coupling K.
        public var coupling = 20.0
        /// Phase noise amplitude (rad/√s).
        public var noise = 0.001
        /// RK4 time step, seconds.
        public var dt = 0.005
        /// Maximum SYNCHRONIZE steps (the simulated budget is steps × dt).
        public var steps = 60
        /// Order parameter r at which SYNCHRONIZE stops and ignition is declared.
        public var coherence = 0.70
        /// Minimum arousal for a trigger.
        public var minArousal = 0.40
        /// Minimum recruited TIG nodes for a trigger.
        public var minNodes = 8
        /// Refractory period after an ignition, simulated seconds.
        public var refractory = 0.2
        /// Maximum ignitions per simulated second.
        public var maxRate = 5.0
        /// SUSTAIN steps at full coupling after ignition.
        public var sustainSteps = 5
        /// DISSOLVE steps over which the coupling ramps down to zero.
        public var dissolveSteps = 5
        /// Global-workspace size, floats.
        public var workspace = 512
        /// Share of the previous workspace kept when new content is broadcast, [0, 1].
        public var retention = 0.5
        public init() {}
    }

    /// `pipeline.phi.*`.
    public struct Phi: Sendable, Codable, Equatable {
        /// Most active nodes that form the Φ system (cost grows as 2^nodes · 2^nodes).
        public var nodes = 8
        /// LRU cache capacity in entries (0 disables the cache).
        public var cache = 1_000
        /// A selected node's bit is 1 when its activity is at least this fraction of the maximum.
        public var binarize = 0.5
        /// Gain β of the logistic transition model.
        public var gain = 4.0
        /// Self-connection weight of every unit in the transition model.
        public var selfWeight = 0.5
        public init() {}
    }

    /// `pipeline.memory_query.*`.
    public struct MemoryQuery: Sendable, Codable, Equatable {
        /// Run a similarity query every this many episodes (0 = never).
        public var every = 10
        /// Neighbours per query.
        public var k = 5
        public init() {}
    }
}
