// What the memory layer's encodings did: per strategy, compression, dedup, the Bloom filter, quantization.

/// One compression strategy: how often it ran, what it saved, what it cost, what it lost.
public struct MemoryStrategyStats: Sendable, Codable, Equatable {
    /// Items it coded (vectors, graphs, blobs, blocks).
    public var uses: UInt64
    /// Their plain bytes ÷ the bytes it made of them (> 1 is smaller).
    public var ratio: Double
    public var logicalBytes: UInt64
    public var storedBytes: UInt64
    /// Mean time to encode / decode one item, ns (sampled; 0 when never sampled).
    public var encodeNs: Double
    public var decodeNs: Double
    /// Largest error seen and the stated bound, in the strategy's measure: relative to max|x| for
    /// quantization, the share of a graph's weight norm dropped for pruning; 0 for lossless strategies.
    public var maxError: Double
    public var errorBound: Double

    public init(uses: UInt64, ratio: Double, logicalBytes: UInt64, storedBytes: UInt64, encodeNs: Double, decodeNs: Double,
                maxError: Double, errorBound: Double) {
        self.uses = uses
        self.ratio = ratio
        self.logicalBytes = logicalBytes
        self.storedBytes = storedBytes
        self.encodeNs = encodeNs
        self.decodeNs = decodeNs
        self.maxError = maxError
        self.errorBound = errorBound
    }

    enum CodingKeys: String, CodingKey {
        case uses, ratio
        case logicalBytes = "logical_bytes"
        case storedBytes = "stored_bytes"
        case encodeNs = "encode_ns"
        case decodeNs = "decode_ns"
        case maxError = "max_error"
        case errorBound = "error_bound"
    }
}

/// Compression ratios (logical bytes ÷ bytes spent; > 1 is smaller; 0 when there is nothing to measure).
public struct MemoryCompressionStats: Sendable, Codable, Equatable {
    /// A hot state's logical bytes ÷ its entry (packed record + payload).
    public var hot: Double = 0
    /// A warm state's logical bytes ÷ (its record + the mean content bytes per live state).
    public var warm: Double = 0
    /// A cold state's logical bytes ÷ (its share of cold blocks + the mean content bytes per live state).
    public var cold: Double = 0
    /// Embedding bytes of distinct contents ÷ their packed payloads (quantization and LZ4; no dedup).
    public var content: Double = 0
    /// Metrics archive: plain in-memory bytes ÷ compressed chunk bytes, as first archived (1 at `off`,
    /// which keeps metrics plain).
    public var archive: Double = 0
    /// All live states' logical bytes ÷ (resident + disk bytes).
    public var overall: Double = 0

    public init() {}
}

/// Content-addressed deduplication of embeddings.
public struct MemoryDedupStats: Sendable, Codable, Equatable {
    /// Distinct embedding contents referenced by live states.
    public var uniqueContents: UInt64 = 0
    /// Stores whose embedding was already stored.
    public var hits: UInt64 = 0
    /// Live states ÷ distinct contents (1 = no duplicates).
    public var ratio: Double = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case uniqueContents = "unique_contents"
        case hits, ratio
    }
}

/// The Bloom filter in front of the dedup lookup.
public struct MemoryBloomStats: Sendable, Codable, Equatable {
    public var queries: UInt64 = 0
    /// "Maybe" answers for contents that were not stored (found absent by the exact lookup).
    public var falsePositives: UInt64 = 0
    /// falsePositives ÷ (falsePositives + "no" answers).
    public var falsePositiveRate: Double = 0
    public var bytes: UInt64 = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case queries
        case falsePositives = "false_positives"
        case falsePositiveRate = "false_positive_rate"
        case bytes
    }
}

/// Quantization of the embeddings as stored (what a retrieval returns) and in the index.
public struct MemoryQuantizationStats: Sendable, Codable, Equatable {
    /// Bits per element of stored embeddings (32 = exact).
    public var payloadBits: Int = 32
    /// Bits per element of the similarity index (0 = no index).
    public var indexBits: Int = 0
    /// Largest |x − x̂| seen.
    public var maxAbsError: Double = 0
    /// Root mean square of x − x̂ over all elements stored.
    public var rmsError: Double = 0
    /// Largest |x − x̂| ÷ max|x| of its vector seen.
    public var maxRelativeError: Double = 0
    /// The stated bound on that relative error (1/254 for int8, 1/14 for int4, each + 2⁻²⁰ for float32 rounding; 0 exact).
    public var relativeErrorBound: Double = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case payloadBits = "payload_bits"
        case indexBits = "index_bits"
        case maxAbsError = "max_abs_error"
        case rmsError = "rms_error"
        case maxRelativeError = "max_relative_error"
        case relativeErrorBound = "relative_error_bound"
    }
}
