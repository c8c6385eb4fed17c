import BenchModel
import Harness
import Pipeline

extension Phibench {
    /// The workloads phibench drives when a scenario has no `workload:` key (`--workload NAME`),
    /// one line each; the first is the default.
    static let workloads = WorkloadProviders([
        PipelineProvider(),
        NoopProvider(),
        SleepProvider(),
    ])
}
