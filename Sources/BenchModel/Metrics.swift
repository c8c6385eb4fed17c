/// Which way a metric should move to be an improvement.
public enum MetricDirection: String, Sendable, Codable {
    case lowerIsBetter = "lower"
    case higherIsBetter = "higher"
    /// Reported but never called a regression (e.g. CPU utilisation, which depends on the load).
    case informational
}

/// The unit a metric's value is in; thresholds and reports format with it.
public enum MetricUnit: String, Sendable, Codable {
    case nanoseconds = "ns"
    case perSecond = "/s"
    case bytes = "B"
    case percent = "%"
    case ratio
    case count
    case seconds = "s"
    case bytesPerEpisode = "B/episode"
    case perEpisode = "/episode"
}

/// A metric every tool (thresholds, compare, reports) names the same way.
public struct MetricDescriptor: Sendable, Equatable {
    /// Path as written in thresholds: `e2e.p99`, `ESGT.p95`, `throughput`, `phi.cache_hit_rate`.
    public var path: String
    public var unit: MetricUnit
    public var direction: MetricDirection

    public init(path: String, unit: MetricUnit, direction: MetricDirection) {
        self.path = path
        self.unit = unit
        self.direction = direction
    }
}

/// The statistics of a latency summary that metric paths may name.
public let latencyStatistics = ["p50", "p90", "p95", "p99", "p999", "max", "mean", "min"]

extension RunSummary {
    /// Every metric this summary has, with unit and direction, in a stable order:
    /// throughput and errors first, then latency (e2e, then stages), Φ, memory, CPU.
    public var metricDescriptors: [MetricDescriptor] {
        var out: [MetricDescriptor] = [
            MetricDescriptor(path: "throughput", unit: .perSecond, direction: .higherIsBetter),
            MetricDescriptor(path: "errors", unit: .count, direction: .lowerIsBetter),
            MetricDescriptor(path: "dropped", unit: .count, direction: .lowerIsBetter),
        ]
        for stage in latencyKeysInOrder {
            for stat in latencyStatistics where stat != "min" {
                out.append(MetricDescriptor(path: "\(stage).\(stat)", unit: .nanoseconds, direction: .lowerIsBetter))
            }
        }
        if phi.hits + phi.misses > 0 {
            out.append(MetricDescriptor(path: "phi.cache_hit_rate", unit: .ratio, direction: .higherIsBetter))
        }
        out += [
            MetricDescriptor(path: "memory.rss_growth_pct", unit: .percent, direction: .lowerIsBetter),
            MetricDescriptor(path: "memory.rss_peak_bytes", unit: .bytes, direction: .lowerIsBetter),
            MetricDescriptor(path: "memory.rss_slope_bytes_per_episode", unit: .bytesPerEpisode, direction: .lowerIsBetter),
        ]
        if memory.allocationsPerEpisode != nil {
            out.append(MetricDescriptor(path: "memory.allocations_per_episode", unit: .perEpisode, direction: .lowerIsBetter))
        }
        if memory.bytesAllocatedPerEpisode != nil {
            out.append(MetricDescriptor(path: "memory.bytes_allocated_per_episode", unit: .bytesPerEpisode, direction: .lowerIsBetter))
        }
        if memory.jemalloc != nil {
            out.append(MetricDescriptor(path: "memory.jemalloc.allocated", unit: .bytes, direction: .lowerIsBetter))
        }
        out.append(MetricDescriptor(path: "cpu.utilization", unit: .ratio, direction: .informational))
        return out
    }

    /// `e2e` first, then the stages in a fixed pipeline order, then any others alphabetically.
    public var latencyKeysInOrder: [String] {
        let order = ["e2e", "service", "lateness", "MMEI", "MCEA", "MEA", "TIG", "ESGT", "PHI", "PHI.hit", "PHI.miss", "MEMORY.store", "MEMORY.query"]
        let known = order.filter { latencyNs[$0] != nil }
        let others = latencyNs.keys.filter { !order.contains($0) }.sorted()
        return known + others
    }

    /// The keys of ``latencyNs`` that are stages of an episode, in order: not `e2e`, `service` or `lateness`
    /// (whole-episode measures), and not sub-stages (`PHI.hit` is part of `PHI`; a dotted key is a
    /// stage of its own only when its parent is absent, like `MEMORY.store`).
    public var stageKeys: [String] {
        latencyKeysInOrder.filter { k in
            guard !Self.episodeLatencyKeys.contains(k) else { return false }
            guard let dot = k.lastIndex(of: ".") else { return true }
            return latencyNs[String(k[..<dot])] == nil
        }
    }

    /// Latency keys that measure the whole episode rather than a stage (`lateness`: its actual start
    /// − intended start, open loop only).
    public static let episodeLatencyKeys: Set<String> = ["e2e", "service", "lateness"]

    /// The value of metric `path` in its base unit, or nil when this summary does not have it.
    public func metric(_ path: String) -> Double? {
        switch path {
        case "throughput", "throughput_eps": return throughputEps
        case "episodes": return Double(episodes)
        case "errors": return Double(errors)
        case "dropped": return Double(dropped)
        case "error_rate": return episodes == 0 ? 0 : Double(errors) / Double(episodes)
        case "phi.cache_hit_rate": return phi.cacheHitRate
        case "phi.hits": return Double(phi.hits)
        case "phi.misses": return Double(phi.misses)
        case "memory.rss_start_bytes": return Double(memory.rssStartBytes)
        case "memory.rss_end_bytes": return Double(memory.rssEndBytes)
        case "memory.rss_peak_bytes": return Double(memory.rssPeakBytes)
        case "memory.rss_growth_pct": return memory.rssGrowthPct
        case "memory.rss_slope_bytes_per_episode": return memory.rssSlopeBytesPerEpisode
        case "memory.allocations_per_episode": return memory.allocationsPerEpisode
        case "memory.bytes_allocated_per_episode": return memory.bytesAllocatedPerEpisode
        case "memory.jemalloc.allocated": return memory.jemalloc.map { Double($0.allocated) }
        case "memory.jemalloc.active": return memory.jemalloc.map { Double($0.active) }
        case "memory.jemalloc.resident": return memory.jemalloc.map { Double($0.resident) }
        case "memory.jemalloc.mapped": return memory.jemalloc.map { Double($0.mapped) }
        case "cpu.user_s": return cpu.userSeconds
        case "cpu.system_s": return cpu.systemSeconds
        case "cpu.utilization": return cpu.utilization
        default: break
        }
        guard let dot = path.lastIndex(of: ".") else { return nil }
        let stage = String(path[..<dot])
        let stat = String(path[path.index(after: dot)...])
        guard let s = latencyNs[stage] else { return nil }
        switch stat {
        case "p50": return Double(s.p50)
        case "p90": return Double(s.p90)
        case "p95": return Double(s.p95)
        case "p99": return Double(s.p99)
        case "p999": return Double(s.p999)
        case "max": return Double(s.max)
        case "min": return Double(s.min)
        case "mean": return s.mean
        case "count": return Double(s.count)
        default: return nil
        }
    }

    /// Whether `path` names a metric a summary of this kind can have, even if this one lacks it
    /// (so a threshold on `PHI.p99` is not an error in a run where Φ never ran).
    public static func isKnownMetric(_ path: String, stages: [String]) -> Bool {
        let fixed: Set<String> = [
            "throughput", "throughput_eps", "episodes", "errors", "dropped", "error_rate",
            "phi.cache_hit_rate", "phi.hits", "phi.misses",
            "memory.rss_start_bytes", "memory.rss_end_bytes", "memory.rss_peak_bytes", "memory.rss_growth_pct",
            "memory.rss_slope_bytes_per_episode", "memory.allocations_per_episode",
            "memory.bytes_allocated_per_episode", "memory.jemalloc.allocated", "memory.jemalloc.active",
            "memory.jemalloc.resident", "memory.jemalloc.mapped", "cpu.user_s", "cpu.system_s", "cpu.utilization",
        ]
        if fixed.contains(path) { return true }
        guard let dot = path.lastIndex(of: ".") else { return false }
        let stage = String(path[..<dot])
        let stat = String(path[path.index(after: dot)...])
        return (stage == "e2e" || stages.contains(stage)) && (latencyStatistics.contains(stat) || stat == "count")
    }

    /// The unit of metric `path` (latency paths are nanoseconds).
    public static func unit(of path: String) -> MetricUnit {
        switch path {
        case "throughput", "throughput_eps": .perSecond
        case "episodes", "errors", "dropped", "phi.hits", "phi.misses": .count
        case "error_rate", "phi.cache_hit_rate", "cpu.utilization": .ratio
        case "memory.rss_growth_pct": .percent
        case "memory.rss_slope_bytes_per_episode", "memory.bytes_allocated_per_episode": .bytesPerEpisode
        case "memory.allocations_per_episode": .perEpisode
        case "cpu.user_s", "cpu.system_s": .seconds
        case _ where path.hasPrefix("memory."): .bytes
        case _ where path.hasSuffix(".count"): .count
        default: .nanoseconds
        }
    }
}
