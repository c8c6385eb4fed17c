import BenchModel

/// A scenario phase broken into the units the driver runs and the result reports: a step phase
/// becomes one unit per rate and a closed phase one per concurrency level, so the per-phase table
/// shows the degradation curve row by row.
struct PlannedPhase: Sendable, Equatable {
    enum Mode: Sendable, Equatable {
        case open(OpenLoopPlan)
        case closed(concurrency: Int, seconds: Double)
    }

    /// Index of the scenario phase this unit comes from.
    var scenarioPhase: Int
    var kind: String
    var label: String
    var mode: Mode
    var nominalSeconds: Double

    /// Expands `scenario`'s phases; open-loop phases get `defaultWorkers` threads unless set.
    /// `seed` (default: the scenario's) seeds Poisson schedules, each unit its own stream.
    /// With `segment`, each unit is that segment's share: its part of every open-loop schedule (the
    /// same schedule the whole test has, thinned) and its share of every concurrency level.
    static func plan(_ scenario: Scenario, seed: UInt64? = nil, defaultWorkers: Int,
                     segment: ExecutionSegment? = nil) -> [PlannedPhase] {
        var out: [PlannedPhase] = []
        for (scenarioPhase, phase) in scenario.phases.enumerated() {
            let workers = phase.workers ?? scenario.workers ?? defaultWorkers
            let maxQueue = phase.maxQueue ?? scenario.maxQueue
            let spin = phase.spin ?? scenario.spin
            let process = phase.arrivals ?? scenario.arrivals ?? .uniform
            func open(_ shape: LoadShape, _ label: String) -> PlannedPhase {
                let unitSeed = ArrivalRandom.unitSeed(scenarioSeed: seed ?? scenario.seed, unit: out.count)
                var schedule = ArrivalSchedule(shape, process: process, seed: unitSeed)!
                if let segment { schedule = schedule.segmented(segment) }
                return PlannedPhase(scenarioPhase: scenarioPhase, kind: phase.load.kind, label: label,
                                    mode: .open(OpenLoopPlan(schedule: schedule, workers: workers, maxQueue: maxQueue,
                                                             spinNanoseconds: OpenLoopPlan.spinNanoseconds(spin, for: schedule))),
                                    nominalSeconds: shape.nominalDuration)
            }
            switch phase.load {
            case .constant(let rate, _):
                out.append(open(phase.load, "constant \(rateText(rate))"))
            case .ramp(let from, let to, _):
                out.append(open(phase.load, "ramp \(rateText(from))→\(rateText(to))"))
            case .step(let rates, let each):
                for rate in rates {
                    out.append(open(.constant(rate: rate, duration: each), "step \(rateText(rate))"))
                }
            case .spike(let base, let peak, _, _, _):
                out.append(open(phase.load, "spike \(rateText(base))→\(rateText(peak))"))
            case .burst(let count):
                out.append(open(phase.load, "burst \(count)"))
            case .closed(let levels, let each):
                for c in levels {
                    out.append(PlannedPhase(scenarioPhase: scenarioPhase, kind: "closed", label: "closed c=\(c)",
                                            mode: .closed(concurrency: segment?.share(of: c) ?? c, seconds: each), nominalSeconds: each))
                }
            }
        }
        return out
    }

    /// The warm-up: the first phase's opening load for `seconds` (its starting rate open loop, or its
    /// first concurrency level closed loop; a burst warms up closed loop with its worker count).
    static func warmup(_ scenario: Scenario, seed: UInt64? = nil, seconds: Double, defaultWorkers: Int,
                       segment: ExecutionSegment? = nil) -> PlannedPhase? {
        guard seconds > 0, let first = plan(scenario, seed: seed, defaultWorkers: defaultWorkers).first else { return nil }
        switch first.mode {
        case .open(var open):
            if open.schedule.burst > 0 {
                return PlannedPhase(scenarioPhase: -1, kind: "warmup", label: "warm-up",
                                    mode: .closed(concurrency: segment?.share(of: open.workers) ?? open.workers, seconds: seconds),
                                    nominalSeconds: seconds)
            }
            let opening = open.schedule.rate(at: 0)
            let rate = opening > 0 ? opening : (open.schedule.meanRate ?? 1)
            open.schedule = ArrivalSchedule(.constant(rate: rate, duration: seconds), process: open.schedule.process,
                                            seed: ArrivalRandom.unitSeed(scenarioSeed: seed ?? scenario.seed, unit: -1))!
            if let segment { open.schedule = open.schedule.segmented(segment) }
            return PlannedPhase(scenarioPhase: -1, kind: "warmup", label: "warm-up", mode: .open(open),
                                nominalSeconds: seconds)
        case .closed(let c, _):
            return PlannedPhase(scenarioPhase: -1, kind: "warmup", label: "warm-up",
                                mode: .closed(concurrency: segment?.share(of: c) ?? c, seconds: seconds), nominalSeconds: seconds)
        }
    }
}

/// How one open-loop unit runs: its intended arrivals and how workers meet them.
struct OpenLoopPlan: Sendable, Equatable {
    var schedule: ArrivalSchedule
    var workers: Int
    var maxQueue: Int?
    /// Nanoseconds before each due time at which a worker stops sleeping and spins (0: never spins).
    var spinNanoseconds: UInt64

    /// The default window at moderate rates, in seconds. Measured on a 2-core VM (README, "Open-loop
    /// precision"): a wake-up after a sleep of a millisecond is 15–40 µs late at the median, and a
    /// 50 µs window brings 1,000/s to 0.03 µs (p99 28 µs on the quiet machine); at 20 µs the median
    /// is still a few µs late.
    static let defaultSpinCeiling = 50e-6
    /// The default window at low rates, in seconds: after sleeping tens of milliseconds an idle VM's
    /// vCPU wakes 100–200 µs late (50/s on the quiet machine: 121 µs at the median, p99 201 µs without
    /// spinning, 59 µs with 50 µs), and 150 µs catches it (0.02 µs median, p99 9 µs) for 0.2% of a core.
    static let lowRateSpinCeiling = 150e-6
    /// Seconds of spinning per second the low-rate window may cost at most: it shrinks from 150 µs at
    /// 200/s to 50 µs at 600/s, so no rate pays more than 3% of a core for it.
    static let lowRateSpinBudget = 0.03
    /// Bound on rate × window for the default (seconds of spinning per second): 20 µs at
    /// 20,000/s, where 50 µs kept workers spinning ~60% of a core for no gain over 20 µs (measured
    /// +12%). Since a wake-up is already ~15 µs late, the CPU actually spent is well below the bound:
    /// measured +0.1% of a core at 50/s, +3% at 1,000/s.
    static let defaultSpinBudget = 0.4
    /// The largest window a scenario may ask for, in seconds: beyond it a worker would spin through
    /// most of a gap at any rate worth spinning for.
    static let maximumSpin = 10e-3

    /// The window in whole nanoseconds: `seconds` as validated, or with nil the default for
    /// `schedule`'s peak rate r: min(0.4 / r, max(50 µs, min(150 µs, 0.03 / r))) — 150 µs up to
    /// 200/s, 50 µs from 600/s to 8,000/s, then shrinking (20 µs at 20,000/s).
    static func spinNanoseconds(_ seconds: Double?, for schedule: ArrivalSchedule) -> UInt64 {
        let rate = Swift.max(schedule.peakRate, 1e-9)
        let moderate = Swift.max(defaultSpinCeiling, Swift.min(lowRateSpinCeiling, lowRateSpinBudget / rate))
        let window = seconds ?? Swift.min(moderate, defaultSpinBudget / rate)
        return UInt64((Swift.min(Swift.max(window, 0), maximumSpin) * 1e9).rounded())
    }
}

/// `15/s`, `2.5/s`.
func rateText(_ rate: Double) -> String {
    rate == rate.rounded() ? "\(Int(rate))/s" : "\(Units.fixed(rate, digits: 1))/s"
}
