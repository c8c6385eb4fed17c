#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How sensitive a comparison of one metric is: the run-to-run noise of a trial's value, the
/// minimum detectable effect (MDE) of the test, and the smallest change the gate as a whole catches.
///
/// Both are found by simulation, not by a textbook formula: trial values are drawn with the measured
/// relative noise, the "after" side shifted by Δ, and the smallest Δ found with the chosen power
/// (default 0.9). For the MDE a change counts when the two-sided Mann–Whitney U test is significant
/// at α; for ``detects`` it must also be beyond the threshold and the latency floor, as the gate
/// requires. Simulating keeps the exact test's discreteness at small trial counts, which a
/// normal-approximation formula would miss. When the MDE exceeds the threshold the gate is blind to
/// changes between the two: the compare says "below detection limit".
public struct Sensitivity: Sendable, Codable, Equatable {
    /// Where the noise estimate came from.
    public enum Source: String, Sendable, Codable {
        /// The compare's own trials (both sides pooled around their medians).
        case trials
        /// An A/A calibration of the same scenario on the same machine.
        case calibration
    }

    /// Robust relative standard deviation of one trial's value: 1.4826 × the median absolute
    /// deviation of value ÷ median − 1.
    public var noise: Double
    public var source: Source
    /// Trials per side the MDE is for.
    public var trialsBefore: Int
    public var trialsAfter: Int
    /// The relative change the test finds significant with ``power``; nil when no change can be
    /// (too few trials for the test to reach α).
    public var mde: Double?
    /// The relative change the gate flags (significant and beyond the threshold and floor) with
    /// ``power``; nil when none can be.
    public var detects: Double?
    public var power: Double
    /// Trials per side that would bring the MDE down to the threshold (nil when already there, or
    /// when no count up to 200 would).
    public var suggestedTrials: Int?

    public init(noise: Double, source: Source, trialsBefore: Int, trialsAfter: Int, mde: Double?, detects: Double?,
                power: Double, suggestedTrials: Int?) {
        self.noise = noise
        self.source = source
        self.trialsBefore = trialsBefore
        self.trialsAfter = trialsAfter
        self.mde = mde
        self.detects = detects
        self.power = power
        self.suggestedTrials = suggestedTrials
    }

    /// True when the test cannot resolve a change of the threshold's size.
    public func isBlind(threshold: Double) -> Bool { mde.map { $0 > threshold } ?? true }
}

/// Noise estimates and MDE simulation.
public enum SensitivityAnalysis {
    /// Robust relative noise of trial values: 1.4826 × MAD of the relative deviations from each
    /// group's median (groups are pooled, so a shift between them is not counted as noise).
    /// nil with fewer than 3 values in all or a zero median.
    public static func relativeNoise(_ groups: [[Double]]) -> Double? {
        var deviations: [Double] = []
        for g in groups where !g.isEmpty {
            guard let m = Descriptive.median(g), m != 0, m.isFinite else { continue }
            deviations += g.map { abs($0 / m - 1) }
        }
        guard deviations.count >= 3, let mad = Descriptive.median(deviations) else { return nil }
        return 1.4826 * mad
    }

    /// What the gate needs to call a regression, as the simulation applies it.
    public struct Rule: Sendable, Equatable {
        public var alpha: Double
        /// Relative threshold the change of medians must exceed.
        public var threshold: Double
        /// The floor as a fraction of the metric's value (a 100 ns floor on a 20 µs metric is 0.005).
        public var relativeFloor: Double

        public init(alpha: Double, threshold: Double, relativeFloor: Double = 0) {
            self.alpha = alpha
            self.threshold = threshold
            self.relativeFloor = relativeFloor
        }
    }

    /// The smallest relative change the rule detects with probability `power`, for trial values with
    /// relative noise `noise`, `nb` and `na` trials; nil when the test cannot reach α with these
    /// counts. Deterministic for a seed.
    public static func minimumDetectableEffect(noise: Double, nb: Int, na: Int, rule: Rule, power: Double = 0.9,
                                               simulations: Int = 600, seed: UInt64 = 0x5EED) -> Double? {
        guard nb >= 2, na >= 2, noise.isFinite, noise >= 0, power > 0, power < 1,
              MannWhitney.smallestPossibleP(nb, na) < rule.alpha,
              let critical = criticalU(nb, na, alpha: rule.alpha) else { return nil }
        let barrier = Swift.max(rule.threshold, rule.relativeFloor)
        let draws = Draws(noise: noise, nb: nb, na: na, simulations: simulations, seed: seed)
        func rate(_ delta: Double) -> Double {
            detectionRate(delta: delta, draws: draws, critical: critical, barrier: barrier)
        }
        // Grow an upper bound, then bisect: the detection rate rises with Δ.
        var hi = Swift.max(barrier, noise, 0.001)
        while rate(hi) < power {
            hi *= 2
            if hi > 64 { return nil }
        }
        var lo = 0.0
        for _ in 0..<18 {
            let mid = (lo + hi) / 2
            if rate(mid) >= power { hi = mid } else { lo = mid }
        }
        return hi
    }

    /// The random draws one MDE search shares across every Δ it tries (common random numbers, so the
    /// detection rate is monotone in Δ), drawn and sorted once: per simulation the before values, and
    /// the after side's standard normals. An after value is (1 + Δ)(1 + noise·z), increasing in z for
    /// Δ ≥ 0, so z sorted once is every Δ's after sample sorted.
    struct Draws {
        let noise: Double
        let nb: Int
        let na: Int
        let simulations: Int
        /// `simulations` rows of `nb` sorted before values.
        private(set) var before: [Double] = []
        /// The median of each before row.
        private(set) var beforeMedian: [Double] = []
        /// `simulations` rows of `na` sorted standard normals.
        private(set) var afterZ: [Double] = []

        init(noise: Double, nb: Int, na: Int, simulations: Int, seed: UInt64) {
            self.noise = noise
            self.nb = nb
            self.na = na
            self.simulations = simulations
            var rng = SplitMix64(seed: seed)
            var b = [Double](repeating: 0, count: nb)
            var z = [Double](repeating: 0, count: na)
            before.reserveCapacity(simulations * nb)
            afterZ.reserveCapacity(simulations * na)
            beforeMedian.reserveCapacity(simulations)
            for _ in 0..<simulations {
                for i in 0..<nb { b[i] = 1 + noise * SensitivityAnalysis.gaussian(&rng) }
                for i in 0..<na { z[i] = SensitivityAnalysis.gaussian(&rng) }
                b.sort()
                z.sort()
                before.append(contentsOf: b)
                afterZ.append(contentsOf: z)
                beforeMedian.append(Descriptive.median(sorted: b))
            }
        }
    }

    /// The share of simulated comparisons with a true shift `delta` (≥ 0) that the rule calls a regression.
    static func detectionRate(delta: Double, draws d: Draws, critical: Int, barrier: Double) -> Double {
        var a = [Double](repeating: 0, count: d.na)
        var hits = 0
        for s in 0..<d.simulations {
            let bRow = s * d.nb, aRow = s * d.na
            for i in 0..<d.na { a[i] = (1 + delta) * (1 + d.noise * d.afterZ[aRow + i]) }
            // Pairs with after > before, by merging the two sorted samples.
            var u = 0, j = 0
            for x in a {
                while j < d.nb && d.before[bRow + j] < x { j += 1 }
                u += j
            }
            guard u >= critical else { continue }
            let mb = d.beforeMedian[s], ma = Descriptive.median(sorted: a)
            if mb > 0, (ma - mb) / mb > barrier { hits += 1 }
        }
        return Double(hits) / Double(d.simulations)
    }

    static func criticalU(_ nb: Int, _ na: Int, alpha: Double) -> Int? {
        let total = nb * na
        for u in (total / 2)...total {
            if let p = pValue(u: u, nb: nb, na: na), p < alpha { return u }
        }
        return nil
    }

    /// Two-sided p of U = u (untied samples), as ``MannWhitney/test(_:_:)`` computes it.
    static func pValue(u: Int, nb: Int, na: Int) -> Double? {
        let uu = Swift.max(u, nb * na - u)
        if nb <= 8 || na <= 8 { return Swift.min(1, 2 * MannWhitney.exactSurvival(uu, nb, na)) }
        let n = Double(nb + na)
        let variance = Double(nb * na) / 12 * (n + 1)
        let z = (Double(uu) - Double(nb * na) / 2 - 0.5) / variance.squareRoot()
        return Swift.min(1, 2 * Distributions.normalSurvival(z))
    }

    /// Trials per side (equal sides) at which the MDE of `rule` reaches `target`: the 1/√n scaling from
    /// the MDE at `current` trials gives a first guess, which the simulation then checks and raises
    /// until it holds; nil when no count up to `limit` does.
    public static func trialsFor(target: Double, noise: Double, current: Int, currentMDE: Double?, rule: Rule,
                                 power: Double = 0.9, limit: Int = 200) -> Int? {
        guard target > 0, noise.isFinite else { return nil }
        var n = Swift.max(current, 3)
        if let m = currentMDE, m > target {
            let guess = (Double(current) * (m / target) * (m / target)).rounded(.up)
            guard guess.isFinite else { return nil }
            n = Swift.max(n, Int(Swift.min(guess, Double(limit + 1))))
        }
        while n <= limit {
            if let mde = minimumDetectableEffect(noise: noise, nb: n, na: n, rule: rule, power: power, simulations: 300),
               mde <= target * 1.0001 {
                return n
            }
            n += Swift.max(1, n / 5)
        }
        return nil
    }

    fileprivate static func gaussian(_ rng: inout SplitMix64) -> Double {
        let u1 = Swift.max(Double(rng.next() >> 11) / Double(1 << 53), 1e-300)
        let u2 = Double(rng.next() >> 11) / Double(1 << 53)
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }

}
