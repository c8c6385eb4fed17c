/// What one generator of a distributed test ran: its segment, the common start it waited for, when
/// its measured part began on the wall clock (so `merge` can align intervals), and its health.
/// Written to result.json as `segment` (absent in an ordinary run).
public struct SegmentRun: Sendable, Codable, Equatable {
    /// The share of the test this generator ran, e.g. `1/4:1/2`.
    public var segment: ExecutionSegment
    /// The common wall-clock start (`--start-at`), ISO 8601 UTC; nil when the generator started at once.
    public var startAt: String?
    /// Wall-clock time the measured part began, seconds since 1970 (UTC): the time series' origin.
    public var measureStart: Double
    /// Whether the generator kept up with its share.
    public var health: GeneratorHealth

    public init(segment: ExecutionSegment, startAt: String?, measureStart: Double, health: GeneratorHealth) {
        self.segment = segment
        self.startAt = startAt
        self.measureStart = measureStart
        self.health = health
    }

    enum CodingKeys: String, CodingKey {
        case segment, startAt, health
        case measureStart = "measureStartUnixS"
    }
}

/// Whether a load generator kept up: the CPU it used, how late it started arrivals, what it dropped.
/// A saturated generator measures itself as much as the system under test; `merge` flags it.
public struct GeneratorHealth: Sendable, Codable, Equatable {
    /// Cores busy in the process over the measured part ((user + system CPU) ÷ wall time).
    public var cpuCoresBusy: Double?
    /// The process's CPU seconds per episode over the measured part (user + system): for a system
    /// under test outside phibench (HTTP, worker processes) the client's cost of one request.
    public var cpuPerEpisode: Double?
    /// Logical CPUs of the generator's machine.
    public var cores: Int
    /// p99 of lateness (actual start − intended start) of open-loop arrivals, ns; nil in closed loop.
    public var latenessP99: Double?
    /// Open-loop arrivals dropped at the queue bound.
    public var dropped: UInt64
    /// True when one of ``reasons`` applies.
    public var saturated: Bool
    /// Why the generator counts as saturated, in words; empty when it is healthy.
    public var reasons: [String]

    /// CPU share of the machine from which a generator counts as saturated.
    public static let cpuLimit = 0.9
    /// Lateness p99 from which a generator counts as saturated, ns: its arrivals no longer start
    /// when they are due.
    public static let latenessLimit = 5_000_000.0

    public init(cpuCoresBusy: Double?, cores: Int, latenessP99: Double?, dropped: UInt64, cpuPerEpisode: Double? = nil) {
        self.cpuCoresBusy = cpuCoresBusy
        self.cpuPerEpisode = cpuPerEpisode
        self.cores = cores
        self.latenessP99 = latenessP99
        self.dropped = dropped
        var reasons: [String] = []
        if Self.isCPUBound(cpuCoresBusy, cores: cores), let cpu = cpuCoresBusy {
            reasons.append("CPU \(Units.fixed(cpu, digits: 2)) of \(cores) cores busy")
        }
        if let late = latenessP99, late >= Self.latenessLimit {
            reasons.append("arrivals started up to \(Units.formatNanoseconds(late)) late (lateness p99)")
        }
        if dropped > 0 { reasons.append("\(dropped) arrivals dropped at the queue bound") }
        self.reasons = reasons
        saturated = !reasons.isEmpty
    }

    /// Whether the process's CPU reached ``cpuLimit`` of the machine's cores.
    public var cpuBound: Bool { Self.isCPUBound(cpuCoresBusy, cores: cores) }

    static func isCPUBound(_ cpu: Double?, cores: Int) -> Bool { cpu.map { cores > 0 && $0 >= cpuLimit * Double(cores) } ?? false }

    /// One line: CPU per episode and cores busy, then "kept up" or why not.
    public var summaryLine: String {
        var parts: [String] = []
        if let c = cpuPerEpisode { parts.append("CPU \(Units.formatNanoseconds(c * 1e9))/episode") }
        if let c = cpuCoresBusy { parts.append("\(Units.fixed(c, digits: 2)) of \(cores) cores busy") }
        if let l = latenessP99 { parts.append("lateness p99 \(Units.formatNanoseconds(l))") }
        parts.append(saturated ? "SATURATED: " + reasons.joined(separator: "; ") : "kept up")
        return parts.joined(separator: " · ")
    }

    enum CodingKeys: String, CodingKey {
        case cpuCoresBusy, cores, dropped, saturated, reasons
        case cpuPerEpisode = "cpuPerEpisodeS"
        case latenessP99 = "latenessP99Ns"
    }
}

/// How a merged result was put together from segment results (`phibench merge` of segments):
/// written to result.json as `distributed`.
public struct DistributedRun: Sendable, Codable, Equatable {
    /// One entry per segment result merged, in segment order.
    public var segments: [MergedSegment]
    /// True when a segment is missing (`--partial`) or was cut short: the figures cover less than the test.
    public var partial: Bool
    /// Parts of the test no result covered (`--partial`).
    public var missing: [ExecutionSegment]

    public init(segments: [MergedSegment], partial: Bool, missing: [ExecutionSegment]) {
        self.segments = segments
        self.partial = partial
        self.missing = missing
    }
}

/// One segment result inside a merged result.
public struct MergedSegment: Sendable, Codable, Equatable {
    /// The result file as given to `merge`.
    public var file: String
    public var segment: ExecutionSegment
    /// The generator's host name.
    public var host: String
    /// True when the segment was cut short (interrupted): what it recorded is merged, but it did not run its whole share.
    public var partial: Bool
    public var episodes: UInt64
    public var health: GeneratorHealth

    public init(file: String, segment: ExecutionSegment, host: String, partial: Bool, episodes: UInt64, health: GeneratorHealth) {
        self.file = file
        self.segment = segment
        self.host = host
        self.partial = partial
        self.episodes = episodes
        self.health = health
    }
}
