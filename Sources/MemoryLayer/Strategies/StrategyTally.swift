#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The compression strategies the layer chooses among, by data kind.
enum Strategy: Int, CaseIterable, Sendable {
    /// Embeddings kept as float32 (bit-exact), int8 or int4 with one scale per vector.
    case float32, int8, int4
    /// A sparse vector as plain floats, or as CSR (indices and non-zero values) below the break-even density.
    case dense, sparseCSR
    /// A binary feature vector bit-packed (1 bit per element), or kept as floats when not binary.
    case binarize, binaryAsFloats
    /// A coupling graph kept whole, or with its low-weight edges pruned.
    case graphWhole, graphPrune
    /// Blob codecs for stored embedding payloads.
    case lz4, zlib, blosc
    /// Payloads stored as they are without trying the codec: it could not shrink the last
    /// ``CompressionProbe/probeRun`` in a row (early abort, as ZFS and btrfs do for incompressible data).
    case notTried
    /// Cold blocks whose records are XOR-coded against the previous record of the same stream.
    case temporal

    /// The name in the memory-layer statistics.
    var name: String {
        switch self {
        case .float32: "quantize_float32"
        case .int8: "quantize_int8"
        case .int4: "quantize_int4"
        case .dense: "vector_dense"
        case .sparseCSR: "sparse_csr"
        case .binarize: "binarize"
        case .binaryAsFloats: "binary_as_floats"
        case .graphWhole: "graph_whole"
        case .graphPrune: "graph_prune"
        case .lz4: "codec_lz4"
        case .zlib: "codec_zlib"
        case .blosc: "codec_blosc"
        case .notTried: "codec_not_tried"
        case .temporal: "temporal_delta"
        }
    }
}

/// What a strategy did: items, bytes in and out, sampled encode and decode times, worst error.
struct StrategyCounter: Sendable {
    var uses: UInt64 = 0
    /// Bytes of the items' plain form, and what the strategy made of them.
    var logicalBytes: UInt64 = 0
    var storedBytes: UInt64 = 0
    var encodeNanoseconds: UInt64 = 0
    var encodeSamples: UInt64 = 0
    var decodeNanoseconds: UInt64 = 0
    var decodeSamples: UInt64 = 0
    /// Largest error seen, in the strategy's own measure (absolute, relative or a share; see the stats).
    var maxError: Double = 0
    /// Its stated bound (0: lossless).
    var errorBound: Double = 0

    mutating func add(_ o: StrategyCounter) {
        uses += o.uses
        logicalBytes += o.logicalBytes
        storedBytes += o.storedBytes
        encodeNanoseconds += o.encodeNanoseconds
        encodeSamples += o.encodeSamples
        decodeNanoseconds += o.decodeNanoseconds
        decodeSamples += o.decodeSamples
        maxError = max(maxError, o.maxError)
        errorBound = max(errorBound, o.errorBound)
    }
}

/// Counters for every ``Strategy``, gathered outside the store's lock and added under it.
struct StrategyTally: Sendable {
    var counters = [StrategyCounter](repeating: StrategyCounter(), count: Strategy.allCases.count)

    subscript(_ s: Strategy) -> StrategyCounter {
        get { counters[s.rawValue] }
        set { counters[s.rawValue] = newValue }
    }

    /// Counts one use of `s` on `logical` bytes that became `stored` bytes.
    mutating func note(_ s: Strategy, logical: Int, stored: Int, error: Double = 0, bound: Double = 0) {
        counters[s.rawValue].uses += 1
        counters[s.rawValue].logicalBytes += UInt64(logical)
        counters[s.rawValue].storedBytes += UInt64(stored)
        counters[s.rawValue].maxError = max(counters[s.rawValue].maxError, error)
        counters[s.rawValue].errorBound = max(counters[s.rawValue].errorBound, bound)
    }

    mutating func timeEncode(_ s: Strategy, _ ns: UInt64) {
        counters[s.rawValue].encodeNanoseconds += ns
        counters[s.rawValue].encodeSamples += 1
    }

    mutating func timeDecode(_ s: Strategy, _ ns: UInt64) {
        counters[s.rawValue].decodeNanoseconds += ns
        counters[s.rawValue].decodeSamples += 1
    }

    mutating func add(_ o: StrategyTally) {
        for i in counters.indices { counters[i].add(o.counters[i]) }
    }
}

/// Monotonic nanoseconds, for the layer's own cost telemetry.
@inline(__always)
func layerClock() -> UInt64 {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return UInt64(t.tv_sec) &* 1_000_000_000 &+ UInt64(t.tv_nsec)
}
