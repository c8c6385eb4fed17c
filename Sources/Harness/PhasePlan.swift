import BenchModel

/// A scenario phase broken into the units the driver runs and the result reports: a step phase
/// becomes one unit per rate and a closed phase one per concurrency level, so the per-phase table
/// shows the degradation curve row by row.
struct PlannedPhase: Sendable, Equatable {
    enum Mode: Sendable, Equatable {
        case open(ArrivalSchedule, workers: Int, maxQueue: Int?)
        case closed(concurrency: Int, seconds: Double)
    }

    /// Index of the scenario phase this unit comes from.
    var scenarioPhase: Int
    var kind: String
    var label: String
    var mode: Mode
    var nominalSeconds: Double

    /// Expands `scenario`'s phases; open-loop phases get `defaultWorkers` threads unless set.
    static func plan(_ scenario: Scenario, defaultWorkers: Int) -> [PlannedPhase] {
        var out: [PlannedPhase] = []
        for (scenarioPhase, phase) in scenario.phases.enumerated() {
            let workers = phase.workers ?? scenario.workers ?? defaultWorkers
            let maxQueue = phase.maxQueue ?? scenario.maxQueue
            func open(_ shape: LoadShape, _ label: String) -> PlannedPhase {
                PlannedPhase(scenarioPhase: scenarioPhase, kind: phase.load.kind, label: label,
                             mode: .open(ArrivalSchedule(shape)!, workers: workers, maxQueue: maxQueue),
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
                                            mode: .closed(concurrency: c, seconds: each), nominalSeconds: each))
                }
            }
        }
        return out
    }

    /// The warm-up: the first phase's opening load for `seconds` (its starting rate open loop, or its
    /// first concurrency level closed loop; a burst warms up closed loop with its worker count).
    static func warmup(_ scenario: Scenario, seconds: Double, defaultWorkers: Int) -> PlannedPhase? {
        guard seconds > 0, let first = plan(scenario, defaultWorkers: defaultWorkers).first else { return nil }
        switch first.mode {
        case .open(let schedule, let workers, let maxQueue):
            if schedule.burst > 0 {
                return PlannedPhase(scenarioPhase: -1, kind: "warmup", label: "warm-up", mode: .closed(concurrency: workers, seconds: seconds),
                                    nominalSeconds: seconds)
            }
            let opening = schedule.rate(at: 0)
            let rate = opening > 0 ? opening : (schedule.meanRate ?? 1)
            return PlannedPhase(scenarioPhase: -1, kind: "warmup", label: "warm-up",
                                mode: .open(ArrivalSchedule(.constant(rate: rate, duration: seconds))!, workers: workers, maxQueue: maxQueue),
                                nominalSeconds: seconds)
        case .closed(let c, _):
            return PlannedPhase(scenarioPhase: -1, kind: "warmup", label: "warm-up", mode: .closed(concurrency: c, seconds: seconds), nominalSeconds: seconds)
        }
    }
}

/// `15/s`, `2.5/s`.
func rateText(_ rate: Double) -> String {
    rate == rate.rounded() ? "\(Int(rate))/s" : "\(Units.fixed(rate, digits: 1))/s"
}
