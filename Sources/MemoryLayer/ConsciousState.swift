/// One episode's conscious state, as the pipeline hands it to the memory layer.
public struct ConsciousState: Sendable, Equatable, Codable {
    /// Episode number that produced the state (monotonic per run).
    public var version: UInt64
    /// Integrated information Φ of the ignited event (0 when no ignition).
    public var phi: Double
    /// Global-workspace embedding, 512 floats by default.
    public var embedding: [Float]
    /// Emotion as (valence, arousal, dominance), each in [-1, 1] or [0, 1].
    public var emotion: [Float]
    /// Index of the content attention focused on.
    public var attentionFocus: Int32
    /// Simulated time of the episode, seconds.
    public var timestamp: Double
    /// Importance in [0, 1] (drives cleanup and tiering).
    public var importance: Double

    public init(version: UInt64, phi: Double, embedding: [Float], emotion: [Float], attentionFocus: Int32,
                timestamp: Double, importance: Double) {
        self.version = version
        self.phi = phi
        self.embedding = embedding
        self.emotion = emotion
        self.attentionFocus = attentionFocus
        self.timestamp = timestamp
        self.importance = importance
    }
}

/// How hard the memory layer works to save memory.
public enum MemoryLevel: String, Sendable, Codable, CaseIterable {
    /// The naive baseline: every state kept as plain arrays in memory, forever.
    case off
    /// Exact (bit-exact) stored embeddings and metrics archive, an int8 similarity index, a large hot
    /// tier (4096 states).
    case conservative
    /// int8 stored embeddings (error ≤ max|x|/254), an int4 index, a 1024-state hot tier; archived
    /// continuous metrics to 2^−12 (error ≤ 2^−13).
    case moderate
    /// int4 stored embeddings (error ≤ max|x|/14), an int4 index, a 256-state hot tier, LZ4HC;
    /// archived continuous metrics to 2^−8 (error ≤ 2^−9).
    case aggressive
}
