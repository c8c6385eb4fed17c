import Histogram

/// An HdrHistogram in a compact, sparse JSON form: its configuration and the non-empty buckets as
/// `value:count` pairs, where `value` is a representative value of the bucket. Decoding records
/// each pair back, which lands every count in the same bucket, so percentiles and merges are exact.
///
/// In JSON the pairs are one string (`"counts": "181:3 190:12 …"`): a pretty-printed array of
/// pairs would put every number on a line of its own and make result.json four times larger.
public struct EncodedHistogram: Sendable, Codable, Equatable {
    /// The largest value a stored histogram may hold, ns (2^62 ns is 146 years). Larger values, or a
    /// `lowest`/`highest` beyond it, are refused: the histogram's bucket arithmetic would overflow.
    public static let maxValue: UInt64 = 1 << 62
    /// The largest total count a stored histogram may hold (2^48, 281 trillion episodes), so that
    /// merging thousands of them can never overflow a 64-bit count.
    public static let maxTotalCount: UInt64 = 1 << 48
    /// The largest `lowest` a stored histogram may have (2^40 ns, 18 minutes): beyond it the
    /// histogram's bucket arithmetic cannot hold its significant digits.
    public static let maxLowest: UInt64 = 1 << 40

    public var lowestDiscernibleValue: UInt64
    public var highestTrackableValue: UInt64
    public var significantDigits: Int
    public var totalCount: UInt64
    /// Non-empty buckets as `[value, count]`.
    public var counts: [[UInt64]]

    enum CodingKeys: String, CodingKey {
        case significantDigits, totalCount, counts
        case lowestDiscernibleValue = "lowest"
        case highestTrackableValue = "highest"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        lowestDiscernibleValue = try c.decode(UInt64.self, forKey: .lowestDiscernibleValue)
        highestTrackableValue = try c.decode(UInt64.self, forKey: .highestTrackableValue)
        significantDigits = try c.decode(Int.self, forKey: .significantDigits)
        totalCount = try c.decode(UInt64.self, forKey: .totalCount)
        // The array-of-pairs form is still read, so results written before the string form load.
        if let pairs = try? c.decode([[UInt64]].self, forKey: .counts) {
            counts = pairs
            return
        }
        let text = try c.decode(String.self, forKey: .counts)
        var parsed: [[UInt64]] = []
        for token in text.split(separator: " ") {
            let parts = token.split(separator: ":")
            guard parts.count == 2, let v = UInt64(parts[0]), let n = UInt64(parts[1]) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .counts, in: c, debugDescription: "expected \"value:count\" pairs separated by spaces, found \"\(token.prefix(40))\"")
            }
            parsed.append([v, n])
        }
        counts = parsed
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(lowestDiscernibleValue, forKey: .lowestDiscernibleValue)
        try c.encode(highestTrackableValue, forKey: .highestTrackableValue)
        try c.encode(significantDigits, forKey: .significantDigits)
        try c.encode(totalCount, forKey: .totalCount)
        try c.encode(counts.map { "\($0.first ?? 0):\($0.last ?? 0)" }.joined(separator: " "), forKey: .counts)
    }

    /// Encodes `histogram`.
    public init(_ histogram: Histogram<UInt64>) {
        lowestDiscernibleValue = histogram.lowestDiscernibleValue
        highestTrackableValue = histogram.highestTrackableValue
        significantDigits = Int(histogram.numberOfSignificantValueDigits.rawValue)
        totalCount = histogram.totalCount
        counts = histogram.recordedValues().map { [$0.value, UInt64($0.count)] }
    }

    /// Rebuilds the histogram, refusing configurations and values its arithmetic cannot hold.
    /// - Throws: ``HistogramDecodingError`` naming what is out of range and the accepted range.
    public func histogram() throws(HistogramDecodingError) -> Histogram<UInt64> {
        guard let digits = SignificantDigits(rawValue: Int8(clamping: significantDigits)), (1...3).contains(significantDigits) else {
            throw .badSignificantDigits(significantDigits)
        }
        guard lowestDiscernibleValue >= 1, lowestDiscernibleValue <= Self.maxLowest,
              highestTrackableValue >= 2 * lowestDiscernibleValue, highestTrackableValue <= Self.maxValue else {
            throw .badRange(lowest: lowestDiscernibleValue, highest: highestTrackableValue)
        }
        guard totalCount <= Self.maxTotalCount else { throw .countTooLarge(totalCount) }
        var sum: UInt64 = 0
        for pair in counts {
            guard pair.count == 2 else { throw .badPair(pair) }
            guard pair[0] <= Self.maxValue else { throw .valueTooLarge(pair[0]) }
            let (s, overflow) = sum.addingReportingOverflow(pair[1])
            guard !overflow, s <= Self.maxTotalCount else { throw .countTooLarge(overflow ? UInt64.max : s) }
            sum = s
        }
        guard sum == totalCount else { throw .countMismatch(totalCount: totalCount, sum: sum) }
        // Sized for the values actually stored (it grows as needed), not for a `highest` a file claims.
        let largest = counts.map { $0[0] }.max() ?? 0
        var h = Histogram<UInt64>(
            lowestDiscernibleValue: lowestDiscernibleValue,
            highestTrackableValue: Swift.max(2 * lowestDiscernibleValue, Swift.min(highestTrackableValue, Swift.max(largest, 2))),
            numberOfSignificantValueDigits: digits)
        h.autoResize = true
        for pair in counts where pair[1] > 0 {
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
    case valueTooLarge(UInt64)
    case countTooLarge(UInt64)
    case countMismatch(totalCount: UInt64, sum: UInt64)

    public var description: String {
        switch self {
        case .badSignificantDigits(let d): "significant_digits must be 1…3, found \(d)"
        case .badRange(let lo, let hi):
            "histogram range lowest=\(lo) highest=\(hi) is impossible (need 1 ≤ lowest ≤ 2^40 and 2·lowest ≤ highest ≤ 2^62)"
        case .badPair(let p): "histogram counts entries must be value:count pairs, found \(p.prefix(4))"
        case .valueTooLarge(let v): "histogram value \(v) is out of range (at most 2^62 = \(EncodedHistogram.maxValue) ns)"
        case .countTooLarge(let n): "histogram counts add up to \(n == UInt64.max ? "more than 2^64" : String(n)), more than the 2^48 a histogram may hold"
        case .countMismatch(let t, let s): "histogram total_count is \(t) but its counts add up to \(s)"
        }
    }
}
