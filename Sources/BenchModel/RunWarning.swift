/// Something a reader must know before trusting a result's numbers. Derived once, where its inputs
/// live (the build, the run, the trials), and rendered as it is by every writer: a terminal line, a
/// Markdown note, an HTML banner coloured by ``severity``.
public struct RunWarning: Sendable, Codable, Equatable, Hashable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// Not a release build: timings are not representative.
        case debugBuild = "debug_build"
        /// Built without jemalloc: no allocation counts.
        case jemallocOff = "jemalloc_off"
        /// Stopped early by a signal.
        case interrupted
        /// Arrivals that were due but never started because the run was stopped.
        case abandoned
        /// Episodes whose workload failed.
        case failedEpisodes = "failed_episodes"
        /// Arrivals dropped at the queue bound.
        case dropped
        /// Built from a tree with uncommitted changes.
        case dirtyTree = "dirty_tree"
        /// Rebuilt from a streamed log: some figures are missing.
        case rebuilt
        /// The run was killed (its log has no end).
        case killed
        /// The harness's own lateness is a large share of what was measured.
        case harnessDominated = "harness_dominated"
        /// Compared or merged across machines or builds that differ.
        case machineMismatch = "machine_mismatch"
        /// A trial was cut short and left out of the statistics.
        case partialTrial = "partial_trial"
        /// A merge of segment results that lacks a segment or has one cut short.
        case partialMerge = "partial_merge"
        /// A load generator that could not keep up with its share (CPU, lateness, drops).
        case saturatedGenerator = "saturated_generator"
        /// Anything else (including every warning of a version 1 result).
        case other

        /// A few words naming the condition (a banner's title).
        public var title: String {
            switch self {
            case .debugBuild: "not a release build"
            case .jemallocOff: "jemalloc off"
            case .interrupted: "interrupted"
            case .abandoned: "arrivals abandoned"
            case .failedEpisodes: "episodes failed"
            case .dropped: "arrivals dropped"
            case .dirtyTree: "uncommitted changes"
            case .rebuilt: "rebuilt from a log"
            case .killed: "run killed"
            case .harnessDominated: "mostly harness"
            case .machineMismatch: "different machines"
            case .partialTrial: "partial trial"
            case .partialMerge: "partial merge"
            case .saturatedGenerator: "saturated generator"
            case .other: "warning"
            }
        }
    }

    public enum Severity: String, Sendable, Codable {
        /// The numbers are not what they seem (debug build, interrupted).
        case bad
        /// Worth knowing (jemalloc off, drops).
        case note
        /// For the record (a dirty tree).
        case info
    }

    public var kind: Kind
    public var severity: Severity
    /// The sentence every writer shows.
    public var message: String

    public init(_ kind: Kind, _ severity: Severity, _ message: String) {
        self.kind = kind
        self.severity = severity
        self.message = message
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = (try? c.decode(Kind.self, forKey: .kind)) ?? .other
        severity = (try? c.decode(Severity.self, forKey: .severity)) ?? .note
        message = try c.decode(String.self, forKey: .message)
    }

    public static func debugBuild(_ configuration: String) -> RunWarning {
        RunWarning(.debugBuild, .bad, "\(configuration) build: timings are not representative; build with `swift build -c release` (make build)")
    }

    public static let jemallocOff = RunWarning(
        .jemallocOff, .note, "built without jemalloc: no allocation counts or allocator statistics; RSS comes from /proc")

    public static func interrupted(measuredSeconds: Double) -> RunWarning {
        RunWarning(.interrupted, .bad, "interrupted: the run was stopped early; figures cover only the \(Units.fixed(measuredSeconds, digits: 1)) s measured before the stop")
    }

    public static func abandoned(_ n: UInt64) -> RunWarning {
        RunWarning(.abandoned, .note, "\(n) arrivals were due but never started because the run was stopped")
    }

    public static func failedEpisodes(_ n: UInt64, firstError: String?) -> RunWarning {
        let first = firstError.map { "; the first threw: \($0)" } ?? ""
        return RunWarning(.failedEpisodes, .note, "\(n) episodes failed (the workload threw); their latency is still counted\(first)")
    }

    public static func dropped(_ n: UInt64) -> RunWarning {
        RunWarning(.dropped, .note, "\(n) arrivals were dropped at the queue bound (max_queue): the system did not keep up with the offered load")
    }

    public static func dirtyTree(commit: String) -> RunWarning {
        RunWarning(.dirtyTree, .info, "built from a tree with uncommitted changes (commit \(commit.prefix(12)) + changes)")
    }

    public static func partialTrials(_ trials: [Int]) -> RunWarning {
        RunWarning(.partialTrial, .note, "trial\(trials.count == 1 ? "" : "s") \(trials.map(String.init).joined(separator: ", ")) stopped early: reported, but left out of the merged figures and of compare's statistics")
    }

    /// The warnings a result's build alone calls for.
    public static func forBuild(_ build: BuildInfo) -> [RunWarning] {
        var w: [RunWarning] = []
        if build.configuration != "release" { w.append(.debugBuild(build.configuration)) }
        if !build.jemalloc { w.append(.jemallocOff) }
        if build.dirty { w.append(.dirtyTree(commit: build.commit)) }
        return w
    }
}

/// Something a workload reported during a run (e.g. an adaptive controller's decision), placed on the
/// time axis by the harness.
public struct WorkloadEvent: Sendable, Codable, Equatable {
    /// Seconds since the measured part started when the harness collected it (nil during warm-up).
    public var tSeconds: Double?
    /// The workload's own logical clock for the event, when it has one (an episode number).
    public var episode: UInt64?
    /// A short category, e.g. `memory.policy`.
    public var kind: String
    /// What happened and why, in words.
    public var message: String

    public init(tSeconds: Double? = nil, episode: UInt64? = nil, kind: String, message: String) {
        self.tSeconds = tSeconds
        self.episode = episode
        self.kind = kind
        self.message = message
    }

    enum CodingKeys: String, CodingKey {
        case episode, kind, message
        case tSeconds = "tS"
    }
}
