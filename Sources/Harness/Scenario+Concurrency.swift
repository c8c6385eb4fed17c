import BenchModel

extension Scenario {
    /// Checks that the scenario's worker threads and closed-loop concurrency fit a workload that takes
    /// at most `limit` episodes at once, one per `unit` (a child process, a connection), bounded by
    /// `setting` (a dotted key). A provider calls it before it starts anything.
    /// - Parameter described: `setting` with its value for messages, e.g. `workload.workers (2 child processes)`.
    /// - Throws: ``WorkloadSettingError`` at `workers`, `phases[i].workers` or `phases[i].concurrency`.
    public func checkConcurrency(limit: Int, setting: String, described: String, unit: String) throws(WorkloadSettingError) {
        if let w = workers, w > limit {
            throw WorkloadSettingError(key: "workers",
                "\(w) worker threads exceed \(described): one episode is in flight per \(unit); raise \(setting) or lower workers")
        }
        for (i, phase) in phases.enumerated() {
            if let w = phase.workers, w > limit {
                throw WorkloadSettingError(key: "phases[\(i)].workers", "\(w) worker threads exceed \(described)")
            }
            if case .closed(let levels, _) = phase.load, let big = levels.first(where: { $0 > limit }) {
                throw WorkloadSettingError(key: "phases[\(i)].concurrency",
                                           "concurrency \(big) exceeds \(described): one episode is in flight per \(unit)")
            }
        }
    }
}
