/// A profile taken during a run (`profile` in result.json).
///
/// Written by `phibench profile`; a CPU profile's stacks are in ``foldedFile`` (Brendan Gregg's
/// folded format), a heap profile's raw jemalloc dump in ``rawFile`` (for `jeprof`). Every field
/// after ``foldedFile`` is optional so older results still decode.
public struct ProfileInfo: Sendable, Codable, Equatable {
    /// `cpu` or `heap`.
    public var kind: String
    /// Samples taken (CPU: stack samples kept; heap: sampled allocation stacks in the dump).
    public var samples: UInt64
    /// Sampling frequency, Hz (CPU) — 0 for heap profiles.
    public var hz: Int
    /// Path of the folded-stacks file, relative to the run directory.
    public var foldedFile: String?
    /// Path of the flame graph (SVG), relative to the run directory.
    public var flameGraphFile: String?
    /// Path of the raw profile (jemalloc `heap_v2` dump), relative to the run directory.
    public var rawFile: String?
    /// CPU: samples lost because the sample buffer was full.
    public var droppedSamples: UInt64?
    /// Wall time profiled, seconds.
    public var durationSeconds: Double?
    /// CPU: process CPU time profiled (all threads, user + system), seconds.
    public var cpuSeconds: Double?
    /// CPU: samples per CPU-second actually reached (the kernel tick can cap ``hz``).
    public var effectiveHz: Double?
    /// CPU: time in the signal handler per sample (stack unwinding), nanoseconds.
    public var handlerNsPerSample: Double?
    /// CPU: share of the profiled CPU time spent sampling, percent.
    public var overheadPct: Double?
    /// Heap: jemalloc's mean sampling interval is 2^lgSample bytes.
    public var lgSample: Int?
    /// Episodes completed while profiling, the divisor of the per-episode figures.
    public var episodes: UInt64?
    /// CPU: functions with the most samples (self first, then total).
    public var topFunctions: [FunctionShare]?
    /// Heap: allocation sites with the most bytes allocated.
    public var topAllocationSites: [AllocationSite]?

    /// How often one function appears in a profile: samples (CPU) or bytes (heap).
    public struct FunctionShare: Sendable, Codable, Equatable {
        /// Readable function name (demangled, module-qualified).
        public var name: String
        /// Weight where the function was the innermost frame.
        public var selfWeight: UInt64
        /// Weight where the function was anywhere on the stack (once per stack).
        public var totalWeight: UInt64

        public init(name: String, selfWeight: UInt64, totalWeight: UInt64) {
            self.name = name
            self.selfWeight = selfWeight
            self.totalWeight = totalWeight
        }

        enum CodingKeys: String, CodingKey {
            case name
            case selfWeight = "self"
            case totalWeight = "total"
        }
    }

    /// Where memory was allocated, with jemalloc's sampled counts scaled up to estimates.
    public struct AllocationSite: Sendable, Codable, Equatable {
        /// The first function outside the allocator and the language runtime.
        public var function: String
        /// Bytes allocated while profiling (freed or not).
        public var allocatedBytes: Double
        /// Allocations made while profiling.
        public var allocatedObjects: Double
        /// Bytes still allocated when the profile was dumped.
        public var liveBytes: Double
        /// Allocations still live when the profile was dumped.
        public var liveObjects: Double
        /// ``allocatedBytes`` per episode, when the episode count is known.
        public var bytesPerEpisode: Double?
        /// ``allocatedObjects`` per episode, when the episode count is known.
        public var objectsPerEpisode: Double?

        public init(function: String, allocatedBytes: Double, allocatedObjects: Double, liveBytes: Double,
                    liveObjects: Double, bytesPerEpisode: Double? = nil, objectsPerEpisode: Double? = nil) {
            self.function = function
            self.allocatedBytes = allocatedBytes
            self.allocatedObjects = allocatedObjects
            self.liveBytes = liveBytes
            self.liveObjects = liveObjects
            self.bytesPerEpisode = bytesPerEpisode
            self.objectsPerEpisode = objectsPerEpisode
        }
    }

    public init(kind: String, samples: UInt64, hz: Int, foldedFile: String?, flameGraphFile: String? = nil,
                rawFile: String? = nil, droppedSamples: UInt64? = nil, durationSeconds: Double? = nil,
                cpuSeconds: Double? = nil, effectiveHz: Double? = nil, handlerNsPerSample: Double? = nil,
                overheadPct: Double? = nil, lgSample: Int? = nil, episodes: UInt64? = nil,
                topFunctions: [FunctionShare]? = nil, topAllocationSites: [AllocationSite]? = nil) {
        self.kind = kind
        self.samples = samples
        self.hz = hz
        self.foldedFile = foldedFile
        self.flameGraphFile = flameGraphFile
        self.rawFile = rawFile
        self.droppedSamples = droppedSamples
        self.durationSeconds = durationSeconds
        self.cpuSeconds = cpuSeconds
        self.effectiveHz = effectiveHz
        self.handlerNsPerSample = handlerNsPerSample
        self.overheadPct = overheadPct
        self.lgSample = lgSample
        self.episodes = episodes
        self.topFunctions = topFunctions
        self.topAllocationSites = topAllocationSites
    }

    enum CodingKeys: String, CodingKey {
        case kind, samples, hz, foldedFile, flameGraphFile, rawFile, droppedSamples, effectiveHz, handlerNsPerSample
        case overheadPct, lgSample, episodes, topFunctions, topAllocationSites
        case durationSeconds = "durationS"
        case cpuSeconds = "cpuS"
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
        case leaking, rssSlopeBytesPerEpisode, rssSlopeLow, rssSlopeHigh, allocatedSlopeBytesPerEpisode
        case allocatedSlopeLow, allocatedSlopeHigh, p99FirstTenthNs, p99LastTenthNs, latencyDriftRatio, intervals
        case explanation
        case rssGrowthPctPer1000Episodes = "rssGrowthPctPer_1000Episodes"
    }
}
