import BenchModel
import Harness

/// A provider for the loader's tests that owns the sections the shipped scenarios use (`pipeline:`,
/// `stimulus:`) and accepts any settings: the loader checks sections' shape, the provider their values.
struct SectionsProvider: WorkloadProvider {
    var name: String { "sections" }
    var sections: [WorkloadSection] {
        [WorkloadSection("pipeline", example: "memory: off"), WorkloadSection("stimulus", example: "zipf: 1.1")]
    }

    func prepare(settings: [String: String]) throws(WorkloadSettingError) -> any PreparedWorkload { NoopProvider.Prepared() }
}

/// The workloads the loader's tests register.
let testWorkloads = WorkloadProviders([SectionsProvider()])
