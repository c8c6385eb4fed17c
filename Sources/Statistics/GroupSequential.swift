import Foundation
import Synchronization

/// How a group-sequential test spends its error rate over the information it gathers (Lan & DeMets
/// 1983): at information fraction t ∈ (0, 1] at most `spent(t)` of the total may have been used, so
/// looking at the data after every block costs no more false alarms than looking once at the end.
public enum SpendingFunction: Sendable, Hashable, Codable {
    /// Hwang–Shih–DeCani: total·(1 − e^(−γt)) / (1 − e^(−γ)); γ = −4 spends like O'Brien–Fleming
    /// (little early, stopping only for large effects), γ = 1 like Pocock, γ = 0 linearly.
    case hwangShihDeCani(gamma: Double)
    /// Lan–DeMets' O'Brien–Fleming type: 2 − 2Φ(z₁₋ₐ/₂ / √t) of a one-sided total a.
    case obrienFleming

    /// The error spent by information fraction `t` (clamped to [0, 1]) of a total `total`.
    public func spent(_ t: Double, total: Double) -> Double {
        let t = min(1, max(0, t))
        guard t > 0 else { return 0 }
        switch self {
        case .hwangShihDeCani(let gamma):
            if abs(gamma) < 1e-12 { return total * t }
            return total * (1 - exp(-gamma * t)) / (1 - exp(-gamma))
        case .obrienFleming:
            let z = Distributions.normalQuantile(1 - total / 2)
            return 2 * Distributions.normalSurvival(z / t.squareRoot())
        }
    }

    /// How the function reads in a report.
    public var description: String {
        switch self {
        case .hwangShihDeCani(let gamma): "Hwang–Shih–DeCani spending (γ = \(gamma))"
        case .obrienFleming: "Lan–DeMets O'Brien–Fleming spending"
        }
    }
}

/// Group-sequential boundaries and their operating characteristics, by the recursive numerical
/// integration of Armitage, McPherson & Rowe (1969) as Jennison & Turnbull (2000, ch. 19) give it.
///
/// The canonical model: at look k with information fraction t_k the standardised statistic Z_k has
/// Z_k√t_k = S(t_k), a Brownian motion with drift θ (θ = 0 under the null), so the increments of S
/// are independent normals of variance t_k − t_(k−1). An upper boundary c_k (on the Z scale) is
/// chosen so that the probability of first crossing at look k is what the spending function
/// releases between t_(k−1) and t_k. Fractions must increase strictly and lie in (0, 1].
public enum GroupSequential {
    /// Upper boundaries (Z scale) for one-sided level `alpha` at the given information fractions.
    /// A look that the spending function gives (almost) nothing to gets +infinity: no stop there.
    public static func upperBoundaries(fractions: [Double], alpha: Double, spending: SpendingFunction) -> [Double] {
        var boundaries: [Double] = []
        var state: Continuation? = nil
        var previous = 0.0
        for t in fractions {
            let target = spending.spent(t, total: alpha) - spending.spent(previous, total: alpha)
            let step = Step(from: state, previousFraction: previous, fraction: t, drift: 0)
            let b: Double
            if target <= 1e-15 {
                b = .infinity
            } else {
                // crossing(b) decreases in b: bisect on the S scale.
                var lo = -12 * t.squareRoot(), hi = 40 * t.squareRoot()
                for _ in 0..<80 {
                    let mid = (lo + hi) / 2
                    if step.crossing(above: mid) > target { lo = mid } else { hi = mid }
                }
                b = (lo + hi) / 2
            }
            boundaries.append(b / t.squareRoot())
            state = step.continuation(below: b)
            previous = t
        }
        return boundaries
    }

    /// The probability that Z_k ≥ c_k at some look, when the drift is `drift` (the effect in units of
    /// the standard error at full information, t = 1): the design's power at that effect, or its
    /// false-alarm rate at drift 0.
    public static func crossingProbability(fractions: [Double], boundaries: [Double], drift: Double) -> Double {
        var state: Continuation? = nil
        var previous = 0.0, total = 0.0
        for (t, c) in zip(fractions, boundaries) {
            let step = Step(from: state, previousFraction: previous, fraction: t, drift: drift)
            let b = c * t.squareRoot()
            total += step.crossing(above: b)
            state = step.continuation(below: b)
            previous = t
        }
        return min(1, total)
    }

    /// The drift (effect in standard errors at t = 1) that the boundaries detect with probability
    /// `power`: the design's minimum detectable effect in those units.
    public static func detectableDrift(fractions: [Double], boundaries: [Double], power: Double) -> Double {
        var lo = 0.0, hi = 20.0
        for _ in 0..<30 {
            let mid = (lo + hi) / 2
            if crossingProbability(fractions: fractions, boundaries: boundaries, drift: mid) < power { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }

    /// Boundaries already computed, for callers that evaluate one design many times (simulations).
    public final class Cache: Sendable {
        struct Key: Hashable {
            var fractions: [Double]
            var alpha: Double
            var spending: SpendingFunction
        }
        private let table = Mutex<[Key: [Double]]>([:])
        private let drifts = Mutex<[Key: Double]>([:])
        public init() {}

        /// ``GroupSequential/upperBoundaries(fractions:alpha:spending:)``, computed once per design.
        public func upperBoundaries(fractions: [Double], alpha: Double, spending: SpendingFunction) -> [Double] {
            let key = Key(fractions: fractions, alpha: alpha, spending: spending)
            if let hit = table.withLock({ $0[key] }) { return hit }
            let b = GroupSequential.upperBoundaries(fractions: fractions, alpha: alpha, spending: spending)
            table.withLock { $0[key] = b }
            return b
        }

        /// ``GroupSequential/detectableDrift(fractions:boundaries:power:)`` of that design, computed once.
        public func detectableDrift(fractions: [Double], alpha: Double, spending: SpendingFunction, power: Double) -> Double {
            let key = Key(fractions: fractions + [power], alpha: alpha, spending: spending)
            if let hit = drifts.withLock({ $0[key] }) { return hit }
            let b = upperBoundaries(fractions: fractions, alpha: alpha, spending: spending)
            let d = GroupSequential.detectableDrift(fractions: fractions, boundaries: b, power: power)
            drifts.withLock { $0[key] = d }
            return d
        }
    }

    /// The sub-density of S(t) on the paths that have not stopped yet, on a grid: `mass[i]` is the
    /// density at `points[i]` times its trapezoid weight.
    struct Continuation {
        var points: [Double]
        var mass: [Double]
    }

    /// One look: the increment from the previous continuation to this fraction.
    struct Step {
        let from: Continuation?
        let sd: Double
        let shift: Double
        let fraction: Double
        /// E[S(t)] = drift·t.
        let mean: Double

        init(from: Continuation?, previousFraction: Double, fraction: Double, drift: Double) {
            precondition(fraction > previousFraction && fraction <= 1 + 1e-12, "information fractions must increase within (0, 1]")
            self.from = from
            let dt = fraction - previousFraction
            sd = dt.squareRoot()
            shift = drift * dt
            self.fraction = fraction
            mean = drift * fraction
        }

        /// P(not stopped before, and S(t) ≥ b).
        func crossing(above b: Double) -> Double {
            guard b.isFinite else { return b > 0 ? 0 : 1 }
            guard let from else { return Distributions.normalSurvival((b - shift) / sd) }
            var sum = 0.0
            for (u, m) in zip(from.points, from.mass) where m > 0 {
                sum += m * Distributions.normalSurvival((b - u - shift) / sd)
            }
            return sum
        }

        /// The sub-density of S(t) below `b`, on a grid fine enough for the next increment.
        func continuation(below b: Double) -> Continuation {
            // Where the paths can be: the previous grid's range widened by 8 increment SDs (and the drift).
            // S(t) itself is N(drift·t, t): nothing lies beyond 8 of its SDs either.
            let lowStart = max((from?.points.first ?? 0) + shift - 8 * sd, mean - 8 * fraction.squareRoot())
            let highEnd = min(b, (from?.points.last ?? 0) + shift + 8 * sd, mean + 8 * fraction.squareRoot())
            guard highEnd > lowStart else { return Continuation(points: [lowStart], mass: [0]) }
            let span = highEnd - lowStart
            let count = max(64, min(1_200, Int((span / min(0.1, sd / 4)).rounded(.up)) + 1))
            let h = span / Double(count - 1)
            var points = [Double](repeating: 0, count: count)
            var mass = [Double](repeating: 0, count: count)
            for j in 0..<count {
                let s = lowStart + Double(j) * h
                points[j] = s
                var density = 0.0
                if let from {
                    for (u, m) in zip(from.points, from.mass) where m > 0 {
                        let z = (s - u - shift) / sd
                        if abs(z) < 8 { density += m * Distributions.normalDensity(z) }
                    }
                    density /= sd
                } else {
                    density = Distributions.normalDensity((s - shift) / sd) / sd
                }
                mass[j] = density * ((j == 0 || j == count - 1) ? h / 2 : h)
            }
            return Continuation(points: points, mass: mass)
        }
    }
}
