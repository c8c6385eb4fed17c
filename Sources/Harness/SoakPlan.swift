import BenchModel

/// How `phibench soak` turns a scenario into a long steady run.
public enum SoakPlan {
    /// `loaded` with its phases replaced by the first phase as a steady load lasting `seconds`: its
    /// mean rate open loop, or its first concurrency level closed loop; `interval` (seconds) replaces
    /// the scenario's interval when given.
    /// - Throws: ``ScenarioError`` located at `phases` when there is no phase or the first is a burst.
    public static func steady(_ loaded: LoadedScenario, seconds: Double, interval: Double?) throws(ScenarioError) -> LoadedScenario {
        guard var phase = loaded.scenario.phases.first else {
            throw loaded.error(key: "phases", "a soak needs at least one phase")
        }
        switch phase.load {
        case .closed(let levels, _):
            phase.load = .closed(concurrency: [levels[0]], each: seconds)
        case .burst:
            throw loaded.error(key: "phases", "a soak needs a steady first phase (constant, ramp, step, spike or closed), not a burst")
        default:
            phase.load = .constant(rate: phase.load.meanRate ?? 1, duration: seconds)
        }
        var out = loaded
        out.record.spec.phases = [phase]
        if let interval { out.record.spec.interval = interval }
        return out
    }
}
