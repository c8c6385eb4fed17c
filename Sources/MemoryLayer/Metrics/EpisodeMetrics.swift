/// One episode's metrics, as the pipeline hands them to the metrics store.
package struct EpisodeMetrics: Sendable, Codable, Equatable {
    /// Episode number (monotonic per run).
    package var episode: UInt64
    /// Simulated time of the episode, seconds.
    package var timestamp: Double
    /// Integrated information Φ (0 when the episode did not ignite).
    package var phi: Double
    /// MCEA arousal in [0, 1].
    package var arousal: Double
    /// Salience of the focused content in [0, 1].
    package var salience: Double
    /// Emotion as (valence, arousal, dominance).
    package var emotion: SIMD3<Float>
    /// Index of the content attention focused on.
    package var attentionFocus: Int32
    /// Whether the ESGT event fired.
    package var ignited: Bool
    /// End-to-end time of the episode, nanoseconds (0 when unknown).
    package var latencyNanoseconds: UInt64

    package init(episode: UInt64, timestamp: Double, phi: Double, arousal: Double = 0, salience: Double = 0,
                emotion: SIMD3<Float> = .zero, attentionFocus: Int32 = 0, ignited: Bool = false,
                latencyNanoseconds: UInt64 = 0) {
        self.episode = episode
        self.timestamp = timestamp
        self.phi = phi
        self.arousal = arousal
        self.salience = salience
        self.emotion = emotion
        self.attentionFocus = attentionFocus
        self.ignited = ignited
        self.latencyNanoseconds = latencyNanoseconds
    }

    /// Bytes of one record in its plain in-memory form (what the archive ratio is measured against).
    package static var logicalBytes: Int { MemoryLayout<EpisodeMetrics>.stride }
}

/// Why a metrics record matters, relative to the record before it; cleanup keeps records with any.
struct MetricsImportance: OptionSet, Sendable {
    let rawValue: UInt8
    /// |ΔΦ| ≥ the configured threshold (0.1 by default).
    static let phiChange = MetricsImportance(rawValue: 1)
    /// Some emotion component moved by at least the configured threshold.
    static let emotionChange = MetricsImportance(rawValue: 2)
    /// Attention moved to another content.
    static let attentionShift = MetricsImportance(rawValue: 4)
    /// The first record the store saw.
    static let first = MetricsImportance(rawValue: 8)

    static func of(_ m: EpisodeMetrics, after previous: EpisodeMetrics?, phiThreshold: Double,
                   emotionThreshold: Float) -> MetricsImportance {
        guard let p = previous else { return .first }
        var out: MetricsImportance = []
        // A change of exactly the threshold counts, even when binary floating point makes it a hair less.
        if abs(m.phi - p.phi) >= phiThreshold * (1 - 1e-9) { out.insert(.phiChange) }
        let d = m.emotion - p.emotion
        if max(abs(d.x), max(abs(d.y), abs(d.z))) >= emotionThreshold * (1 - 1e-6) { out.insert(.emotionChange) }
        if m.attentionFocus != p.attentionFocus { out.insert(.attentionShift) }
        return out
    }
}
