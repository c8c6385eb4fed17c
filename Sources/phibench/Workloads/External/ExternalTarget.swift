import BenchModel

/// A workload that runs outside this process and reports to the command while it runs: why it stopped
/// the run, warnings.
protocol ExternalTarget: PreparedWorkload {
    var notes: RunNotes { get }
}
