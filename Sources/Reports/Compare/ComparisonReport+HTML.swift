import BenchModel
import Foundation

extension ComparisonReport {
    /// `compare.html`: the verdict, overlaid percentile curves of both results and the metric table
    /// with colour-coded verdicts. Self-contained, no script. `before` and `after` are the compared
    /// results (for their histograms).
    /// - Parameter profiles: both results' sampling profiles, drawn as a differential flame graph
    ///   (or why they cannot be, said in a note).
    public func html(before b: BenchResult, after a: BenchResult, generator: String = "phibench",
                     profiles: Result<ProfileDifference, ProfileDifference.Unavailable>? = nil) -> String {
        let side = { (name: String, label: String) in label == name ? name : "\(name): \(label)" }
        let inputs = [ChartInput(b, label: side("before", before.label), color: Palette.result(0)),
                      ChartInput(a, label: side("after", after.label), color: Palette.result(1))]
        var sections: [Section] = []
        sections.append(metricSection(gated: true))
        sections.append(metricSection(gated: false))
        var figures: [Figure] = []
        if let e2e = BenchCharts.percentiles(inputs, key: "e2e", title: "End-to-end latency by percentile", width: 1160) {
            figures.append(Figure(svg: e2e, caption: "Before (blue) and after (red), all trials merged. Hover the dots for values.", wide: true))
        }
        let shared = b.catalogue.topLevelStageKeys.filter { (a.summary.metric("\($0).count") ?? 0) > 0 }
        for k in shared {
            if let svg = BenchCharts.percentiles(inputs, key: k, title: "\(k) latency by percentile", height: 260) {
                figures.append(Figure(svg: svg, caption: nil))
            }
        }
        if !figures.isEmpty {
            sections.insert(Section(id: "curves", title: "Latency by percentile", intro: nil, figures: figures), at: 1)
        }
        if let share = BenchCharts.stageShare(inputs) {
            sections.append(Section(id: "stages", title: "Where the time goes", intro: "Share of episode time by stage, before and after.",
                                    figures: [Figure(svg: share, caption: nil, wide: true)]))
        }
        switch profiles {
        case .success(let difference)?:
            let what = difference.kind == "heap" ? "Where the allocations went" : "Where the time went"
            sections.append(Section(
                id: "profile-diff", title: what,
                intro: "Differential flame graph of the two sampling profiles, per episode (\(difference.unit)): width is after, "
                    + "colour the change of a frame's own share, red grew and blue shrank. Sampled, so small changes are noise; "
                    + "click to zoom, type to search. Also written as diff-flame.svg and diff.folded (flamegraph.pl reads it).",
                figures: [Figure(svg: difference.svg, caption: nil, wide: true)]))
        case .failure(let why)?:
            sections.append(Section(id: "profile-diff", title: "Where the time went", intro: nil,
                                    notes: ["No differential flame graph: \(why.reason)."]))
        case nil:
            break
        }
        sections.append(Section(id: "method", title: "Method", intro: statistic, notes: [
            "Regressed: p < \(Fmt.number(alpha)) and the change of medians is beyond ±\(thresholdText) in the bad direction; improved likewise in the good direction.",
            "Unchanged: the bootstrap interval lies within ±\(thresholdText), or the change is within ±\(thresholdText). Inconclusive: beyond ±\(thresholdText) but not significant, or too few trials (one trial is never significant).",
            "Values are medians over trials. Only gated metrics decide the exit status; tail percentiles (p99.9, max) are reported but noisy by nature.",
        ]))
        let verdictClass: String = switch verdict {
        case .regressed: "bad"
        case .improved: "good"
        case .inconclusive, .belowDetectionLimit: "warn"
        default: "neutral"
        }
        let banners = warnings.map { Banner(level: "bad", title: "\($0.kind.title):", text: $0.message) }
            + notes.map { Banner(level: "note", title: "Note:", text: $0) }
        let runs = Table(caption: nil, headers: ["Side", "Scenario", "Commit", "Build", "Trials", "Started", "Host"].map { Cell($0) },
                         rows: [(before, inputs[0]), (after, inputs[1])].map { run, i in
                             Row(cells: [Cell(i.label, color: i.color), Cell(run.scenario),
                                         Cell(Fmt.shortCommit(run.commit) + (run.dirty ? " (dirty)" : ""), cls: "mono", hint: run.commit),
                                         Cell("\(run.configuration) · jemalloc \(run.jemalloc ? "on" : "off")"),
                                         Cell.num("\(run.trials)"), Cell(run.startedAt.replacingAll("T", with: " "), cls: "nowrap"), Cell(run.hostname)])
                         })
        let gated = metrics.filter(\.gated)
        let cards = [Verdict.regressed, .improved, .inconclusive, .belowDetectionLimit, .unchanged].map { v in
            Card(name: v.text, values: [Card.Value(text: "\(gated.filter { $0.verdict == v }.count)", color: Palette.verdict[v], label: nil)],
                 hint: "of \(gated.count) gated · \(metrics.filter { !$0.gated && $0.verdict == v }.count) other")
        }
        let page = Page(title: "phibench compare · \(before.scenario)", subtitle: "\(before.label) → \(after.label)",
                        generator: "\(generator) · \(ComparisonReport.schemaID)", verdict: headline, verdictClass: verdictClass,
                        banners: banners, runs: runs, cards: cards, cardsClass: "cards", sections: sections,
                        toc: sections.map { Page.TOCEntry(id: $0.id, title: $0.title) })
        return Templates.render(page)
    }

    func metricSection(gated: Bool) -> Section {
        let rows = metrics.filter { $0.gated == gated }
        let ci = "\(Int((confidence * 100).rounded()))% CI"
        let headers = [Cell("Metric"), Cell("Before", cls: "num"), Cell("After", cls: "num"), Cell("Change", cls: "num"),
                       Cell(ci, cls: "num", hint: "bootstrap interval of the relative change of medians"),
                       Cell("p", cls: "num", hint: "two-sided Mann–Whitney U"),
                       Cell("MDE", cls: "num", hint: "minimum detectable effect: the smallest change the gate catches with \(Int(((rows.first { $0.sensitivity != nil }?.sensitivity?.power ?? 0.9) * 100).rounded()))% power"),
                       Cell("Verdict"), Cell("Why")]
        let body = rows.map { m in
            Row(cells: [Cell(m.metric, cls: "mono"), Cell.num(Fmt.metric(m.before, unit: m.unit)),
                        Cell.num(Fmt.metric(m.after, unit: m.unit)),
                        Cell(Fmt.change(m.change), cls: "num " + (m.verdict == .unchanged ? "muted" : m.verdict.rawValue)),
                        Cell.num(Self.intervalText(m)),
                        Cell(Self.pText(m), cls: "num", hint: m.test.map { "U = \(Fmt.number($0.u)), \($0.method.description)" }),
                        Cell.num(Self.mdeText(m)), Cell(m.verdict.text, cls: m.verdict.rawValue), Cell(m.reason, cls: "muted")])
        }
        return Section(id: gated ? "gated" : "reported", title: gated ? "Gated metrics" : "Other metrics (reported, not gated)",
                       intro: gated ? "A regression in any of these fails the comparison (exit status 1)." : "Tail percentiles, counters and the workload's own figures: shown for context, never failing the comparison.",
                       tables: [Table(caption: nil, headers: headers, rows: body)],
                       notes: rows.isEmpty ? ["No metrics in this group."] : [])
    }
}

/// Writes `compare.html`, `compare.md` and `compare.json` for a comparison.
public enum CompareWriter {
    /// Writes the three files into `directory` (created if missing) and returns their URLs.
    /// - Throws: ``ReportError/writeFailed(file:reason:)``.
    @discardableResult
    /// - Parameter sourceDirectories: where `before` and `after` were read from; when both carry a
    ///   sampling profile whose folded stacks are there, `compare.html` draws their differential flame
    ///   graph and `diff-flame.svg` and `diff.folded` are written too.
    public static func write(_ report: ComparisonReport, before: BenchResult, after: BenchResult, to directory: URL,
                             generator: String = "phibench", sourceDirectories: [URL?] = []) throws(ReportError) -> [URL] {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .writeFailed(file: directory.relativePath, reason: ReportWriter.reason(error))
        }
        var profiles: Result<ProfileDifference, ProfileDifference.Unavailable>?
        if before.profile != nil || after.profile != nil {
            let options = ReportOptions(sourceDirectories: sourceDirectories)
            profiles = ProfileDifference.make(
                before: before, beforeFolded: before.profile == nil ? nil : ReportWriter.foldedStacks(before, index: 0, output: directory, options: options),
                after: after, afterFolded: after.profile == nil ? nil : ReportWriter.foldedStacks(after, index: 1, output: directory, options: options))
        }
        var files = [
            ("compare.html", report.html(before: before, after: after, generator: generator, profiles: profiles)),
            ("compare.md", report.markdown()),
            ("compare.json", try report.json()),
        ]
        if case .success(let difference)? = profiles {
            files.append(("diff-flame.svg", difference.svg))
            files.append(("diff.folded", difference.folded()))
        }
        var urls: [URL] = []
        for (name, text) in files {
            let url = directory.appendingPathComponent(name)
            try ReportWriter.writeText(text, to: url)
            urls.append(url)
        }
        return urls
    }
}
