import BenchModel
import History
import Statistics

/// `history.html`: each metric's series across commits (one chart per metric, scenario and machine
/// fingerprint), the change points marked at the commit they start at, and a table of them. One
/// self-contained page like `report.html`: inline CSS and SVG, no script, no network.
/// `package`, not API: its input is History's types, which PhibenchKit does not export.
package enum HistoryReport {
    /// What the page shows.
    package struct Input: Sendable {
        /// The analysed series, in the order they are shown.
        package var analyses: [SeriesAnalysis]
        /// Regressions the newest results start (what `history check` fails on).
        package var findings: [RegressionFinding]
        package var options: DetectionOptions
        /// How many of the newest results `check` looks at.
        package var recent: Int
        /// The database, as given (password redacted).
        package var source: String
        /// Results read from the database.
        package var resultCount: Int

        package init(analyses: [SeriesAnalysis], findings: [RegressionFinding], options: DetectionOptions, recent: Int,
                    source: String, resultCount: Int) {
            self.analyses = analyses
            self.findings = findings
            self.options = options
            self.recent = recent
            self.source = source
            self.resultCount = resultCount
        }
    }

    /// Renders the page.
    package static func render(_ input: Input, generator: String) -> String {
        let groups = machineGroups(input.analyses)
        var sections = [changeSection(input)]
        for (n, g) in groups.enumerated() { sections.append(groupSection(g, number: n)) }
        let changes = input.analyses.reduce(0) { $0 + $1.changes.count }
        let (verdict, verdictClass): (String?, String) = input.analyses.isEmpty ? (nil, "neutral")
            : input.findings.isEmpty ? ("✓ no regression in the newest results", "good")
            : ("✗ \(input.findings.count) regression\(input.findings.count == 1 ? "" : "s") in the newest results", "bad")
        let o = input.options
        let subtitle = [input.source, "\(input.resultCount) results", "\(input.analyses.count) series",
                        "window \(o.window)", "p ≤ \(Units.number(o.maxPValue))", "min magnitude \(Units.number(o.minMagnitude * 100))%",
                        "min segment \(o.minSegment)", "t-test on \(o.test.rawValue)"].joined(separator: " · ")
        let page = Page(
            title: "phibench history", subtitle: subtitle, generator: generator, verdict: verdict, verdictClass: verdictClass,
            banners: banners(input), runs: machineTable(groups),
            cards: [
                Card(name: "Results", values: [Card.Value(text: Units.grouped(UInt64(input.resultCount)))], hint: "\(groups.count) scenario × machine"),
                Card(name: "Series", values: [Card.Value(text: Units.grouped(UInt64(input.analyses.count)))], hint: "metric × scenario × machine"),
                Card(name: "Change points", values: [Card.Value(text: Units.grouped(UInt64(changes)))],
                     hint: "\(count(input, .regression)) regressions · \(count(input, .improvement)) improvements"),
                Card(name: "Regressions now", values: [Card.Value(text: Units.grouped(UInt64(input.findings.count)))],
                     hint: "starting in the newest \(input.recent) results"),
            ],
            sections: sections, toc: sections.map { Page.TOCEntry(id: $0.id, title: $0.title) })
        return Templates.render(page)
    }

    /// The analyses of one scenario on one machine.
    struct MachineGroup {
        var scenario: String
        var machine: HistoryMachine
        var analyses: [SeriesAnalysis]
        var points: [SeriesPoint]
    }

    static func machineGroups(_ analyses: [SeriesAnalysis]) -> [MachineGroup] {
        var out: [MachineGroup] = []
        for a in analyses {
            if let i = out.firstIndex(where: { $0.scenario == a.series.key.scenario && $0.machine.hash == a.series.key.fingerprint }) {
                out[i].analyses.append(a)
                if a.series.points.count > out[i].points.count { out[i].points = a.series.points }
            } else {
                out.append(MachineGroup(scenario: a.series.key.scenario, machine: a.series.machine, analyses: [a], points: a.series.points))
            }
        }
        return out
    }

    static func count(_ input: Input, _ kind: ChangeKind) -> Int {
        input.analyses.reduce(0) { $0 + $1.changes.filter { $0.kind == kind }.count }
    }

    static func banners(_ input: Input) -> [Banner] {
        var out = input.findings.map { f in
            Banner(level: "bad", title: "\(f.series.key.metric) regressed from \(Units.shortCommit(f.change.first.commit))",
                   text: "\(f.series.key.scenario) on \(f.series.machine.text): \(changeText(f.change, unit: f.series.unit, metric: f.series.key.metric)); "
                       + "the last \(f.resultsSince) result\(f.resultsSince == 1 ? "" : "s") are on the new level.")
        }
        let short = input.analyses.filter { $0.series.points.count < 2 * input.options.minSegment }.count
        if short > 0 {
            out.append(Banner(level: "info", title: "\(short) series too short.",
                              text: "A change point needs at least \(input.options.minSegment) results on each side; those series cannot show one yet."))
        }
        if input.analyses.isEmpty {
            out.append(Banner(level: "note", title: "Nothing to show.", text: "The history has no results matching the selection; add some with phibench history add."))
        }
        return out
    }

    /// A change as `1.20 ms → 1.26 ms (+5.00%, p = 0.0003)`.
    package static func changeText(_ c: SeriesChange, unit: MetricUnit, metric: String) -> String {
        let cmp = c.comparison
        let p = Units.pValue(cmp.pValue)
        return "\(Units.metric(cmp.meanBefore, unit: unit)) → \(Units.metric(cmp.meanAfter, unit: unit)) "
            + "(\(Units.change(cmp.meanBefore == 0 ? nil : cmp.relativeChange)), p \(p.hasPrefix("<") ? "< " + p.dropFirst() : "= " + p))"
    }

    static func machineTable(_ groups: [MachineGroup]) -> Table {
        let rows = groups.enumerated().map { n, g in
            Row(cells: [
                Cell(g.scenario, cls: "nowrap", color: Palette.result(n)), Cell(g.machine.text), Cell(g.machine.hash, cls: "mono"),
                Cell.num("\(g.points.count)"),
                Cell(g.points.first.map { "\(Units.shortCommit($0.commit)) · \(date($0.startedAt))" } ?? "–", cls: "nowrap"),
                Cell(g.points.last.map { "\(Units.shortCommit($0.commit)) · \(date($0.startedAt))" } ?? "–", cls: "nowrap"),
            ])
        }
        let headers = [Cell("Scenario"), Cell("Machine"), Cell("Fingerprint"), Cell("Results", cls: "num"), Cell("Oldest"), Cell("Newest")]
        return Table(caption: "Series are never mixed across scenarios or machine fingerprints", headers: headers, rows: rows)
    }

    static func date(_ iso: String) -> String {
        String(iso.prefix(16)).replacingAll("T", with: " ")
    }

    static func changeSection(_ input: Input) -> Section {
        let newest = Set(input.findings.map { "\($0.series.key)\($0.change.index)" })
        var all: [(SeriesAnalysis, SeriesChange)] = input.analyses.flatMap { a in a.changes.map { (a, $0) } }
        all.sort { $0.1.first.startedAt > $1.1.first.startedAt }
        let rows = all.map { a, c in
            let s = a.series, cmp = c.comparison
            let kind = switch c.kind {
            case .regression: Cell("regression", cls: "regressed")
            case .improvement: Cell("improvement", cls: "improved")
            case .change: Cell("change", cls: "changed")
            }
            return Row(cells: [
                Cell(s.key.metric, cls: "mono"), Cell(s.key.scenario), Cell(s.key.fingerprint, cls: "mono", hint: s.machine.text),
                Cell(Units.shortCommit(c.first.commit) + (c.first.dirty ? " (dirty)" : ""), cls: "mono", hint: c.first.commit),
                Cell(date(c.first.startedAt), cls: "nowrap"),
                Cell.num(Units.metric(cmp.meanBefore, unit: s.unit)),
                Cell.num(Units.metric(cmp.meanAfter, unit: s.unit)),
                Cell.num(Units.change(cmp.meanBefore == 0 ? nil : cmp.relativeChange)), Cell.num(Units.number(cmp.magnitude * 100) + "%"),
                Cell.num(Units.pValue(cmp.pValue)), Cell.num("\(cmp.countBefore) | \(cmp.countAfter)"), kind,
            ], cls: newest.contains("\(s.key)\(c.index)") ? "gated" : "")
        }
        let headers = [Cell("Metric"), Cell("Scenario"), Cell("Machine"), Cell("Starts at", hint: "the first commit on the new level"),
                       Cell("Date"), Cell("Before", cls: "num", hint: "mean of the segment before"),
                       Cell("After", cls: "num", hint: "mean of the segment after"), Cell("Change", cls: "num"),
                       Cell("Magnitude", cls: "num", hint: "Otava's magnitude: the larger relative change seen from either side"),
                       Cell("p-value", cls: "num", hint: "Student's t-test between the two segments"),
                       Cell("Points", cls: "num", hint: "results before | after, up to the neighbouring change points"), Cell("Kind")]
        let o = input.options
        return Section(
            id: "changes", title: "Change points",
            intro: "E-Divisive means with a Student's t-test as Apache Otava does it (here the t-test on the \(o.test.rawValue)"
                + (o.test == .ranks ? ", so outliers neither hide nor make a change" : "") + "): windows of \(o.window) results, "
                + "p ≤ \(Units.number(o.maxPValue)), magnitude above \(Units.number(o.minMagnitude * 100))%, at least \(o.minSegment) "
                + "results on each side. Newest first; bold rows are regressions the newest results start.",
            tables: rows.isEmpty ? [] : [Table(caption: nil, headers: headers, rows: rows)],
            notes: rows.isEmpty ? ["No change points in the selected series."] : [])
    }

    static func groupSection(_ g: MachineGroup, number: Int) -> Section {
        // Metrics that changed come first; otherwise the catalogue order.
        let ordered = g.analyses.filter { !$0.changes.isEmpty } + g.analyses.filter { $0.changes.isEmpty }
        let figures = ordered.enumerated().map { i, a in
            Figure(svg: chart(a, id: "h\(number)-\(i)"),
                   caption: a.changes.isEmpty ? nil : a.changes.map { "\(marker($0.kind)) \(Units.shortCommit($0.first.commit)): \(changeText($0, unit: a.series.unit, metric: a.series.key.metric))" }.joined(separator: " · "))
        }
        let first = g.points.first, last = g.points.last
        return Section(id: "m\(number)", title: "\(g.scenario) · \(g.machine.hash)",
                       intro: "\(g.machine.text). \(g.points.count) results, \(first.map { Units.shortCommit($0.commit) } ?? "") (\(first.map { date($0.startedAt) } ?? "")) "
                           + "to \(last.map { Units.shortCommit($0.commit) } ?? "") (\(last.map { date($0.startedAt) } ?? "")). Shaded spans are the segments between change points; dashed lines their means.",
                       figures: figures)
    }

    static func marker(_ kind: ChangeKind) -> String {
        switch kind {
        case .regression: "▲ regression"
        case .improvement: "▼ improvement"
        case .change: "◆ change"
        }
    }

    static let kindColor: [ChangeKind: String] = [.regression: "#cf222e", .improvement: "#1a7f37", .change: "#8250df"]

    /// One series: its values by position (x ticks name commits), segment means, change points.
    static func chart(_ a: SeriesAnalysis, id: String) -> String {
        let s = a.series
        let (divisor, unitLabel) = displayScale(s)
        let values = s.values.map { $0 / divisor }
        let n = values.count
        var series = [ChartSeries(name: "value", color: Palette.result(0), points: values.enumerated().map { ChartPoint(x: Double($0), y: $1) },
                                  width: 1.6, markers: s.points.enumerated().filter { $0.1.dirty }.map { i, p in
                                      ChartMarker(x: Double(i), y: values[i], label: "\(Units.shortCommit(p.commit)) (dirty tree): \(Units.metric(p.value, unit: s.unit))")
                                  }, inLegend: false)]
        let bounds = [0] + a.changes.map(\.index) + [n]
        for (k, (lo, hi)) in zip(bounds, bounds.dropFirst()).enumerated() where hi > lo {
            let mean = Descriptive.mean(values[lo..<hi])
            series.append(ChartSeries(name: "segment mean", color: "#6a737d", points: [ChartPoint(x: Double(lo), y: mean), ChartPoint(x: Double(hi - 1), y: mean)],
                                      dashed: true, width: 1.4, inLegend: k == 0 && !a.changes.isEmpty))
        }
        for kind in [ChangeKind.regression, .improvement, .change] {
            let marks = a.changes.filter { $0.kind == kind }.map { c in
                ChartMarker(x: Double(c.index), y: values[c.index],
                            label: "\(marker(kind)) from \(Units.shortCommit(c.first.commit)): \(changeText(c, unit: s.unit, metric: s.key.metric))")
            }
            if !marks.isEmpty { series.append(ChartSeries(name: "\(kind.rawValue) starts", color: kindColor[kind]!, points: [], markers: marks)) }
        }
        let bands = zip(bounds, bounds.dropFirst()).enumerated().map { k, span in
            ChartBand(from: Double(span.0) - 0.5, to: Double(span.1) - 0.5,
                      label: k == 0 ? "" : "\(a.changes[k - 1].kind == .regression ? "▲" : a.changes[k - 1].kind == .improvement ? "▼" : "◆") \(Units.change(a.changes[k - 1].comparison.relativeChange)) \(Units.shortCommit(a.changes[k - 1].first.commit))")
        }
        let tickCount = min(n, 6)
        let ticks = (0..<tickCount).map { t -> ChartTick in
            let i = tickCount == 1 ? 0 : Int((Double(t) * Double(n - 1) / Double(tickCount - 1)).rounded())
            return ChartTick(value: Double(i), label: Units.shortCommit(s.points[i].commit))
        }
        let title = "\(s.key.metric)" + (unitLabel.isEmpty ? "" : " (\(unitLabel))")
        // A flat series sits in the middle of its axis, not on its bottom edge.
        let flat = values.min() == values.max() ? values.first : nil
        let pad = flat.map { $0 == 0 ? 1 : abs($0) * 0.05 }
        return LineChart(id: id, title: title,
                         x: ChartAxis(title: "commit, oldest → newest (\(n) results)", min: -0.5, max: Double(max(n, 2)) - 0.5, ticks: ticks),
                         y: ChartAxis(title: unitLabel.isEmpty ? s.key.metric : unitLabel, min: flat.map { $0 - pad! }, max: flat.map { $0 + pad! },
                                      includeZero: false),
                         series: series, bands: bands, width: 600, height: 300, emptyMessage: "no results").svg()
    }

    /// Divisor and unit label for the y axis: latency in ns/µs/ms/s, bytes in B/KiB/MiB/GiB.
    static func displayScale(_ s: MetricSeries) -> (Double, String) {
        let top = s.values.map(abs).max() ?? 1
        switch s.unit {
        case .nanoseconds:
            let l = LatencyScale(maxNs: top)
            return (l.divisor, l.unit)
        case .bytes, .bytesPerEpisode:
            let b = ByteScale(maxBytes: top)
            return (b.divisor, b.unit + (s.unit == .bytesPerEpisode ? "/episode" : ""))
        case .ratio where s.key.metric.hasSuffix("_rate"):
            return (0.01, "%")
        default:
            return (1, s.unit.rawValue)
        }
    }
}
