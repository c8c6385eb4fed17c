/// An exact fraction in [0, 1] with a denominator of at most ``Fraction/maxDenominator``, so that
/// every product the segment arithmetic forms fits in 64 bits.
public struct Fraction: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let numerator: UInt64
    public let denominator: UInt64

    /// The largest denominator accepted (2^31): cross products of two fractions stay below 2^63.
    public static let maxDenominator: UInt64 = 1 << 31

    public static let zero = Fraction(reduced: 0, 1)
    public static let one = Fraction(reduced: 1, 1)

    private init(reduced n: UInt64, _ d: UInt64) {
        numerator = n
        denominator = d
    }

    /// `n/d` reduced; nil when `d` is 0, `n > d`, or the reduced denominator exceeds the bound.
    public init?(_ n: UInt64, _ d: UInt64) {
        guard d > 0, n <= d else { return nil }
        var a = n, b = d
        while b != 0 { (a, b) = (b, a % b) }
        let g = Swift.max(a, 1)
        guard d / g <= Self.maxDenominator else { return nil }
        self.init(reduced: n / g, d / g)
    }

    public static func < (a: Fraction, b: Fraction) -> Bool {
        a.numerator * b.denominator < b.numerator * a.denominator
    }

    public var value: Double { Double(numerator) / Double(denominator) }

    /// `0`, `1` or `p/q`.
    public var description: String {
        numerator == 0 ? "0" : numerator == denominator ? "1" : "\(numerator)/\(denominator)"
    }

    /// ⌊count × self⌋, exact for any `count` ≥ 0.
    public func floorOf(_ count: Int) -> Int {
        let (high, low) = UInt64(Swift.max(0, count)).multipliedFullWidth(by: numerator)
        let (q, _) = denominator.dividingFullWidth((high, low))
        return Int(q)
    }

    /// Whether `position / 2^64` is below this fraction: `position × q < p × 2^64`, i.e. the high
    /// word of `position × q` is below `p`.
    @inlinable
    public func exceeds(position: UInt64) -> Bool {
        position.multipliedFullWidth(by: denominator).high < numerator
    }

    /// Parses `p/q`, an integer (`0`, `1`), a decimal (`0.25`, at most 9 places) or a percentage (`25%`).
    public static func parse(_ text: Substring) -> Fraction? {
        let t = text.blankTrimmed
        if t.hasSuffix("%") {
            guard let p = decimal(t.dropLast()) else { return nil }
            return Fraction(p.numerator, p.denominator * 100)
        }
        if let slash = t.firstIndex(of: "/") {
            guard let n = UInt64(t[..<slash]), let d = UInt64(t[t.index(after: slash)...]) else { return nil }
            return Fraction(n, d)
        }
        guard let p = decimal(t) else { return nil }
        return Fraction(p.numerator, p.denominator)
    }

    /// `w` or `w.f` (digits only, at most 3 before and 9 after the point) as numerator and denominator.
    private static func decimal(_ t: Substring) -> (numerator: UInt64, denominator: UInt64)? {
        let parts = t.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts[0], digits = parts.count == 2 ? parts[1] : ""
        guard whole.count <= 3, digits.count <= 9, !(whole.isEmpty && digits.isEmpty),
              (whole + digits).allSatisfy({ $0 >= "0" && $0 <= "9" }) else { return nil }
        let d = (0..<digits.count).reduce(UInt64(1)) { acc, _ in acc * 10 }
        return ((UInt64(whole) ?? 0) * d + (UInt64(digits) ?? 0), d)
    }
}

/// One generator's share of a test, `[from, to)` of every phase (k6's execution segment).
///
/// Arrival `k` of a phase's single-generator schedule is mapped to a position in [0, 1) that does
/// not depend on which segments exist (``ArrivalStripe``), and belongs to the segment whose range
/// holds it. So any set of disjoint segments covering [0, 1) splits every schedule exactly: the
/// union of their arrivals is the single-generator schedule, each arrival in exactly one segment.
/// Closed-loop concurrency `c` is split as ⌊c·to⌋ − ⌊c·from⌋ (shares differ by at most one).
///
/// Written `i/N` (the i-th of N equal segments, 1-based: `1/4` is [0, 1/4), `4/4` is [3/4, 1)) or
/// `a:b` with fractions `p/q`, decimals or percentages (`0:1/4`, `0.25:0.5`, `50%:100%`), as k6 does.
public struct ExecutionSegment: Sendable, Hashable, Codable, CustomStringConvertible {
    public let from: Fraction
    public let to: Fraction

    /// The whole test, `0:1`.
    public static let whole = ExecutionSegment(uncheckedFrom: .zero, to: .one)

    /// The largest N in `i/N`.
    public static let maxCount = 1_000_000

    private init(uncheckedFrom from: Fraction, to: Fraction) {
        self.from = from
        self.to = to
    }

    /// `[from, to)`; nil unless `from < to`.
    public init?(from: Fraction, to: Fraction) {
        guard from < to else { return nil }
        self.init(uncheckedFrom: from, to: to)
    }

    /// The `index`-th (1-based) of `count` equal segments; nil when out of range.
    public init?(index: Int, of count: Int) {
        guard count >= 1, count <= Self.maxCount, index >= 1, index <= count,
              let a = Fraction(UInt64(index - 1), UInt64(count)), let b = Fraction(UInt64(index), UInt64(count)) else { return nil }
        self.init(uncheckedFrom: a, to: b)
    }

    /// Parses `i/N` or `a:b` (see the type's documentation).
    /// - Throws: ``SegmentError`` quoting the text and saying what was expected.
    public static func parse(_ text: String) throws(SegmentError) -> ExecutionSegment {
        let t = Substring(text).blankTrimmed
        if let colon = t.firstIndex(of: ":") {
            guard let a = Fraction.parse(t[..<colon]), let b = Fraction.parse(t[t.index(after: colon)...]) else {
                throw .invalid(text: text, reason: "expected a:b with fractions in [0, 1], e.g. 0:1/4 or 0.25:0.5")
            }
            guard let s = ExecutionSegment(from: a, to: b) else {
                throw .invalid(text: text, reason: "the start \(a) must be below the end \(b)")
            }
            return s
        }
        let parts = t.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
            throw .invalid(text: text, reason: "expected i/N (the i-th of N segments, 1-based, e.g. 2/4) or a:b (e.g. 1/4:1/2)")
        }
        guard n >= 1, n <= maxCount else { throw .invalid(text: text, reason: "N must be 1…\(maxCount)") }
        guard let s = ExecutionSegment(index: i, of: n) else {
            throw .invalid(text: text, reason: "i must be 1…\(n) (segments are numbered from 1)")
        }
        return s
    }

    /// `from:to`, e.g. `1/4:1/2` (what ``parse(_:)`` reads back).
    public var description: String { "\(from):\(to)" }

    /// The share of the test, to − from.
    public var width: Double { to.value - from.value }

    /// Whether the arrival at `position` (a point of [0, 1) scaled by 2^64) is this segment's.
    @inlinable
    public func owns(position: UInt64) -> Bool {
        to.exceeds(position: position) && !from.exceeds(position: position)
    }

    /// This segment's share of `count` (closed-loop concurrency): ⌊count·to⌋ − ⌊count·from⌋. The
    /// shares of disjoint segments covering [0, 1) add up to `count` and differ by at most one for equal widths.
    public func share(of count: Int) -> Int { to.floorOf(count) - from.floorOf(count) }

    /// Whether the two segments share any part of [0, 1).
    public func overlaps(_ other: ExecutionSegment) -> Bool { from < other.to && other.from < to }

    /// The parts of [0, 1) that none of `segments` covers, in order.
    public static func uncovered(by segments: [ExecutionSegment]) -> [ExecutionSegment] {
        var gaps: [ExecutionSegment] = []
        var reached = Fraction.zero
        for s in segments.sorted(by: { $0.from < $1.from }) {
            if reached < s.from, let gap = ExecutionSegment(from: reached, to: s.from) { gaps.append(gap) }
            if reached < s.to { reached = s.to }
        }
        if reached < .one, let gap = ExecutionSegment(from: reached, to: .one) { gaps.append(gap) }
        return gaps
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            self = try Self.parse(text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// A segment that cannot be read.
public enum SegmentError: Error, CustomStringConvertible, Equatable {
    case invalid(text: String, reason: String)

    public var description: String {
        switch self {
        case .invalid(let text, let reason): "segment '\(text)': \(reason)"
        }
    }
}

/// Where each arrival of a schedule sits in [0, 1) (scaled by 2^64), deciding which segment runs it.
///
/// Uniform schedules and bursts use the van der Corput sequence (the bits of the index reversed):
/// every block of 2^m consecutive arrivals puts one in each dyadic interval of width 2^−m, so a
/// segment `i/N` with N a power of two takes exactly every N-th arrival, and any segment's share of
/// any stretch of the schedule is within a few arrivals of its width. Poisson schedules hash the
/// index with the schedule's seed instead: an independent thinning of a Poisson process is again
/// Poisson, so each generator's arrivals stay a Poisson process of its share of the rate.
public enum ArrivalStripe: Sendable, Hashable {
    case vanDerCorput
    case hashed(seed: UInt64)

    @inlinable
    public func position(of index: Int) -> UInt64 {
        let k = UInt64(truncatingIfNeeded: index)
        switch self {
        case .vanDerCorput:
            return Self.reverseBits(k)
        case .hashed(let seed):
            var z = seed ^ (k &* 0x9E37_79B9_7F4A_7C15)
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @inlinable
    static func reverseBits(_ x: UInt64) -> UInt64 {
        var v = x
        v = ((v >> 1) & 0x5555_5555_5555_5555) | ((v & 0x5555_5555_5555_5555) << 1)
        v = ((v >> 2) & 0x3333_3333_3333_3333) | ((v & 0x3333_3333_3333_3333) << 2)
        v = ((v >> 4) & 0x0F0F_0F0F_0F0F_0F0F) | ((v & 0x0F0F_0F0F_0F0F_0F0F) << 4)
        return v.byteSwapped
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs.
    var blankTrimmed: Substring {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !blank($0) }), let last = lastIndex(where: { !blank($0) }) else { return "" }
        return self[first...last]
    }
}
