/// The five phases of an ESGT event, in order.
public enum ESGTPhase: String, Sendable, Codable, Comparable {
    case prepare, synchronize, broadcast, sustain, dissolve

    private var order: Int {
        switch self {
        case .prepare: 0
        case .synchronize: 1
        case .broadcast: 2
        case .sustain: 3
        case .dissolve: 4
        }
    }

    public static func < (a: ESGTPhase, b: ESGTPhase) -> Bool { a.order < b.order }
}

/// Why an episode did not ignite.
public enum ESGTBlock: String, Sendable, Codable {
    /// Salience below the MCEA-derived threshold.
    case salience
    /// Arousal below `pipeline.esgt.min_arousal`.
    case arousal
    /// Fewer recruited TIG nodes than `pipeline.esgt.min_nodes`.
    case recruitment
    /// Within the refractory period of the previous ignition.
    case refractory
    /// The per-second ignition limit is reached.
    case rate
    /// SYNCHRONIZE ran but the order parameter stayed below `pipeline.esgt.coherence`.
    case coherence
}

/// The pipeline stages, in the order ``PipelineWorkload/stageNames`` lists them.
public enum PipelineStage: Int, Sendable, CaseIterable {
    case mmei, mcea, mea, tig, esgt, phi, phiHit, phiMiss, memoryStore, memoryQuery

    /// The name reports use.
    public var name: String {
        switch self {
        case .mmei: "MMEI"
        case .mcea: "MCEA"
        case .mea: "MEA"
        case .tig: "TIG"
        case .esgt: "ESGT"
        case .phi: "PHI"
        case .phiHit: "PHI.hit"
        case .phiMiss: "PHI.miss"
        case .memoryStore: "MEMORY.store"
        case .memoryQuery: "MEMORY.query"
        }
    }
}

/// What one episode did, for tests and inspection.
public struct EpisodeOutcome: Sendable, Codable, Equatable {
    public var episode: UInt64
    /// Simulated time, seconds.
    public var timestamp = 0.0
    /// The stimulus's content id.
    public var token = 0
    /// MMEI's smoothed needs.
    public var needs = Needs()
    /// The goal this episode generated, if a need crossed its threshold.
    public var goal: Goal?
    /// MCEA arousal, [0, 1], and its class.
    public var arousal = 0.0
    public var arousalClass = ArousalClass.relaxed
    /// The ESGT salience threshold MCEA derived.
    public var threshold = 0.0
    /// MEA's decision.
    public var attention = AttentionResult()
    /// The focus's trigger salience.
    public var salience = 0.0
    /// TIG nodes recruited by the injected content.
    public var recruited = 0
    /// Whether every trigger condition held (SYNCHRONIZE ran).
    public var triggered = false
    /// The furthest ESGT phase reached.
    public var phaseReached = ESGTPhase.prepare
    /// Why the episode did not ignite; nil when it did.
    public var blockedBy: ESGTBlock?
    /// RK4 steps SYNCHRONIZE used (0 when it did not run).
    public var steps = 0
    /// Order parameter r at the end of SYNCHRONIZE (0 when it did not run).
    public var orderParameter = 0.0
    /// Order parameter after DISSOLVE (0 when there was no ignition).
    public var finalOrderParameter = 0.0
    /// Whether the ESGT event ignited.
    public var ignited = false
    /// Φ in bits for an ignited event, nil otherwise.
    public var phi: Double?
    /// Whether Φ came from the cache (nil when Φ was not needed).
    public var phiCacheHit: Bool?
    /// Importance handed to the memory layer, [0, 1].
    public var importance = 0.0

    public init(episode: UInt64) {
        self.episode = episode
    }
}
