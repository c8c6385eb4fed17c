/// One episode's conscious state, as the pipeline hands it to the memory layer.
package struct ConsciousState: Sendable, Equatable, Codable {
    /// Episode number that produced the state (monotonic per run).
    package var version: UInt64
    /// Integrated information Φ of the ignited event (0 when no ignition).
    package var phi: Double
    /// Global-workspace embedding, 512 floats by default.
    package var embedding: [Float]
    /// Emotion as (valence, arousal, dominance), each in [-1, 1] or [0, 1].
    package var emotion: [Float]
    /// Index of the content attention focused on.
    package var attentionFocus: Int32
    /// Simulated time of the episode, seconds.
    package var timestamp: Double
    /// Importance in [0, 1] (drives cleanup and tiering).
    package var importance: Double
    /// The stream the state belongs to (the worker that produced it): temporal coding compares a
    /// state with the previous one of its stream.
    package var stream: UInt32
    /// Activity of the interconnect nodes the episode recruited, 0 for the others (sparse: empty
    /// when not recorded).
    package var activation: [Float]
    /// Binary features: 1 for each interconnect node phase-locked in the synchronisation event, 0
    /// otherwise (empty when no event ran).
    package var participation: [Float]
    /// The coupling graph of the ignition (nil when the episode did not ignite).
    package var graph: GraphSnapshot?

    package init(version: UInt64, phi: Double, embedding: [Float], emotion: [Float], attentionFocus: Int32,
                timestamp: Double, importance: Double, stream: UInt32 = 0, activation: [Float] = [],
                participation: [Float] = [], graph: GraphSnapshot? = nil) {
        self.version = version
        self.phi = phi
        self.embedding = embedding
        self.emotion = emotion
        self.attentionFocus = attentionFocus
        self.timestamp = timestamp
        self.importance = importance
        self.stream = stream
        self.activation = activation
        self.participation = participation
        self.graph = graph
    }

    /// Bytes of the state's plain in-memory form: the struct and its arrays' elements (no headers).
    package var logicalBytes: Int {
        MemoryLayout<ConsciousState>.stride + 4 * (embedding.count + emotion.count + activation.count + participation.count)
            + (graph?.logicalBytes ?? 0)
    }
}

/// A weighted, undirected graph over a few interconnect nodes: the couplings of one ignition.
package struct GraphSnapshot: Sendable, Equatable, Codable {
    /// Interconnect node ids, ascending.
    package var nodes: [UInt16]
    /// Each undirected edge once, as positions into ``nodes`` (a < b), with its weight.
    package var edges: [GraphEdge]

    package init(nodes: [UInt16], edges: [GraphEdge]) {
        self.nodes = nodes
        self.edges = edges
    }

    /// Bytes of its plain form (elements of both arrays, no headers).
    package var logicalBytes: Int { 2 * nodes.count + MemoryLayout<GraphEdge>.stride * edges.count }
}

/// One edge of a ``GraphSnapshot``.
package struct GraphEdge: Sendable, Equatable, Codable {
    package var a: UInt16
    package var b: UInt16
    package var weight: Float

    package init(a: UInt16, b: UInt16, weight: Float) {
        self.a = a
        self.b = b
        self.weight = weight
    }
}

/// How hard the memory layer works to save memory.
package enum MemoryLevel: String, Sendable, Codable, CaseIterable {
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
    /// Starts cheap and moves along a ladder of settings (see ``MemoryConfiguration/Adaptive``) to keep
    /// resident memory under a budget at the least cost, from its own telemetry.
    case adaptive
}
