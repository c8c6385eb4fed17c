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
            out += "\(lead)**\(Fmt.grouped(s.episodes)) episodes** in \(Fmt.duration(r.durationSeconds)) · **\(Fmt.number(s.throughputEps))/s**"
            out += " · e2e p50 **\(Fmt.metric(s.metric("e2e.p50"), unit: .nanoseconds))** · p99 **\(Fmt.metric(s.metric("e2e.p99"), unit: .nanoseconds))**"
            out += " · \(Escape.markdown(r.build.configuration)) · `\(Escape.markdown(Fmt.shortCommit(r.build.commit)))`\(r.build.dirty ? " (dirty)" : "")"
            out += " · \(Escape.markdown(r.machine.hostname)), \(r.machine.cores) cores\n\n"
        }
        let warnings = warningLines(results, names: names)
        if !warnings.isEmpty {
            out += "> [!WARNING]\n"
            for w in warnings { out += "> - \(Escape.markdown(w))\n" }
            out += "\n"
        }
        out += "### Key metrics\n\n" + keyTable(results, names: names).render() + "\n"
        out += "### Stages\n\n" + stageTable(results, names: names).render() + "\n"
        if results.contains(where: { !$0.phases.isEmpty }) {
            out += "### Phases\n\n" + phaseTable(results, names: names).render() + "\n"
        }
        if results.contains(where: { !$0.thresholds.isEmpty }) {
            out += "### Thresholds\n\n" + thresholdTable(results, names: names).render() + "\n"
        }
        if let leaks = leakLines(results, names: names) { out += "### Leak analysis\n\n" + leaks + "\n" }
        return out
    }

    static func warningLines(_ results: [BenchResult], names: [String]) -> [String] {
        var lines: [String] = []
        for (i, r) in results.enumerated() {
            let who = results.count > 1 ? "\(names[i]): " : ""
            let own = r.warnings.map { $0.lowercased() }
            if r.build.configuration != "release" && !own.contains(where: { $0.contains("debug") }) {
                lines.append("\(who)\(r.build.configuration) build: timings are not representative of release performance")
            }
            if !r.build.jemalloc && !own.contains(where: { $0.contains("jemalloc") }) {
                lines.append("\(who)jemalloc off: no allocation counts")
            }
            if r.interrupted { lines.append("\(who)interrupted: the run stopped early") }
            for t in r.thresholds where !t.passed {
                lines.append("\(who)threshold failed: \(t.expression) (measured \(HTMLReport.thresholdValue(t)))")
            }
            if r.leak?.leaking == true { lines.append("\(who)leak suspected: \(r.leak!.explanation)") }
            lines += r.warnings.map { who + $0 }
        }
        return lines
    }

    static func keyTable(_ results: [BenchResult], names: [String]) -> MarkdownTable {
        var t = MarkdownTable(["Metric"] + (results.count > 1 ? names : ["Value"]), align: [.left] + results.map { _ in .right })
        let rows: [(String, (BenchResult) -> String)] = [
            ("Episodes", { Fmt.grouped($0.summary.episodes) }),
            ("Errors / dropped", { "\(Fmt.grouped($0.summary.errors)) / \(Fmt.grouped($0.summary.dropped))" }),
            ("Throughput", { Fmt.number($0.summary.throughputEps) + "/s" }),
            ("e2e p50", { Fmt.metric($0.summary.metric("e2e.p50"), unit: .nanoseconds) }),
            ("e2e p90", { Fmt.metric($0.summary.metric("e2e.p90"), unit: .nanoseconds) }),
            ("e2e p99", { Fmt.metric($0.summary.metric("e2e.p99"), unit: .nanoseconds) }),
            ("e2e p99.9", { Fmt.metric($0.summary.metric("e2e.p999"), unit: .nanoseconds) }),
            ("e2e max", { Fmt.metric($0.summary.metric("e2e.max"), unit: .nanoseconds) }),
            ("Φ cache hit rate", { $0.summary.phi.hits + $0.summary.phi.misses > 0 ? Fmt.number($0.summary.phi.cacheHitRate * 100) + "%" : "–" }),
            ("Allocations / episode", { $0.summary.memory.allocationsPerEpisode.map(Fmt.number) ?? "–" }),
            ("Bytes allocated / episode", { $0.summary.memory.bytesAllocatedPerEpisode.map { Units.formatBytes($0) } ?? "–" }),
            ("RSS start → end", { "\(Units.formatBytes(Double($0.summary.memory.rssStartBytes))) → \(Units.formatBytes(Double($0.summary.memory.rssEndBytes)))" }),
            ("RSS growth", { Fmt.number($0.summary.memory.rssGrowthPct) + "%" }),
            ("CPU utilisation", { Fmt.number($0.summary.cpu.utilization) + " cores" }),
            ("Trials", { "\(max(1, $0.trials.count))" }),
        ]
        for (name, f) in rows { t.append([name] + results.map(f)) }
        return t
    }

    static func stageTable(_ results: [BenchResult], names: [String]) -> MarkdownTable {
        let multi = results.count > 1
        let head = (multi ? ["Result"] : []) + ["Stage", "count", "mean", "p50", "p90", "p99", "p99.9", "max", "share"]
        var t = MarkdownTable(head, align: head.enumerated().map { i, _ in i < (multi ? 2 : 1) ? .left : .right })
        for (i, r) in results.enumerated() {
            let shares = Dictionary(StageShare.of(r.summary).map { ($0.stage, $0.share) }) { a, _ in a }
            for k in r.summary.latencyKeysInOrder {
                let l = r.summary.latencyNs[k]!
                let ns = { (v: UInt64) in Units.formatNanoseconds(Double(v)) }
                t.append((multi ? [names[i]] : []) + [k, Fmt.grouped(l.count), Units.formatNanoseconds(l.mean), ns(l.p50), ns(l.p90),
                                                     ns(l.p99), ns(l.p999), ns(l.max), shares[k].map { Fmt.number($0 * 100) + "%" } ?? ""])
            }
        }
        return t
    }

    static func phaseTable(_ results: [BenchResult], names: [String]) -> MarkdownTable {
        let multi = results.count > 1
        let head = (multi ? ["Result"] : []) + ["#", "Kind", "Phase", "target", "achieved", "p50", "p99", "max queue", "drain", "dropped"]
        var t = MarkdownTable(head, align: head.map { ["#", "Kind", "Phase", "Result"].contains($0) ? .left : .right })
        for (i, r) in results.enumerated() {
            for p in r.phases {
                t.append((multi ? [names[i]] : []) + [
                    "\(p.index + 1)", p.kind, p.label, p.targetRate.map { Fmt.number($0) + "/s" } ?? (p.kind.hasPrefix("closed") ? "closed c=\(p.concurrency)" : "–"),
                    Fmt.number(p.achievedRate) + "/s", Fmt.metric(p.stats.metric("e2e.p50"), unit: .nanoseconds),
                    Fmt.metric(p.stats.metric("e2e.p99"), unit: .nanoseconds), Fmt.grouped(p.maxQueueDepth),
                    p.drainSeconds.map { Fmt.number($0) + " s" } ?? "–", Fmt.grouped(p.stats.dropped),
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
                t.append((multi ? [names[i]] : []) + [th.expression, HTMLReport.thresholdValue(th), th.passed ? "✅ pass" : "❌ fail"])
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
