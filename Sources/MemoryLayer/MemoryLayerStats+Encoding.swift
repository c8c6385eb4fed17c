// What the memory layer's encodings did: per strategy, compression, dedup, the Bloom filter, quantization.

/// One compression strategy: how often it ran, what it saved, what it cost, what it lost.
package struct MemoryStrategyStats: Sendable, Codable, Equatable {
    /// Items it coded (vectors, graphs, blobs, blocks).
    package var uses: UInt64
    /// Their plain bytes ÷ the bytes it made of them (> 1 is smaller).
    package var ratio: Double
    package var logicalBytes: UInt64
    package var storedBytes: UInt64
    /// Mean time to encode / decode one item, ns (sampled; 0 when never sampled).
    package var encodeNs: Double
    package var decodeNs: Double
    /// Largest error seen and the stated bound, in the strategy's measure: relative to max|x| for
    /// quantization, the share of a graph's weight norm dropped for pruning; 0 for lossless strategies.
    package var maxError: Double
    package var errorBound: Double

    package init(uses: UInt64, ratio: Double, logicalBytes: UInt64, storedBytes: UInt64, encodeNs: Double, decodeNs: Double,
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
package struct MemoryCompressionStats: Sendable, Codable, Equatable {
    /// A hot state's logical bytes ÷ its entry (packed record + payload).
    package var hot: Double = 0
    /// A warm state's logical bytes ÷ (its record + the mean content bytes per live state).
    package var warm: Double = 0
    /// A cold state's logical bytes ÷ (its share of cold blocks + the mean content bytes per live state).
    package var cold: Double = 0
    /// Embedding bytes of distinct contents ÷ their packed payloads (quantization and LZ4; no dedup).
    package var content: Double = 0
    /// Metrics archive: plain in-memory bytes ÷ compressed chunk bytes, as first archived (1 at `off`,
    /// which keeps metrics plain).
    package var archive: Double = 0
    /// All live states' logical bytes ÷ (resident + disk bytes).
    package var overall: Double = 0

    package init() {}
}

/// Content-addressed deduplication of embeddings.
package struct MemoryDedupStats: Sendable, Codable, Equatable {
    /// Distinct embedding contents referenced by live states.
    package var uniqueContents: UInt64 = 0
    /// Stores whose embedding was already stored.
    package var hits: UInt64 = 0
    /// Live states ÷ distinct contents (1 = no duplicates).
    package var ratio: Double = 0

    package init() {}

    enum CodingKeys: String, CodingKey {
        case uniqueContents = "unique_contents"
        case hits, ratio
    }
}

/// The Bloom filter in front of the dedup lookup.
package struct MemoryBloomStats: Sendable, Codable, Equatable {
    package var queries: UInt64 = 0
    /// "Maybe" answers for contents that were not stored (found absent by the exact lookup).
    package var falsePositives: UInt64 = 0
    /// falsePositives ÷ (falsePositives + "no" answers).
    package var falsePositiveRate: Double = 0
    package var bytes: UInt64 = 0

    package init() {}

    enum CodingKeys: String, CodingKey {
        case queries
        case falsePositives = "false_positives"
        case falsePositiveRate = "false_positive_rate"
        case bytes
    }
}

/// Quantization of the embeddings as stored (what a retrieval returns) and in the index.
package struct MemoryQuantizationStats: Sendable, Codable, Equatable {
    /// Bits per element of stored embeddings (32 = exact).
    package var payloadBits: Int = 32
    /// Bits per element of the similarity index (0 = no index).
    package var indexBits: Int = 0
    /// Largest |x − x̂| seen.
    package var maxAbsError: Double = 0
    /// Root mean square of x − x̂ over all elements stored.
    package var rmsError: Double = 0
    /// Largest |x − x̂| ÷ max|x| of its vector seen.
    package var maxRelativeError: Double = 0
    /// The stated bound on that relative error (1/254 for int8, 1/14 for int4, each + 2⁻²⁰ for float32 rounding; 0 exact).
    package var relativeErrorBound: Double = 0

    package init() {}

    enum CodingKeys: String, CodingKey {
        case payloadBits = "payload_bits"
        case indexBits = "index_bits"
        case maxAbsError = "max_abs_error"
        case rmsError = "rms_error"
        case maxRelativeError = "max_relative_error"
        case relativeErrorBound = "relative_error_bound"
    }
}
