import BenchModel
import Foundation

/// The readable summary `phibench run` prints: headline, warnings, latency per histogram, every other
/// metric of the catalogue, phases and thresholds, in plain text that fits about 110 columns.
public enum TerminalSummary {
    public static func render(_ r: BenchResult) -> String {
        var out: [String] = []
        let s = r.summary
        let jem = r.build.jemalloc ? "jemalloc on" : "jemalloc off"
        out.append("\(r.scenario.name) — \(r.workload.name), \(r.build.configuration) build, \(jem), \(r.machine.cores) cores \(r.machine.cpuModel), commit \(r.build.commit.prefix(10))\(r.build.dirty ? "+dirty" : "")")
        for w in r.warnings { out.append("  ⚠ \(w.message)") }
        out.append("  episodes \(s.episodes)   throughput \(r.formatted(MetricKey.throughput))   errors \(s.errors)   dropped \(s.dropped)   measured \(Units.fixed(r.durationSeconds, digits: 1)) s\(r.interrupted ? "   (INTERRUPTED)" : "")")
        if let warm = WarmupText.describe(r) { out.append("  warm-up \(warm)") }
        out.append("")
        let stats: [LatencyStatistic] = [.count, .min, .mean, .p50, .p90, .p95, .p99, .p999, .max]
        var rows = [["latency"] + stats.map(\.label)]
        for key in r.catalogue.recordedHistograms(s) {
            rows.append([key] + stats.map { stat in
                let v = s.metric("\(key).\(stat.rawValue)")
                return stat == .count ? Units.metric(v, unit: .count) : Units.metric(v, unit: .nanoseconds)
            })
        }
        out += table(rows, rightAligned: 1...)
        let leading = Set([MetricKey.throughput, MetricKey.episodes, MetricKey.errors, MetricKey.dropped])
        for group in r.catalogue.metricGroups {
            let cells = group.metrics.filter { !leading.contains($0.key) }.compactMap { d in
                s.metric(d.key).map { "\(d.label) \(d.unit.format($0))" }
            }
            guard !cells.isEmpty else { continue }
            out.append("")
            out.append("  \(group.name.isEmpty ? "run" : group.name)")
            // Two per line keeps a dozen metrics within a screen.
            for pair in stride(from: 0, to: cells.count, by: 2) {
                let left = cells[pair]
                let right = pair + 1 < cells.count ? cells[pair + 1] : ""
                out.append("    " + left.padding(toLength: Swift.max(left.count, 52), withPad: " ", startingAt: 0) + right)
            }
        }
        if let leak = r.leak {
            out.append("")
            out.append("  leak       \(leak.explanation)")
        }
        if !r.workload.events.isEmpty {
            out.append("")
            out.append("  events (\(r.workload.events.count))")
            for e in r.workload.events.prefix(8) {
                out.append("    \(e.tSeconds.map { Units.fixed($0, digits: 1) + " s" } ?? "warm-up")  \(e.kind)  \(e.message)")
            }
            if r.workload.events.count > 8 { out.append("    … \(r.workload.events.count - 8) more in result.json") }
        }
        if !r.phases.isEmpty {
            out.append("")
            var p = [["phase", "target", "achieved", "p50", "p99", "max", "max queue", "drain", "dropped", "arrivals"]]
            for ph in r.phases {
                p.append([
                    ph.label, ph.targetRate.map { Units.fixed($0, digits: 1) + "/s" } ?? (ph.kind == "closed" ? "c=\(ph.concurrency)" : "at once"),
                    Units.fixed(ph.achievedRate, digits: 1) + "/s",
                    r.formatted(MetricKey.e2e(.p50), in: ph.stats), r.formatted(MetricKey.e2e(.p99), in: ph.stats), r.formatted(MetricKey.e2e(.max), in: ph.stats),
                    "\(ph.maxQueueDepth)", ph.drainSeconds.map { Units.fixed($0, digits: 2) + " s" } ?? "–", "\(ph.stats.dropped)",
                    ph.arrivalCheck.map { "\($0.process.rawValue) \($0.verdict.rawValue)" } ?? "–",
                ])
            }
            out += table(p, rightAligned: 1...)
        }
        if !r.thresholds.isEmpty {
            out.append("")
            out.append("  thresholds")
            for t in r.thresholds {
                let value = t.value.map { r.catalogue.descriptor(t.metric)?.unit.format($0) ?? Units.number($0) } ?? "not measured"
                out.append("    \(t.passed ? "✓" : "✗") \(t.expression)   (\(value))")
            }
        }
        return out.joined(separator: "\n")
    }

    /// Rows as an aligned text table, indented two spaces, with a rule under the header.
    public static func table(_ rows: [[String]], rightAligned: PartialRangeFrom<Int>) -> [String] {
        guard let header = rows.first else { return [] }
        var widths = header.map(\.count)
        for row in rows { for (i, c) in row.enumerated() { widths[i] = Swift.max(widths[i], c.count) } }
        func line(_ row: [String]) -> String {
            "  " + row.enumerated().map { i, c in
                let pad = String(repeating: " ", count: widths[i] - c.count)
                return rightAligned.contains(i) ? pad + c : c + pad
            }.joined(separator: "  ")
        }
        return [line(header), "  " + widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ")]
            + rows.dropFirst().map(line)
    }
}
