import BenchModel

/// `summary.md`: GitHub-flavoured Markdown for a CI job summary or a PR comment: a headline,
/// warnings, key metrics, stages, phases and thresholds.
public enum SummaryMarkdown {
    public static func render(results: [BenchResult], labels: [String?] = []) -> String {
        guard !results.isEmpty else { return "No results.\n" }
        let names = ResultLabels.make(results, explicit: labels)
        let multi = results.count > 1
        var out = ""
        let (verdict, _) = HTMLReport.headlineVerdict(results)
        let title = multi ? names.joined(separator: " vs ") : results[0].scenario.name
        out += "## phibench · \(Escape.markdown(title))\(verdict.map { " — " + $0 } ?? "")\n\n"
        for (i, r) in results.enumerated() {
            let s = r.summary
            let lead = multi ? "**\(Escape.markdown(names[i]))**: " : ""
            out += "\(lead)**\(Units.grouped(s.episodes)) episodes** in \(Units.formatDuration(r.durationSeconds)) · **\(r.formatted(MetricKey.throughput))**"
            out += " · e2e p50 **\(r.formatted(MetricKey.e2e(.p50)))** · p99 **\(r.formatted(MetricKey.e2e(.p99)))**"
            out += " · \(Escape.markdown(r.build.configuration)) · `\(Escape.markdown(Units.shortCommit(r.build.commit)))`\(r.build.dirty ? " (dirty)" : "")"
            out += " · \(Escape.markdown(r.machine.hostname)), \(r.machine.cores) cores\n\n"
        }
        let warnings = warningLines(results, names: names)
        if !warnings.isEmpty {
            out += "> [!WARNING]\n"
            for w in warnings { out += "> - \(Escape.markdown(w))\n" }
            out += "\n"
        }
        let catalogue = MetricCatalogue.union(results.map(\.catalogue))
        out += "### Key metrics\n\n" + keyTable(results, names: names, catalogue: catalogue).render() + "\n"
        out += "### Latency\n\n" + stageTable(results, names: names).render() + "\n"
        if results.contains(where: { !$0.phases.isEmpty }) {
            out += "### Phases\n\n" + phaseTable(results, names: names).render() + "\n"
        }
        if results.contains(where: { !$0.thresholds.isEmpty }) {
            out += "### Thresholds\n\n" + thresholdTable(results, names: names).render() + "\n"
        }
        if let leaks = leakLines(results, names: names) { out += "### Leak analysis\n\n" + leaks + "\n" }
        out += "<details><summary>All metrics</summary>\n\n" + allMetricsTable(results, names: names, catalogue: catalogue).render() + "\n</details>\n"
        if let events = eventsTable(results, names: names) {
            out += "\n<details><summary>Workload events</summary>\n\n" + events.render() + "\n</details>\n"
        }
        return out
    }

    static func warningLines(_ results: [BenchResult], names: [String]) -> [String] {
        var lines: [String] = []
        for (i, r) in results.enumerated() {
            let who = results.count > 1 ? "\(names[i]): " : ""
            lines += r.warnings.map { who + $0.message }
            for t in r.thresholds where !t.passed {
                lines.append("\(who)threshold failed: \(t.expression) (measured \(HTMLReport.thresholdValue(t, r.catalogue)))")
            }
            if let leak = r.leak, leak.leaking { lines.append("\(who)leak suspected: \(leak.explanation)") }
        }
        return lines
    }

    /// Episodes, errors, drops, then every highlighted metric, then the trial count.
    static func keyTable(_ results: [BenchResult], names: [String], catalogue: MetricCatalogue) -> MarkdownTable {
        var t = MarkdownTable(["Metric"] + (results.count > 1 ? names : ["Value"]), align: [.left] + results.map { _ in .right })
        t.append(["Episodes"] + results.map { Units.grouped($0.summary.episodes) })
        t.append(["Errors / dropped"] + results.map { "\(Units.grouped($0.summary.errors)) / \(Units.grouped($0.summary.dropped))" })
        for d in catalogue.highlights {
            t.append([d.label] + results.map { Units.metric($0.summary.metric(d.key), unit: d.unit) })
        }
        t.append(["Trials"] + results.map { "\(max(1, $0.trials.count))" })
        if results.contains(where: { WarmupText.describe($0) != nil }) {
            t.append(["Warm-up"] + results.map { WarmupText.describe($0) ?? "none" })
        }
        return t
    }

    /// Every histogram's statistics, with its share of episode time.
    static func stageTable(_ results: [BenchResult], names: [String]) -> MarkdownTable {
        let multi = results.count > 1
        let stats: [LatencyStatistic] = [.count, .min, .mean, .p50, .p90, .p95, .p99, .p999, .max]
        let head = (multi ? ["Result"] : []) + ["Histogram"] + stats.map(\.label) + ["share"]
        var t = MarkdownTable(head, align: head.enumerated().map { i, _ in i < (multi ? 2 : 1) ? .left : .right })
        for (i, r) in results.enumerated() {
            let shares = Dictionary(StageShare.of(r).map { ($0.stage, $0.share) }) { a, _ in a }
            for k in r.catalogue.recordedHistograms(r.summary) {
                t.append((multi ? [names[i]] : []) + [k] + stats.map { stat in
                    Units.metric(r.summary.metric("\(k).\(stat.rawValue)"), unit: stat == .count ? .count : .nanoseconds)
                } + [shares[k].map { Units.number($0 * 100) + "%" } ?? ""])
            }
        }
        return t
    }

    /// Every non-latency metric of the catalogue, one row each.
    static func allMetricsTable(_ results: [BenchResult], names: [String], catalogue: MetricCatalogue) -> MarkdownTable {
        var t = MarkdownTable(["Metric", "Key"] + (results.count > 1 ? names : ["Value"]),
                              align: [.left, .left] + results.map { _ in .right })
        for d in catalogue.metrics {
            let values = results.map { Units.metric($0.summary.metric(d.key), unit: d.unit) }
            guard values.contains(where: { $0 != "–" }) else { continue }
            t.append([d.label, d.key] + values)
        }
        return t
    }

    static func eventsTable(_ results: [BenchResult], names: [String]) -> MarkdownTable? {
        guard results.contains(where: { !$0.workload.events.isEmpty }) else { return nil }
        let multi = results.count > 1
        var t = MarkdownTable((multi ? ["Result"] : []) + ["t", "Episode", "Kind", "Event"])
        for (i, r) in results.enumerated() {
            for e in r.workload.events {
                t.append((multi ? [names[i]] : []) + [e.tSeconds.map { Units.number($0) + " s" } ?? "warm-up",
                                                      e.episode.map { Units.grouped($0) } ?? "", e.kind, e.message])
            }
        }
        return t
    }

    static func phaseTable(_ results: [BenchResult], names: [String]) -> MarkdownTable {
        let multi = results.count > 1
        let head = (multi ? ["Result"] : []) + ["#", "Kind", "Phase", "target", "achieved", "p50", "p99", "max queue", "drain", "dropped",
                                                "arrival check"]
        var t = MarkdownTable(head, align: head.map { ["#", "Kind", "Phase", "Result"].contains($0) ? .left : .right })
        for (i, r) in results.enumerated() {
            for p in r.phases {
                t.append((multi ? [names[i]] : []) + [
                    "\(p.index + 1)", p.kind, p.label, p.targetRate.map { Units.number($0) + "/s" } ?? (p.kind.hasPrefix("closed") ? "closed c=\(p.concurrency)" : "–"),
                    Units.number(p.achievedRate) + "/s", r.formatted(MetricKey.e2e(.p50), in: p.stats),
                    r.formatted(MetricKey.e2e(.p99), in: p.stats), Units.grouped(p.maxQueueDepth),
                    p.drainSeconds.map { Units.number($0) + " s" } ?? "–", Units.grouped(p.stats.dropped),
                    p.arrivalCheck?.summary ?? "–",
                ])
            }
        }
        return t
    }

    static func thresholdTable(_ results: [BenchResult], names: [String]) -> MarkdownTable {
        let multi = results.count > 1
        let head = (multi ? ["Result"] : []) + ["Threshold", "Measured", "Status"]
        var t = MarkdownTable(head, align: head.map { $0 == "Measured" ? .right : .left })
        for (i, r) in results.enumerated() {
            for th in r.thresholds {
                t.append((multi ? [names[i]] : []) + [th.expression, HTMLReport.thresholdValue(th, r.catalogue), th.passed ? "✅ pass" : "❌ fail"])
            }
        }
        return t
    }

    static func leakLines(_ results: [BenchResult], names: [String]) -> String? {
        let lines = results.enumerated().compactMap { i, r in
            r.leak.map { l in
                "- \(results.count > 1 ? "**\(Escape.markdown(names[i]))**: " : "")\(l.leaking ? "❌ leaking" : "✅ no leak") — \(Escape.markdown(l.explanation))"
            }
        }
        return lines.isEmpty ? nil : lines.joined(separator: "\n") + "\n"
    }
}
