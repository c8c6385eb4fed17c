import BenchModel
import Statistics
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ArrivalCheck {
    /// Default significance of the Kolmogorov–Smirnov test for Poisson phases.
    static let defaultSignificance = 0.01
    /// Default tolerance for uniform phases: the p99 of |gap − 1| may be at most a quarter of the mean
    /// gap. (A Poisson stream scores about 3.6 on this statistic, a perfect schedule 0.)
    static let defaultUniformTolerance = 0.25

    /// Tests gaps already rescaled through the phase's integrated rate Λ (so the intended process has
    /// mean gap 1): against Exp(1) by Kolmogorov–Smirnov for `poisson`, by their spread around 1 for
    /// `uniform`. A pure function of its arguments.
    /// - Parameters:
    ///   - gaps: rescaled gaps, any order, non-negative.
    ///   - significance: KS level for `poisson` (in (0, 1)).
    ///   - uniformTolerance: largest passing p99 of |gap − 1| for `uniform`.
    static func evaluate(rescaledGaps gaps: [Double], process: ArrivalProcess,
                         significance: Double = defaultSignificance,
                         uniformTolerance: Double = defaultUniformTolerance) -> ArrivalCheck {
        let n = gaps.count
        let mean = Descriptive.mean(gaps)
        let variance = n > 1 ? gaps.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1) : 0
        let cv = mean > 0 ? variance.squareRoot() / mean : 0
        switch process {
        case .poisson:
            let d = kolmogorovSmirnovExponential(gaps.sorted())
            let scale = n > 0 ? Double(n).squareRoot() + 0.12 + 0.11 / Double(n).squareRoot() : 1
            let p = n > 0 ? kolmogorovSurvival(scale * d) : 1
            let critical = kolmogorovQuantile(significance) / scale
            return ArrivalCheck(process: process, method: .kolmogorovSmirnovExponential, gaps: n, statistic: d,
                                pValue: p, criticalValue: critical, significance: significance, meanGap: mean,
                                coefficientOfVariation: cv, verdict: verdict(n, pass: p >= significance))
        case .uniform:
            let deviations = gaps.map { abs($0 - 1) }.sorted()
            let p99 = deviations.isEmpty ? 0 : deviations[Swift.min(n - 1, Int((Double(n) * 0.99).rounded(.up)) - 1)]
            return ArrivalCheck(process: process, method: .uniformSpread, gaps: n, statistic: p99, pValue: nil,
                                criticalValue: uniformTolerance, significance: nil, meanGap: mean,
                                coefficientOfVariation: cv, verdict: verdict(n, pass: p99 <= uniformTolerance))
        }
    }

    private static func verdict(_ n: Int, pass: Bool) -> Verdict {
        n < minimumGaps ? .insufficient : (pass ? .pass : .fail)
    }

    /// D = sup |Fₙ(x) − (1 − e^(−x))| for sorted `x`.
    static func kolmogorovSmirnovExponential(_ sorted: [Double]) -> Double {
        let n = Double(sorted.count)
        var d = 0.0
        for (i, x) in sorted.enumerated() {
            let f = -expm1(-Swift.max(x, 0))
            d = Swift.max(d, f - Double(i) / n, Double(i + 1) / n - f)
        }
        return d
    }

    /// P(K > z) for the Kolmogorov distribution (the limit of √n·D), by the two series of Numerical
    /// Recipes (3rd ed., §6.14) that each converge within four terms on their side of 1.18.
    static func kolmogorovSurvival(_ z: Double) -> Double {
        guard z > 0 else { return 1 }
        if z < 1.18 {
            let y = exp(-1.233_700_550_136_169_83 / (z * z))
            let cdf = 2.256_758_334_191_025_15 * (-log(y)).squareRoot()
                * (y + pow(y, 9) + pow(y, 25) + pow(y, 49))
            return Swift.min(1, Swift.max(0, 1 - cdf))
        }
        let x = exp(-2 * z * z)
        return Swift.min(1, Swift.max(0, 2 * (x - pow(x, 4) + pow(x, 9))))
    }

    /// z with P(K > z) = `alpha` (1.628 at 0.01, 1.358 at 0.05), by bisection.
    static func kolmogorovQuantile(_ alpha: Double) -> Double {
        var low = 0.1, high = 6.0
        for _ in 0..<100 {
            let mid = (low + high) / 2
            if kolmogorovSurvival(mid) > alpha { low = mid } else { high = mid }
        }
        return (low + high) / 2
    }
}

/// Actual start times of a bounded sample of one open-loop phase's arrivals, for the gap self-check.
///
/// Up to `capacity` arrivals every start is kept; beyond, pairs (i, i + 1) at every `stride`-th
/// index, so a 2-hour phase is sampled along its whole length in fixed memory (800 KB at the
/// default capacity). Workers write distinct slots without locks; the sample is read after they
/// have been joined.
final class StartSample: @unchecked Sendable {
    /// Default bound on stored starts per phase.
    static let defaultCapacity = 100_000

    let stride: Int
    private let buffer: UnsafeMutableBufferPointer<UInt64>

    init(arrivals total: Int, capacity: Int = StartSample.defaultCapacity) {
        let total = Swift.max(0, total)
        let capacity = Swift.max(2, capacity)
        let slots: Int
        if total <= capacity {
            stride = 1
            slots = total
        } else {
            stride = (total + capacity / 2 - 1) / (capacity / 2)
            slots = 2 * ((total + stride - 1) / stride)
        }
        buffer = .allocate(capacity: slots)
        buffer.initialize(repeating: 0)
    }

    deinit { buffer.deallocate() }

    /// Notes that arrival `index` started at monotonic `time` ns (> 0).
    @inline(__always)
    func record(index: Int, time: UInt64) {
        if stride == 1 {
            if index < buffer.count { buffer[index] = time }
            return
        }
        let (pair, offset) = index.quotientAndRemainder(dividingBy: stride)
        if offset < 2, 2 * pair + offset < buffer.count { buffer[2 * pair + offset] = time }
    }

    /// Gaps between the sampled starts mapped through `schedule`'s Λ, `start` being the phase's
    /// monotonic start: consecutive starts in time order, or each stored pair's distance when strided.
    /// Arrivals that never started (dropped, stopped) are left out.
    ///
    /// A segment's arrivals are a share of the whole schedule's: for Poisson spacing (an independent
    /// thinning, so again Poisson) Λ is scaled by the share; for uniform spacing each gap is divided
    /// by the intended gap between the two arrivals, which the stripe makes uneven for most N.
    func rescaledGaps(_ schedule: ArrivalSchedule, start: UInt64) -> [Double] {
        let scale = schedule.segment.map { Double($0.owned) / Double(Swift.max(1, $0.whole)) } ?? 1
        func lambda(_ t: UInt64) -> Double { scale * schedule.integral(at: Double(t &- Swift.min(t, start)) / 1e9) }
        if let share = schedule.segment, schedule.process == .uniform {
            return segmentGaps(share, schedule: schedule, start: start)
        }
        if stride == 1 {
            let points = buffer.filter { $0 != 0 }.sorted().map(lambda)
            return zip(points, points.dropFirst()).map { $1 - $0 }
        }
        var out: [Double] = []
        out.reserveCapacity(buffer.count / 2)
        for pair in 0..<(buffer.count / 2) where buffer[2 * pair] != 0 && buffer[2 * pair + 1] != 0 {
            out.append(abs(lambda(buffer[2 * pair + 1]) - lambda(buffer[2 * pair])))
        }
        return out
    }

    /// Uniform spacing in a segment: for each pair of consecutive own arrivals (j, j + 1) that both
    /// started, their Λ distance over the intended one (the distance of their indices in the whole
    /// schedule), so a perfect schedule scores 1 however the stripe spaces them.
    private func segmentGaps(_ share: ArrivalSchedule.SegmentShare, schedule: ArrivalSchedule, start: UInt64) -> [Double] {
        func lambda(_ t: UInt64) -> Double { schedule.integral(at: Double(t &- Swift.min(t, start)) / 1e9) }
        // Own index j → whole-schedule index, for the stored slots only.
        var wholeIndex: [Int: Int] = [:]
        var own = 0
        for k in 0..<share.whole where share.owns(k) {
            let slot = stride == 1 ? own : (own % stride < 2 ? 2 * (own / stride) + own % stride : -1)
            if slot >= 0, slot < buffer.count { wholeIndex[own] = k }
            own += 1
        }
        var out: [Double] = []
        let pairs: [(Int, Int)] = stride == 1
            ? (0..<Swift.max(0, buffer.count - 1)).map { ($0, $0 + 1) }
            : (0..<(buffer.count / 2)).map { (2 * $0, 2 * $0 + 1) }
        for (a, b) in pairs where buffer[a] != 0 && buffer[b] != 0 {
            let ja = stride == 1 ? a : (a / 2) * stride, jb = ja + 1
            guard let ka = wholeIndex[ja], let kb = wholeIndex[jb], kb > ka else { continue }
            out.append(abs(lambda(buffer[b]) - lambda(buffer[a])) / Double(kb - ka))
        }
        return out
    }
}
