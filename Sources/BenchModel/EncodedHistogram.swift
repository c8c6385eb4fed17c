import Histogram

/// An HdrHistogram in a compact, sparse JSON form: its configuration and the non-empty buckets as
/// `[value, count]` pairs, where `value` is a representative value of the bucket. Decoding records
/// each pair back, which lands every count in the same bucket, so percentiles and merges are exact.
public struct EncodedHistogram: Sendable, Codable, Equatable {
    public var lowestDiscernibleValue: UInt64
    public var highestTrackableValue: UInt64
    public var significantDigits: Int
    public var totalCount: UInt64
    /// Non-empty buckets as `[value, count]`.
    public var counts: [[UInt64]]

    enum CodingKeys: String, CodingKey {
        case lowestDiscernibleValue = "lowest"
        case highestTrackableValue = "highest"
        case significantDigits = "significant_digits"
        case totalCount = "total_count"
        case counts
    }

    /// Encodes `histogram`.
    public init(_ histogram: Histogram<UInt64>) {
        lowestDiscernibleValue = histogram.lowestDiscernibleValue
        highestTrackableValue = histogram.highestTrackableValue
        significantDigits = Int(histogram.numberOfSignificantValueDigits.rawValue)
        totalCount = histogram.totalCount
        counts = histogram.recordedValues().map { [$0.value, UInt64($0.count)] }
    }

    /// Rebuilds the histogram.
    /// - Throws: ``HistogramDecodingError`` when the stored configuration is impossible.
    public func histogram() throws(HistogramDecodingError) -> Histogram<UInt64> {
        guard let digits = SignificantDigits(rawValue: Int8(clamping: significantDigits)) else {
            throw .badSignificantDigits(significantDigits)
        }
        guard lowestDiscernibleValue >= 1, highestTrackableValue >= 2 * lowestDiscernibleValue else {
            throw .badRange(lowest: lowestDiscernibleValue, highest: highestTrackableValue)
        }
        var h = Histogram<UInt64>(
            lowestDiscernibleValue: lowestDiscernibleValue,
            highestTrackableValue: highestTrackableValue,
            numberOfSignificantValueDigits: digits)
        h.autoResize = true
        for pair in counts {
            guard pair.count == 2 else { throw .badPair(pair) }
            _ = h.record(pair[0], count: pair[1])
        }
        return h
    }
}

/// Why a stored histogram could not be rebuilt.
public enum HistogramDecodingError: Error, CustomStringConvertible, Equatable {
    case badSignificantDigits(Int)
    case badRange(lowest: UInt64, highest: UInt64)
    case badPair([UInt64])

    public var description: String {
        switch self {
        case .badSignificantDigits(let d): "significant_digits must be 1...5, found \(d)"
        case .badRange(let lo, let hi): "histogram range lowest=\(lo) highest=\(hi) is impossible (need lowest ≥ 1, highest ≥ 2·lowest)"
        case .badPair(let p): "histogram counts entries must be [value, count], found \(p)"
        }
    }
}

extension Histogram where Count == UInt64 {
    /// The standard summary (p50 … p99.9, max, mean) of this histogram, nanoseconds.
    public var latencySummary: LatencySummary {
        guard totalCount > 0 else { return LatencySummary() }
        return LatencySummary(
            count: totalCount, min: min, mean: mean,
            p50: valueAtPercentile(50), p90: valueAtPercentile(90), p95: valueAtPercentile(95),
            p99: valueAtPercentile(99), p999: valueAtPercentile(99.9), max: max)
    }
}
