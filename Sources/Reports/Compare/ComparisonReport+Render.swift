import BenchModel
import Foundation

extension ComparisonReport {
    /// Headline such as `REGRESSED: 2 gated metrics regressed (parse.p50, e2e.p99)`.
    public var headline: String {
        let gated = metrics.filter(\.gated)
        func count(_ v: Verdict) -> Int { gated.filter { $0.verdict == v }.count }
        switch verdict {
        case .regressed:
            return "REGRESSED: \(gatedRegressions.count) gated metric\(gatedRegressions.count == 1 ? "" : "s") regressed (\(gatedRegressions.joined(separator: ", ")))"
        case .improved:
            return "IMPROVED: \(count(.improved)) gated metric\(count(.improved) == 1 ? "" : "s") improved, none regressed"
        case .inconclusive:
            return "INCONCLUSIVE: \(count(.inconclusive)) gated metric\(count(.inconclusive) == 1 ? "" : "s") changed beyond ±\(thresholdText) without significance"
        case .belowDetectionLimit:
            let blind = gated.filter { $0.verdict == .belowDetectionLimit }
            let worst = blind.compactMap { m in m.sensitivity?.mde.map { (m.metric, $0) } }.max { $0.1 < $1.1 }
            let example = worst.map { " (\($0.0) resolves only ≥ \(Units.magnitude($0.1)))" } ?? ""
            return "BELOW DETECTION LIMIT: none regressed, but \(blind.count) of \(gated.count) gated metric\(gated.count == 1 ? "" : "s") cannot see a ±\(thresholdText) change\(example)"
        case .unchanged, .changed:
            let reach = gated.compactMap { $0.sensitivity?.detects }.max().map { "; each would have caught a change of \(Units.magnitude($0)) or more" } ?? ""
            return "UNCHANGED: all \(gated.count) gated metrics within ±\(thresholdText) or not significant\(reach)"
        }
    }

    /// A gated metric's MDE as `≥ 4.2%`, `blind` (no change detectable), or `–` for ungated metrics.
    static func mdeText(_ m: MetricComparison) -> String {
        guard m.gated else { return "–" }
        guard let s = m.sensitivity else { return "blind" }
        return s.mde.map { "≥" + Units.magnitude($0) } ?? "blind"
    }

    var thresholdText: String { String(Units.change(threshold).dropFirst()) }

    /// `label (commit, configuration, N trials)`, without repeating a label that is the commit.
    static func describe(_ run: ComparedRun) -> String {
        let commit = Units.shortCommit(run.commit) + (run.dirty ? "+dirty" : "")
        var parts = run.label.hasPrefix(commit) ? [] : [commit]
        parts += [run.configuration, "\(run.trials) trial\(run.trials == 1 ? "" : "s")"]
        return "\(run.label) (\(parts.joined(separator: ", ")))"
    }

    /// The interval as `[+27.1%, +33.0%]`, or `–`.
    static func intervalText(_ m: MetricComparison) -> String {
        m.interval.map { "[\(Units.change($0.low)), \(Units.change($0.high))]" } ?? "–"
    }

    static func pText(_ m: MetricComparison) -> String { m.test.map { Units.pValue($0.p) } ?? "–" }

    /// A plain-text table for a terminal.
    public func text() -> String {
        var out = "phibench compare · \(before.scenario)\n"
        out += "before: " + Self.describe(before) + "\n"
        out += "after:  " + Self.describe(after) + "\n\n"
        for w in warnings { out += "⚠ \(w.message)\n\n" }
        let ci = "\(Int((confidence * 100).rounded()))% CI"
        var rows = [["metric", "before", "after", "change", ci, "p", "MDE", "verdict"]]
        for m in metrics {
            rows.append([m.metric + (m.gated ? " *" : ""), Units.metric(m.before, unit: m.unit),
                         Units.metric(m.after, unit: m.unit), Units.change(m.change), Self.intervalText(m),
                         Self.pText(m), Self.mdeText(m), m.verdict.text])
        }
        let widths = rows[0].indices.map { c in rows.map { $0[c].count }.max() ?? 0 }
        for (n, r) in rows.enumerated() {
            let cells = r.enumerated().map { c, s in
                let pad = String(repeating: " ", count: widths[c] - s.count)
                return c == 0 || c == r.count - 1 ? s + pad : pad + s
            }
            var line = cells.joined(separator: "  ")
            while line.last == " " { line.removeLast() }
            out += line + "\n"
            if n == 0 { out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n" }
        }
        out += "* gated: a regression here fails the comparison; MDE: the smallest change the gate catches with \(Int(((metrics.first { $0.sensitivity != nil }?.sensitivity?.power ?? 0.9) * 100).rounded()))% power\n\n"
        let explained = metrics.filter { $0.verdict != .unchanged }
        if !explained.isEmpty {
            out += "Details:\n"
            for m in explained {
                let reason = m.reason.hasPrefix(m.verdict.text) ? m.reason : "\(m.verdict.text) — \(m.reason)"
                out += "  \(m.metric): \(reason)\n"
            }
            out += "\n"
        }
        for n in notes { out += "note: \(n)\n" }
        out += "statistics: \(statistic)\n\n"
        out += "\(headline)\n"
        return out
    }

    /// GitHub-flavoured Markdown for a PR comment: the verdict, the gated metrics and every change,
    /// with the full table folded in a `<details>` block.
    /// GitHub Markdown: the verdict, the gated metrics and every changed one, all metrics folded
    /// away in `<details>`. Within `limit` characters when given: the folded table goes first, then
    /// rows of changed ungated metrics, each cut said in a line (a GitHub comment holds 65,536).
    public func markdown(limit: Int? = nil) -> String {
        let changed = metrics.filter { $0.gated || $0.verdict != .unchanged }
        let full = markdown(allMetrics: true, shown: changed)
        guard let limit, full.count > limit else { return full }
        var shown = changed
        while true {
            let cut = changed.count - shown.count
            let text = markdown(allMetrics: false, shown: shown)
                + "\n_Cut to stay under \(limit) characters: the table of all \(metrics.count) metrics"
                + (cut > 0 ? " and \(cut) changed ungated metrics" : "") + " left out; compare.html and compare.md have them._\n"
            if text.count <= limit || !shown.contains(where: { !$0.gated }) { return text }
            if let last = shown.lastIndex(where: { !$0.gated }) { shown.remove(at: last) }
        }
    }

    private func markdown(allMetrics: Bool, shown: [MetricComparison]) -> String {
        let icon: String = switch verdict {
        case .regressed: "❌"
        case .improved: "✅"
        case .inconclusive, .belowDetectionLimit: "⚠️"
        default: "➖"
        }
        var out = "## phibench compare · \(Escape.markdown(before.scenario))\n\n"
        out += "\(icon) **\(Escape.markdown(headline))**\n\n"
        out += "Before \(Escape.markdown(Self.describe(before))) → after \(Escape.markdown(Self.describe(after)))\n\n"
        if !warnings.isEmpty {
            out += "> [!CAUTION]\n" + warnings.map { "> - \(Escape.markdown($0.message))\n" }.joined() + "\n"
        }
        if !notes.isEmpty {
            out += "> [!NOTE]\n" + notes.map { "> - \(Escape.markdown($0))\n" }.joined() + "\n"
        }
        out += "### Gated metrics and changes\n\n" + table(shown).render() + "\n"
        if allMetrics {
            out += "<details><summary>All \(metrics.count) metrics</summary>\n\n" + table(metrics).render() + "\n</details>\n\n"
        }
        out += "<sub>\(Escape.markdown(statistic)). Gated metrics are marked ●.</sub>\n"
        return out
    }

    func table(_ rows: [MetricComparison]) -> MarkdownTable {
        let ci = "\(Int((confidence * 100).rounded()))% CI"
        var t = MarkdownTable(["Metric", "Before", "After", "Change", ci, "p", "MDE", "Verdict"],
                              align: [.left, .right, .right, .right, .right, .right, .right, .left])
        for m in rows {
            let mark: String = switch m.verdict {
            case .regressed: "❌ regressed"
            case .improved: "✅ improved"
            case .inconclusive: "⚠️ inconclusive"
            case .changed: "🔀 changed"
            case .unchanged: "unchanged"
            case .belowDetectionLimit: "🙈 below detection limit"
            }
            t.append([(m.gated ? "● " : "") + m.metric, Units.metric(m.before, unit: m.unit),
                      Units.metric(m.after, unit: m.unit), Units.change(m.change), Self.intervalText(m),
                      Self.pText(m), Self.mdeText(m), mark])
        }
        return t
    }

    /// The report as pretty-printed JSON (schema `phibench.compare/1`), keys sorted.
    /// - Throws: ``ReportError/writeFailed(file:reason:)`` only if encoding fails, which it should not.
    public func json() throws(ReportError) -> String {
        do {
            return String(decoding: try JSONCoding.encoder(nonFinite: true).encode(self), as: UTF8.self) + "\n"
        } catch {
            throw .writeFailed(file: "compare.json", reason: "\(error)")
        }
    }
}
