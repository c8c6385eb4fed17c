/// The five phases of an ESGT event, in order.
package enum ESGTPhase: String, Sendable, Codable, Comparable {
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

    package static func < (a: ESGTPhase, b: ESGTPhase) -> Bool { a.order < b.order }
}

/// Why an episode did not ignite.
package enum ESGTBlock: String, Sendable, Codable {
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
package enum PipelineStage: Int, Sendable, CaseIterable {
    case mmei, mcea, mea, tig, esgt, phi, phiHit, phiMiss, memoryStore, memoryQuery

    /// The name reports use.
    package var name: String {
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
package struct EpisodeOutcome: Sendable, Codable, Equatable {
    package var episode: UInt64
    /// Simulated time, seconds.
    package var timestamp = 0.0
    /// The stimulus's content id.
    package var token = 0
    /// MMEI's smoothed needs.
    package var needs = Needs()
    /// The goal this episode generated, if a need crossed its threshold.
    package var goal: Goal?
    /// MCEA arousal, [0, 1], and its class.
    package var arousal = 0.0
    package var arousalClass = ArousalClass.relaxed
    /// The ESGT salience threshold MCEA derived.
    package var threshold = 0.0
    /// MEA's decision.
    package var attention = AttentionResult()
    /// The focus's trigger salience.
    package var salience = 0.0
    /// TIG nodes recruited by the injected content.
    package var recruited = 0
    /// Whether every trigger condition held (SYNCHRONIZE ran).
    package var triggered = false
    /// The furthest ESGT phase reached.
    package var phaseReached = ESGTPhase.prepare
    /// Why the episode did not ignite; nil when it did.
    package var blockedBy: ESGTBlock?
    /// RK4 steps SYNCHRONIZE used (0 when it did not run).
    package var steps = 0
    /// Order parameter r at the end of SYNCHRONIZE (0 when it did not run).
    package var orderParameter = 0.0
    /// Order parameter after DISSOLVE (0 when there was no ignition).
    package var finalOrderParameter = 0.0
    /// Whether the ESGT event ignited.
    package var ignited = false
    /// Φ in bits for an ignited event, nil otherwise.
    package var phi: Double?
    /// Whether Φ came from the cache (nil when Φ was not needed).
    package var phiCacheHit: Bool?
    /// Importance handed to the memory layer, [0, 1].
    package var importance = 0.0

    package init(episode: UInt64) {
        self.episode = episode
    }
}
