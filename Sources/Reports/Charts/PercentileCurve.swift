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
        var xs: [Double] = []
        var j = 0.0
        while j < decades {
            xs.append(pow(10, j))
            j += 1 / Self.stepsPerDecade
        }
        let ys = h.values(atAscendingPercentiles: xs.map { (1 - 1 / $0) * 100 })
        for (x, y) in zip(xs, ys) { points.append(ChartPoint(x: x, y: Double(y))) }
        points.append(ChartPoint(x: max(maxX, 1), y: Double(h.max)))
        let levels = [(50.0, "p50"), (90, "p90"), (99, "p99"), (99.9, "p99.9"), (99.99, "p99.99")].filter { 1 / (1 - $0.0 / 100) <= maxX }
        for ((p, label), v) in zip(levels, h.values(atAscendingPercentiles: levels.map(\.0))) {
            markers.append(ChartMarker(x: 1 / (1 - p / 100), y: Double(v), label: "\(name) \(label) = \(Units.formatNanoseconds(Double(v)))"))
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

extension Histogram {
    /// `valueAtPercentile(p)` for every `p` of `percentiles` (ascending), in one walk over the recorded
    /// values instead of one walk over the whole counts array per percentile (the library's
    /// `valueAtPercentile` is not inlinable, so each call also runs unspecialised: a report's ~240
    /// curve points per histogram cost ~1.5 G instructions that way). Same rounding as the library.
    func values(atAscendingPercentiles percentiles: [Double]) -> [UInt64] {
        var out: [UInt64] = []
        out.reserveCapacity(percentiles.count)
        var walk = recordedValues()
        var reached: IterationValue?
        for p in percentiles {
            if p == 0 {
                out.append(min)
                continue
            }
            if p >= 100 {
                out.append(maxRecorded)
                continue
            }
            let requested = Swift.min(Swift.max(p.nextDown, 0), 100)
            let countAtPercentile = Swift.max(1, UInt64(((requested * Double(totalCount)) / 100).rounded(.up)))
            while (reached?.totalCountToThisValue ?? 0) < countAtPercentile, let next = walk.next() { reached = next }
            guard let reached, reached.totalCountToThisValue >= countAtPercentile else {
                out.append(0)
                continue
            }
            out.append(Swift.max(Swift.min(reached.value, maxRecorded), min))
        }
        return out
    }
}
