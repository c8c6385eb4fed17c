import BenchModel

/// The short, readable summary `phibench run` prints: headline, latency table, Φ, memory, CPU,
/// phases and thresholds, in plain text that fits 100 columns.
public enum TerminalSummary {
    public static func render(_ r: BenchResult) -> String {
        var out: [String] = []
        let s = r.summary
        let jem = r.build.jemalloc ? "jemalloc on" : "jemalloc off"
        out.append("\(r.scenario.name) — \(r.build.configuration) build, \(jem), \(r.machine.cores) cores \(r.machine.cpuModel), commit \(r.build.commit.prefix(10))\(r.build.dirty ? "+dirty" : "")")
        for w in r.warnings { out.append("  ⚠ \(w)") }
        out.append("  episodes \(s.episodes)   throughput \(Units.fixed(s.throughputEps, digits: 1))/s   errors \(s.errors)   dropped \(s.dropped)   measured \(Units.fixed(r.durationSeconds, digits: 1)) s\(r.interrupted ? "   (INTERRUPTED)" : "")")
        out.append("")
        var rows = [["latency", "count", "p50", "p90", "p99", "p99.9", "max", "mean"]]
        for key in s.latencyKeysInOrder {
            let l = s.latencyNs[key]!
            rows.append([key, "\(l.count)"] + [l.p50, l.p90, l.p99, l.p999, l.max].map { Units.formatNanoseconds(Double($0)) }
                        + [Units.formatNanoseconds(l.mean)])
        }
        out += table(rows, rightAligned: 1...)
        out.append("")
        if s.phi.hits + s.phi.misses > 0 {
            out.append("  Φ cache    hit rate \(Units.fixed(s.phi.cacheHitRate * 100, digits: 1))%  (hits \(s.phi.hits), misses \(s.phi.misses), evictions \(s.phi.evictions))")
        }
        let m = s.memory
        var mem = "  memory     RSS \(Units.formatBytes(Double(m.rssStartBytes))) → \(Units.formatBytes(Double(m.rssEndBytes))) (\(signed(m.rssGrowthPct))%), peak \(Units.formatBytes(Double(m.rssPeakBytes))), slope \(Units.formatBytes(m.rssSlopeBytesPerEpisode))/episode"
        if let a = m.allocationsPerEpisode, let b = m.bytesAllocatedPerEpisode {
            mem += "\n             \(Units.fixed(a, digits: 1)) allocations/episode, \(Units.formatBytes(b)) allocated/episode"
        }
        if let j = m.jemalloc {
            mem += "\n             jemalloc allocated \(Units.formatBytes(Double(j.allocated))), active \(Units.formatBytes(Double(j.active))), resident \(Units.formatBytes(Double(j.resident))), mapped \(Units.formatBytes(Double(j.mapped)))"
        }
        out.append(mem)
        out.append("  cpu        user \(Units.fixed(s.cpu.userSeconds, digits: 2)) s, system \(Units.fixed(s.cpu.systemSeconds, digits: 2)) s, \(Units.fixed(s.cpu.utilization, digits: 2)) cores busy")
        if let ml = r.memoryLayer {
            out.append("  memory layer \(ml.level): \(ml.storedStates) states, \(Units.formatBytes(ml.residentBytesPerState))/state resident (logical \(Units.formatBytes(ml.logicalBytesPerState)))")
        }
        if let leak = r.leak {
            out.append("  leak       \(leak.explanation)")
        }
        if !r.phases.isEmpty {
            out.append("")
            var p = [["phase", "target", "achieved", "p50", "p99", "max", "max queue", "drain", "dropped"]]
            for ph in r.phases {
                let e2e = ph.stats.latencyNs["e2e"] ?? LatencySummary()
                p.append([
                    ph.label, ph.targetRate.map { Units.fixed($0, digits: 1) + "/s" } ?? (ph.kind == "closed" ? "c=\(ph.concurrency)" : "at once"),
                    Units.fixed(ph.achievedRate, digits: 1) + "/s",
                    Units.formatNanoseconds(Double(e2e.p50)), Units.formatNanoseconds(Double(e2e.p99)),
                    Units.formatNanoseconds(Double(e2e.max)), "\(ph.maxQueueDepth)",
                    ph.drainSeconds.map { Units.fixed($0, digits: 2) + " s" } ?? "–", "\(ph.stats.dropped)",
                ])
            }
            out += table(p, rightAligned: 1...)
        }
        if !r.thresholds.isEmpty {
            out.append("")
            out.append("  thresholds")
            for t in r.thresholds {
                let value = t.value.map { format(t.metric, $0) } ?? "not measured"
                out.append("    \(t.passed ? "✓" : "✗") \(t.expression)   (\(value))")
            }
        }
        return out.joined(separator: "\n")
    }

    /// A metric value in its unit, for display.
    public static func format(_ metric: String, _ v: Double) -> String {
        switch RunSummary.unit(of: metric) {
        case .nanoseconds: Units.formatNanoseconds(v)
        case .bytes: Units.formatBytes(v)
        case .bytesPerEpisode: Units.formatBytes(v) + "/episode"
        case .perSecond: Units.fixed(v, digits: 1) + "/s"
        case .percent: Units.fixed(v, digits: 2) + "%"
        case .ratio: Units.fixed(v, digits: 3)
        case .count: "\(Int(v))"
        case .seconds: Units.fixed(v, digits: 2) + " s"
        case .perEpisode: Units.fixed(v, digits: 1) + "/episode"
        }
    }

    static func signed(_ v: Double) -> String { (v >= 0 ? "+" : "") + Units.fixed(v, digits: 1) }

    /// Rows as an aligned text table, indented two spaces, with a rule under the header.
    static func table(_ rows: [[String]], rightAligned: PartialRangeFrom<Int>) -> [String] {
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
