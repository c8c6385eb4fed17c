import BenchModel

/// `summary.csv`: tidy data, one row per result × scope × metric, values in base units
/// (ns, bytes, episodes/s), so a spreadsheet or pandas can pivot it freely.
///
/// Columns: `result,scope,trial,phase,kind,metric,value,unit`; scope is `overall`, `phase` or `trial`.
public enum SummaryCSV {
    public static let columns = ["result", "scope", "trial", "phase", "kind", "metric", "value", "unit"]

    public static func render(results: [BenchResult], labels: [String?] = []) -> String {
        let names = ResultLabels.make(results, explicit: labels)
        var csv = CSVDocument(header: columns)
        for (i, r) in results.enumerated() {
            let name = names[i]
            func add(_ scope: String, _ trial: String, _ phase: String, _ kind: String, _ metric: String, _ v: Double?, _ unit: String) {
                guard let v else { return }
                csv.append([name, scope, trial, phase, kind, metric, CSVDocument.number(v), unit])
            }
            func summary(_ s: RunSummary, scope: String, trial: String, phase: String, kind: String) {
                for path in metricPaths(s) {
                    add(scope, trial, phase, kind, path, s.metric(path), unitText(path))
                }
            }
            add("overall", "", "", "", "duration_s", r.durationSeconds, "s")
            summary(r.summary, scope: "overall", trial: "", phase: "", kind: "")
            for p in r.phases {
                let ph = String(p.index), k = p.kind
                add("phase", "", ph, k, "target_rate", p.targetRate, "/s")
                add("phase", "", ph, k, "achieved_rate", p.achievedRate, "/s")
                add("phase", "", ph, k, "concurrency", Double(p.concurrency), "count")
                add("phase", "", ph, k, "max_queue_depth", Double(p.maxQueueDepth), "count")
                add("phase", "", ph, k, "drain_s", p.drainSeconds, "s")
                add("phase", "", ph, k, "start_s", p.startSeconds, "s")
                add("phase", "", ph, k, "duration_s", p.durationSeconds, "s")
                summary(p.stats, scope: "phase", trial: "", phase: ph, kind: k)
            }
            for t in r.trials {
                add("trial", String(t.trial), "", "", "seed", Double(t.seed), "count")
                add("trial", String(t.trial), "", "", "duration_s", t.durationSeconds, "s")
                summary(t.summary, scope: "trial", trial: String(t.trial), phase: "", kind: "")
            }
        }
        return csv.render()
    }

    /// Every metric path a summary has, in the catalogue's order plus the counters and extremes it
    /// leaves out (episodes, hits and misses, RSS start/end, jemalloc detail, CPU seconds, count and min).
    static func metricPaths(_ s: RunSummary) -> [String] {
        var paths = ["episodes"] + s.metricDescriptors.map(\.path)
        for k in s.latencyKeysInOrder { paths += ["\(k).count", "\(k).min"] }
        if s.phi.hits + s.phi.misses > 0 { paths += ["phi.hits", "phi.misses"] }
        paths += ["memory.rss_start_bytes", "memory.rss_end_bytes"]
        if s.memory.jemalloc != nil { paths += ["memory.jemalloc.active", "memory.jemalloc.resident", "memory.jemalloc.mapped"] }
        paths += ["cpu.user_s", "cpu.system_s"]
        return paths
    }

    static func unitText(_ path: String) -> String {
        let u = RunSummary.unit(of: path)
        return u == .ratio ? "ratio" : u.rawValue
    }
}

/// `timeseries.csv`: one row per interval with every ``TimeseriesPoint`` field (read through its
/// Codable form, so new fields appear as new columns), preceded by the result's name.
public enum TimeseriesCSV {
    /// Known columns in a readable order; fields not listed here follow alphabetically.
    static let knownOrder = [
        "t_s", "interval_s", "phase", "episodes", "episodes_total", "throughput_eps", "target_rate", "p50_ns", "p99_ns",
        "max_ns", "rss_bytes", "jemalloc_allocated", "allocations", "bytes_allocated", "queue_depth", "dropped", "errors",
        "cpu_utilization", "phi_cache_hit_rate",
    ]

    public static func render(results: [BenchResult], labels: [String?] = []) -> String {
        let names = ResultLabels.make(results, explicit: labels)
        var objects: [(String, [String: JSONValue])] = []
        var keys = Set<String>()
        for (i, r) in results.enumerated() {
            for p in r.timeseries {
                // Optional fields that are nil are left out by the encoder; they become empty cells.
                guard case .object(let o)? = JSONValue.of(p) else { continue }
                keys.formUnion(o.keys)
                objects.append((names[i], o))
            }
        }
        let columns = knownOrder + keys.subtracting(knownOrder).sorted()
        var csv = CSVDocument(header: ["result"] + columns)
        for (name, o) in objects {
            csv.append([name] + columns.map { c in
                switch o[c] {
                case .number(let d)?: CSVDocument.number(d)
                case .string(let s)?: s
                case .bool(let b)?: b ? "true" : "false"
                default: ""
                }
            })
        }
        return csv.render()
    }
}
