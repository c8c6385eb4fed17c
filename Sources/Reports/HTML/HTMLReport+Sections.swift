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
                let unit = RunSummary.unit(of: t.metric)
                return Row(cells: resultCell(i, multi) + [
                    Cell(t.expression, cls: "mono"), Cell.num(thresholdValue(t)),
                    Cell.num("\(t.op) \(Fmt.metric(t.limit, unit: unit, path: t.metric))"),
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
        if let e2e = BenchCharts.percentiles(inputs, key: "e2e", title: "End-to-end latency by percentile", width: multi ? 1160 : 600) {
            figures.append(Figure(svg: e2e, caption: "HdrHistogram percentile plot: x is 1/(1 − percentile) on a log scale, so the tail gets room. Hover the dots for values.", wide: multi))
        }
        if multi {
            let keys = inputs[0].result.summary.stageKeys
            for k in keys {
                if let svg = BenchCharts.percentiles(inputs, key: k, title: "\(k) latency by percentile", height: 260) {
                    figures.append(Figure(svg: svg, caption: nil))
                }
            }
        } else if let stages = BenchCharts.stagePercentiles(inputs[0]) {
            figures.append(Figure(svg: stages, caption: "Every stage on one log-scale latency axis; dashed lines are sub-measures (Φ cache hits and misses)."))
        }
        let headers = (multi ? [Cell("Stage"), Cell("Result")] : [Cell("Stage")]) + ["count", "mean", "p50", "p90", "p95", "p99", "p99.9", "max"].map { Cell($0, cls: "num") }
        // Several results: stage by stage, one row per result, so the numbers to compare sit together.
        var keys: [String] = []
        for i in inputs { for k in i.result.summary.latencyKeysInOrder where !keys.contains(k) { keys.append(k) } }
        let rows = keys.flatMap { k in
            inputs.compactMap { i -> Row? in
                guard let l = i.result.summary.latencyNs[k] else { return nil }
                let ns = { (v: UInt64) in Cell.num(Units.formatNanoseconds(Double(v))) }
                return Row(cells: [Cell(k, color: multi ? nil : Palette.stage(k, index: 0))] + resultCell(i, multi) + [
                    Cell.num(Fmt.grouped(l.count)), Cell.num(Units.formatNanoseconds(l.mean)),
                    ns(l.p50), ns(l.p90), ns(l.p95), ns(l.p99), ns(l.p999), ns(l.max)], cls: k == "e2e" ? "gated" : "")
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
            StageShare.of(i.result.summary).enumerated().map { n, s in
                Row(cells: resultCell(i, multi) + [Cell(s.stage, color: Palette.stage(s.stage, index: n)),
                    Cell.num(Fmt.grouped(s.count)), Cell.num(Units.formatNanoseconds(s.meanNs)),
                    Cell.num(Units.formatNanoseconds(s.totalNs)), Cell.num(Fmt.number(s.share * 100) + "%")])
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
        if let a = BenchCharts.allocationsOverTime(inputs) {
            figures.append(Figure(svg: a, caption: "Bytes allocated by worker threads per completed episode in each interval (jemalloc per-thread counters)."))
        }
        if let p = BenchCharts.phiHitRateOverTime(inputs) {
            figures.append(Figure(svg: p, caption: "Φ cache hits / lookups in each interval."))
        }
        let intervals = inputs[0].result.timeseries.first.map { "\(Fmt.number($0.intervalSeconds)) s intervals" } ?? "no intervals"
        return Section(id: "time", title: "Over time", intro: "\(intervals) from the first trial.", figures: figures)
    }

    static func phaseSection(_ inputs: [ChartInput]) -> Section? {
        guard inputs.contains(where: { !$0.result.phases.isEmpty }) else { return nil }
        let multi = inputs.count > 1
        let headers = resultHeader(multi) + [Cell("#"), Cell("Kind"), Cell("Phase")]
            + ["target", "achieved", "p50", "p99", "max queue", "drain", "dropped", "errors"].map { Cell($0, cls: "num") }
        let rows = inputs.flatMap { i in
            i.result.phases.map { p in
                let missed = p.targetRate.map { p.achievedRate < $0 * 0.95 } ?? false
                return Row(cells: resultCell(i, multi) + [
                    Cell.num("\(p.index + 1)"), Cell(p.kind), Cell(p.label),
                    Cell.num(p.targetRate.map { Fmt.number($0) + "/s" } ?? (p.kind.hasPrefix("closed") ? "closed c=\(p.concurrency)" : "–")),
                    Cell(Fmt.number(p.achievedRate) + "/s", cls: missed ? "num fail" : "num",
                         hint: missed ? "below 95% of the target rate" : nil),
                    Cell.num(Fmt.metric(p.stats.metric("e2e.p50"), unit: .nanoseconds)),
                    Cell.num(Fmt.metric(p.stats.metric("e2e.p99"), unit: .nanoseconds)),
                    Cell.num(Fmt.grouped(p.maxQueueDepth)), Cell.num(p.drainSeconds.map { Fmt.number($0) + " s" } ?? "–"),
                    Cell(Fmt.grouped(p.stats.dropped), cls: p.stats.dropped > 0 ? "num fail" : "num"),
                    Cell(Fmt.grouped(p.stats.errors), cls: p.stats.errors > 0 ? "num fail" : "num"),
                ])
            }
        }
        return Section(id: "phases", title: "Phases", intro: "Target is the mean scheduled arrival rate; achieved is completions per second. Red: below 95% of target, or losses.",
                       tables: [Table(caption: nil, headers: headers, rows: rows)])
    }

    static func memorySection(_ inputs: [ChartInput]) -> Section {
        let multi = inputs.count > 1
        let headers = resultHeader(multi) + ["RSS start", "RSS end", "RSS peak", "growth", "slope", "allocs/episode", "bytes/episode",
                                            "jemalloc allocated", "active", "resident", "mapped"].map { Cell($0, cls: "num") }
        let rows = inputs.map { i in
            let m = i.result.summary.memory
            let b = { (v: UInt64?) in Cell.num(v.map { Units.formatBytes(Double($0)) } ?? "–") }
            return Row(cells: resultCell(i, multi) + [
                b(m.rssStartBytes), b(m.rssEndBytes), b(m.rssPeakBytes), Cell.num(Fmt.number(m.rssGrowthPct) + "%"),
                Cell.num(Units.formatBytes(m.rssSlopeBytesPerEpisode) + "/ep"),
                Cell.num(m.allocationsPerEpisode.map(Fmt.number) ?? "–"),
                Cell.num(m.bytesAllocatedPerEpisode.map { Units.formatBytes($0) } ?? "–"),
                b(m.jemalloc?.allocated), b(m.jemalloc?.active), b(m.jemalloc?.resident), b(m.jemalloc?.mapped),
            ])
        }
        var tables = [Table(caption: "Process memory", headers: headers, rows: rows)]
        if let t = memoryLayerTable(inputs) { tables.append(t) }
        if let t = leakTable(inputs) { tables.append(t) }
        return Section(id: "memory", title: "Memory", intro: "Slope is a Theil–Sen fit of RSS against completed episodes.", tables: tables)
    }

    /// Every field of the memory-layer statistics, read through its Codable form so fields added by
    /// the memory layer show up without a change here.
    static func memoryLayerTable(_ inputs: [ChartInput]) -> Table? {
        let flat = inputs.map { $0.result.memoryLayer.flatMap { JSONValue.of($0) }?.flattened() ?? [] }
        guard flat.contains(where: { !$0.isEmpty }) else { return nil }
        var keys: [String] = []
        for f in flat { for e in f where !keys.contains(e.path) { keys.append(e.path) } }
        let headers = [Cell("Field")] + inputs.map { Cell(inputs.count > 1 ? $0.label : "value", cls: "num") }
        let rows = keys.map { k in
            Row(cells: [Cell(k, cls: "mono")] + flat.map { f in Cell.num(f.first { $0.path == k }?.value.display ?? "–") })
        }
        return Table(caption: "Memory layer", headers: headers, rows: rows)
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
                Cell.num(Fmt.number(l.rssGrowthPctPer1000Episodes) + "%"),
                Cell.num("\(Units.formatNanoseconds(Double(l.p99FirstTenthNs))) → \(Units.formatNanoseconds(Double(l.p99LastTenthNs))) (×\(Fmt.number(l.latencyDriftRatio)))"),
                Cell(l.explanation),
            ])
        }
        return Table(caption: "Leak analysis (\(with[0].result.leak!.intervals) intervals after warm-up)", headers: headers, rows: rows)
    }

    static func phiSection(_ inputs: [ChartInput]) -> Section? {
        guard inputs.contains(where: { $0.result.summary.phi.hits + $0.result.summary.phi.misses > 0 }) else { return nil }
        let multi = inputs.count > 1
        let headers = resultHeader(multi) + ["hit rate", "hits", "misses", "evictions", "Φ p50", "Φ p99", "hit p50", "miss p50"].map { Cell($0, cls: "num") }
        let rows = inputs.map { i in
            let s = i.result.summary
            let ns = { (p: String) in Cell.num(Fmt.metric(s.metric(p), unit: .nanoseconds)) }
            return Row(cells: resultCell(i, multi) + [
                Cell.num(Fmt.number(s.phi.cacheHitRate * 100) + "%"), Cell.num(Fmt.grouped(s.phi.hits)),
                Cell.num(Fmt.grouped(s.phi.misses)), Cell.num(Fmt.grouped(s.phi.evictions)),
                ns("PHI.p50"), ns("PHI.p99"), ns("PHI.hit.p50"), ns("PHI.miss.p50"),
            ])
        }
        return Section(id: "phi", title: "Φ cache", intro: "Φ is computed for ignited events only; the LRU cache is keyed by the binarised state and node set.",
                       tables: [Table(caption: nil, headers: headers, rows: rows)])
    }

    static func trialSection(_ inputs: [ChartInput]) -> Section? {
        guard inputs.contains(where: { $0.result.trials.count > 1 }) else { return nil }
        let multi = inputs.count > 1
        let headers = resultHeader(multi) + [Cell("Trial")] + ["seed", "duration", "episodes", "throughput", "e2e p50", "e2e p99", "allocs/episode", "RSS growth"].map { Cell($0, cls: "num") }
        let rows = inputs.flatMap { i in
            i.result.trials.map { t in
                Row(cells: resultCell(i, multi) + [
                    Cell("\(t.trial)"), Cell.num("\(t.seed)"), Cell.num(Fmt.duration(t.durationSeconds)),
                    Cell.num(Fmt.grouped(t.summary.episodes)), Cell.num(Fmt.number(t.summary.throughputEps) + "/s"),
                    Cell.num(Fmt.metric(t.summary.metric("e2e.p50"), unit: .nanoseconds)),
                    Cell.num(Fmt.metric(t.summary.metric("e2e.p99"), unit: .nanoseconds)),
                    Cell.num(t.summary.memory.allocationsPerEpisode.map(Fmt.number) ?? "–"),
                    Cell.num(Fmt.number(t.summary.memory.rssGrowthPct) + "%"),
                ])
            }
        }
        return Section(id: "trials", title: "Trials", intro: "Each trial reruns the scenario on a fresh workload; compare uses these for its statistics.",
                       tables: [Table(caption: nil, headers: headers, rows: rows)])
    }

    static func profileSection(_ inputs: [ChartInput], folded: [String?], renderer: FlameGraphRenderer?) -> Section? {
        var figures: [Figure] = []
        var notes: [String] = []
        for (n, i) in inputs.enumerated() {
            let text = n < folded.count ? folded[n] : nil
            guard i.result.profile != nil || text != nil else { continue }
            let p = i.result.profile
            let what = p.map { "\($0.kind) profile, \(Fmt.grouped($0.samples)) samples\($0.hz > 0 ? " at \($0.hz) Hz" : "")" } ?? "profile"
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
