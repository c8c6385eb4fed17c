/// One run's results: the source of truth every report and comparison is made from.
///
/// Encoded as `result.json`, schema ``BenchResult/schemaID`` (see the README for the field list).
/// Field names are stable snake_case so other tools can read them. Every figure is derived from a
/// ``Span`` by the ``MetricCatalogue`` the result records, and every span keeps its histograms, so
/// a percentile is always read from a histogram — of a trial, a phase, or all trials merged.
public struct BenchResult: Sendable, Codable, Equatable {
    /// The schema identifier written into every result.
    public static let schemaID = "phibench.result/2"

    public var schema: String
    /// The scenario as resolved: file, overrides applied, defaults filled in.
    public var scenario: ScenarioRecord
    public var machine: MachineInfo
    public var build: BuildInfo
    /// ISO 8601 UTC time the measured part started.
    public var startedAt: String
    /// Wall time of the measured part (warm-up excluded), seconds, all trials.
    public var durationSeconds: Double
    /// True when the run was stopped early by SIGINT/SIGTERM; what it measured is still here.
    public var interrupted: Bool
    /// Things a reader must know before trusting the numbers (debug build, jemalloc off, …).
    public var warnings: [RunWarning]
    /// What was driven: its name, its opaque details and the events it reported.
    public var workload: WorkloadRecord
    /// The metrics this result was measured with: histograms (the stage order) and every other metric.
    public var catalogue: MetricCatalogue
    /// Everything measured, all complete trials merged.
    public var summary: RunSummary
    /// One entry per scenario phase (a step phase has one per rate, a closed phase one per
    /// concurrency level), complete trials merged.
    public var phases: [PhaseSummary]
    /// One entry per trial, for statistics in `compare`.
    public var trials: [TrialSummary]
    /// Per-interval snapshots over the run (first trial, or the only one).
    public var timeseries: [TimeseriesPoint]
    /// Threshold expressions from the scenario, evaluated on ``summary``.
    public var thresholds: [ThresholdResult]
    /// Statistics of a leak analysis over the time series (soak runs).
    public var leak: LeakVerdict?
    /// CPU or heap profile produced with this run, if any.
    public var profile: ProfileInfo?
    /// The execution segment this run measured (`run --segment`), its common start and its
    /// generator's health; nil for a run of the whole test.
    public var segment: SegmentRun?
    /// How this result was merged from segment results (`merge`); nil otherwise.
    public var distributed: DistributedRun?
    /// Whether phibench itself kept up: its CPU (per episode and cores busy), the lateness of its
    /// open-loop starts, its drops. Every run has it; results written before it was added do not.
    public var generator: GeneratorHealth?

    public init(
        scenario: ScenarioRecord, machine: MachineInfo, build: BuildInfo, startedAt: String,
        durationSeconds: Double, interrupted: Bool = false, warnings: [RunWarning] = [],
        workload: WorkloadRecord, catalogue: MetricCatalogue, summary: RunSummary,
        phases: [PhaseSummary] = [], trials: [TrialSummary] = [], timeseries: [TimeseriesPoint] = [],
        thresholds: [ThresholdResult] = [], leak: LeakVerdict? = nil, profile: ProfileInfo? = nil
    ) {
        self.schema = Self.schemaID
        self.scenario = scenario
        self.machine = machine
        self.build = build
        self.startedAt = startedAt
        self.durationSeconds = durationSeconds
        self.interrupted = interrupted
        self.warnings = warnings
        self.workload = workload
        self.catalogue = catalogue
        self.summary = summary
        self.phases = phases
        self.trials = trials
        self.timeseries = timeseries
        self.thresholds = thresholds
        self.leak = leak
        self.profile = profile
    }

    enum CodingKeys: String, CodingKey {
        case schema, scenario, machine, build, startedAt, interrupted, warnings, workload, catalogue, summary, phases
        case trials, timeseries, thresholds, leak, profile, segment, distributed, generator
        case durationSeconds = "durationS"
    }

    /// Trials that ran to their end (an interrupted trial is partial and left out of statistics).
    public var completeTrials: [TrialSummary] { trials.filter { !$0.partial } }
}

/// What a result measured: the workload's name, its opaque details (e.g. a store's statistics),
/// and the events it reported during the run (e.g. a controller's decisions).
public struct WorkloadRecord: Sendable, Codable, Equatable {
    /// The provider's name (`noop`, `process`, `http`, …).
    public var name: String
    /// Whatever the workload reports about itself at the end of the last trial, as JSON.
    public var details: JSONValue?
    /// Events the workload reported, in order (first trial).
    public var events: [WorkloadEvent]

    public init(name: String, details: JSONValue? = nil, events: [WorkloadEvent] = []) {
        self.name = name
        self.details = details
        self.events = events
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        details = try c.decodeIfPresent(JSONValue.self, forKey: .details)
        events = try c.decodeIfPresent([WorkloadEvent].self, forKey: .events) ?? []
    }
}
