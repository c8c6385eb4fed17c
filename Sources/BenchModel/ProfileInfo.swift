/// A profile taken during a run (`profile` in result.json).
///
/// Owned by the Profiling module's work; the fields here are the minimum the reports read.
public struct ProfileInfo: Sendable, Codable, Equatable {
    /// `cpu` or `heap`.
    public var kind: String
    /// Samples taken.
    public var samples: UInt64
    /// Sampling frequency, Hz (CPU) — 0 for heap profiles.
    public var hz: Int
    /// Path of the folded-stacks file, relative to the run directory.
    public var foldedFile: String?

    public init(kind: String, samples: UInt64, hz: Int, foldedFile: String?) {
        self.kind = kind
        self.samples = samples
        self.hz = hz
        self.foldedFile = foldedFile
    }

    enum CodingKeys: String, CodingKey {
        case kind, samples, hz
        case foldedFile = "folded_file"
    }
}

/// A leak analysis of a run's time series after warm-up (`leak` in result.json).
public struct LeakVerdict: Sendable, Codable, Equatable {
    /// True when either memory series grows with a confidence bound above the tolerance.
    public var leaking: Bool
    /// Theil–Sen slope of RSS against completed episodes, bytes/episode, with a 95% interval.
    public var rssSlopeBytesPerEpisode: Double
    public var rssSlopeLow: Double
    public var rssSlopeHigh: Double
    /// Theil–Sen slope of jemalloc `stats.allocated` per episode, nil without jemalloc.
    public var allocatedSlopeBytesPerEpisode: Double?
    public var allocatedSlopeLow: Double?
    public var allocatedSlopeHigh: Double?
    /// RSS growth per 1,000 episodes as a percentage of the post-warm-up RSS.
    public var rssGrowthPctPer1000Episodes: Double
    /// p99 of the first and last tenth of the intervals, ns, and their ratio.
    public var p99FirstTenthNs: UInt64
    public var p99LastTenthNs: UInt64
    public var latencyDriftRatio: Double
    /// Intervals the analysis used (after warm-up).
    public var intervals: Int
    /// A one-line explanation a person can read.
    public var explanation: String

    public init(leaking: Bool, rssSlopeBytesPerEpisode: Double, rssSlopeLow: Double, rssSlopeHigh: Double,
                allocatedSlopeBytesPerEpisode: Double?, allocatedSlopeLow: Double?, allocatedSlopeHigh: Double?,
                rssGrowthPctPer1000Episodes: Double, p99FirstTenthNs: UInt64, p99LastTenthNs: UInt64,
                latencyDriftRatio: Double, intervals: Int, explanation: String) {
        self.leaking = leaking
        self.rssSlopeBytesPerEpisode = rssSlopeBytesPerEpisode
        self.rssSlopeLow = rssSlopeLow
        self.rssSlopeHigh = rssSlopeHigh
        self.allocatedSlopeBytesPerEpisode = allocatedSlopeBytesPerEpisode
        self.allocatedSlopeLow = allocatedSlopeLow
        self.allocatedSlopeHigh = allocatedSlopeHigh
        self.rssGrowthPctPer1000Episodes = rssGrowthPctPer1000Episodes
        self.p99FirstTenthNs = p99FirstTenthNs
        self.p99LastTenthNs = p99LastTenthNs
        self.latencyDriftRatio = latencyDriftRatio
        self.intervals = intervals
        self.explanation = explanation
    }

    enum CodingKeys: String, CodingKey {
        case leaking
        case rssSlopeBytesPerEpisode = "rss_slope_bytes_per_episode"
        case rssSlopeLow = "rss_slope_low"
        case rssSlopeHigh = "rss_slope_high"
        case allocatedSlopeBytesPerEpisode = "allocated_slope_bytes_per_episode"
        case allocatedSlopeLow = "allocated_slope_low"
        case allocatedSlopeHigh = "allocated_slope_high"
        case rssGrowthPctPer1000Episodes = "rss_growth_pct_per_1000_episodes"
        case p99FirstTenthNs = "p99_first_tenth_ns"
        case p99LastTenthNs = "p99_last_tenth_ns"
        case latencyDriftRatio = "latency_drift_ratio"
        case intervals, explanation
    }
}
