import BenchModel

/// `report.html`: one self-contained page (inline CSS and SVG, no script, no network) for one or
/// more results; several results overlay their curves, one colour each.
public enum HTMLReport {
    /// Renders the page. `folded[i]` is result i's folded CPU stacks, when it has any.
    public static func render(results: [BenchResult], options: ReportOptions = ReportOptions(), folded: [String?] = []) -> String {
        guard !results.isEmpty else {
            return Templates.render(Page(title: "phibench", subtitle: "No results to report.", generator: options.generator, verdict: nil,
                                         verdictClass: "neutral", banners: [], runs: Table(caption: nil, headers: [], rows: []),
                                         cards: [], sections: [], toc: []))
        }
        let labels = ResultLabels.make(results, explicit: options.labels)
        let inputs = results.enumerated().map { i, r in ChartInput(r, label: labels[i], color: Palette.result(i)) }
        var sections: [Section] = []
        if let s = thresholdSection(inputs) { sections.append(s) }
        sections.append(latencySection(inputs))
        if let s = stageSection(inputs) { sections.append(s) }
        sections.append(timeSection(inputs))
        if let s = phaseSection(inputs) { sections.append(s) }
        sections.append(memorySection(inputs))
        if let s = phiSection(inputs) { sections.append(s) }
        if let s = trialSection(inputs) { sections.append(s) }
        if let s = profileSection(inputs, folded: folded, renderer: options.flameGraph) { sections.append(s) }

        let (verdict, verdictClass) = headlineVerdict(results)
        let page = Page(
            title: results.count == 1 ? "phibench · \(results[0].scenario.name)" : "phibench · \(labels.joined(separator: " vs "))",
            subtitle: subtitle(results), generator: "\(options.generator) · \(BenchResult.schemaID)",
            verdict: verdict, verdictClass: verdictClass, banners: banners(inputs), runs: runsTable(inputs),
            cards: cards(inputs), cardsClass: results.count > 1 ? "cards multi" : "cards", sections: sections,
            toc: sections.map { Page.TOCEntry(id: $0.id, title: $0.title) })
        return Templates.render(page)
    }

    static func subtitle(_ results: [BenchResult]) -> String? {
        guard results.count == 1, let r = results.first else { return nil }
        var parts: [String] = []
        if !r.scenario.description.isEmpty { parts.append(r.scenario.description) }
        parts.append("started \(r.startedAt)")
        parts.append(Fmt.duration(r.durationSeconds) + " measured")
        parts.append("\(max(1, r.trials.count)) trial\(r.trials.count > 1 ? "s" : "")")
        if !r.scenario.overrides.isEmpty { parts.append("--set " + r.scenario.overrides.joined(separator: " ")) }
        return parts.joined(separator: " · ")
    }

    static func headlineVerdict(_ results: [BenchResult]) -> (String?, String) {
        let thresholds = results.flatMap(\.thresholds)
        let failed = thresholds.filter { !$0.passed }.count
        if results.contains(where: { $0.leak?.leaking == true }) { return ("✗ leak suspected", "bad") }
        if failed > 0 { return ("✗ \(failed) of \(thresholds.count) thresholds failed", "bad") }
        if !thresholds.isEmpty { return ("✓ all \(thresholds.count) thresholds passed", "good") }
        if results.contains(where: \.interrupted) { return ("interrupted", "warn") }
        return (nil, "neutral")
    }

    static func banners(_ inputs: [ChartInput]) -> [Banner] {
        var out: [Banner] = []
        for i in inputs {
            let r = i.result
            let who = inputs.count > 1 ? "\(i.label): " : ""
            let own = r.warnings.map { $0.lowercased() }
            if r.build.configuration != "release" && !own.contains(where: { $0.contains("debug") }) {
                out.append(Banner(level: "bad", title: "\(who)\(r.build.configuration) build.",
                                  text: "Timings of a debug build say little about release performance; build with swift build -c release (make run does)."))
            }
            if !r.build.jemalloc && !own.contains(where: { $0.contains("jemalloc") }) {
                out.append(Banner(level: "note", title: "\(who)jemalloc off.",
                                  text: "Allocation counts and heap statistics are unavailable; memory figures come from /proc."))
            }
            if r.interrupted {
                out.append(Banner(level: "bad", title: "\(who)interrupted.",
                                  text: "The run was stopped early; the numbers cover only what it measured (\(Fmt.duration(r.durationSeconds)))."))
            }
            let failed = r.thresholds.filter { !$0.passed }
            if !failed.isEmpty {
                out.append(Banner(level: "bad", title: "\(who)\(failed.count) threshold\(failed.count == 1 ? "" : "s") failed:",
                                  text: failed.map { "\($0.expression) (measured \(thresholdValue($0)))" }.joined(separator: "; ")))
            }
            if let leak = r.leak, leak.leaking {
                out.append(Banner(level: "bad", title: "\(who)leak suspected.", text: leak.explanation))
            }
            // The interrupted banner above says it more prominently than the result's own warning.
            for w in r.warnings where !(r.interrupted && w.lowercased().contains("interrupted")) {
                out.append(Banner(level: "note", title: "\(who)warning:", text: w))
            }
            if r.summary.errors > 0 && !own.contains(where: { $0.contains("failed") }) {
                out.append(Banner(level: "note", title: "\(who)\(Fmt.grouped(r.summary.errors)) episodes failed.",
                                  text: "Their latency is included; see the error counts per phase."))
            }
            if r.summary.dropped > 0 && !own.contains(where: { $0.contains("dropped") }) {
                out.append(Banner(level: "note", title: "\(who)\(Fmt.grouped(r.summary.dropped)) arrivals dropped",
                                  text: "because the queue was full: the system did not keep up with the offered load."))
            }
            if r.build.dirty && !own.contains(where: { $0.contains("uncommitted") }) {
                out.append(Banner(level: "info", title: "\(who)uncommitted changes.",
                                  text: "Built from a dirty tree at \(Fmt.shortCommit(r.build.commit)); the commit alone does not reproduce it."))
            }
            for p in i.histogramProblems { out.append(Banner(level: "note", title: "Histogram not shown:", text: p)) }
        }
        return out
    }

    static func runsTable(_ inputs: [ChartInput]) -> Table {
        let headers = ["Result", "Machine", "Build", "Commit", "Started", "Measured", "Trials"].map { Cell($0) }
        let rows = inputs.map { i -> Row in
            let r = i.result, m = r.machine, b = r.build
            let machine = "\(m.hostname) · \(m.cpuModel) · \(m.cores) cores · \(Units.formatBytes(Double(m.memoryBytes))) · \(m.os)"
            let build = "\(b.configuration) · \(b.compiler) · jemalloc \(b.jemalloc ? "on" : "off") · phibench \(b.phibenchVersion)"
            return Row(cells: [
                Cell(i.label, cls: "nowrap", color: i.color, hint: r.scenario.file), Cell(machine, hint: m.kernel), Cell(build),
                Cell(Fmt.shortCommit(b.commit) + (b.dirty ? " (dirty)" : ""), cls: "mono", hint: b.commit),
                Cell(r.startedAt.replacingAll("T", with: " "), cls: "nowrap"), Cell.num(Fmt.duration(r.durationSeconds)), Cell.num("\(max(1, r.trials.count))"),
            ])
        }
        return Table(caption: nil, headers: headers, rows: rows)
    }

    static func cards(_ inputs: [ChartInput]) -> [Card] {
        let multi = inputs.count > 1
        func values(_ f: (BenchResult) -> String) -> [Card.Value] {
            inputs.map { Card.Value(text: f($0.result), color: multi ? $0.color : nil, label: nil) }
        }
        let first = inputs[0].result.summary
        var cards = [
            Card(name: "Episodes", values: values { Fmt.grouped($0.summary.episodes) },
                 hint: "errors \(Fmt.grouped(first.errors)) · dropped \(Fmt.grouped(first.dropped))"),
            Card(name: "Throughput", values: values { Fmt.number($0.summary.throughputEps) + "/s" },
                 hint: targetRate(inputs[0].result).map { "target ≈ \(Fmt.number($0))/s" } ?? "closed loop"),
            Card(name: "e2e p50", values: values { Fmt.metric($0.summary.metric("e2e.p50"), unit: .nanoseconds) },
                 hint: "mean \(Fmt.metric(first.metric("e2e.mean"), unit: .nanoseconds))"),
            Card(name: "e2e p99", values: values { Fmt.metric($0.summary.metric("e2e.p99"), unit: .nanoseconds) },
                 hint: "p99.9 \(Fmt.metric(first.metric("e2e.p999"), unit: .nanoseconds)) · max \(Fmt.metric(first.metric("e2e.max"), unit: .nanoseconds))"),
        ]
        if inputs.contains(where: { $0.result.summary.phi.hits + $0.result.summary.phi.misses > 0 }) {
            cards.append(Card(name: "Φ cache hit rate", values: values { Fmt.number($0.summary.phi.cacheHitRate * 100) + "%" },
                              hint: "\(Fmt.grouped(first.phi.hits)) hits · \(Fmt.grouped(first.phi.misses)) misses"))
        }
        cards.append(Card(name: "Allocations / episode",
                          values: values { $0.summary.memory.allocationsPerEpisode.map(Fmt.number) ?? "n/a" },
                          hint: first.memory.bytesAllocatedPerEpisode.map { Units.formatBytes($0) + " per episode" } ?? "needs jemalloc"))
        cards.append(Card(name: "RSS growth", values: values { Fmt.number($0.summary.memory.rssGrowthPct) + "%" },
                          hint: "\(Units.formatBytes(Double(first.memory.rssStartBytes))) → \(Units.formatBytes(Double(first.memory.rssEndBytes)))"))
        cards.append(Card(name: "CPU (cores busy)", values: values { Fmt.number($0.summary.cpu.utilization) },
                          hint: "user \(Fmt.number(first.cpu.userSeconds)) s · sys \(Fmt.number(first.cpu.systemSeconds)) s"))
        return cards
    }

    /// Duration-weighted mean scheduled rate over the open-loop phases, nil for a closed-loop run.
    static func targetRate(_ r: BenchResult) -> Double? {
        let open = r.phases.filter { $0.targetRate != nil && $0.durationSeconds > 0 }
        let time = open.reduce(0) { $0 + $1.durationSeconds }
        guard time > 0 else { return nil }
        return open.reduce(0) { $0 + $1.targetRate! * $1.durationSeconds } / time
    }

    static func thresholdValue(_ t: ThresholdResult) -> String {
        Fmt.metric(t.value, unit: RunSummary.unit(of: t.metric), path: t.metric)
    }
}
