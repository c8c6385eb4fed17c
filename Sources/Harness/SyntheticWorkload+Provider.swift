import BenchModel

/// `--workload noop`: the synthetic workload with two stages of no work, which measures the harness
/// itself. It has no settings.
public struct NoopProvider: WorkloadProvider {
    public init() {}

    public var name: String { "noop" }

    public func prepare(settings: [String: String]) throws(WorkloadSettingError) -> any PreparedWorkload { Prepared() }

    public struct Prepared: PreparedWorkload {
        public init() {}

        public var vocabulary: WorkloadVocabulary { SyntheticWorkload().vocabulary }
        public func makeWorkload(_ context: WorkloadContext) -> SyntheticWorkload { SyntheticWorkload() }
    }
}
