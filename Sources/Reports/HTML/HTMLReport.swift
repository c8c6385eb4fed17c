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
        sections.append(metricsSection(inputs))
        if let s = memorySection(inputs) { sections.append(s) }
        if let s = eventsSection(inputs) { sections.append(s) }
        if let s = trialSection(inputs) { sections.append(s) }
        if let s = generatorSection(inputs) { sections.append(s) }
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
        parts.append(Units.formatDuration(r.durationSeconds) + " measured")
        parts.append("\(max(1, r.trials.count)) trial\(r.trials.count > 1 ? "s" : "")")
        if let warm = WarmupText.describe(r) { parts.append("warm-up " + warm) }
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

    /// One banner per warning the results carry (coloured by severity), per failed threshold and per
    /// suspected leak, plus one per histogram that could not be decoded.
    static func banners(_ inputs: [ChartInput]) -> [Banner] {
        var out: [Banner] = []
        for i in inputs {
            let r = i.result
            let who = inputs.count > 1 ? "\(i.label): " : ""
            for w in r.warnings {
                out.append(Banner(level: w.severity == .bad ? "bad" : w.severity == .info ? "info" : "note",
                                  title: "\(who)\(w.kind.title):", text: w.message))
            }
            let failed = r.thresholds.filter { !$0.passed }
            if !failed.isEmpty {
                out.append(Banner(level: "bad", title: "\(who)\(failed.count) threshold\(failed.count == 1 ? "" : "s") failed:",
                                  text: failed.map { "\($0.expression) (measured \(thresholdValue($0, r.catalogue)))" }.joined(separator: "; ")))
            }
            if let leak = r.leak, leak.leaking {
                out.append(Banner(level: "bad", title: "\(who)leak suspected.", text: leak.explanation))
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
            let build = "\(r.workload.name) · \(b.configuration) · \(b.compiler) · jemalloc \(b.jemalloc ? "on" : "off") · phibench \(b.phibenchVersion)"
            return Row(cells: [
                Cell(i.label, cls: "nowrap", color: i.color, hint: r.scenario.file), Cell(machine, hint: m.kernel), Cell(build),
                Cell(Units.shortCommit(b.commit) + (b.dirty ? " (dirty)" : ""), cls: "mono", hint: b.commit),
                Cell(r.startedAt.replacingAll("T", with: " "), cls: "nowrap"), Cell.num(Units.formatDuration(r.durationSeconds)), Cell.num("\(max(1, r.trials.count))"),
            ])
        }
        return Table(caption: nil, headers: headers, rows: rows)
    }

    /// Episodes, then a card per highlighted catalogue metric (the harness's and the workload's).
    static func cards(_ inputs: [ChartInput]) -> [Card] {
        let multi = inputs.count > 1
        let catalogue = MetricCatalogue.union(inputs.map(\.result.catalogue))
        let first = inputs[0].result
        var cards = [Card(name: "Episodes", values: inputs.map { Card.Value(text: Units.grouped($0.result.summary.episodes), color: multi ? $0.color : nil, label: nil) },
                          hint: "errors \(Units.grouped(first.summary.errors)) · dropped \(Units.grouped(first.summary.dropped))")]
        for d in catalogue.highlights where inputs.contains(where: { $0.result.summary.metric(d.key) != nil }) {
            var hint = d.summary
            if d.key == MetricKey.throughput { hint = targetRate(first).map { "target ≈ \(Units.number($0))/s" } ?? "closed loop" }
            cards.append(Card(name: d.label, values: inputs.map {
                Card.Value(text: Units.metric($0.result.summary.metric(d.key), unit: d.unit), color: multi ? $0.color : nil, label: nil)
            }, hint: hint))
        }
        return cards
    }

    /// Duration-weighted mean scheduled rate over the open-loop phases, nil for a closed-loop run.
    static func targetRate(_ r: BenchResult) -> Double? {
        let open = r.phases.filter { $0.targetRate != nil && $0.durationSeconds > 0 }
        let time = open.reduce(0) { $0 + $1.durationSeconds }
        guard time > 0 else { return nil }
        return open.reduce(0) { $0 + $1.targetRate! * $1.durationSeconds } / time
    }

    static func thresholdValue(_ t: ThresholdResult, _ catalogue: MetricCatalogue) -> String {
        Units.metric(t.value, unit: catalogue.descriptor(t.metric)?.unit ?? .count)
    }
}
