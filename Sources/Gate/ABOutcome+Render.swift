import BenchModel
import Foundation
import Reports

extension ABOutcome {
    public static func z(_ v: Double) -> String { v.isFinite ? Units.fixed(v, digits: 2) : (v > 0 ? "+∞" : "−∞") }

    /// "stage MEA" for a stage metric's key, "" for the run's own metrics.
    static func stage(of key: String) -> String {
        let head = key.split(separator: ".").first.map(String.init) ?? key
        return head.uppercased() == head && head.contains(where: \.isLetter) ? "stage \(head)" : ""
    }

    /// The design in one paragraph: what was planned and what ran.
    public func designText(labels: [String]) -> String {
        let p = plan
        let primary = family.first(where: \.primary)
        let shares = primary.map { m in
            "\(m.key) α \(Units.change(m.alpha).dropFirst()), \(family.count - 1) other\(family.count == 2 ? "" : "s") \(Units.change(family.first { !$0.primary }?.alpha ?? 0).dropFirst()) each"
        } ?? "\(family.count) metrics, α \(Units.change(family.first?.alpha ?? 0).dropFirst()) each"
        let test = p.trim > 0 ? "Yuen's t on means trimmed by \(Units.change(p.trim).dropFirst()) at each end" : "Welch's t on plain means"
        return """
            design: A = \(labels[0]), B = \(labels[1]); \(p.instancesPerProcess) workload instance\(p.instancesPerProcess == 1 ? "" : "s") per process, \
            rounds of one process a side in an order drawn from seed \(p.seed) (randomised interleaving), first look after \(p.firstLook) \
            a side, then every \(p.block); planned up to \(looks.last.map { Int(($0.fraction > 0 ? Double($0.processesPerSide) / $0.fraction : 0).rounded()) } ?? 0) a side \
            (budget \(Int(p.budgetSeconds)) s, --max-processes \(p.maxProcesses))\(p.fixed ? ", no early stop (--fixed)" : "").
            rule: per process the geometric mean of its instances; \(test) → z against group-sequential boundaries \
            (\(spending)); false alarms ≤ \(Units.change(p.familyAlpha).dropFirst()) for the family of \(family.count) gated metrics \
            (weighted Bonferroni: \(shares)); \(Int((p.power * 100).rounded()))% power at the threshold \
            (+\(Units.change(p.threshold).dropFirst()), raised to 100 ns for short latencies); a regression must also be ≥ half its threshold.
            """
    }

    /// The terminal summary: design, the final look's table, variance split of the primary, verdict.
    public func renderText(labels: [String]) -> String {
        var out = designText(labels: labels) + "\n"
        out += "ran: \(processesPerSide) processes a side (\(units.count) in all) in \(Units.fixed(seconds, digits: 0)) s over \(looks.count) look\(looks.count == 1 ? "" : "s"); stopped: \(stopReason)\n"
        if let sa = stealSeconds(.a), let sb = stealSeconds(.b), sa + sb > 0 {
            out += "host steal time while measuring: A \(Units.fixed(sa, digits: 2)) s, B \(Units.fixed(sb, digits: 2)) s"
                + (sa + sb > 0.01 * seconds ? " — the host took the vCPU for more than 1% of the time: expect wider modes" : "") + "\n"
        }
        let rows = final.map { m -> [String] in
            let g = family.first { $0.key == m.key }
            let unit = g?.unit ?? .ratio
            return [m.key + (g?.primary == true ? " (primary)" : ""), unit.format(m.levelA), unit.format(m.levelB), Units.change(m.change),
                    "±" + Units.change(m.standardError * 1.96).dropFirst(), Self.z(m.z) + " / " + Self.z(m.efficacyBoundary),
                    "+" + Units.change(g?.threshold).dropFirst(), m.mdeAtBudget.map { "+" + Units.change($0).dropFirst() } ?? "n/a",
                    verdictText(m)]
        }
        out += Self.table(["metric", "A", "B", "Δ", "95% ±", "z / bound", "threshold", "MDE", "verdict"], rows)
        if let primary = family.first(where: \.primary) ?? family.first, let v = varianceComponents(primary.key) {
            out += "noise of \(primary.key): ±\(Units.change(v.withinProcess).dropFirst()) between instances in a process, "
                + "±\(Units.change(v.betweenProcesses).dropFirst()) between processes beyond that (\(v.processes) processes, "
                + "\(Units.fixed(v.instancesPerProcess, digits: 1)) instances each)\n"
        }
        out += verdictLine()
        return out
    }

    func verdictText(_ m: MetricLook) -> String {
        switch m.verdict {
        case .regressed: "❌ regressed" + (Self.stage(of: m.key).isEmpty ? "" : " (\(Self.stage(of: m.key)))")
        case .improved: "✅ improved"
        case .within: "✅ within threshold"
        case .undecided: "… undecided"
        case .inconclusive: "⚠️ inconclusive"
        }
    }

    /// One line: the gate's answer.
    public func verdictLine() -> String {
        switch verdict {
        case .regressed:
            let r = final.filter { $0.verdict == .regressed }.map { m in
                "\(m.key) \(Units.change(m.change))" + (Self.stage(of: m.key).isEmpty ? "" : " in \(Self.stage(of: m.key))")
            }
            // Where it lives: when no stage metric crossed its own (stricter) boundary yet, the stage
            // that moved most, by z, is named beside the whole-episode figure that failed.
            var whereText = ""
            if !final.contains(where: { $0.verdict == .regressed && !Self.stage(of: $0.key).isEmpty }),
               let s = final.filter({ !Self.stage(of: $0.key).isEmpty && $0.z.isFinite && $0.z >= 2 }).max(by: { $0.z < $1.z }) {
                whereText = "; where: \(Self.stage(of: s.key)) (\(s.key) \(Units.change(s.change)), z \(Self.z(s.z)))"
            }
            return "verdict: REGRESSED — \(r.joined(separator: ", "))\(whereText)\n"
        case .pass:
            return "verdict: PASS — every gated metric is within +\(Units.change(plan.threshold).dropFirst()) (or improved), with \(Int((plan.power * 100).rounded()))% power\n"
        case .inconclusive:
            let u = final.filter { $0.verdict == .inconclusive }.map { m in
                "\(m.key) (MDE \(m.mdeAtBudget.map { Units.change($0) } ?? "n/a"))"
            }
            return "verdict: INCONCLUSIVE — no regression shown, but not ruled out for \(u.joined(separator: ", ")): the budget ended first\n"
        }
    }

    /// The gate's Markdown (for a pull request or a job summary).
    public func renderMarkdown(labels: [String]) -> String {
        var out = "### \(verdictLine().replacingOccurrences(of: "verdict: ", with: ""))\n"
        out += "| metric | \(labels[0]) | \(labels[1]) | Δ | 95% ± | threshold | MDE | verdict |\n|---|---:|---:|---:|---:|---:|---:|---|\n"
        for m in final {
            let g = family.first { $0.key == m.key }
            let unit = g?.unit ?? .ratio
            out += "| `\(m.key)`\(g?.primary == true ? " (primary)" : "") | \(unit.format(m.levelA)) | \(unit.format(m.levelB)) | \(Units.change(m.change)) | "
                + "±\(Units.change(m.standardError * 1.96).dropFirst()) | +\(Units.change(g?.threshold).dropFirst()) | "
                + "\(m.mdeAtBudget.map { "+" + Units.change($0).dropFirst() } ?? "n/a") | \(verdictText(m)) |\n"
        }
        out += "\n" + designText(labels: labels).replacingOccurrences(of: "\n", with: " ") + "\n\n"
        out += "Ran \(processesPerSide) processes a side in \(Units.fixed(seconds, digits: 0)) s; stopped: \(stopReason).\n"
        return out
    }

    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { i in all.map { $0[i].count }.max() ?? 0 }
        return all.map { row in
            zip(row, widths).enumerated().map { i, cell in
                i == 0 || i == row.count - 1 ? cell.0.padding(toLength: cell.1, withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: cell.1 - cell.0.count) + cell.0
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
