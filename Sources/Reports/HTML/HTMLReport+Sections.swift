import BenchModel

extension HTMLReport {
    /// A leading "Result" column when several results share a table.
    static func resultCell(_ i: ChartInput, _ multi: Bool) -> [Cell] { multi ? [Cell(i.label, color: i.color)] : [] }
    static func resultHeader(_ multi: Bool) -> [Cell] { multi ? [Cell("Result")] : [] }

    static func thresholdSection(_ inputs: [ChartInput]) -> Section? {
        guard inputs.contains(where: { !$0.result.thresholds.isEmpty }) else { return nil }
        let multi = inputs.count > 1
        let rows = inputs.flatMap { i in
            i.result.thresholds.map { t in
                let unit = i.result.catalogue.descriptor(t.metric)?.unit ?? .count
                return Row(cells: resultCell(i, multi) + [
                    Cell(t.expression, cls: "mono"), Cell.num(thresholdValue(t, i.result.catalogue)),
                    Cell.num("\(t.op) \(Units.metric(t.limit, unit: unit))"),
                    Cell(t.passed ? "✓ pass" : "✗ fail", cls: t.passed ? "pass" : "fail"),
                ])
            }
        }
        let headers = resultHeader(multi) + [Cell("Threshold"), Cell("Measured", cls: "num"), Cell("Limit", cls: "num"), Cell("Status")]
        return Section(id: "thresholds", title: "Thresholds", intro: "Evaluated on the merged summary; any failure makes phibench run exit with status 1.",
                       tables: [Table(caption: nil, headers: headers, rows: rows)])
    }

    static func latencySection(_ inputs: [ChartInput]) -> Section {
        var figures: [Figure] = []
        let multi = inputs.count > 1
        if let e2e = BenchCharts.percentiles(inputs, key: SpanKey.e2e, title: "End-to-end latency by percentile", width: multi ? 1160 : 600) {
            figures.append(Figure(svg: e2e, caption: "HdrHistogram percentile plot: x is 1/(1 − percentile) on a log scale, so the tail gets room. Hover the dots for values.", wide: multi))
        }
        if multi {
            for k in inputs[0].result.catalogue.topLevelStageKeys {
                if let svg = BenchCharts.percentiles(inputs, key: k, title: "\(k) latency by percentile", height: 260) {
                    figures.append(Figure(svg: svg, caption: nil))
                }
            }
        } else if let stages = BenchCharts.stagePercentiles(inputs[0]) {
            figures.append(Figure(svg: stages, caption: "Every histogram on one log-scale latency axis; dashed lines are sub-stages."))
        }
        let stats: [LatencyStatistic] = [.count, .min, .mean, .p50, .p90, .p95, .p99, .p999, .max]
        let headers = (multi ? [Cell("Histogram"), Cell("Result")] : [Cell("Histogram")]) + stats.map { Cell($0.label, cls: "num") }
        // Several results: histogram by histogram, one row per result, so the numbers to compare sit together.
        let catalogue = MetricCatalogue.union(inputs.map(\.result.catalogue))
        let rows = catalogue.histograms.flatMap { spec in
            inputs.compactMap { i -> Row? in
                let s = i.result.summary
                guard (s.metric("\(spec.key).count") ?? 0) > 0 else { return nil }
                let index = catalogue.histogramKeys.firstIndex(of: spec.key) ?? 0
                return Row(cells: [Cell(spec.key, color: multi ? nil : Palette.series(index), hint: spec.summary.isEmpty ? nil : spec.summary)]
                           + resultCell(i, multi) + stats.map { stat in
                               Cell.num(Units.metric(s.metric("\(spec.key).\(stat.rawValue)"), unit: stat == .count ? .count : .nanoseconds))
                           }, cls: spec.key == SpanKey.e2e ? "gated" : "")
            }
        }
        let empty = figures.isEmpty ? ["No histograms in this result: percentile curves need its histograms."] : []
        return Section(id: "latency", title: "Latency", intro: nil, figures: figures,
                       tables: [Table(caption: nil, headers: headers, rows: rows)], notes: empty)
    }

    static func stageSection(_ inputs: [ChartInput]) -> Section? {
        guard let svg = BenchCharts.stageShare(inputs) else { return nil }
        let multi = inputs.count > 1
        let headers = resultHeader(multi) + [Cell("Stage"), Cell("count", cls: "num"), Cell("mean", cls: "num"),
                                            Cell("total", cls: "num"), Cell("share of episode time", cls: "num")]
        let rows = inputs.flatMap { i in
            StageShare.of(i.result).enumerated().map { n, s in
                Row(cells: resultCell(i, multi) + [Cell(s.stage, color: Palette.stageShare(s.stage, index: n)),
                    Cell.num(Units.grouped(s.count)), Cell.num(Units.formatNanoseconds(s.meanNs)),
                    Cell.num(Units.formatNanoseconds(s.totalNs)), Cell.num(Units.number(s.share * 100) + "%")])
            }
        }
        return Section(id: "stages", title: "Where the time goes",
                       intro: "Each stage's total time (mean × episodes it ran in) as a share of end-to-end time. “other” is e2e time no stage accounts for: queueing from the intended start and harness overhead.",
                       figures: [Figure(svg: svg, caption: nil, wide: true)],
                       tables: [Table(caption: nil, headers: headers, rows: rows)])
    }

    static func timeSection(_ inputs: [ChartInput]) -> Section {
        var figures = [
            Figure(svg: BenchCharts.latencyOverTime(inputs), caption: "Per-interval p50 (solid) and p99 (dashed); shaded bands are phases."),
            Figure(svg: BenchCharts.throughputOverTime(inputs), caption: "Completed episodes per second against the scheduled rate."),
            Figure(svg: BenchCharts.queueDepthOverTime(inputs), caption: "Open-loop arrivals waiting to start at the end of each interval."),
            Figure(svg: BenchCharts.memoryOverTime(inputs), caption: "Resident set size (solid) and jemalloc allocated bytes (dashed)."),
        ]
        // Every other series metric of the catalogue gets a chart of its own.
        let catalogue = MetricCatalogue.union(inputs.map(\.result.catalogue))
        for d in catalogue.descriptors where d.series && !BenchCharts.chartedKeys.contains(d.key) {
            if let svg = BenchCharts.seriesOverTime(inputs, descriptor: d) {
                figures.append(Figure(svg: svg, caption: d.summary.isEmpty ? nil : d.summary))
            }
        }
        let intervals = inputs[0].result.timeseries.first.map { "\(Units.number($0.intervalSeconds)) s intervals" } ?? "no intervals"
        let events = inputs[0].result.workload.events.filter { $0.tSeconds != nil }.count
        let eventNote = events > 0 ? "; dotted lines mark the workload's \(events) events (listed below)" : ""
        return Section(id: "time", title: "Over time", intro: "\(intervals) from the first trial\(eventNote).", figures: figures)
    }

    static func phaseSection(_ inputs: [ChartInput]) -> Section? {
        guard inputs.contains(where: { !$0.result.phases.isEmpty }) else { return nil }
        let multi = inputs.count > 1
        let headers = resultHeader(multi) + [Cell("#"), Cell("Kind"), Cell("Phase")]
            + ["target", "achieved", "p50", "p99", "max queue", "drain", "dropped", "errors"].map { Cell($0, cls: "num") }
            + [Cell("arrivals", hint: "whether the gaps between actual starts fit the intended process (KS against Exp(1) for poisson, spread for uniform)")]
        let rows = inputs.flatMap { i in
            i.result.phases.map { p in
                let missed = p.targetRate.map { p.achievedRate < $0 * 0.95 } ?? false
                return Row(cells: resultCell(i, multi) + [
                    Cell.num("\(p.index + 1)"), Cell(p.kind), Cell(p.label),
                    Cell.num(p.targetRate.map { Units.number($0) + "/s" } ?? (p.kind.hasPrefix("closed") ? "closed c=\(p.concurrency)" : "–")),
                    Cell(Units.number(p.achievedRate) + "/s", cls: missed ? "num fail" : "num",
                         hint: missed ? "below 95% of the target rate" : nil),
                    Cell.num(i.result.formatted(MetricKey.e2e(.p50), in: p.stats)),
                    Cell.num(i.result.formatted(MetricKey.e2e(.p99), in: p.stats)),
                    Cell.num(Units.grouped(p.maxQueueDepth)), Cell.num(p.drainSeconds.map { Units.number($0) + " s" } ?? "–"),
                    Cell(Units.grouped(p.stats.dropped), cls: p.stats.dropped > 0 ? "num fail" : "num"),
                    Cell(Units.grouped(p.stats.errors), cls: p.stats.errors > 0 ? "num fail" : "num"),
                    Cell(p.arrivalCheck.map { "\($0.process.rawValue) \($0.verdict.rawValue)" } ?? "–",
                         cls: p.arrivalCheck?.verdict == .fail ? "fail" : "", hint: p.arrivalCheck?.summary),
                ])
            }
        }
        return Section(id: "phases", title: "Phases", intro: "Target is the mean scheduled arrival rate; achieved is completions per second. Red: below 95% of target, losses, or starts whose gaps do not fit the arrival process.",
                       tables: [Table(caption: nil, headers: headers, rows: rows)])
    }

    /// Every non-latency metric of the catalogue, in groups (run, memory, cpu, the workload's own).
    static func metricsSection(_ inputs: [ChartInput]) -> Section {
        let multi = inputs.count > 1
        let catalogue = MetricCatalogue.union(inputs.map(\.result.catalogue))
        var tables: [Table] = []
        for group in catalogue.metricGroups {
            let rows = group.metrics.compactMap { d -> Row? in
                let values = inputs.map { $0.result.summary.metric(d.key) }
                guard values.contains(where: { $0 != nil }) else { return nil }
                let direction = d.direction == .informational ? "" : d.direction == .lowerIsBetter ? " ↓" : " ↑"
                return Row(cells: [Cell(d.label + direction, hint: d.summary.isEmpty ? nil : d.summary), Cell(d.key, cls: "mono muted")]
                           + values.map { Cell.num(Units.metric($0, unit: d.unit)) })
            }
            guard !rows.isEmpty else { continue }
            let headers = [Cell("Metric"), Cell("Key")] + inputs.map { Cell(multi ? $0.label : "value", cls: "num") }
            tables.append(Table(caption: group.name.isEmpty ? "run" : group.name, headers: headers, rows: rows))
        }
        return Section(id: "metrics", title: "Metrics",
                       intro: "Every metric of the run's catalogue (↓ lower is better, ↑ higher is better). RSS slope is a Theil–Sen fit against completed episodes.",
                       tables: tables)
    }

    /// The workload's own details (every field, read generically) and the leak analysis.
    static func memorySection(_ inputs: [ChartInput]) -> Section? {
        var tables: [Table] = []
        if let t = detailsTable(inputs) { tables.append(t) }
        if let t = leakTable(inputs) { tables.append(t) }
        guard !tables.isEmpty else { return nil }
        return Section(id: "details", title: "Details", intro: nil, tables: tables)
    }

    /// Every field of the workloads' opaque details, read generically.
    static func detailsTable(_ inputs: [ChartInput]) -> Table? {
        let flat = inputs.map { $0.result.workload.details?.flattened() ?? [] }
        guard flat.contains(where: { !$0.isEmpty }) else { return nil }
        var keys: [String] = []
        for f in flat { for e in f where !keys.contains(e.path) { keys.append(e.path) } }
        let headers = [Cell("Field")] + inputs.map { Cell(inputs.count > 1 ? $0.label : "value", cls: "num") }
        let rows = keys.map { k in
            Row(cells: [Cell(k, cls: "mono")] + flat.map { f in Cell.num(f.first { $0.path == k }?.value.display ?? "–") })
        }
        return Table(caption: "Workload details (\(inputs.map(\.result.workload.name).joined(separator: ", ")))", headers: headers, rows: rows)
    }

    static func eventsSection(_ inputs: [ChartInput]) -> Section? {
        guard inputs.contains(where: { !$0.result.workload.events.isEmpty }) else { return nil }
        let multi = inputs.count > 1
        let headers = resultHeader(multi) + [Cell("t", cls: "num"), Cell("episode", cls: "num"), Cell("kind"), Cell("event")]
        let rows = inputs.flatMap { i in
            i.result.workload.events.map { e in
                Row(cells: resultCell(i, multi) + [Cell.num(e.tSeconds.map { Units.number($0) + " s" } ?? "warm-up"),
                                                   Cell.num(e.episode.map { Units.grouped($0) } ?? ""), Cell(e.kind, cls: "mono"), Cell(e.message)])
            }
        }
        return Section(id: "events", title: "Workload events", intro: "What the workload reported during the run (first trial), in order.",
                       tables: [Table(caption: nil, headers: headers, rows: rows)])
    }

    static func leakTable(_ inputs: [ChartInput]) -> Table? {
        let with = inputs.filter { $0.result.leak != nil }
        guard !with.isEmpty else { return nil }
        let multi = inputs.count > 1
        let headers = resultHeader(multi) + [Cell("Verdict"), Cell("RSS slope (95% CI)", cls: "num"), Cell("allocated slope (95% CI)", cls: "num"),
                                            Cell("RSS growth / 1k episodes", cls: "num"), Cell("p99 first → last tenth", cls: "num"), Cell("Explanation")]
        let rows = with.map { i in
            let l = i.result.leak!
            let slope = { (v: Double, lo: Double, hi: Double) in
                "\(Units.formatBytes(v))/ep [\(Units.formatBytes(lo)), \(Units.formatBytes(hi))]"
            }
            let alloc = l.allocatedSlopeBytesPerEpisode.map { slope($0, l.allocatedSlopeLow ?? $0, l.allocatedSlopeHigh ?? $0) } ?? "–"
            return Row(cells: resultCell(i, multi) + [
                Cell(l.leaking ? "✗ leaking" : "✓ no leak", cls: l.leaking ? "fail" : "pass"),
                Cell.num(slope(l.rssSlopeBytesPerEpisode, l.rssSlopeLow, l.rssSlopeHigh)), Cell.num(alloc),
                Cell.num(Units.number(l.rssGrowthPctPer1000Episodes) + "%"),
                Cell.num("\(Units.formatNanoseconds(Double(l.p99FirstTenthNs))) → \(Units.formatNanoseconds(Double(l.p99LastTenthNs))) (×\(Units.number(l.latencyDriftRatio)))"),
                Cell(l.explanation),
            ])
        }
        return Table(caption: "Leak analysis (\(with[0].result.leak!.intervals) intervals after warm-up)", headers: headers, rows: rows)
    }

    static func trialSection(_ inputs: [ChartInput]) -> Section? {
        guard inputs.contains(where: { $0.result.trials.count > 1 }) else { return nil }
        let multi = inputs.count > 1
        let highlights = MetricCatalogue.union(inputs.map(\.result.catalogue)).highlights
        let headers = resultHeader(multi) + [Cell("Trial")] + ["seed", "duration", "episodes"].map { Cell($0, cls: "num") }
            + highlights.map { Cell($0.label, cls: "num") }
        let rows = inputs.flatMap { i in
            i.result.trials.map { t in
                Row(cells: resultCell(i, multi) + [
                    Cell("\(t.trial)\(t.partial ? " (partial)" : "")"), Cell.num("\(t.seed)"), Cell.num(Units.formatDuration(t.durationSeconds)),
                    Cell.num(Units.grouped(t.summary.episodes)),
                ] + highlights.map { Cell.num(Units.metric(t.summary.metric($0.key), unit: $0.unit)) })
            }
        }
        return Section(id: "trials", title: "Trials", intro: "Each trial reruns the scenario on a fresh workload; compare uses the complete ones for its statistics.",
                       tables: [Table(caption: nil, headers: headers, rows: rows)])
    }

    /// The load generators of a distributed test (a merged result's segments, or a segment run's own
    /// share): which share each ran, where, how many episodes, and whether it kept up — a saturated
    /// generator measured itself as much as the service.
    static func generatorSection(_ inputs: [ChartInput]) -> Section? {
        let multi = inputs.count > 1
        let headers = resultHeader(multi) + [Cell("Segment"), Cell("Host"), Cell("Episodes", cls: "num"), Cell("CPU busy", cls: "num"),
                                             Cell("Lateness p99", cls: "num"), Cell("Dropped", cls: "num"), Cell("Health")]
        func row(_ i: ChartInput, segment: ExecutionSegment, host: String, episodes: UInt64, partial: Bool, health h: GeneratorHealth) -> Row {
            Row(cells: resultCell(i, multi) + [
                Cell(segment.description + (partial ? " (cut short)" : ""), cls: "mono"), Cell(host), Cell.num(Units.grouped(episodes)),
                Cell.num(h.cpuCoresBusy.map { "\(Units.fixed($0, digits: 2)) of \(h.cores) cores" } ?? "-"),
                Cell.num(h.latenessP99.map(Units.formatNanoseconds) ?? "-"), Cell.num(Units.grouped(h.dropped)),
                Cell(h.saturated ? "saturated: " + h.reasons.joined(separator: "; ") : "kept up", cls: h.saturated ? "regressed" : ""),
            ])
        }
        var rows: [Row] = []
        var notes: [String] = []
        for i in inputs {
            if let d = i.result.distributed {
                rows += d.segments.map { row(i, segment: $0.segment, host: $0.host, episodes: $0.episodes, partial: $0.partial, health: $0.health) }
                if !d.missing.isEmpty {
                    notes.append("\(i.label): partial merge — no result for " + d.missing.map(\.description).joined(separator: ", ") + ".")
                }
            } else if let s = i.result.segment {
                rows.append(row(i, segment: s.segment, host: i.result.machine.hostname, episodes: i.result.summary.episodes,
                                partial: i.result.interrupted, health: s.health))
                notes.append("\(i.label): one generator's share of a distributed test; its thresholds are judged on the merged result (phibench merge).")
            }
        }
        guard !rows.isEmpty else { return nil }
        return Section(id: "generators", title: "Load generators",
                       intro: "Each generator ran a share (execution segment) of every phase; the figures above are of the whole test.",
                       tables: [Table(caption: nil, headers: headers, rows: rows)], notes: notes)
    }

    static func profileSection(_ inputs: [ChartInput], folded: [String?], renderer: FlameGraphRenderer?) -> Section? {
        var figures: [Figure] = []
        var notes: [String] = []
        for (n, i) in inputs.enumerated() {
            let text = n < folded.count ? folded[n] : nil
            guard i.result.profile != nil || text != nil else { continue }
            let p = i.result.profile
            let what = p.map { "\($0.kind) profile, \(Units.grouped($0.samples)) samples\($0.hz > 0 ? " at \($0.hz) Hz" : "")" } ?? "profile"
            if let text, let renderer {
                figures.append(Figure(svg: renderer(text, "\(i.label): \(what)", 1160), caption: "Flame graph: width is the share of samples; hover a frame for its count.", wide: true))
            } else if text != nil {
                notes.append("\(i.label): \(what); folded stacks are in \(p?.foldedFile ?? "profile.folded") (open them with any flame graph tool).")
            } else {
                notes.append("\(i.label): \(what); the folded stacks file \(p?.foldedFile ?? "profile.folded") was not found next to the result.")
            }
        }
        guard !figures.isEmpty || !notes.isEmpty else { return nil }
        return Section(id: "profile", title: "CPU profile", intro: nil, figures: figures, notes: notes)
    }
}
