import BenchModel
import Histogram

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A latency-by-percentile curve (HdrHistogram plot style): x is 1/(1 − percentile) on a log scale,
/// so 50%, 90%, 99%, 99.9% … are evenly spaced, y is latency in nanoseconds.
struct PercentileCurve {
    var points: [ChartPoint]
    var markers: [ChartMarker]
    var count: UInt64

    /// Grid points per decade of 1/(1 − p).
    static let stepsPerDecade = 40.0

    init(_ h: Histogram<UInt64>, name: String) {
        count = h.totalCount
        points = []
        markers = []
        guard count > 0 else { return }
        let maxX = Double(count)
        let decades = log10(maxX)
        var j = 0.0
        while j < decades {
            let x = pow(10, j)
            let p = (1 - 1 / x) * 100
            points.append(ChartPoint(x: x, y: Double(h.valueAtPercentile(p))))
            j += 1 / Self.stepsPerDecade
        }
        points.append(ChartPoint(x: max(maxX, 1), y: Double(h.max)))
        for (p, label) in [(50.0, "p50"), (90, "p90"), (99, "p99"), (99.9, "p99.9"), (99.99, "p99.99")] {
            let x = 1 / (1 - p / 100)
            guard x <= maxX else { break }
            let v = Double(h.valueAtPercentile(p))
            markers.append(ChartMarker(x: x, y: v, label: "\(name) \(label) = \(Units.formatNanoseconds(v))"))
        }
        markers.append(ChartMarker(x: max(maxX, 1), y: Double(h.max), label: "\(name) max = \(Units.formatNanoseconds(Double(h.max)))"))
    }

    /// Ticks for the percentile axis up to `maxCount` samples: 0%, 50%, 90%, 99%, 99.9% …
    static func ticks(upTo maxCount: UInt64) -> [ChartTick] {
        var out = [ChartTick(value: 1, label: "0%"), ChartTick(value: 2, label: "50%")]
        var nines = 1
        var x = 10.0
        while x <= Double(max(maxCount, 10)) * 10 && nines <= 7 {
            out.append(ChartTick(value: x, label: percentLabel(nines)))
            x *= 10
            nines += 1
        }
        return out
    }

    /// `90%`, `99%`, `99.9%`, … for 1, 2, 3 … nines.
    static func percentLabel(_ nines: Int) -> String {
        switch nines {
        case 1: "90%"
        case 2: "99%"
        default: "99." + String(repeating: "9", count: nines - 2) + "%"
        }
    }
}

/// How latency axes are scaled: nanoseconds shown as ns, µs, ms or s by the largest value.
struct LatencyScale {
    var divisor: Double
    var unit: String

    init(maxNs: Double) {
        switch maxNs {
        case ..<2_000: (divisor, unit) = (1, "ns")
        case ..<2_000_000: (divisor, unit) = (1e3, "µs")
        case ..<2_000_000_000: (divisor, unit) = (1e6, "ms")
        default: (divisor, unit) = (1e9, "s")
        }
    }

    func scaled(_ points: [ChartPoint]) -> [ChartPoint] { points.map { ChartPoint(x: $0.x, y: $0.y / divisor) } }
    func scaled(_ markers: [ChartMarker]) -> [ChartMarker] { markers.map { ChartMarker(x: $0.x, y: $0.y / divisor, label: $0.label) } }
}

/// How byte axes are scaled: B, KiB, MiB or GiB by the largest value.
struct ByteScale {
    var divisor: Double
    var unit: String

    init(maxBytes: Double) {
        switch maxBytes {
        case ..<4096: (divisor, unit) = (1, "B")
        case ..<(4 * 1024 * 1024): (divisor, unit) = (1024, "KiB")
        case ..<(4 * 1024 * 1024 * 1024): (divisor, unit) = (1024 * 1024, "MiB")
        default: (divisor, unit) = (1024 * 1024 * 1024, "GiB")
        }
    }
}
