import BenchModel
import Foundation
import Statistics

/// Where an injected effect lands in a replay.
public enum InjectedEffect: Sendable, Equatable {
    /// Added work in one stage, sized as a share of the process's e2e p50: the stage's p50, e2e p50
    /// and e2e min grow by that many ns; tails and throughput are left as measured (conservative:
    /// they barely move for a few hundred ns in one stage).
    case stageWork(stage: String, share: Double)
    /// Everything slower by the share: every latency (ns) metric ×(1 + share), throughput ÷(1 + share)
    /// — a slowdown spread over all stages, which no short stage shows beyond its raised threshold.
    case uniform(share: Double)
}

/// Replays a recorded A/A pool: each process of either side is drawn with replacement from the pool
/// (its instances kept together), side B with an injected effect; a simulated clock advances by the
/// pool's mean seconds per process. Many replayed gates give the gate's false-alarm rate and power
/// on the real noise of this machine, which a few real runs cannot.
/// A clock that a simulated or replayed source advances by hand (seconds), for ``ABEngine/clock``.
public final class SimulatedClock: @unchecked Sendable {
    public var now = 0.0
    public init() {}
}

public struct PoolSource: ABUnitSource {

    public let pool: [ABUnit]
    public let metrics: [String: ABMetricInfo]
    public var effect: InjectedEffect?
    public let secondsPerProcess: Double
    public let clock = SimulatedClock()
    private var rng: SplitMix64

    /// - Parameter outcome: an A/A run's ab.json (both sides of one build): its units are the pool.
    public init(outcome: ABOutcome, effect: InjectedEffect?, seed: UInt64) {
        pool = outcome.units
        var m: [String: ABMetricInfo] = [:]
        for g in outcome.family { m[g.key] = ABMetricInfo(higherIsWorse: g.higherIsWorse, gatedByDefault: true, unit: g.unit) }
        metrics = m
        self.effect = effect
        secondsPerProcess = pool.isEmpty ? 1 : pool.map(\.seconds).reduce(0, +) / Double(pool.count)
        rng = SplitMix64(seed: seed)
    }

    public mutating func run(_ side: ABSideID, index: Int) throws(ABError) -> ABUnit {
        guard !pool.isEmpty else { throw .incompatible("the pool has no processes") }
        clock.now += secondsPerProcess
        var u = pool[Int(rng.next() % UInt64(pool.count))]
        u.side = side
        u.index = index
        u.metrics = metrics
        if side == .b, let effect, let p50 = u.values[MetricKey.e2e(.p50)] {
            switch effect {
            case .stageWork(let stage, let share):
                let extra = p50.map { $0 * share }
                for key in [MetricKey.e2e(.p50), MetricKey.e2e(.min), "\(stage).p50"] {
                    if let v = u.values[key] { u.values[key] = zip(v, extra).map { $0 + $1 } }
                }
            case .uniform(let share):
                for (key, info) in metrics {
                    guard let v = u.values[key] else { continue }
                    if info.unit == .nanoseconds { u.values[key] = v.map { $0 * (1 + share) } }
                    if info.unit == .perSecond { u.values[key] = v.map { $0 / (1 + share) } }
                }
            }
        }
        return u
    }
}

/// Many replayed gates at one effect: how often each verdict, and how long they measured.
public struct ReplaySummary: Sendable, Equatable, Codable {
    public var runs: Int
    public var regressed: Int
    public var passed: Int
    public var inconclusive: Int
    /// Simulated measuring time per gate run, seconds: median and worst.
    public var medianSeconds: Double
    public var maxSeconds: Double
    /// The primary metric's MDE at the budget, median over the runs' last looks.
    public var medianMDE: Double?

    /// Replays `runs` gates of `plan` on `pool` with `effect` on side B.
    public static func replay(pool: ABOutcome, plan: ABPlan, gate: ABGateSpec, effect: InjectedEffect?, runs: Int,
                              seed: UInt64) throws(ABError) -> ReplaySummary {
        let cache = GroupSequential.Cache()
        var verdicts: [ABVerdict] = [], seconds: [Double] = [], mdes: [Double] = []
        for i in 0..<runs {
            var source = PoolSource(outcome: pool, effect: effect, seed: seed &+ UInt64(i) &* 0x9E37_79B9)
            var p = plan
            p.seed = seed &+ UInt64(i)
            let clock = source.clock
            var engine = ABEngine(plan: p, gate: gate, clock: { clock.now })
            engine.boundaries = cache
            let o = try engine.run(&source)
            verdicts.append(o.verdict)
            seconds.append(o.seconds)
            if let m = o.final.first(where: { $0.key == gate.primary })?.mdeAtBudget { mdes.append(m) }
        }
        return ReplaySummary(runs: runs, regressed: verdicts.filter { $0 == .regressed }.count,
                             passed: verdicts.filter { $0 == .pass }.count,
                             inconclusive: verdicts.filter { $0 == .inconclusive }.count,
                             medianSeconds: Descriptive.median(seconds) ?? 0, maxSeconds: seconds.max() ?? 0,
                             medianMDE: Descriptive.median(mdes))
    }
}


/// Replays one recorded run as it happened: each side's processes in the order they ran, the clock
/// advanced by each one's recorded seconds — the same gate run judged again under another rule
/// (`phibench power --rejudge`). A rule that would have measured longer than the record did cannot be
/// replayed: the source throws at the first process the record does not have.
public struct RecordedSource: ABUnitSource {
    public let record: ABOutcome
    public let clock = SimulatedClock()
    private let metrics: [String: ABMetricInfo]

    public init(record: ABOutcome) {
        self.record = record
        var m: [String: ABMetricInfo] = [:]
        for g in record.family { m[g.key] = ABMetricInfo(higherIsWorse: g.higherIsWorse, gatedByDefault: true, unit: g.unit) }
        metrics = m
    }

    public mutating func run(_ side: ABSideID, index: Int) throws(ABError) -> ABUnit {
        guard var u = record.units.first(where: { $0.side == side && $0.index == index }) else {
            throw .incompatible("the record has \(record.units.filter { $0.side == side }.count) processes of side \(side.rawValue); "
                                + "this rule asked for a further one")
        }
        clock.now += u.seconds
        u.metrics = metrics
        return u
    }
}
