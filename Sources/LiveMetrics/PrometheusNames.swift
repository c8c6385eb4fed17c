import BenchModel

/// How catalogue metrics are named in the Prometheus exposition. The catalogue stays the one home of
/// each metric's unit and help text; this only maps keys to Prometheus names and base units.
package enum PrometheusNames {
    /// Prefix of every exported name.
    package static let prefix = "phibench_"

    /// Latency histograms (the catalogue's `e2e`, `lateness` and each workload stage), seconds,
    /// labelled `stage="KEY"`.
    package static let latency = "phibench_stage_latency_seconds"
    /// The same histograms' exact statistics over the last interval (from the HdrHistogram),
    /// labelled `stage="KEY", statistic="p99"`, for the catalogue's series statistics.
    package static let intervalQuantile = "phibench_interval_latency_seconds"
    package static let episodes = "phibench_episodes_total"
    package static let errors = "phibench_errors_total"
    package static let drops = "phibench_drops_total"
    package static let targetRate = "phibench_target_rate_episodes_per_second"
    package static let queueDepth = "phibench_queue_depth"
    package static let phaseInfo = "phibench_phase_info"
    package static let phaseIndex = "phibench_phase_index"
    package static let trial = "phibench_trial"
    package static let runInfo = "phibench_run_info"

    /// Names for catalogue metrics that dashboards expect under a fixed, conventional name. Every
    /// other series metric gets ``generic(_:)``.
    package static let fixed: [String: String] = [
        MetricKey.throughput: "phibench_throughput_episodes_per_second",
        MetricKey.rssEnd: "phibench_rss_bytes",
        MetricKey.jemallocAllocated: "phibench_jemalloc_allocated_bytes",
        MetricKey.allocationsPerEpisode: "phibench_allocations_per_episode",
    ]

    /// Catalogue keys exported as counters (``episodes``, ``errors``, ``drops``) rather than as
    /// per-interval gauges.
    package static let counted: Set<String> = [MetricKey.episodes, MetricKey.errors, MetricKey.dropped]

    /// The gauge name of a catalogue metric: its fixed name, else `phibench_` + the key with every
    /// character outside `[A-Za-z0-9_]` as `_`, plus the base-unit suffix (`_seconds`, `_bytes`,
    /// `_ratio`, `_per_second`, `_percent`) unless the key already ends with it.
    package static func gauge(_ d: MetricDescriptor) -> String {
        fixed[d.key] ?? generic(d.key, unit: d.unit)
    }

    /// `phibench_` + sanitised `key` + the unit's suffix.
    package static func generic(_ key: String, unit: MetricUnit) -> String {
        var name = prefix
        var lastUnderscore = true
        for ch in key.unicodeScalars {
            let ok = (ch >= "a" && ch <= "z") || (ch >= "A" && ch <= "Z") || (ch >= "0" && ch <= "9")
            if ok {
                name.unicodeScalars.append(ch)
                lastUnderscore = false
            } else if !lastUnderscore {
                name += "_"
                lastUnderscore = true
            }
        }
        while name.hasSuffix("_") { name.removeLast() }
        if let suffix = suffix(unit), !name.hasSuffix(suffix) { name += suffix }
        return name
    }

    /// The Prometheus base-unit suffix of `unit`, nil for counts and per-episode figures.
    static func suffix(_ unit: MetricUnit) -> String? {
        switch unit {
        case .nanoseconds, .seconds: "_seconds"
        case .bytes: "_bytes"
        case .perSecond: "_per_second"
        case .fraction: "_ratio"
        case .percent: "_percent"
        case .ratio, .count, .bytesPerEpisode, .perEpisode: nil
        }
    }

    /// Factor from the catalogue's unit to the exported base unit (nanoseconds → seconds).
    static func scale(_ unit: MetricUnit) -> Double { unit == .nanoseconds ? 1e-9 : 1 }

    /// Help text: the catalogue's label, unit and summary, with characters the text format escapes
    /// (backslash, newline) replaced.
    static func help(_ d: MetricDescriptor) -> String {
        let text = d.summary.isEmpty ? "\(d.label) (\(d.unit.rawValue))" : "\(d.label) (\(d.unit.rawValue)): \(d.summary)"
        return text.replacingBackslashesAndNewlines()
    }

    /// Latency histogram buckets, seconds: 1, 2, 5 × 10^k from 1 µs to 10 s (22 bounds, +Inf added
    /// by the format). Log-spaced so histogram_quantile's linear interpolation inside a bucket errs
    /// by at most the bucket's width (≤ 2.5×) at every scale, from a cache hit to a stall.
    package static let latencyBuckets: [Double] = {
        var out: [Double] = []
        var decade = 1e-6
        while decade < 10 {
            for m in [1.0, 2.0, 5.0] { out.append((m * decade * 1e9).rounded() / 1e9) }
            decade *= 10
        }
        out.append(10)
        return out
    }()
}

extension String {
    func replacingBackslashesAndNewlines() -> String {
        var out = ""
        for ch in self {
            switch ch {
            case "\\": out += "/"
            case "\n", "\r": out += " "
            default: out.append(ch)
            }
        }
        return out
    }
}
