import BenchModel
import Harness
import Pipeline

extension Phibench {
    /// The workloads phibench drives (`--workload NAME`, or the one the scenario's sections
    /// configure), one line each; the first is the default.
    static let workloads = WorkloadProviders([
        PipelineProvider(),
        NoopProvider(),
        SleepProvider(),
        ProcessProvider(),
        HTTPProvider(),
    ])
}
