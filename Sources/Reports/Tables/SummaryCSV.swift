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
                for d in r.catalogue.descriptors {
                    add(scope, trial, phase, kind, d.key, s.metric(d.key), d.unit.rawValue)
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
                add("trial", String(t.trial), "", "", "partial", t.partial ? 1 : 0, "count")
                add("trial", String(t.trial), "", "", "seed", Double(t.seed), "count")
                add("trial", String(t.trial), "", "", "duration_s", t.durationSeconds, "s")
                summary(t.summary, scope: "trial", trial: String(t.trial), phase: "", kind: "")
            }
        }
        return csv.render()
    }

}

/// `timeseries.csv`: one row per interval: where the run was (time, phase, episodes, target rate,
/// queue depth), then every series metric of the catalogue in catalogue order, preceded by the
/// result's name.
public enum TimeseriesCSV {
    static let leading = ["t_s", "interval_s", "phase", "episodes", "episodes_total", "target_rate", "queue_depth"]

    public static func render(results: [BenchResult], labels: [String?] = []) -> String {
        let names = ResultLabels.make(results, explicit: labels)
        let catalogue = MetricCatalogue.union(results.map(\.catalogue))
        var keys = catalogue.descriptors.filter(\.series).map(\.key)
        // Series a result has that its catalogue does not mark (version 1 points) follow, sorted.
        let seen = Set(results.flatMap { $0.timeseries.flatMap(\.metrics.keys) })
        keys += seen.subtracting(keys).sorted()
        keys = keys.filter(seen.contains)
        var csv = CSVDocument(header: ["result"] + leading + keys)
        for (i, r) in results.enumerated() {
            for p in r.timeseries {
                let fixed: [Double?] = [p.tSeconds, p.intervalSeconds, Double(p.phase), Double(p.episodes), Double(p.episodesTotal),
                                        p.targetRate, Double(p.queueDepth)]
                csv.append([names[i]] + (fixed + keys.map { p.metrics[$0] }).map { $0.map(CSVDocument.number) ?? "" })
            }
        }
        return csv.render()
    }
}
