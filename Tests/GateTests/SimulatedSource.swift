import BenchModel
import Foundation
import Gate
import Statistics

/// Per-instance values like the pipeline's: each workload instance lands in a fast or a slow mode
/// (`slowShare` of them `slowFactor` slower), with a little jitter per instance and per process.
struct TwoModeNoise {
    var slowShare = 0.45
    var slowFactor = 1.2
    var instanceJitter = 0.02
    var processJitter = 0.02
    /// The share of processes the host disturbs as a whole (all their instances slower by a factor
    /// drawn from `disturbedSlowdown`): the right tail of e2e.min in the A/A pool (README).
    var disturbedShare = 0.0
    var disturbedSlowdown = 0.03...0.20

    func normal(_ rng: inout SplitMix64) -> Double {
        let u1 = max(Double(rng.next() >> 11) / Double(1 << 53), 1e-300), u2 = Double(rng.next() >> 11) / Double(1 << 53)
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }

    func uniform(_ rng: inout SplitMix64) -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
}

/// A source of simulated processes: e2e.p50 (primary), throughput (its inverse: lower is worse) and a
/// stage MEA.p50 of a few hundred ns, with an effect on side B; the clock advances a fixed time per process.
struct SimulatedSource: ABUnitSource {
    var noise = TwoModeNoise()
    var rng: SplitMix64
    var instances = 2
    /// Relative change of e2e.p50 on side B (+0.05 = 5% slower).
    var effect = 0.0
    /// Nanoseconds added to MEA (and so to e2e) on side B.
    var stageNanoseconds = 0.0
    var e2eNanoseconds = 2_800.0
    var meaNanoseconds = 336.0
    var secondsPerProcess = 5.0
    let clock = SimulatedClock()

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    static let metrics: [String: ABMetricInfo] = [
        "e2e.p50": ABMetricInfo(higherIsWorse: true, gatedByDefault: true, unit: .nanoseconds),
        "throughput": ABMetricInfo(higherIsWorse: false, gatedByDefault: true, unit: .perSecond),
        "MEA.p50": ABMetricInfo(higherIsWorse: true, gatedByDefault: true, unit: .nanoseconds),
        "cpu.utilisation": ABMetricInfo(higherIsWorse: nil, gatedByDefault: false, unit: .ratio),
    ]

    mutating func run(_ side: ABSideID, index: Int) throws(ABError) -> ABUnit {
        clock.now += secondsPerProcess
        var processFactor = exp(noise.processJitter * noise.normal(&rng))
        if noise.disturbedShare > 0, noise.uniform(&rng) < noise.disturbedShare {
            let r = noise.disturbedSlowdown
            processFactor *= 1 + r.lowerBound + (r.upperBound - r.lowerBound) * noise.uniform(&rng)
        }
        var e2e: [Double] = [], throughput: [Double] = [], mea: [Double] = [], cpu: [Double] = []
        for _ in 0..<instances {
            let mode = noise.uniform(&rng) < noise.slowShare ? noise.slowFactor : 1
            let factor = mode * processFactor * exp(noise.instanceJitter * noise.normal(&rng))
            let extra = side == .b ? stageNanoseconds : 0
            let e = (e2eNanoseconds * factor + extra) * (side == .b ? 1 + effect : 1)
            e2e.append(e)
            throughput.append(2e9 / e)
            mea.append(meaNanoseconds * factor * exp(0.05 * noise.normal(&rng)) + extra)
            cpu.append(0.9)
        }
        return ABUnit(side: side, index: index, values: ["e2e.p50": e2e, "throughput": throughput, "MEA.p50": mea, "cpu.utilisation": cpu],
                      metrics: Self.metrics, seconds: secondsPerProcess)
    }
}

extension ABEngine {
    /// An engine on the source's simulated clock, sharing `cache` (the designs of a simulation repeat).
    static func simulated(_ plan: ABPlan, gate: ABGateSpec = ABGateSpec(), source: SimulatedSource, cache: GroupSequential.Cache) -> ABEngine {
        let clock = source.clock
        var e = ABEngine(plan: plan, gate: gate, clock: { clock.now })
        e.boundaries = cache
        return e
    }
}
